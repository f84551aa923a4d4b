// The commit layer's view of every intent it has journaled: rebuilt from the journal at start by
// applying records in order, and kept current by applying each record as it is appended. The
// journal is the single source of truth; this index is only its projection.

import type { UndoPlan } from '../../connectors/port.ts';
import type { JsonValue } from '../../shared/index.ts';
import type { JsonObject } from '../intent.ts';
import type { JournalEntry } from '../journal/index.ts';
import type { SideEffectClass } from '../side-effect.ts';

export const INTENT_RECORDS = {
  denied: 'intent.denied',
  held: 'intent.held',
  rejected: 'intent.rejected',
  approved: 'intent.approved',
  written: 'intent.written',
  executing: 'intent.executing',
  committed: 'intent.committed',
  failed: 'intent.failed',
  conflict: 'intent.conflict',
  undone: 'intent.undone',
  released: 'intent.released',
} as const;

/** Where an intent is in its life (§4.2 of the digest): the commit state machine, seen from outside. */
export type TrackedState =
  | 'denied' // the DSC denied it; nothing ran
  | 'held' // escalated; waiting for a human
  | 'rejected' // a human rejected it, or its approval expired
  | 'written' // journaled (stage 1); not yet executing
  | 'executing' // stages 2-4 in progress
  | 'committed' // effect done and journaled
  | 'failed' // the effect failed and was rolled back (or had nothing to roll back)
  | 'conflict' // optimistic-concurrency check failed; no effect
  | 'undone'; // committed, then restored from the rollback zone

export type CheckSummary = {
  readonly check: string;
  readonly verdict: 'allow' | 'deny' | 'escalate';
  readonly code?: string;
  readonly message?: string;
  /** Check 4's decision packet (argument provenance, context label), when it did not allow. */
  readonly detail?: Readonly<Record<string, unknown>>;
};

/** What `intent.written` / `intent.held` / `intent.denied` carry about the intent itself. */
export type IntentFacts = {
  readonly intentId: string;
  readonly agent: string;
  readonly action: string;
  readonly resource: string;
  readonly args: JsonObject;
  readonly sideEffect: SideEffectClass;
  readonly idempotencyKey: string;
  readonly stateHash: string | null;
  readonly verdict: 'allow' | 'deny' | 'escalate';
  readonly checks: readonly CheckSummary[];
  readonly policyHash: string;
  /** The token and its ancestors: recovery re-checks them for revocation before re-running. */
  readonly tokenChain: readonly string[];
  readonly holdMs: number;
  readonly saga: string | null;
};

export type Tracked = IntentFacts & {
  state: TrackedState;
  seqs: number[];
  plan: UndoPlan | undefined;
  result: JsonValue | undefined;
  error: { code: string; message: string } | undefined;
  undoUntilMs: number | undefined;
  /** The resource's state hash right after the effect: undo refuses if it changed since. */
  afterHash: string | undefined;
  /** True once the snapshot was discarded (hold over, or undone). */
  released: boolean;
  heldAtMs: number | undefined;
  heldUntilMs: number | undefined;
  digest: string | undefined;
  /** A held intent as the agent sent it (token replaced by its `tok:` reference): what a human approves. */
  held: { readonly intent: JsonObject; readonly token: string } | undefined;
};

export class IntentIndex {
  readonly #byId = new Map<string, Tracked>();
  readonly #byKey = new Map<string, string>();

  get(intentId: string): Tracked | undefined {
    return this.#byId.get(intentId);
  }

  byIdempotencyKey(key: string): Tracked | undefined {
    const id = this.#byKey.get(key);
    return id === undefined ? undefined : this.#byId.get(id);
  }

  all(): IterableIterator<Tracked> {
    return this.#byId.values();
  }

  /** Applies one journal record. Records of other kinds are ignored. */
  apply(entry: JournalEntry): void {
    const data = entry.data as Record<string, JsonValue>;
    switch (entry.type) {
      case INTENT_RECORDS.denied:
      case INTENT_RECORDS.held:
      case INTENT_RECORDS.written:
        this.#open(entry, data as unknown as IntentFacts & Record<string, JsonValue>);
        return;
      default:
        this.#advance(entry, data);
    }
  }

  #open(entry: JournalEntry, facts: IntentFacts & Record<string, JsonValue>): void {
    const existing = this.#byId.get(facts.intentId);
    if (existing !== undefined) {
      // An approved held intent is written again under the same id: it moves on from `held`.
      existing.state = stateOf(entry.type);
      existing.seqs.push(entry.seq);
      return;
    }
    const tracked: Tracked = {
      ...facts,
      state: stateOf(entry.type),
      seqs: [entry.seq],
      plan: undefined,
      result: undefined,
      error: undefined,
      undoUntilMs: undefined,
      afterHash: undefined,
      released: false,
      heldAtMs: typeof facts.heldAtMs === 'number' ? facts.heldAtMs : undefined,
      heldUntilMs: typeof facts.heldUntilMs === 'number' ? facts.heldUntilMs : undefined,
      digest: typeof facts.digest === 'string' ? facts.digest : undefined,
      held:
        typeof facts.token === 'string' && typeof facts.intent === 'object' && facts.intent !== null
          ? { intent: facts.intent as JsonObject, token: facts.token }
          : undefined,
    };
    this.#byId.set(facts.intentId, tracked);
    // WHY: a denied or held intent does not claim its idempotency key; a retry may still commit.
    if (entry.type === INTENT_RECORDS.written) this.#byKey.set(facts.idempotencyKey, facts.intentId);
  }

  #advance(entry: JournalEntry, data: Record<string, JsonValue>): void {
    const intentId = data.intentId;
    if (typeof intentId !== 'string') return;
    const tracked = this.#byId.get(intentId);
    if (tracked === undefined) return;
    tracked.seqs.push(entry.seq);
    switch (entry.type) {
      case INTENT_RECORDS.executing:
        tracked.state = 'executing';
        tracked.plan = data.plan as UndoPlan;
        return;
      case INTENT_RECORDS.committed:
        tracked.state = 'committed';
        tracked.result = data.result;
        tracked.undoUntilMs = typeof data.undoUntilMs === 'number' ? data.undoUntilMs : undefined;
        tracked.afterHash = typeof data.afterHash === 'string' ? data.afterHash : undefined;
        return;
      case INTENT_RECORDS.failed:
      case INTENT_RECORDS.conflict:
      case INTENT_RECORDS.rejected:
        tracked.state = stateOf(entry.type);
        tracked.error = { code: String(data.code), message: String(data.message) };
        return;
      case INTENT_RECORDS.undone:
        tracked.state = 'undone';
        return;
      case INTENT_RECORDS.released:
        tracked.released = true;
        return;
      default:
        return;
    }
  }
}

function stateOf(type: string): TrackedState {
  switch (type) {
    case INTENT_RECORDS.denied:
      return 'denied';
    case INTENT_RECORDS.held:
      return 'held';
    case INTENT_RECORDS.written:
      return 'written';
    case INTENT_RECORDS.failed:
      return 'failed';
    case INTENT_RECORDS.conflict:
      return 'conflict';
    case INTENT_RECORDS.rejected:
      return 'rejected';
    default:
      return 'failed';
  }
}
