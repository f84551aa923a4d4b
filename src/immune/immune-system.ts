// The immune system (§37, §41.2, §49.11): takes the Sentries' and the DSC's reports, walks agents
// through the quarantine cascade, asks the pod layer to pause, terminate or replace them, and tells
// the DSC each agent's standing. Pure and clock-driven: the runtime calls `tick()` on a timer.

import type { Intent, SideEffectClass } from '../kernel/index.ts';
import {
  NORMAL_STANDING,
  type Standing,
  type StandingLookup,
  type StandingRestriction,
} from '../kernel/standing-port.ts';
import { ERROR_CODES, fail, type KernelError, ok, type Result, unwrap } from '../shared/index.ts';
import { type AggregateChange, AggregateMonitor } from './aggregate-monitor.ts';
import { AnomalyLedger, boundedEvidence, stageCalledFor } from './anomaly.ts';
import type { ImmuneEvent } from './events.ts';
import { isFastApoptosis } from './fast-apoptosis.ts';
import { Fever, type FeverChange } from './fever.ts';
import { type FingerprintFinding, Fingerprints } from './fingerprint.ts';
import { ImmuneMemory, type ThreatClassification, type ThreatRecord } from './immune-memory.ts';
import {
  checkAgent,
  checkAggregateSample,
  checkAnomaly,
  checkBehaviourSample,
  checkDecider,
} from './input.ts';
import { type ImmuneOptions, type ResolvedOptions, resolveOptions } from './options.ts';
import type { AggregateSample, Anomaly, BehaviourSample, ImmuneSink, QuarantineStage } from './port.ts';
import { isQuarantineStage, QuarantineBook, stageName, type Transition } from './quarantine.ts';
import { intentTypeOf } from './standing.ts';

/** What `maos ps` shows per agent. */
export type ImmuneStatus = {
  readonly agent: string;
  readonly stage: QuarantineStage;
  readonly stageName: string;
  readonly score: number;
  /** Wall-clock time the agent entered its stage; null at stage 0. */
  readonly enteredAtMs: number | null;
  readonly reasons: string[];
  readonly fever: boolean;
};

/** Who moves an agent by hand, and whether a commander approved (stage 4 in Hardened/Isolated). */
export type Decider = { readonly by: string; readonly approved?: boolean };

const SWEEP_EVERY_MS = 60_000;

export class ImmuneSystem implements ImmuneSink, StandingLookup {
  readonly #options: ResolvedOptions;
  readonly #ledger: AnomalyLedger;
  readonly #book: QuarantineBook;
  readonly #fever: Fever;
  readonly #memory = new ImmuneMemory();
  readonly #aggregates: AggregateMonitor;
  readonly #prints: Fingerprints;
  readonly #feverStanding: Standing;
  #lastSweepMs = Number.NEGATIVE_INFINITY;

  /** Validates the options; bad ones come back as `CONFIG_INVALID`. */
  static create(options: ImmuneOptions): Result<ImmuneSystem, KernelError> {
    const resolved = resolveOptions(options);
    return resolved.ok ? ok(new ImmuneSystem(options)) : resolved;
  }

  /** Throws a `KernelError` (`CONFIG_INVALID`) on bad options; `create` returns it instead. */
  constructor(options: ImmuneOptions) {
    const resolved = unwrap(resolveOptions(options));
    this.#options = resolved;
    this.#ledger = new AnomalyLedger(resolved.agentsMax);
    this.#book = new QuarantineBook(resolved.agentsMax);
    this.#fever = new Fever(resolved.fever);
    this.#aggregates = new AggregateMonitor(resolved.aggregate, resolved.agentsMax);
    this.#prints = new Fingerprints(resolved.fingerprint, resolved.agentsMax);
    this.#feverStanding = Object.freeze({ rateFactor: resolved.fever.rateFactor });
  }

  get profile(): ImmuneOptions['profile'] {
    return this.#options.profile;
  }

  // --- ImmuneSink --------------------------------------------------------------------------

  /** An anomaly about an agent. Throws `INVALID_INPUT` on a malformed report. */
  report(anomaly: Anomaly): void {
    unwrap(checkAnomaly(anomaly));
    const nowMs = this.#now();
    const recorded = this.#ledger.record(anomaly, nowMs);
    this.#emit({
      type: 'immune.anomaly',
      agent: anomaly.agent,
      kind: anomaly.kind,
      source: anomaly.source,
      weight: recorded.weight,
      counted: recorded.counted,
      score: recorded.score,
      atMs: this.#wall(nowMs),
    });
    const reason = `${anomaly.kind} from ${anomaly.source}`;
    this.#book.noteAnomaly(anomaly.agent, reason, nowMs);
    this.#fever.noteAnomaly(recorded.weight, nowMs);
    if (isFastApoptosis(this.#options.profile, anomaly)) {
      this.#emit({
        type: 'immune.fast-apoptosis',
        agent: anomaly.agent,
        kind: anomaly.kind,
        source: anomaly.source,
        evidence: boundedEvidence(anomaly.evidence),
        atMs: this.#wall(nowMs),
      });
      this.#eliminate(anomaly.agent, anomaly.source, `fast apoptosis: ${reason}`, 'fast_apoptosis', nowMs);
      this.#evaluateFever(nowMs);
      return;
    }
    const target = stageCalledFor(anomaly, recorded, this.#options.thresholds);
    if (target.stage > 0) this.#raise(anomaly.agent, target.stage, target.reason, 'immune', nowMs);
    const { elimination } = this.#options.thresholds;
    if (
      this.#options.profile === 'standard' &&
      this.#book.stageOf(anomaly.agent) === 3 &&
      recorded.score > elimination
    ) {
      this.#eliminate(
        anomaly.agent,
        'tsca',
        `score ${recorded.score} above ${elimination} in hard isolation`,
        'elimination',
        nowMs,
      );
    }
    this.#evaluateFever(nowMs);
  }

  /** One gateway call, for the behavioural fingerprint. Throws `INVALID_INPUT` when malformed. */
  observe(sample: BehaviourSample): void {
    unwrap(checkBehaviourSample(sample));
    for (const finding of this.#prints.observe(sample, this.#now())) this.#onFinding(finding);
  }

  /** One external effect, for aggregate monitoring. Throws `INVALID_INPUT` when malformed. */
  aggregate(sample: AggregateSample): void {
    unwrap(checkAggregateSample(sample));
    const nowMs = this.#now();
    this.#onAggregate(this.#aggregates.record(sample, nowMs), nowMs);
  }

  /**
   * Self-apoptosis (§37.11.2, DR-M2): never blocked, not an anomaly (so no cap applies), straight
   * to stage 3 with a freeze. A second signal at stage 3 freezes again: a pause is idempotent.
   */
  apoptosis(agent: string, reason: string): void {
    unwrap(checkAgent(agent));
    const nowMs = this.#now();
    const why = `self-apoptosis: ${String(reason).slice(0, 200)}`;
    this.#fever.noteAnomaly(0, nowMs);
    const moved = this.#raise(agent, 3, why, agent, nowMs);
    if (moved === undefined) {
      this.#book.noteAnomaly(agent, why, nowMs);
      this.#options.onCommand({ type: 'pause', agent, reason: why });
    }
    this.#evaluateFever(nowMs);
  }

  stageOf(agent: string): QuarantineStage {
    return this.#book.stageOf(agent);
  }

  // --- StandingLookup ----------------------------------------------------------------------

  /**
   * Fever's rate factor and any aggregate threshold the intent's type has crossed. O(1); allocates
   * nothing unless the agent has crossed a threshold (only then is the intent classified).
   */
  standingOf(intent: Intent, sideEffect: SideEffectClass): Standing {
    const base = this.#fever.on ? this.#feverStanding : NORMAL_STANDING;
    const restrictions = this.#aggregates.restrictionsOf(intent.agent);
    if (restrictions === undefined) return base;
    const type = intentTypeOf(intent, sideEffect);
    const escalate = type === undefined ? undefined : restrictions[type];
    return escalate === undefined ? base : { rateFactor: base.rateFactor, escalate };
  }

  recognize(intent: Intent): StandingRestriction | undefined {
    return this.#memory.recognize(intent.args);
  }

  // --- Timers and operators ------------------------------------------------------------------

  /** Runs the timers: stage expiry, fever's end, fingerprint windows, aggregate windows. */
  tick(): void {
    const nowMs = this.#now();
    for (const move of this.#book.expire(nowMs)) this.#emitStage(move, 'immune');
    this.#onFever(this.#fever.tick(nowMs));
    for (const finding of this.#prints.tick(nowMs)) this.#onFinding(finding);
    this.#onAggregate(this.#aggregates.tick(nowMs), nowMs);
    if (nowMs - this.#lastSweepMs >= SWEEP_EVERY_MS) {
      this.#lastSweepMs = nowMs;
      this.#ledger.sweep(nowMs, (agent) => this.#book.stageOf(agent) > 0);
      this.#aggregates.sweep(nowMs);
    }
  }

  /**
   * An operator sets a stage (`maos quarantine <agent> --stage N`): 1 to 3 always (a human
   * decision, up or down; going down forgives the score), 0 releases, 4 eliminates under the
   * profile's authority rule, 5 is refused (healing only follows elimination).
   */
  setStage(agent: string, stage: number, decider: Decider): Result<ImmuneStatus, KernelError> {
    const checked = checkAgent(agent);
    if (!checked.ok) return checked;
    const by = checkDecider(decider);
    if (!by.ok) return by;
    if (!isQuarantineStage(stage) || stage === 5) {
      return fail(
        ERROR_CODES.QUARANTINE_STAGE_INVALID,
        `stage \`${String(stage)}\` cannot be set: use 0 to 4`,
      );
    }
    if (stage === 4) return this.eliminate(agent, decider);
    const nowMs = this.#now();
    const from = this.#book.stageOf(agent);
    if (stage < from) this.#ledger.forgive(agent);
    const reason = stage === 0 ? `released by \`${by.value}\`` : `set by \`${by.value}\``;
    const move = this.#book.move(agent, stage, reason, nowMs);
    if (move !== undefined) {
      this.#emitStage(move, by.value);
      if (move.to === 3) this.#options.onCommand({ type: 'pause', agent, reason });
      this.#evaluateFever(nowMs);
    }
    return ok(this.status(agent));
  }

  /** Back to normal (a security decision after stage 3). */
  release(agent: string, by: string): Result<ImmuneStatus, KernelError> {
    return this.setStage(agent, 0, { by });
  }

  /**
   * Stage 4 (§37.8.2, DR-M1): in Standard the system may decide alone; in Hardened and Isolated
   * only with a commander's approval, and only from hard isolation (all stages are mandatory there).
   */
  eliminate(agent: string, decider: Decider): Result<ImmuneStatus, KernelError> {
    const checked = checkAgent(agent);
    if (!checked.ok) return checked;
    const by = checkDecider(decider);
    if (!by.ok) return by;
    const { profile } = this.#options;
    if (profile !== 'standard') {
      if (decider.approved !== true) {
        return fail(
          ERROR_CODES.QUARANTINE_APPROVAL_REQUIRED,
          `eliminating \`${agent}\` needs a commander's approval in the ${profile} profile`,
        );
      }
      if (this.#book.stageOf(agent) !== 3) {
        return fail(
          ERROR_CODES.QUARANTINE_STAGE_INVALID,
          `\`${agent}\` must be in hard isolation (stage 3) before elimination in the ${profile} profile`,
        );
      }
    }
    this.#eliminate(agent, by.value, `eliminated by \`${by.value}\``, 'elimination', this.#now());
    return ok(this.status(agent));
  }

  /** A commander ends the fever (§37.11.1); false when none was on. */
  endFever(by: string): boolean {
    const change = this.#fever.end(by, this.#now());
    this.#onFever(change);
    return change !== undefined;
  }

  get feverOn(): boolean {
    return this.#fever.on;
  }

  status(agent: string): ImmuneStatus {
    const view = this.#book.view(agent);
    const stage = view?.stage ?? 0;
    return {
      agent,
      stage,
      stageName: stageName(stage),
      score: this.#ledger.score(agent, this.#now()),
      enteredAtMs: view === undefined ? null : this.#wall(view.enteredAtMs),
      reasons: view === undefined ? [] : [...view.reasons],
      fever: this.#fever.on,
    };
  }

  /** Every agent above stage 0 or with a score, highest stage first. */
  statuses(): ImmuneStatus[] {
    const agents = new Set([...this.#book.agents(), ...this.#ledger.agents()]);
    return [...agents]
      .map((agent) => this.status(agent))
      .filter((status) => status.stage > 0 || status.score > 0)
      .sort((a, b) => b.stage - a.stage || (a.agent < b.agent ? -1 : a.agent > b.agent ? 1 : 0));
  }

  threats(): readonly ThreatRecord[] {
    return this.#memory.threats();
  }

  aggregateStats(): ReturnType<AggregateMonitor['stats']> {
    return this.#aggregates.stats();
  }

  // --- Internals -----------------------------------------------------------------------------

  /** Raises the agent (automatic moves only go up); entering stage 3 freezes it. */
  #raise(
    agent: string,
    to: QuarantineStage,
    reason: string,
    by: string,
    nowMs: number,
  ): Transition | undefined {
    const move = this.#book.raise(agent, to, reason, nowMs);
    if (move === undefined) return undefined;
    this.#emitStage(move, by);
    if (move.to === 3) this.#options.onCommand({ type: 'pause', agent, reason });
    return move;
  }

  /** Stage 4 then 5 then a clean replacement at stage 0; a threat record goes into memory. */
  #eliminate(
    agent: string,
    by: string,
    reason: string,
    classification: ThreatClassification,
    nowMs: number,
  ): void {
    const visits = this.#book.view(agent)?.history ?? [];
    const eliminated = this.#book.move(agent, 4, reason, nowMs);
    if (eliminated !== undefined) this.#emitStage(eliminated, by);
    this.#options.onCommand({ type: 'terminate', agent, reason });
    const history = this.#ledger.history(agent);
    const patternsLearned = this.#memory.learn(history.texts, agent, nowMs);
    const stages = visits.map((visit, i) => ({
      stage: visit.stage,
      ms: (visits[i + 1]?.enteredAtMs ?? nowMs) - visit.enteredAtMs,
    }));
    const record: ThreatRecord = {
      agent,
      classification,
      by,
      kinds: history.kinds,
      evidence: history.excerpts,
      stages,
      patternsLearned,
      atMs: this.#wall(nowMs),
    };
    this.#memory.remember(record);
    this.#emit({ type: 'immune.memory', ...record });
    const healing = this.#book.move(agent, 5, 'healing: replacement from the clean manifest', nowMs);
    if (healing !== undefined) this.#emitStage(healing, by);
    this.#options.onCommand({ type: 'replace', agent, reason: `replacing eliminated agent: ${reason}` });
    // WHY: the replacement is a new instance under the same id: it starts with no score and a
    // fresh calibration. Aggregate totals stay, they belong to the identity's external effects.
    this.#ledger.forget(agent);
    this.#prints.reset(agent);
    const healed = this.#book.move(agent, 0, 'replacement running', nowMs);
    if (healed !== undefined) this.#emitStage(healed, by);
  }

  #onFinding(finding: FingerprintFinding): void {
    this.#emit({ type: 'immune.fingerprint', ...finding, atMs: this.#wall(this.#now()) });
    const { agent, level, feature, z, value, mean, sd } = finding;
    if (level !== 'anomaly' && level !== 'pause') return;
    const kind = level === 'pause' ? 'fingerprint-4sigma' : 'fingerprint-3sigma';
    this.report({ agent, kind, source: 'fingerprint', evidence: { feature, z, value, mean, sd } });
  }

  #onAggregate(changes: readonly AggregateChange[], nowMs: number): void {
    for (const change of changes) {
      const { agent, check, crossed, count, limit, windowMs } = change;
      this.#emit({
        type: 'immune.aggregate',
        agent,
        kind: check,
        crossed,
        count,
        limit,
        windowMs,
        atMs: this.#wall(nowMs),
      });
    }
  }

  #evaluateFever(nowMs: number): void {
    this.#onFever(this.#fever.evaluate(this.#book.elevatedCount(), nowMs));
  }

  #onFever(change: FeverChange | undefined): void {
    if (change === undefined) return;
    this.#emit({ type: 'immune.fever', ...change, atMs: this.#wall(change.atMs) });
  }

  #emitStage(move: Transition, by: string): void {
    this.#emit({
      type: 'immune.stage',
      agent: move.agent,
      from: move.from,
      to: move.to,
      stageName: stageName(move.to),
      reason: move.reason,
      by,
      score: this.#ledger.score(move.agent, move.atMs),
      atMs: this.#wall(move.atMs),
    });
  }

  #emit(event: ImmuneEvent): void {
    this.#options.onEvent(event);
  }

  /** Internal time is monotonic, so a wall-clock jump never expires a stage or a window. */
  #now(): number {
    return this.#options.clock.monotonicMs();
  }

  #wall(monotonicMs: number): number {
    const { clock } = this.#options;
    return Math.round(clock.wallMs() - (clock.monotonicMs() - monotonicMs));
  }
}
