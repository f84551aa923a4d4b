// Construction options of the immune system, with their defaults and validation. The profile is
// fixed here for the system's lifetime (stage-4 authority is immutable at run time, §37.8.2).

import type { Clock } from '../shared/index.ts';
import { ERROR_CODES, fail, type KernelError, ok, type Result } from '../shared/index.ts';
import {
  AGGREGATE_DEFAULTS,
  type AggregateCheck,
  type AggregateLimit,
  type AggregateLimits,
} from './aggregate-monitor.ts';
import type { ImmuneEvent } from './events.ts';
import { FEVER_DEFAULTS, type FeverOptions } from './fever.ts';
import { FINGERPRINT_DEFAULTS, type FingerprintOptions } from './fingerprint.ts';
import type { ImmuneCommand, SecurityProfile } from './port.ts';

/** Weighted-score thresholds (§49.12): above each, the agent enters the stage. */
export type StageThresholds = {
  readonly observation: number;
  readonly softIsolation: number;
  readonly hardIsolation: number;
  /** Standard only: at stage 3 with a score above this, the system eliminates on its own (TSCA, Auth Level A). */
  readonly elimination: number;
};

export const STAGE_THRESHOLD_DEFAULTS: StageThresholds = {
  observation: 10,
  softIsolation: 30,
  hardIsolation: 60,
  elimination: 90,
};

export const AGENTS_MAX_DEFAULT = 10_000;

export type ImmuneOptions = {
  readonly profile: SecurityProfile;
  readonly clock: Clock;
  readonly onCommand?: (command: ImmuneCommand) => void;
  readonly onEvent?: (event: ImmuneEvent) => void;
  readonly thresholds?: Partial<StageThresholds>;
  readonly fever?: Partial<FeverOptions>;
  readonly aggregate?: Partial<Record<AggregateCheck, Partial<AggregateLimit>>>;
  readonly fingerprint?: Partial<FingerprintOptions>;
  /** Agents tracked per kind of state (anomalies, fingerprints, aggregates). */
  readonly agentsMax?: number;
};

export type ResolvedOptions = {
  readonly profile: SecurityProfile;
  readonly clock: Clock;
  readonly onCommand: (command: ImmuneCommand) => void;
  readonly onEvent: (event: ImmuneEvent) => void;
  readonly thresholds: StageThresholds;
  readonly fever: FeverOptions;
  readonly aggregate: AggregateLimits;
  readonly fingerprint: FingerprintOptions;
  readonly agentsMax: number;
};

const PROFILES: readonly SecurityProfile[] = ['standard', 'hardened', 'isolated'];

const positive = (value: number) => Number.isFinite(value) && value > 0;
const positiveInteger = (value: number) => Number.isSafeInteger(value) && value > 0;

/** Fills in defaults and refuses anything that would weaken or break the immune system. */
export function resolveOptions(options: ImmuneOptions): Result<ResolvedOptions, KernelError> {
  if (!PROFILES.includes(options.profile)) {
    return invalid(`unknown security profile \`${String(options.profile)}\``);
  }
  if (typeof options.clock?.monotonicMs !== 'function' || typeof options.clock.wallMs !== 'function') {
    return invalid('a clock is required');
  }
  const thresholds = { ...STAGE_THRESHOLD_DEFAULTS, ...options.thresholds };
  const { observation, softIsolation, hardIsolation, elimination } = thresholds;
  if (![observation, softIsolation, hardIsolation, elimination].every(positive)) {
    return invalid('stage thresholds must be positive numbers');
  }
  if (!(observation < softIsolation && softIsolation < hardIsolation && hardIsolation <= elimination)) {
    return invalid('stage thresholds must rise: observation < soft isolation < hard isolation ≤ elimination');
  }
  const fever = { ...FEVER_DEFAULTS, ...options.fever };
  if (!positiveInteger(fever.elevatedAgentsMin) || !positive(fever.scoreAbove)) {
    return invalid('fever thresholds must be positive');
  }
  if (!positiveInteger(fever.scoreWindowMs) || !positiveInteger(fever.quietMs)) {
    return invalid('fever windows must be positive whole milliseconds');
  }
  if (!(fever.rateFactor > 0 && fever.rateFactor <= 1)) return invalid('fever rate factor must be in (0, 1]');
  const aggregate = resolveAggregate(options.aggregate ?? {});
  if (!aggregate.ok) return aggregate;
  const fingerprint = { ...FINGERPRINT_DEFAULTS, ...options.fingerprint };
  if (!positiveInteger(fingerprint.windowMs))
    return invalid('fingerprint window must be positive whole milliseconds');
  if (!positiveInteger(fingerprint.calibrationWindows) || fingerprint.calibrationWindows > 10_000) {
    return invalid('fingerprint calibration must be 1 to 10000 windows');
  }
  const agentsMax = options.agentsMax ?? AGENTS_MAX_DEFAULT;
  if (!positiveInteger(agentsMax)) return invalid('`agentsMax` must be a positive integer');
  return ok({
    profile: options.profile,
    clock: options.clock,
    onCommand: options.onCommand ?? (() => {}),
    onEvent: options.onEvent ?? (() => {}),
    thresholds,
    fever,
    aggregate: aggregate.value,
    fingerprint,
    agentsMax,
  });
}

/** WHY: §49.11 forbids disabling aggregate monitoring, so every limit stays finite. */
function resolveAggregate(
  overrides: Partial<Record<AggregateCheck, Partial<AggregateLimit>>>,
): Result<AggregateLimits, KernelError> {
  const out = { ...AGGREGATE_DEFAULTS };
  for (const [check, override] of Object.entries(overrides)) {
    if (!Object.hasOwn(AGGREGATE_DEFAULTS, check)) return invalid(`unknown aggregate check \`${check}\``);
    const key = check as AggregateCheck;
    const merged = { ...AGGREGATE_DEFAULTS[key], ...override };
    if (!positiveInteger(merged.limit))
      return invalid(`aggregate limit \`${check}\` must be a positive integer`);
    if (!positiveInteger(merged.windowMs))
      return invalid(`aggregate window \`${check}\` must be positive whole milliseconds`);
    out[key] = merged;
  }
  return ok(out);
}

function invalid(message: string): Result<never, KernelError> {
  return fail(ERROR_CODES.CONFIG_INVALID, `invalid immune options: ${message}`);
}
