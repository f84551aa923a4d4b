// A clock tests and the simulator drive by hand: wall and monotonic time advance together
// unless a test jumps the wall clock on purpose.

import type { Clock } from '../shared/index.ts';

export class FakeClock implements Clock {
  #wallMs: number;
  #monotonicMs: number;

  constructor(wallMs = Date.UTC(2026, 0, 1), monotonicMs = 1_000) {
    this.#wallMs = wallMs;
    this.#monotonicMs = monotonicMs;
  }

  wallMs(): number {
    return this.#wallMs;
  }

  monotonicMs(): number {
    return this.#monotonicMs;
  }

  /** Moves both clocks forward. */
  advance(ms: number): void {
    if (ms < 0) throw new RangeError('a fake clock only advances');
    this.#wallMs += ms;
    this.#monotonicMs += ms;
  }

  /** Sets the wall clock alone (a clock jump); monotonic time is untouched. */
  setWall(wallMs: number): void {
    this.#wallMs = wallMs;
  }
}
