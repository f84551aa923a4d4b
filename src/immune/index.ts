// Public face of src/immune: the immune system (§37, §41.2, §49.11) and the tables it decides by.
// The runtime constructs one `ImmuneSystem`, hands it to the pods as their `ImmuneSink` and to the
// kernel as its `StandingLookup`, journals its events, carries out its commands and calls `tick()`.
// Out of scope here: peers of an eliminated agent (lateral-movement check, no bus yet), danger-signal
// collusion and reporter weighting, fever's SSE and A2A effects (the runtime reads `feverOn`).

export {
  AGGREGATE_DEFAULTS,
  type AggregateCheck,
  type AggregateLimit,
  type AggregateLimits,
  type IntentType,
} from './aggregate-monitor.ts';
export {
  ANOMALY_WEIGHTS,
  COUNTED_PER_WINDOW_MAX,
  NETWORK_BLOCKED_BURST,
  SYSTEM_SOURCES,
  weightOf,
} from './anomaly.ts';
export type { ImmuneEvent, ImmuneEventType } from './events.ts';
export { FAST_APOPTOSIS_KINDS, isFastApoptosis } from './fast-apoptosis.ts';
export { FEVER_DEFAULTS, type FeverOptions } from './fever.ts';
export { FINGERPRINT_DEFAULTS, type FingerprintLevel, type FingerprintOptions } from './fingerprint.ts';
export { IMMUNE_MEMORY_MATCH, MEMORY_LIMITS, type ThreatRecord } from './immune-memory.ts';
export { type Decider, type ImmuneStatus, ImmuneSystem } from './immune-system.ts';
export {
  AGENTS_MAX_DEFAULT,
  type ImmuneOptions,
  STAGE_THRESHOLD_DEFAULTS,
  type StageThresholds,
} from './options.ts';
export type {
  AggregateSample,
  Anomaly,
  AnomalyKind,
  BehaviourSample,
  ImmuneCommand,
  ImmuneSink,
  QuarantineStage,
  SecurityProfile,
} from './port.ts';
export { STAGE_NAMES } from './port.ts';
export { STAGE_QUIET_MS } from './quarantine.ts';
export { intentTypeOf } from './standing.ts';
