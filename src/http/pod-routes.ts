// The API's agent-pod routes under /v1/agents (issue 4): list, start, one task, signals and
// quarantine, each a call of the daemon's `PodControl`. Registered only when the daemon hosts pods.

import { isAbsolute } from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { PodControl, PodSignal } from '../runtime/service.ts';
import {
  AGENT_ID_PATTERN,
  ERROR_CODES,
  fail,
  type JsonValue,
  type KernelError,
  ok,
  type Result,
} from '../shared/index.ts';
import { respond } from './error-status.ts';
import { clip, invalid, parseDecider, parseFields } from './request-input.ts';

/** The manifest's id pattern (src/pod/manifest.ts), with its length bound. */
/** A task body: the pod's message bound (POD_MESSAGE_BYTES_MAX) plus room for `{"task":…}`. */
export const TASK_BODY_BYTES_MAX = 1_048_576 + 64;
/** A path on the daemon's machine; Linux's PATH_MAX. */
export const AGENT_DIR_LENGTH_MAX = 4096;
export const QUARANTINE_STAGE_MAX = 5;

const SIGNALS: Readonly<Record<string, PodSignal>> = {
  SIGSTOP: 'SIGSTOP',
  SIGCONT: 'SIGCONT',
  SIGINT: 'SIGINT',
  SIGTERM: 'SIGTERM',
  SIGKILL: 'SIGKILL',
  STOP: 'SIGSTOP',
  CONT: 'SIGCONT',
  INT: 'SIGINT',
  TERM: 'SIGTERM',
  KILL: 'SIGKILL',
};

type AgentRequest = FastifyRequest<{ Params: { id?: string } }>;

/** Registers the /v1/agents routes over `pods`. */
export function registerPodRoutes(app: FastifyInstance, pods: PodControl): void {
  app.get('/v1/agents', async () => pods.list());
  app.post('/v1/agents', async (request, reply) => {
    const fields = parseFields(request.body, ['dir'], '`{ "dir": "/path/to/agent" }`');
    if (!fields.ok) return respond(reply, fields);
    const dir = parseDir(fields.value.dir);
    if (!dir.ok) return respond(reply, dir);
    return respond(reply, await pods.start(dir.value), 201);
  });
  app.get('/v1/agents/:id', async (request: AgentRequest, reply) => {
    const id = parseAgentId(request.params.id);
    if (!id.ok) return respond(reply, id);
    const found = (await pods.list()).find((pod) => pod.agent === id.value);
    if (found === undefined) return respond(reply, fail(ERROR_CODES.AGENT_UNKNOWN, unknown(id.value)));
    return respond(reply, ok(found));
  });
  app.post(
    '/v1/agents/:id/tasks',
    { bodyLimit: TASK_BODY_BYTES_MAX },
    async (request: AgentRequest, reply) => {
      const id = parseAgentId(request.params.id);
      if (!id.ok) return respond(reply, id);
      const fields = parseFields(request.body, ['task'], '`{ "task": <json> }`');
      if (!fields.ok) return respond(reply, fields);
      if (!('task' in fields.value)) return respond(reply, invalid('send `{ "task": <json> }`'));
      const result = await pods.task(id.value, fields.value.task as JsonValue);
      return respond(reply, result.ok ? ok({ result: result.value }) : result);
    },
  );
  app.post('/v1/agents/:id/signal', async (request: AgentRequest, reply) => {
    const id = parseAgentId(request.params.id);
    if (!id.ok) return respond(reply, id);
    const fields = parseFields(request.body, ['signal'], '`{ "signal": "SIGTERM" }`');
    if (!fields.ok) return respond(reply, fields);
    const signal = parseSignal(fields.value.signal);
    if (!signal.ok) return respond(reply, signal);
    return respond(reply, await pods.signal(id.value, signal.value));
  });
  app.post('/v1/agents/:id/quarantine', async (request: AgentRequest, reply) => {
    const id = parseAgentId(request.params.id);
    if (!id.ok) return respond(reply, id);
    const expected = '`{ "stage": 0-5, "approved"?: true, "by"?: "…", "note"?: "…" }`';
    const fields = parseFields(request.body, ['stage', 'approved', 'by', 'note'], expected);
    if (!fields.ok) return respond(reply, fields);
    const { stage, approved, by, note } = fields.value;
    const parsedStage = parseStage(stage);
    if (!parsedStage.ok) return respond(reply, parsedStage);
    if (approved !== undefined && typeof approved !== 'boolean') {
      return respond(reply, invalid('`approved` must be true or false'));
    }
    const decider = parseDecider({ by, note });
    if (!decider.ok) return respond(reply, decider);
    const withApproval = approved === undefined ? decider.value : { ...decider.value, approved };
    return respond(reply, await pods.quarantine(id.value, parsedStage.value, withApproval));
  });
}

/** An agent id as manifests spell it: letters, digits, `_ . -`, 1 to 128 characters. */
export function parseAgentId(value: unknown): Result<string, KernelError> {
  if (typeof value !== 'string' || !AGENT_ID_PATTERN.test(value)) {
    const shown = typeof value === 'string' ? ` \`${clip(value)}\`` : '';
    return invalid(`the agent id${shown} must be 1 to 128 letters, digits, \`_\`, \`.\` or \`-\``);
  }
  return ok(value);
}

/** `SIGTERM` or `TERM` (and the other four): exactly as listed, upper case. */
export function parseSignal(value: unknown): Result<PodSignal, KernelError> {
  const signal = typeof value === 'string' && Object.hasOwn(SIGNALS, value) ? SIGNALS[value] : undefined;
  if (signal === undefined) {
    const shown = typeof value === 'string' ? `, not \`${clip(value)}\`` : '';
    return invalid(`\`signal\` must be one of SIGSTOP, SIGCONT, SIGINT, SIGTERM, SIGKILL${shown}`);
  }
  return ok(signal);
}

function parseStage(value: unknown): Result<number, KernelError> {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > QUARANTINE_STAGE_MAX) {
    const shown =
      typeof value === 'number' || typeof value === 'string' ? `, not \`${clip(String(value))}\`` : '';
    return fail(
      ERROR_CODES.QUARANTINE_STAGE_INVALID,
      `\`stage\` must be a whole number from 0 to ${QUARANTINE_STAGE_MAX}${shown}`,
    );
  }
  return ok(value);
}

function parseDir(value: unknown): Result<string, KernelError> {
  if (
    typeof value !== 'string' ||
    value.length === 0 ||
    value.length > AGENT_DIR_LENGTH_MAX ||
    value.includes('\0') ||
    !isAbsolute(value)
  ) {
    return invalid(`\`dir\` must be an absolute path of at most ${AGENT_DIR_LENGTH_MAX} characters`);
  }
  return ok(value);
}

function unknown(agent: string): string {
  return `no agent \`${agent}\` on this daemon; see \`maos ps\``;
}
