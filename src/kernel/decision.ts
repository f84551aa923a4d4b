// Decision: the DSC's verdict on one intent, with every check's outcome (all seven always run)
// and the charges the caller reserves if it goes ahead. A denial is data, never an exception.

import type { Cost } from './intent.ts';

export const CHECK_IDS = [
  'capability',
  'rate-limit',
  'budget',
  'ifc',
  'mandatory-rules',
  'revocation-epoch',
  'prefilter',
] as const;
export type CheckId = (typeof CHECK_IDS)[number];

export type Verdict = 'allow' | 'deny' | 'escalate';

/** Stable reason codes. Tests, the audit log and clients key on these strings. */
export const REASON_CODES = {
  // 1 capability
  UNKNOWN_AGENT: 'UNKNOWN_AGENT',
  TOKEN_MISSING: 'TOKEN_MISSING',
  TOKEN_INVALID: 'TOKEN_INVALID',
  TOKEN_NOT_VERIFIED: 'TOKEN_NOT_VERIFIED',
  TOKEN_SUBJECT_MISMATCH: 'TOKEN_SUBJECT_MISMATCH',
  TOKEN_AUDIENCE_MISMATCH: 'TOKEN_AUDIENCE_MISMATCH',
  TOKEN_NOT_YET_VALID: 'TOKEN_NOT_YET_VALID',
  TOKEN_EXPIRED: 'TOKEN_EXPIRED',
  TOKEN_REVOKED: 'TOKEN_REVOKED',
  TOKEN_RING_ABOVE_AGENT: 'TOKEN_RING_ABOVE_AGENT',
  RESOURCE_INVALID: 'RESOURCE_INVALID',
  SCOPE_NOT_COVERED: 'SCOPE_NOT_COVERED',
  CONSTRAINT_FAILED: 'CONSTRAINT_FAILED',
  CONSTRAINT_ERROR: 'CONSTRAINT_ERROR',
  // 2 rate limit
  RATE_LIMITED: 'RATE_LIMITED',
  TOKEN_RATE_LIMITED: 'TOKEN_RATE_LIMITED',
  TOKEN_USES_EXHAUSTED: 'TOKEN_USES_EXHAUSTED',
  /** The agent crossed an aggregate threshold for this type of action (§49.11): a human decides. */
  AGGREGATE_THRESHOLD: 'AGGREGATE_THRESHOLD',
  // 3 budget
  BUDGET_EXHAUSTED: 'BUDGET_EXHAUSTED',
  BUDGET_INSUFFICIENT: 'BUDGET_INSUFFICIENT',
  TOKEN_BUDGET_INSUFFICIENT: 'TOKEN_BUDGET_INSUFFICIENT',
  // 4 ifc
  IFC_READ_UP: 'IFC_READ_UP',
  IFC_WRITE_DOWN: 'IFC_WRITE_DOWN',
  IFC_ABOVE_CLEARANCE: 'IFC_ABOVE_CLEARANCE',
  IFC_UNTRUSTED_EXFILTRATION: 'IFC_UNTRUSTED_EXFILTRATION',
  /** A critical argument's value does not have the provenance the sink policy requires. */
  IFC_PROVENANCE: 'IFC_PROVENANCE',
  /** A context rule of the sink policy matched what the session has read. */
  IFC_CONTEXT_RULE: 'IFC_CONTEXT_RULE',
  /** A sink-policy action outside any session: nothing can vouch for its arguments. */
  IFC_NO_SESSION: 'IFC_NO_SESSION',
  /** The intent cites a session the kernel does not hold, or another agent's. */
  IFC_SESSION_UNKNOWN: 'IFC_SESSION_UNKNOWN',
  // 5 mandatory rules
  MR_VIOLATION: 'MR_VIOLATION',
  APPROVAL_REQUIRED: 'APPROVAL_REQUIRED',
  // 6 revocation epoch
  EPOCH_STALE: 'EPOCH_STALE',
  TOKEN_EPOCH_AHEAD: 'TOKEN_EPOCH_AHEAD',
  // 7 pre-filter
  PREFILTER_BLOCKED: 'PREFILTER_BLOCKED',
  PREFILTER_SUSPICIOUS: 'PREFILTER_SUSPICIOUS',
  /** The content holds a threat pattern the immune memory learned from an eliminated agent. */
  IMMUNE_MEMORY_MATCH: 'IMMUNE_MEMORY_MATCH',
  // any check
  CHECK_FAILED: 'CHECK_FAILED',
} as const;
export type ReasonCode = (typeof REASON_CODES)[keyof typeof REASON_CODES];

export type CheckOutcome = {
  readonly check: CheckId;
  readonly verdict: Verdict;
  /** Present when `verdict` is not `allow`. */
  readonly code?: ReasonCode;
  readonly message?: string;
  /** Machine-readable detail: the mandatory rule id, the pre-filter findings, the missing capability. */
  readonly detail?: Readonly<Record<string, unknown>>;
};

/** What the caller reserves in the ledger when it acts on an `allow`. */
export type Charges = {
  readonly agent: string;
  /** Rate buckets to take one unit from: `[key, capacity, windowMs]`. */
  readonly rateBuckets: ReadonlyArray<readonly [key: string, capacity: number, windowMs: number]>;
  /** Token ids (the token and its ancestors) that each spend one use. */
  readonly tokenUses: ReadonlyArray<readonly [jti: string, usesMax: number]>;
  readonly cost: Cost;
  /** Token ids whose budget claim the cost counts against. */
  readonly tokenBudgets: ReadonlyArray<readonly [jti: string, budget: Cost]>;
  /** The agent's own budget from policy, if any. */
  readonly agentBudget: Cost | undefined;
};

export type Decision = {
  readonly intentId: string;
  readonly agent: string;
  readonly action: string;
  readonly resource: string;
  readonly verdict: Verdict;
  /** All seven outcomes, in check order. */
  readonly checks: readonly CheckOutcome[];
  readonly tokenId: string | undefined;
  readonly policyHash: string;
  readonly epoch: number;
  readonly wallMs: number;
  readonly monotonicMs: number;
  readonly charges: Charges;
};

export function failing(decision: Decision): CheckOutcome[] {
  return decision.checks.filter((c) => c.verdict !== 'allow');
}
