// Security fever mode (§37.11.1, DR-M4): a system-wide alert state that halves every agent's rate
// limits. On when two agents stand at stage 2 or above, or when the weighted anomaly score of all
// agents together passes twice the observation threshold within 10 minutes; off after 30 quiet minutes.

export type FeverOptions = {
  /** Agents at stage ≥ 2 at once that start a fever. */
  readonly elevatedAgentsMin: number;
  /** Summed counted weight of all agents that starts a fever when passed within `scoreWindowMs`. */
  readonly scoreAbove: number;
  readonly scoreWindowMs: number;
  /** Minutes without any anomaly after which the fever ends. */
  readonly quietMs: number;
  /** Rate-limit factor while the fever lasts. */
  readonly rateFactor: number;
};

export const FEVER_DEFAULTS: FeverOptions = {
  elevatedAgentsMin: 2,
  scoreAbove: 20,
  scoreWindowMs: 10 * 60_000,
  quietMs: 30 * 60_000,
  rateFactor: 0.5,
};

/** Bound on the weights remembered for the 10-minute sum. */
const RECENT_MAX = 4_096;

export type FeverChange = { readonly on: boolean; readonly reason: string; readonly atMs: number };

export class Fever {
  readonly #options: FeverOptions;
  #on = false;
  #sinceMs = 0;
  #lastAnomalyAtMs = Number.NEGATIVE_INFINITY;
  readonly #recent: { readonly atMs: number; readonly weight: number }[] = [];
  #recentSum = 0;

  constructor(options: FeverOptions) {
    this.#options = options;
  }

  get on(): boolean {
    return this.#on;
  }

  /** Any anomaly or apoptosis: keeps a fever alive, and its weight counts towards starting one. */
  noteAnomaly(weight: number, nowMs: number): void {
    this.#lastAnomalyAtMs = Math.max(this.#lastAnomalyAtMs, nowMs);
    if (weight <= 0) return;
    this.#recent.push({ atMs: nowMs, weight });
    this.#recentSum += weight;
    if (this.#recent.length > RECENT_MAX) this.#recentSum -= this.#recent.shift()?.weight ?? 0;
  }

  /**
   * Starts a fever when a condition holds. WHY: called only after an anomaly or a stage rise, so a
   * fever that ended after 30 quiet minutes does not restart by itself while two agents wait in
   * stage 3 for a human; the next anomaly restarts it.
   */
  evaluate(elevatedAgents: number, nowMs: number): FeverChange | undefined {
    if (this.#on) return undefined;
    this.#dropOld(nowMs);
    let reason: string | undefined;
    if (elevatedAgents >= this.#options.elevatedAgentsMin) {
      reason = `${elevatedAgents} agents at stage 2 or above`;
    } else if (this.#recentSum > this.#options.scoreAbove) {
      const minutes = Math.round(this.#options.scoreWindowMs / 60_000);
      reason = `weighted anomaly score ${this.#recentSum} within ${minutes} min`;
    }
    if (reason === undefined) return undefined;
    this.#on = true;
    this.#sinceMs = nowMs;
    return { on: true, reason, atMs: nowMs };
  }

  /** Ends a fever after its quiet time. */
  tick(nowMs: number): FeverChange | undefined {
    this.#dropOld(nowMs);
    if (!this.#on) return undefined;
    const quietSinceMs = Math.max(this.#sinceMs, this.#lastAnomalyAtMs);
    const dueMs = quietSinceMs + this.#options.quietMs;
    if (dueMs > nowMs) return undefined;
    this.#on = false;
    const minutes = Math.round(this.#options.quietMs / 60_000);
    return { on: false, reason: `${minutes} min without anomalies`, atMs: dueMs };
  }

  /** A commander ends the fever (§37.11.1). */
  end(by: string, nowMs: number): FeverChange | undefined {
    if (!this.#on) return undefined;
    this.#on = false;
    return { on: false, reason: `ended by \`${by}\``, atMs: nowMs };
  }

  #dropOld(nowMs: number): void {
    let drop = 0;
    while (
      drop < this.#recent.length &&
      nowMs - (this.#recent[drop]?.atMs ?? 0) >= this.#options.scoreWindowMs
    ) {
      this.#recentSum -= this.#recent[drop]?.weight ?? 0;
      drop++;
    }
    if (drop > 0) this.#recent.splice(0, drop);
  }
}
