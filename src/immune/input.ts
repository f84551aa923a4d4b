// Checks on what reaches the immune system from outside TypeScript's reach (a Sentry in another
// process, an operator's command line): malformed input is refused with a stable code, never guessed at.

import { ERROR_CODES, fail, type KernelError, ok, type Result } from '../shared/index.ts';
import type { AggregateSample, Anomaly, BehaviourSample } from './port.ts';

export const AGENT_ID_CHARS_MAX = 256;
const SOURCE_CHARS_MAX = 256;
const TARGET_CHARS_MAX = 2_048;
const AGGREGATE_KINDS: ReadonlySet<string> = new Set(['api-call', 'message', 'declassification']);

function invalid(message: string): Result<never, KernelError> {
  return fail(ERROR_CODES.INVALID_INPUT, message);
}

const isText = (value: unknown, max: number): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= max;

const isAmount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0;

export function checkAgent(agent: unknown): Result<string, KernelError> {
  if (!isText(agent, AGENT_ID_CHARS_MAX)) {
    return invalid(`agent id must be a string of 1 to ${AGENT_ID_CHARS_MAX} characters`);
  }
  return ok(agent);
}

export function checkDecider(decider: unknown): Result<string, KernelError> {
  const by = (decider as { by?: unknown } | undefined)?.by;
  if (!isText(by, AGENT_ID_CHARS_MAX)) return invalid('a stage change must name who decides (`by`)');
  return ok(by);
}

/** Unknown kinds are accepted (they weigh as a malformed call); the shape must be right. */
export function checkAnomaly(anomaly: Anomaly): Result<Anomaly, KernelError> {
  const agent = checkAgent(anomaly?.agent);
  if (!agent.ok) return agent;
  if (!isText(anomaly.kind, 64)) return invalid('anomaly kind must be a string of 1 to 64 characters');
  if (!isText(anomaly.source, SOURCE_CHARS_MAX)) return invalid('anomaly source must be a non-empty string');
  const { evidence } = anomaly;
  if (evidence === null || typeof evidence !== 'object' || Array.isArray(evidence)) {
    return invalid('anomaly evidence must be an object');
  }
  return ok(anomaly);
}

export function checkBehaviourSample(sample: BehaviourSample): Result<BehaviourSample, KernelError> {
  const agent = checkAgent(sample?.agent);
  if (!agent.ok) return agent;
  if (typeof sample.target !== 'string' || sample.target.length > TARGET_CHARS_MAX) {
    return invalid(`behaviour sample target must be a string of at most ${TARGET_CHARS_MAX} characters`);
  }
  if (!isAmount(sample.bytes)) return invalid('behaviour sample bytes must be a finite number ≥ 0');
  if (typeof sample.blocked !== 'boolean') return invalid('behaviour sample `blocked` must be a boolean');
  return ok(sample);
}

export function checkAggregateSample(sample: AggregateSample): Result<AggregateSample, KernelError> {
  const agent = checkAgent(sample?.agent);
  if (!agent.ok) return agent;
  if (!AGGREGATE_KINDS.has(sample.kind)) return invalid(`unknown aggregate kind \`${String(sample.kind)}\``);
  if (!isAmount(sample.bytes)) return invalid('aggregate sample bytes must be a finite number ≥ 0');
  if (sample.peer !== undefined && typeof sample.peer !== 'string') {
    return invalid('aggregate sample peer must be a string');
  }
  return ok(sample);
}
