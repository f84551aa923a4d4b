// Lock abuse (§13.3, DR-C3): failed acquire/rollback cycles per agent and resource. More than 3 in
// 10 minutes flags the agent for security review; 5 pause it (no more commits).

import type { Clock } from '../../shared/index.ts';

export const LOCK_ABUSE_WINDOW_MS = 10 * 60_000;
export const LOCK_ABUSE_FLAG_AFTER = 3;
export const LOCK_ABUSE_PAUSE_AT = 5;

export type AbuseVerdict = 'ok' | 'flagged' | 'paused';

export class LockAbuse {
  readonly #clock: Clock;
  /** `agent\u0000resource` → monotonic times of failed cycles within the window. */
  readonly #failures = new Map<string, number[]>();
  readonly #paused = new Set<string>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Records one failed cycle (conflict, lock timeout, rollback) and says what it amounts to. */
  failed(agent: string, resource: string): AbuseVerdict {
    const key = `${agent}\u0000${resource}`;
    const now = this.#clock.monotonicMs();
    const recent = (this.#failures.get(key) ?? []).filter((t) => now - t < LOCK_ABUSE_WINDOW_MS);
    recent.push(now);
    this.#failures.set(key, recent);
    if (recent.length >= LOCK_ABUSE_PAUSE_AT) {
      this.#paused.add(agent);
      return 'paused';
    }
    return recent.length > LOCK_ABUSE_FLAG_AFTER ? 'flagged' : 'ok';
  }

  paused(agent: string): boolean {
    return this.#paused.has(agent);
  }
}
