// The five-stage quarantine cascade (§37.8.2), one entry per agent above stage 0. Automatic moves
// only go up; stages 1 and 2 fall back by themselves after quiet time; stage 3 waits for a human.
// Pure state: the immune system decides when to move, this book records and times the moves.

import { makeRoom, pushBounded, touch } from '../shared/lru.ts';
import { type QuarantineStage, STAGE_NAMES } from './port.ts';

/** Quiet time after which a stage falls back by one (§37.8.2: ≤ 30 min observation, ≤ 60 min soft isolation). */
export const STAGE_QUIET_MS: Readonly<Record<1 | 2, number>> = { 1: 30 * 60_000, 2: 60 * 60_000 };

const REASONS_MAX = 8;
const HISTORY_MAX = 8;

/** One stage move; `atMs` is when it took effect (an expiry found late is dated when it was due). */
export type Transition = {
  readonly agent: string;
  readonly from: QuarantineStage;
  readonly to: QuarantineStage;
  readonly reason: string;
  readonly atMs: number;
};

export type StageVisit = { readonly stage: QuarantineStage; readonly enteredAtMs: number };

type Entry = {
  stage: QuarantineStage;
  enteredAtMs: number;
  /** Last anomaly or stage entry, whichever is later: the quiet timer counts from here. */
  quietSinceMs: number;
  reasons: string[];
  history: StageVisit[];
};

export type QuarantineView = {
  readonly stage: QuarantineStage;
  readonly enteredAtMs: number;
  readonly reasons: readonly string[];
  readonly history: readonly StageVisit[];
};

export function stageName(stage: QuarantineStage): string {
  return STAGE_NAMES[stage];
}

export function isQuarantineStage(value: unknown): value is QuarantineStage {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 5;
}

/**
 * Stages of the agents above stage 0. INVARIANT: an agent at stage 0 has no entry. To stay bounded,
 * entries at stage 1 may be evicted (they would expire anyway); stage 2 and above never are, so
 * fever's count stays exact and no isolation is forgotten.
 */
export class QuarantineBook {
  readonly #entries = new Map<string, Entry>();
  readonly #elevated = new Set<string>();
  readonly #agentsMax: number;

  constructor(agentsMax: number) {
    this.#agentsMax = agentsMax;
  }

  stageOf(agent: string): QuarantineStage {
    return this.#entries.get(agent)?.stage ?? 0;
  }

  view(agent: string): QuarantineView | undefined {
    const entry = this.#entries.get(agent);
    if (entry === undefined) return undefined;
    return {
      stage: entry.stage,
      enteredAtMs: entry.enteredAtMs,
      reasons: [...entry.reasons],
      history: [...entry.history],
    };
  }

  /** Moves the agent up to `to`; nothing when it already stands there or higher. */
  raise(agent: string, to: QuarantineStage, reason: string, nowMs: number): Transition | undefined {
    const from = this.stageOf(agent);
    if (to <= from) return undefined;
    return this.move(agent, to, reason, nowMs);
  }

  /** Moves the agent to `to`, up or down (an operator's decision, healing). */
  move(agent: string, to: QuarantineStage, reason: string, nowMs: number): Transition | undefined {
    const found = this.#entries.get(agent);
    const from = found?.stage ?? 0;
    if (to === from) {
      if (found !== undefined) pushBounded(found.reasons, reason, REASONS_MAX);
      return undefined;
    }
    if (to >= 2) this.#elevated.add(agent);
    else this.#elevated.delete(agent);
    if (to === 0) {
      this.#entries.delete(agent);
      return { agent, from, to, reason, atMs: nowMs };
    }
    const entry = found ?? this.#fresh(agent, nowMs);
    entry.stage = to;
    entry.enteredAtMs = nowMs;
    entry.quietSinceMs = nowMs;
    pushBounded(entry.reasons, reason, REASONS_MAX);
    pushBounded(entry.history, { stage: to, enteredAtMs: nowMs }, HISTORY_MAX);
    touch(this.#entries, agent, entry);
    return { agent, from, to, reason, atMs: nowMs };
  }

  /** An anomaly about the agent: restarts its quiet timer. */
  noteAnomaly(agent: string, reason: string, nowMs: number): void {
    const entry = this.#entries.get(agent);
    if (entry === undefined) return;
    entry.quietSinceMs = Math.max(entry.quietSinceMs, nowMs);
    pushBounded(entry.reasons, reason, REASONS_MAX);
  }

  /**
   * Falls stages 1 and 2 back after their quiet time: 2 → 1 after 60 min, 1 → 0 after 30 more
   * (§37.8.2). A tick that comes late applies every step that fell due, each dated when it was due.
   */
  expire(nowMs: number): Transition[] {
    const out: Transition[] = [];
    for (const [agent, entry] of [...this.#entries]) {
      for (;;) {
        if (entry.stage !== 1 && entry.stage !== 2) break;
        const dueMs = entry.quietSinceMs + STAGE_QUIET_MS[entry.stage];
        if (dueMs > nowMs) break;
        const to: QuarantineStage = entry.stage === 2 ? 1 : 0;
        const quietMin = Math.round(STAGE_QUIET_MS[entry.stage] / 60_000);
        const move = this.move(agent, to, `${quietMin} min without anomalies`, dueMs);
        if (move !== undefined) out.push(move);
        if (to === 0) break;
      }
    }
    return out;
  }

  agents(): IterableIterator<string> {
    return this.#entries.keys();
  }

  /** Agents at stage 2 or above (fever counts them, §37.11.1). */
  elevatedCount(): number {
    return this.#elevated.size;
  }

  #fresh(agent: string, nowMs: number): Entry {
    makeRoom(this.#entries, this.#agentsMax, (entry) => entry.stage === 1, {
      scanMax: this.#agentsMax,
      strict: true,
    });
    const entry: Entry = { stage: 0, enteredAtMs: nowMs, quietSinceMs: nowMs, reasons: [], history: [] };
    this.#entries.set(agent, entry);
    return entry;
  }
}
