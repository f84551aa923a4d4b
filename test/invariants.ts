// The invariants manifest (MCP-SDK style): every Mandatory Rule (MR-*), Security Invariant (INV-*)
// and digest requirement (DR-*) with a one-line statement and its spec section. Tests cite the ids
// through `verifies()`; test/invariants.test.ts fails on a cited id missing here and lists uncovered ones.

export const INVARIANTS = [
  // Constitutional Mandatory Rules (digest §1; spec §10.1–§10.2).
  {
    id: 'MR-1',
    section: '§10.2',
    statement: 'the DSC configuration is immutable at run time; change needs a signed config and restart',
  },
  { id: 'MR-2', section: '§10.2', statement: 'decrypted keys never enter an agent address space' },
  {
    id: 'MR-3',
    section: '§10.2',
    statement: 'the audit log is append-only and hash-chained; a broken chain enters emergency mode',
  },
  { id: 'MR-4', section: '§10.2', statement: 'no ring escalation without full re-onboarding' },
  { id: 'MR-5', section: '§10.2', statement: 'a rollback-zone snapshot precedes every destructive action' },
  { id: 'MR-6', section: '§10.2', statement: 'no commit without a valid DSC clearance' },
  {
    id: 'MR-7',
    section: '§10.2',
    statement: 'budget hard limits are absolute: exhausted means denied, no grace, no override',
  },
  { id: 'MR-8', section: '§10.2', statement: 'every operation is written to the WAL before it executes' },
  { id: 'MR-9', section: '§10.2', statement: 'the system call gateway cannot be bypassed' },
  {
    id: 'MR-10',
    section: '§10.2',
    statement: 'heartbeat failure of dispatcher, commit layer or DSC triggers think-but-not-commit',
  },
  {
    id: 'MR-11',
    section: '§10.2',
    statement: 'no unsupervised execution: an agent without its supervisor stops and self-terminates',
  },
  // Security Invariants (digest §15.1; spec §3.2).
  {
    id: 'INV-1',
    section: '§3.2',
    statement: 'every running agent belongs to a pod with a sentry; starting one without is impossible',
  },
  {
    id: 'INV-2',
    section: '§3.2',
    statement: 'no state-changing external effect without a commit-layer record and DSC clearance',
  },
  { id: 'INV-3', section: '§3.2', statement: 'every read passes capability, policy, audit and IFC checks' },
  {
    id: 'INV-4',
    section: '§3.2',
    statement: 'effective permissions stay within the token set; no run-time ring raise',
  },
  {
    id: 'INV-5',
    section: '§3.2',
    statement: 'each state change is journaled before execution; the hash chain verifies end to end',
  },
  {
    id: 'INV-6',
    section: '§3.2',
    statement: 'automated mechanisms only tighten policy; relaxation only by a logged HACF L4 override',
  },
  {
    id: 'INV-7',
    section: '§3.2',
    statement: 'any undefined or unknown state yields deny, pause or shutdown, never more permission',
  },
  {
    id: 'INV-8',
    section: '§3.2',
    statement: 'after a crash anywhere, recovery loses no committed operation',
  },
  {
    id: 'INV-9',
    section: '§3.2',
    statement: 'an agent at isolation level N cannot reach what only lower levels may reach',
  },
  { id: 'INV-10', section: '§3.2', statement: 'maturity level never increases within a session' },
  { id: 'INV-11', section: '§3.2', statement: 'confidence never rises along a chain of agents' },
  {
    id: 'INV-12',
    section: '§3.2',
    statement: 'no automated mechanism reverses an L4 decision; no L4 decision breaches a mandatory rule',
  },
  {
    id: 'INV-13',
    section: '§3.2',
    statement: 'crashing or compromising an agent core cannot stop its sentry',
  },
  // Digest-derived requirements (digest §15.4): commit and WAL.
  {
    id: 'DR-C1',
    section: '§13.3',
    statement: 'a stale world-state hash at stage 2 is a concurrency conflict: no effect, no snapshot',
  },
  {
    id: 'DR-C2',
    section: '§13.3',
    statement: 'execution over 30 s releases the lock and rolls back to the snapshot',
  },
  {
    id: 'DR-C3',
    section: '§13.3',
    statement: '5 failed lock/rollback cycles on one resource pause the agent; >3 in 10 min flag it',
  },
  {
    id: 'DR-C4',
    section: '§15.7.6',
    statement: 'a commit with missing or invalid DSC verdict is rejected; voter failure denies and freezes',
  },
  {
    id: 'DR-C5',
    section: '§35',
    statement: 'a destructive action without a snapshot never executes; undo works within hold periods',
  },
  {
    id: 'DR-C6',
    section: '§14.2',
    statement: 'replaying a committed WAL entry has no second effect; executing entries finish or roll back',
  },
  {
    id: 'DR-C7',
    section: '§38.3',
    statement: 'dual-write append needs both copies; one failing is critical, both trigger ECS',
  },
  {
    id: 'DR-C8',
    section: '§38.3',
    statement: 'divergent WAL copies at boot: the longer valid chain wins and the other is repaired',
  },
  {
    id: 'DR-C9',
    section: '§38.8',
    statement: 'commit freeze holds intents; on thaw each is re-validated by OCC in order',
  },
  {
    id: 'DR-C10',
    section: '§26.1',
    statement: 'unknown or ambiguous side-effect operations take the write path',
  },
  // DSC.
  {
    id: 'DR-D1',
    section: '§15.11',
    statement: 'all seven checks run for every request, timing independent of which failed',
  },
  {
    id: 'DR-D2',
    section: '§15.13',
    statement: 'hot-spare activation takes max of counters and min of budgets',
  },
  {
    id: 'DR-D3',
    section: '§15.7.7',
    statement: 'three missed heartbeats or a wrong config hash freeze commits; sentries block actions',
  },
  {
    id: 'DR-D4',
    section: '§16.1',
    statement: 'no dispatch before 3 valid heartbeats after boot; gateways deny all during boot',
  },
  {
    id: 'DR-D5',
    section: '§15.14',
    statement: 'in rule-based mode SSE-required actions are pending and not executed',
  },
  {
    id: 'DR-D6',
    section: '§15.6',
    statement: 'commits without SSE are marked DSC-only clearance in the audit',
  },
  {
    id: 'DR-D7',
    section: '§15.10',
    statement: 'dual-spec disagreement in checks 1 or 4 denies and logs the ambiguity',
  },
  // Tokens and epochs.
  {
    id: 'DR-T1',
    section: '§9.1',
    statement: 'a call without a covering, valid, unexpired, unrevoked, hybrid-signed token is denied',
  },
  {
    id: 'DR-T2',
    section: '§9.1',
    statement: 'a token with exhausted rate or use count is denied although present',
  },
  {
    id: 'DR-T3',
    section: '§9.3',
    statement: 'default TTLs 60/15/5 min; more than 4x default needs commander acknowledgment',
  },
  {
    id: 'DR-T4',
    section: '§9.3',
    statement: 'epoch lag over 1 blocks the scope and voids cached tokens; sync timeout falls back',
  },
  {
    id: 'DR-T5',
    section: '§33.8.4',
    statement: 'a subagent token is a strict subset of its parent; ring <= parent; bounded depth',
  },
  { id: 'DR-T6', section: '§9.3', statement: 'revocation is effective on the very next call' },
  // Rings and pods.
  {
    id: 'DR-R1',
    section: '§7.6',
    statement: 'any run-time ring raise is refused; only full re-onboarding with consent succeeds',
  },
  { id: 'DR-R2', section: '§7.6', statement: 'demotion to ring 3 is immediate and always allowed' },
  {
    id: 'DR-R3',
    section: '§41.7',
    statement: 'agents open no sockets outside gateways; 3 blocked attempts in 60 s trigger evaluation',
  },
  {
    id: 'DR-R4',
    section: '§41.6',
    statement: 'isolation level never below the default for class, ring and profile',
  },
  {
    id: 'DR-R5',
    section: '§8.3',
    statement: 'over 1,000 syscalls/s is rate limited with doubling cooldown up to 60 s',
  },
  // Information flow control.
  {
    id: 'DR-I1',
    section: '§11.1',
    statement: 'read above clearance is denied; write to a lower-class destination is denied',
  },
  {
    id: 'DR-I2',
    section: '§11.2',
    statement: 'outputs of an agent that read CONFIDENTIAL stay CONFIDENTIAL through message chains',
  },
  {
    id: 'DR-I3',
    section: '§11.3',
    statement: 'declassification passes three gates: similarity, two models, human where required',
  },
  {
    id: 'DR-I4',
    section: '§29.3.2',
    statement: 'A2A data is EXTERNAL_UNTRUSTED; mixing it with CONFIDENTIAL for external send is denied',
  },
  // Immune system.
  {
    id: 'DR-M1',
    section: '§37.8.2',
    statement: 'quarantine stages and timings follow the table; stage 4 needs a commander in H/I',
  },
  {
    id: 'DR-M2',
    section: '§37.11.2',
    statement: 'an apoptosis signal is always accepted and lands in stage 3',
  },
  {
    id: 'DR-M3',
    section: '§37.11.2',
    statement: 'fast apoptosis fires only on its three conditions and only in standard',
  },
  {
    id: 'DR-M4',
    section: '§37.11.1',
    statement: 'fever mode starts and ends on its thresholds, halves rate limits and delays commits',
  },
  {
    id: 'DR-M5',
    section: '§33.7.2',
    statement: 'anomaly reports are limited to 5/h/agent; collusion within 60 s is held for SSE',
  },
  {
    id: 'DR-M6',
    section: '§41.2',
    statement: 'fingerprint deviations of 1 to 4 sigma log, show, evaluate or pause',
  },
  // Distributed.
  {
    id: 'DR-X1',
    section: '§38.12',
    statement: 'a disconnected pawn emits no irreversible effect, gains nothing, follows the timers',
  },
  {
    id: 'DR-X2',
    section: '§38.12',
    statement: 'after rejoin, queued side-effecting intents are re-validated before emission',
  },
  { id: 'DR-X3', section: '§38.12', statement: 'split brain freezes cross-node state-changing commits' },
  {
    id: 'DR-X4',
    section: '§40.1',
    statement: 'an agent separated from its MAOS instance self-terminates after 60 s',
  },
  // Degradation, TSCA, HACF.
  {
    id: 'DR-H1',
    section: '§38.11',
    statement: 'each canonical-state transition emits the required audit fields',
  },
  {
    id: 'DR-H2',
    section: '§38.7.4',
    statement: 'TSCA action budgets are enforced; the watchdog blocks killing a healthy agent',
  },
  {
    id: 'DR-H3',
    section: '§38.6',
    statement: 'repeated ECS suspends automated repair and tightens the shutdown phases',
  },
  {
    id: 'DR-H4',
    section: '§50.5',
    statement: 'HACF L4 runs only after cooling-off, dual-channel confirmation and a valid signature',
  },
  {
    id: 'DR-H5',
    section: '§43a.6',
    statement: 'an expired or mismatched decision packet authorizes nothing; its hash is audited',
  },
  {
    id: 'DR-H6',
    section: '§49.11',
    statement: 'an aggregate threshold crossing escalates later same-type actions from L1 to L2',
  },
  {
    id: 'DR-H7',
    section: '§49.9',
    statement: 'irreversible actions below the confidence threshold are held and escalated',
  },
  {
    id: 'DR-H8',
    section: '§5.3.4',
    statement: 'during boot or recovery validation, privilege-raising and irreversible work is refused',
  },
] as const satisfies readonly { id: string; statement: string; section: string }[];

export type InvariantId = (typeof INVARIANTS)[number]['id'];

export type Invariant = { readonly id: InvariantId; readonly statement: string; readonly section: string };

/** Ids as a set, for lookups by the coverage test. */
export const INVARIANT_IDS: ReadonlySet<string> = new Set(INVARIANTS.map((invariant) => invariant.id));

/**
 * Prefix for a test name citing the invariants it tries to break:
 * `test(verifies('MR-7') + 'budget exactly zero denies', ...)`.
 */
export function verifies(...ids: InvariantId[]): string {
  return `${ids.join(' ')}: `;
}
