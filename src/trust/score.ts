// The trust score formula: a pure function from an agent's record and one event to the next
// record. Persistence is ledger.ts; the numbers are params.ts; decision 0011 explains them.

import type { QuarantineStage } from '../immune/port.ts';
import { ERROR_CODES, fail, ok, parseJsonStrict, type Result } from '../shared/index.ts';
import { clampUnit, isTrustId, isUnit } from './input.ts';
import {
  ANOMALY_LOSS_PER_WEIGHT,
  ANOMALY_WEIGHT_MAX,
  CLEAN_COMMIT_GAIN,
  DECAY_HALF_LIFE_MS,
  DENIAL_LOSS,
  QUARANTINE_FACTORS,
  STORED_JSON_LIMITS,
  TRUST_PRIOR,
} from './params.ts';

/** What the ledger learns about an agent. `weight` uses the immune system's anomaly weights. */
export type TrustEvent =
  | { readonly agent: string; readonly kind: 'clean-commit' }
  | { readonly agent: string; readonly kind: 'denial' }
  | { readonly agent: string; readonly kind: 'anomaly'; readonly weight: number }
  | { readonly agent: string; readonly kind: 'slash'; readonly amount: number }
  | { readonly agent: string; readonly kind: 'quarantine'; readonly stage: QuarantineStage };

export type TrustEventKind = TrustEvent['kind'];

/** The bounded history: how many events of each kind, never the events themselves. */
export type TrustCounts = {
  readonly cleanCommits: number;
  readonly denials: number;
  readonly anomalies: number;
  readonly slashes: number;
  readonly quarantines: number;
  /** The sum of all slash amounts actually taken (after the floor at 0). */
  readonly slashedTotal: number;
};

/** One agent's persisted state: the score as of `atMs` (wall clock), and its counts. */
export type TrustRecord = {
  readonly v: 1;
  readonly agent: string;
  readonly score: number;
  readonly atMs: number;
  readonly counts: TrustCounts;
};

const ZERO_COUNTS: TrustCounts = {
  cleanCommits: 0,
  denials: 0,
  anomalies: 0,
  slashes: 0,
  quarantines: 0,
  slashedTotal: 0,
};

/** The record of an agent the ledger has never seen: the prior, nothing counted. */
export function freshRecord(agent: string, nowMs: number): TrustRecord {
  return { v: 1, agent, score: TRUST_PRIOR, atMs: nowMs, counts: ZERO_COUNTS };
}

/**
 * The score at `nowMs`: the distance to the prior halves every DECAY_HALF_LIFE_MS. A clock that went
 * backwards decays nothing (never "undecays").
 */
export function decayedScore(record: TrustRecord, nowMs: number): number {
  const elapsedMs = Math.max(0, nowMs - record.atMs);
  if (elapsedMs === 0) return record.score;
  const keep = 2 ** (-elapsedMs / DECAY_HALF_LIFE_MS);
  return clampUnit(TRUST_PRIOR + (record.score - TRUST_PRIOR) * keep);
}

/**
 * The record after `event` at `nowMs`: first decay to `nowMs`, then one bounded step. Every step is
 * a convex move toward 0 or 1 or a floored subtraction, so the score stays in [0, 1].
 */
export function applyEvent(record: TrustRecord, event: TrustEvent, nowMs: number): TrustRecord {
  const before = decayedScore(record, nowMs);
  const after = clampUnit(step(before, event));
  const counts = countEvent(record.counts, event, before - after);
  // INVARIANT: `atMs` never moves backwards, so a clock jump cannot replay decay.
  return { v: 1, agent: record.agent, score: after, atMs: Math.max(record.atMs, nowMs), counts };
}

function step(score: number, event: TrustEvent): number {
  switch (event.kind) {
    case 'clean-commit':
      return score + CLEAN_COMMIT_GAIN * (1 - score);
    case 'denial':
      return score * (1 - DENIAL_LOSS);
    case 'anomaly':
      return score * (1 - anomalyLoss(event.weight));
    case 'slash':
      return score - clampUnit(event.amount);
    case 'quarantine':
      return score * (QUARANTINE_FACTORS[event.stage] ?? 0);
  }
}

/** The fraction of the score an anomaly of `weight` removes; a bad weight fails closed at the maximum. */
function anomalyLoss(weight: number): number {
  const bounded =
    Number.isFinite(weight) && weight >= 0 ? Math.min(weight, ANOMALY_WEIGHT_MAX) : ANOMALY_WEIGHT_MAX;
  return bounded * ANOMALY_LOSS_PER_WEIGHT;
}

function countEvent(counts: TrustCounts, event: TrustEvent, lost: number): TrustCounts {
  const bump = (n: number) => Math.min(n + 1, Number.MAX_SAFE_INTEGER);
  switch (event.kind) {
    case 'clean-commit':
      return { ...counts, cleanCommits: bump(counts.cleanCommits) };
    case 'denial':
      return { ...counts, denials: bump(counts.denials) };
    case 'anomaly':
      return { ...counts, anomalies: bump(counts.anomalies) };
    case 'slash':
      return {
        ...counts,
        slashes: bump(counts.slashes),
        slashedTotal: counts.slashedTotal + Math.max(0, lost),
      };
    case 'quarantine':
      return { ...counts, quarantines: bump(counts.quarantines) };
  }
}

/** Checks an event from outside TypeScript; INVALID_INPUT names the bad field. */
export function checkEvent(value: unknown): Result<TrustEvent> {
  if (typeof value !== 'object' || value === null) return bad('`event` must be an object');
  const event = value as Record<string, unknown>;
  if (!isTrustId(event.agent)) return bad('`agent` must be a printable id');
  const agent = event.agent;
  switch (event.kind) {
    case 'clean-commit':
    case 'denial':
      return ok({ agent, kind: event.kind });
    case 'anomaly': {
      const weight = event.weight;
      if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0)
        return bad('`weight` must be a finite number ≥ 0');
      return ok({ agent, kind: 'anomaly', weight });
    }
    case 'slash':
      return isUnit(event.amount)
        ? ok({ agent, kind: 'slash', amount: event.amount })
        : bad('`amount` must be a number in [0, 1]');
    case 'quarantine': {
      const stage = event.stage;
      if (stage !== 0 && stage !== 1 && stage !== 2 && stage !== 3 && stage !== 4 && stage !== 5)
        return bad('`stage` must be an integer from 0 to 5');
      return ok({ agent, kind: 'quarantine', stage });
    }
    default:
      return bad(`unknown trust event kind \`${String(event.kind)}\``);
  }
}

function bad(message: string): Result<never> {
  return fail(ERROR_CODES.INVALID_INPUT, message);
}

/**
 * Reads a stored record (a fresh one at `nowMs` when none is stored); anything malformed is
 * STORAGE (a corrupt record trusts nothing).
 */
export function parseRecord(agent: string, text: string | undefined, nowMs: number): Result<TrustRecord> {
  if (text === undefined) return ok(freshRecord(agent, nowMs));
  const parsed = parseJsonStrict(text, STORED_JSON_LIMITS);
  const corrupt = () => fail(ERROR_CODES.STORAGE, `trust record of \`${agent}\` is corrupt`);
  if (!parsed.ok || typeof parsed.value !== 'object' || parsed.value === null) return corrupt();
  const record = parsed.value as Record<string, unknown>;
  const counts = record.counts as Record<string, unknown> | null | undefined;
  if (record.v !== 1 || record.agent !== agent || !isUnit(record.score)) return corrupt();
  if (typeof record.atMs !== 'number' || !Number.isFinite(record.atMs)) return corrupt();
  if (typeof counts !== 'object' || counts === null) return corrupt();
  for (const key of Object.keys(ZERO_COUNTS)) {
    const n = counts[key];
    if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) return corrupt();
  }
  return ok(record as unknown as TrustRecord);
}
