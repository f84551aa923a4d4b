// Token buckets for the Sentry's flood control and the gateways' rates, bandwidths and LLM token
// budgets. O(1) per call, refilled lazily from the monotonic clock; no timers.

import type { Clock } from '../shared/index.ts';

/**
 * Holds up to `capacity` units and refills `capacity` every `windowMs`, continuously. `take` spends
 * only what is there; `charge` always spends and may leave a debt (an LLM reply longer than its
 * estimate), which later refills pay back before anything else is allowed.
 */
export class TokenBucket {
  readonly capacity: number;
  readonly #perMs: number;
  readonly #clock: Clock;
  #level: number;
  #atMs: number;

  constructor(capacity: number, windowMs: number, clock: Clock) {
    if (!(capacity > 0) || !(windowMs > 0))
      throw new RangeError('a bucket needs a positive capacity and window');
    this.capacity = capacity;
    this.#perMs = capacity / windowMs;
    this.#clock = clock;
    this.#level = capacity;
    this.#atMs = clock.monotonicMs();
  }

  /** Units available now (negative while in debt). */
  available(): number {
    const nowMs = this.#clock.monotonicMs();
    if (nowMs > this.#atMs) {
      this.#level = Math.min(this.capacity, this.#level + (nowMs - this.#atMs) * this.#perMs);
      this.#atMs = nowMs;
    }
    return this.#level;
  }

  /** Spends `units` when that many are available; false (nothing spent) otherwise. */
  take(units = 1): boolean {
    if (this.available() < units) return false;
    this.#level -= units;
    return true;
  }

  /** Spends `units` unconditionally (a negative amount refunds, never above capacity). */
  charge(units: number): void {
    this.#level = Math.min(this.capacity, this.available() - units);
  }

  /** Milliseconds until `units` are available (0 when they are). */
  waitMs(units = 1): number {
    const missing = units - this.available();
    return missing <= 0 ? 0 : Math.ceil(missing / this.#perMs);
  }
}

/** Lets one event through per `intervalMs` (at most one flood anomaly per second, …). */
export class Throttle {
  readonly #intervalMs: number;
  readonly #clock: Clock;
  #nextMs = Number.NEGATIVE_INFINITY;

  constructor(intervalMs: number, clock: Clock) {
    this.#intervalMs = intervalMs;
    this.#clock = clock;
  }

  /** True (and the interval restarts) when the last event let through is at least an interval old. */
  pass(): boolean {
    const nowMs = this.#clock.monotonicMs();
    if (nowMs < this.#nextMs) return false;
    this.#nextMs = nowMs + this.#intervalMs;
    return true;
  }
}
