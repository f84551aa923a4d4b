// The commit layer (§13): the only code that calls connectors. Every world-changing intent passes
// the seven stages — journal, lock + OCC, snapshot, execute, journal result, publish, complete —
// and nothing commits without a decision this kernel made (MR-6, INV-2).

import type { Connector, EffectRequest } from '../../connectors/port.ts';
import {
  assert,
  type Clock,
  ERROR_CODES,
  fail,
  isKernelError,
  type KernelError,
  ok,
  type Result,
} from '../../shared/index.ts';
import type { Decision } from '../decision.ts';
import { type KernelEventSink, NO_EVENTS } from '../events.ts';
import { recordOutput } from '../flow-record.ts';
import type { Intent, JsonObject } from '../intent.ts';
import type { Journal } from '../journal/index.ts';
import type { Kernel } from '../kernel.ts';
import { actionPolicyOf } from '../policy.ts';
import { strictestSideEffect } from '../side-effect.ts';
import { TOKEN_REF_PREFIX } from '../token/verified-token.ts';
import { type Approval, approvalProblem, intentDigest } from './approval.ts';
import { ConnectorRegistry } from './connector-registry.ts';
import { type IntentFacts, IntentIndex, INTENT_RECORDS as R, type Tracked } from './intent-index.ts';
import { LockAbuse } from './lock-abuse.ts';
import { ResourceLocks } from './resource-locks.ts';
import { runStages, type StageHooks } from './stages.ts';

export const LOCK_TIMEOUT_MS = 30_000;

/** Where a crash test may stop the process: after each durable step of the pipeline. */
export type CommitStage = 'written' | 'locked' | 'prepared' | 'executing' | 'executed' | 'committed';

export type CommitLayerOptions = {
  readonly kernel: Kernel;
  readonly journal: Journal;
  readonly connectors: readonly Connector[];
  readonly clock: Clock;
  readonly events?: KernelEventSink;
  /** Lock wait and execute limit (§13.3); 30 s unless a test shortens it. */
  readonly lockTimeoutMs?: number;
  /** Keeps the serialized token of a held intent so an approval survives a restart. */
  readonly heldTokens?: HeldTokenStore;
  /** Crash-test hook: called after each durable step; may kill the process. */
  readonly faults?: { atStage(stage: CommitStage, intentId: string): void };
};

export interface HeldTokenStore {
  put(intentId: string, token: string): Promise<void>;
  get(intentId: string): Promise<string | undefined>;
  delete(intentId: string): Promise<void>;
}

export type SubmitOptions = {
  /** The saga this intent is a step of, journaled with it. */
  readonly saga?: string;
};

export class CommitLayer {
  readonly kernel: Kernel;
  readonly journal: Journal;
  readonly index = new IntentIndex();
  readonly connectors: ConnectorRegistry;
  readonly clock: Clock;
  readonly locks = new ResourceLocks();
  readonly lockTimeoutMs: number;
  readonly abuse: LockAbuse;
  readonly #events: KernelEventSink;
  readonly #heldTokens: HeldTokenStore | undefined;
  readonly #faults: CommitLayerOptions['faults'];
  /** Commits in flight by idempotency key: a concurrent duplicate waits for the first. */
  readonly #inFlight = new Map<string, Promise<Tracked>>();

  constructor(options: CommitLayerOptions) {
    this.kernel = options.kernel;
    this.journal = options.journal;
    this.connectors = new ConnectorRegistry(options.connectors);
    this.clock = options.clock;
    this.lockTimeoutMs = options.lockTimeoutMs ?? LOCK_TIMEOUT_MS;
    this.#events = options.events ?? NO_EVENTS;
    this.#heldTokens = options.heldTokens;
    this.#faults = options.faults;
    this.abuse = new LockAbuse(options.clock);
  }

  /** Appends a record and applies it to the index: the only way the commit layer changes state. */
  async record(type: string, data: JsonObject): Promise<number> {
    const entry = await this.journal.append(type, data);
    this.index.apply(entry);
    return entry.seq;
  }

  /**
   * The front door: validates, decides and, when allowed, commits. A denial or a hold is a normal
   * outcome (journaled); only malformed input or a failing journal is an error.
   */
  async submit(input: unknown, options: SubmitOptions = {}): Promise<Result<Tracked, KernelError>> {
    try {
      return await this.#submit(input, options);
    } catch (error) {
      // A journal that cannot record even a denial fails closed with a stable code.
      const code = isKernelError(error) ? error.code : ERROR_CODES.JOURNAL_FAILED;
      return fail(code, error instanceof Error ? error.message : String(error));
    }
  }

  async #submit(input: unknown, options: SubmitOptions): Promise<Result<Tracked, KernelError>> {
    const decided = await this.kernel.submitIntent(input);
    if (!decided.ok) return decided;
    const { intent, decision } = decided.value;
    const facts = this.#facts(intent, decision, options.saga ?? null);
    if (decision.verdict === 'deny') return ok(await this.#settle(R.denied, facts));
    if (decision.verdict === 'escalate') return ok(await this.#hold(intent, facts, input));
    return this.commit(intent, decision, undefined, options);
  }

  /**
   * Runs an allowed (or approved) intent through the seven stages. Refuses any decision this kernel
   * did not make, made for another intent or policy, or an escalation without a matching approval.
   */
  async commit(
    intent: Intent,
    decision: Decision,
    approval?: Approval,
    options: SubmitOptions = {},
  ): Promise<Result<Tracked, KernelError>> {
    const refused = this.#clearance(intent, decision, approval);
    if (refused !== undefined) return fail(ERROR_CODES.DECISION_INVALID, refused);
    const key = intent.idempotencyKey ?? intent.id;
    const earlier = this.index.byIdempotencyKey(key);
    if (earlier !== undefined && earlier.state !== 'held') return ok(earlier);
    const running = this.#inFlight.get(key);
    if (running !== undefined) return ok(await running);
    const facts = this.#facts(intent, decision, options.saga ?? null);
    const paused = this.abuse.paused(intent.agent);
    if (paused) return fail(ERROR_CODES.AGENT_PAUSED, `agent \`${intent.agent}\` is paused for lock abuse`);
    const reservation = this.kernel.reserve(decision);
    if (!reservation.ok) return reservation;
    const work = this.#run(facts, approval);
    this.#inFlight.set(key, work);
    try {
      const tracked = await work;
      if (tracked.state === 'committed') {
        this.kernel.commit(reservation.value, intent.cost);
        // WHY: what the agent is about to read enters its session before the caller gets it (issue 7).
        recordOutput(this.kernel.flows, this.kernel.policy, intent, tracked.result);
      } else this.kernel.release(reservation.value);
      return ok(tracked);
    } catch (error) {
      this.kernel.release(reservation.value);
      const code = isKernelError(error) ? error.code : ERROR_CODES.JOURNAL_FAILED;
      return fail(code, error instanceof Error ? error.message : String(error));
    } finally {
      this.#inFlight.delete(key);
    }
  }

  async #run(facts: IntentFacts, approval: Approval | undefined): Promise<Tracked> {
    const data = approval === undefined ? facts : { ...facts, approvalSeq: approval.seq };
    await this.record(R.written, data as unknown as JsonObject);
    const tracked = this.#indexed(facts.intentId);
    this.fault('written', facts.intentId);
    const result = await runStages(this, tracked, this.#hooks());
    // WHY: the index keeps what the journal holds (large results as a hash); the caller gets it whole.
    return result === undefined ? tracked : { ...tracked, result };
  }

  #hooks(): StageHooks {
    return {
      fault: (stage, intentId) => this.fault(stage, intentId),
      publish: (tracked) =>
        this.#events.emit({ type: 'intent.settled', intentId: tracked.intentId, state: tracked.state }),
    };
  }

  /** Completes an intent journaled as written or executing (recovery, §14.2). */
  async resume(tracked: Tracked): Promise<void> {
    await runStages(this, tracked, this.#hooks());
  }

  fault(stage: CommitStage, intentId: string): void {
    this.#faults?.atStage(stage, intentId);
  }

  status(intentId: string): Tracked | undefined {
    return this.index.get(intentId);
  }

  /** The connector request of a journaled intent. */
  request(tracked: Tracked): EffectRequest {
    return {
      intentId: tracked.intentId,
      action: tracked.action,
      resource: tracked.resource,
      args: tracked.args,
    };
  }

  /** MR-6: why this decision may not clear this intent, or undefined when it may. */
  #clearance(intent: Intent, decision: Decision, approval: Approval | undefined): string | undefined {
    if (!this.kernel.issued(decision)) return 'the decision was not made by this kernel (MR-6)';
    if (decision.intentId !== intent.id) return 'the decision was made for another intent (MR-6)';
    if (decision.policyHash !== this.kernel.policy.hash) return 'the decision was made under another policy';
    if (decision.verdict === 'deny') return 'a denied intent never commits (MR-6)';
    if (decision.verdict === 'escalate') {
      if (approval === undefined) return 'an escalated intent commits only with a human approval';
      const blocking = decision.checks.find((check) => check.verdict === 'deny');
      if (blocking !== undefined) return `check \`${blocking.check}\` denies; an approval cannot override it`;
      return approvalProblem(approval, intent, this.kernel.policy.hash, this.clock.wallMs());
    }
    return undefined;
  }

  #facts(intent: Intent, decision: Decision, saga: string | null): IntentFacts {
    const action = actionPolicyOf(this.kernel.policy, intent.action);
    const connector = this.connectors.sideEffect(intent.action);
    const declared = strictestSideEffect(intent.sideEffect, action.sideEffect);
    const token = this.kernel.tokens.get(intent.token.startsWith(TOKEN_REF_PREFIX) ? intent.token : '');
    return {
      intentId: intent.id,
      agent: intent.agent,
      action: intent.action,
      resource: intent.resource,
      args: intent.args,
      sideEffect: connector === undefined ? declared : strictestSideEffect(declared, connector),
      idempotencyKey: intent.idempotencyKey ?? intent.id,
      stateHash: intent.stateHash ?? null,
      verdict: decision.verdict,
      checks: decision.checks
        .filter((check) => check.verdict !== 'allow')
        .map((check) => ({
          check: check.check,
          verdict: check.verdict,
          ...(check.code === undefined ? {} : { code: check.code }),
          ...(check.message === undefined ? {} : { message: check.message }),
          // WHY: check 4's decision packet shows the approver where each argument came from (issue 7).
          ...(check.check === 'ifc' && check.detail !== undefined ? { detail: check.detail } : {}),
        })),
      policyHash: decision.policyHash,
      tokenChain: token?.chainIds ?? [],
      holdMs: action.holdMs,
      saga,
    };
  }

  async #settle(type: string, facts: IntentFacts): Promise<Tracked> {
    await this.record(type, facts as unknown as JsonObject);
    return this.#indexed(facts.intentId);
  }

  /** The index entry a record just created. */
  #indexed(intentId: string): Tracked {
    const tracked = this.index.get(intentId);
    assert(tracked !== undefined, 'a journaled intent is in the index');
    return tracked;
  }

  /** Parks an escalated intent for a human; the approval is bound to its digest and this policy. */
  async #hold(intent: Intent, facts: IntentFacts, input: unknown): Promise<Tracked> {
    const existing = this.index.get(intent.id);
    if (existing !== undefined) return existing;
    const raw = (input as { token?: unknown }).token;
    if (this.#heldTokens !== undefined && typeof raw === 'string' && !raw.startsWith(TOKEN_REF_PREFIX)) {
      await this.#heldTokens.put(intent.id, raw);
    }
    const heldAtMs = this.clock.wallMs();
    const heldUntilMs = heldAtMs + this.kernel.policy.approvalTtlMs;
    const { token: _token, ...bound } = intent;
    const data = {
      ...facts,
      digest: intentDigest(intent),
      heldAtMs,
      heldUntilMs,
      token: intent.token,
      intent: bound,
    };
    return this.#settle(R.held, data as unknown as IntentFacts);
  }

  heldTokens(): HeldTokenStore | undefined {
    return this.#heldTokens;
  }
}
