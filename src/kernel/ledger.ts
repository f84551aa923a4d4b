// Ledger: rate buckets, token use counts and budgets. `decide` only reads it; counters change
// when a caller reserves an allowed decision, and a release gives everything back, so a denied
// or abandoned intent consumes nothing (MR-7, DR-T2).

import { ERROR_CODES, fail, ok, type Result } from '../shared/index.ts';
import { addCost, budgetShortfall, subtractCost, ZERO_COST } from './cost.ts';
import type { Charges, Decision } from './decision.ts';
import type { Cost } from './intent.ts';

/** The read side the checks use. Every figure includes reservations still in flight. */
export interface LedgerView {
  /** Whole units left in a token bucket of `capacity` that refills fully every `windowMs`. */
  rateAvailable(key: string, capacity: number, windowMs: number, nowMs: number): number;
  usesSpent(jti: string): number;
  /** Spent against a budget key: `agent:<id>` or `token:<jti>`. */
  spent(key: string): Cost;
}

export type Reservation = { readonly id: number; readonly charges: Charges; readonly nowMs: number };

type Bucket = { level: number; lastMs: number };

export class Ledger implements LedgerView {
  readonly #buckets = new Map<string, Bucket>();
  readonly #uses = new Map<string, number>();
  readonly #spent = new Map<string, Cost>();
  readonly #open = new Map<number, Reservation>();
  #nextId = 1;

  rateAvailable(key: string, capacity: number, windowMs: number, nowMs: number): number {
    const bucket = this.#buckets.get(key);
    if (bucket === undefined) return capacity;
    return Math.floor(refilled(bucket, capacity, windowMs, nowMs));
  }

  usesSpent(jti: string): number {
    return this.#uses.get(jti) ?? 0;
  }

  spent(key: string): Cost {
    return this.#spent.get(key) ?? ZERO_COST;
  }

  /** Reservations not yet committed or released. */
  get openCount(): number {
    return this.#open.size;
  }

  /**
   * Takes what an allowed decision needs. Re-checks every counter first, because another
   * reservation may have landed since the decision was made; on any shortfall nothing is taken.
   */
  reserve(decision: Decision, nowMs: number): Result<Reservation> {
    // WHY: an escalation reserves too — once a human approves it, it spends like an allow.
    if (decision.verdict === 'deny') {
      return fail(ERROR_CODES.RESERVATION_CONFLICT, `decision for \`${decision.intentId}\` is a denial`);
    }
    const { charges } = decision;
    const shortfall = this.#shortfall(charges, nowMs);
    if (shortfall !== undefined) return fail(ERROR_CODES.RESERVATION_CONFLICT, shortfall);
    for (const [key, capacity, windowMs] of charges.rateBuckets) {
      const bucket = this.#bucket(key, capacity);
      bucket.level = refilled(bucket, capacity, windowMs, nowMs) - 1;
      bucket.lastMs = nowMs;
    }
    for (const [jti] of charges.tokenUses) this.#uses.set(jti, this.usesSpent(jti) + 1);
    for (const key of budgetKeys(charges)) this.#spent.set(key, addCost(this.spent(key), charges.cost));
    const reservation: Reservation = { id: this.#nextId++, charges, nowMs };
    this.#open.set(reservation.id, reservation);
    return ok(reservation);
  }

  /** Makes a reservation final. `actual` replaces the estimated cost when the effect reports one. */
  commit(reservation: Reservation, actual?: Cost): Result<void> {
    if (!this.#open.delete(reservation.id)) return unknownReservation(reservation);
    if (actual !== undefined) {
      const delta = subtractCost(actual, reservation.charges.cost);
      for (const key of budgetKeys(reservation.charges))
        this.#spent.set(key, addCost(this.spent(key), delta));
    }
    return ok(undefined);
  }

  /** Gives back everything a reservation took: the intent consumed nothing. */
  release(reservation: Reservation): Result<void> {
    if (!this.#open.delete(reservation.id)) return unknownReservation(reservation);
    const { charges } = reservation;
    for (const [key, capacity] of charges.rateBuckets) {
      const bucket = this.#buckets.get(key);
      if (bucket !== undefined) bucket.level = Math.min(capacity, bucket.level + 1);
    }
    for (const [jti] of charges.tokenUses) this.#uses.set(jti, Math.max(0, this.usesSpent(jti) - 1));
    for (const key of budgetKeys(charges)) this.#spent.set(key, subtractCost(this.spent(key), charges.cost));
    return ok(undefined);
  }

  #bucket(key: string, capacity: number): Bucket {
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      bucket = { level: capacity, lastMs: Number.NEGATIVE_INFINITY };
      this.#buckets.set(key, bucket);
    }
    return bucket;
  }

  #shortfall(charges: Charges, nowMs: number): string | undefined {
    for (const [key, capacity, windowMs] of charges.rateBuckets) {
      if (this.rateAvailable(key, capacity, windowMs, nowMs) < 1) return `rate bucket \`${key}\` is empty`;
    }
    for (const [jti, usesMax] of charges.tokenUses) {
      if (this.usesSpent(jti) >= usesMax) return `token \`${jti}\` has no uses left`;
    }
    if (charges.agentBudget !== undefined) {
      const short = budgetShortfall(charges.agentBudget, this.spent(`agent:${charges.agent}`), charges.cost);
      if (short !== undefined) return `budget of agent \`${charges.agent}\` is short of ${short.dimension}`;
    }
    for (const [jti, budget] of charges.tokenBudgets) {
      const short = budgetShortfall(budget, this.spent(`token:${jti}`), charges.cost);
      if (short !== undefined) return `budget of token \`${jti}\` is short of ${short.dimension}`;
    }
    return undefined;
  }
}

function refilled(bucket: Bucket, capacity: number, windowMs: number, nowMs: number): number {
  if (bucket.lastMs === Number.NEGATIVE_INFINITY) return capacity;
  const elapsedMs = Math.max(0, nowMs - bucket.lastMs);
  return Math.min(capacity, bucket.level + (elapsedMs * capacity) / windowMs);
}

function budgetKeys(charges: Charges): string[] {
  const keys = charges.agentBudget === undefined ? [] : [`agent:${charges.agent}`];
  for (const [jti] of charges.tokenBudgets) keys.push(`token:${jti}`);
  return keys;
}

function unknownReservation(reservation: Reservation): Result<never> {
  return fail(ERROR_CODES.RESERVATION_UNKNOWN, `reservation \`${reservation.id}\` is not open`);
}
