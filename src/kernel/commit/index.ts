// Public face of the commit layer.

export { type Approval, approvalProblem, intentDigest } from './approval.ts';
export {
  CommitLayer,
  type CommitLayerOptions,
  type CommitStage,
  type HeldTokenStore,
  LOCK_TIMEOUT_MS,
  type SubmitOptions,
} from './commit-layer.ts';
export { ConnectorRegistry } from './connector-registry.ts';
export {
  type CheckSummary,
  INTENT_RECORDS,
  IntentIndex,
  type Tracked,
  type TrackedState,
} from './intent-index.ts';
export { expireHeld, loadIndex, type RecoveryReport, recover } from './recovery.ts';
export { releaseExpired, undoIntent } from './rollback-zone.ts';
