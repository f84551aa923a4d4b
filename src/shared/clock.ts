// Clock port: every reading of time goes through it, so tests and the simulator can drive time.
// Monotonic time orders and measures; wall time is for token timestamps and human-readable output.

export interface Clock {
  /** Milliseconds since the Unix epoch (may jump). */
  wallMs(): number;
  /** Milliseconds from an arbitrary origin; never goes backwards. */
  monotonicMs(): number;
}

export const systemClock: Clock = {
  wallMs: () => Date.now(),
  monotonicMs: () => performance.now(),
};
