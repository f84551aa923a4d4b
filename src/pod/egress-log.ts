// The Sentry's egress log (§41.2 function 4): one entry per gateway call, kept in a bounded ring in
// memory. Blocked calls are also journaled (`pod.egress`) by the Sentry; this ring is the cheap view.

import type { AgentGateway } from './protocol.ts';

export type EgressEntry = {
  /** Wall time of the call. */
  readonly atMs: number;
  readonly agent: string;
  readonly gateway: AgentGateway;
  readonly op: string;
  /** A tool resource, `provider/model`, a workspace path, a recipient, or `` when unknown. */
  readonly target: string;
  readonly bytesOut: number;
  readonly bytesIn: number;
  readonly allowed: boolean;
  /** The error code of a blocked or failed call. */
  readonly code?: string;
  readonly latencyMs: number;
};

export const EGRESS_ENTRIES_MAX = 1_000;

/** A ring of the last `capacity` entries; older ones are overwritten. */
export class EgressLog {
  readonly capacity: number;
  readonly #ring: (EgressEntry | undefined)[];
  #next = 0;
  #count = 0;

  constructor(capacity = EGRESS_ENTRIES_MAX) {
    if (!Number.isSafeInteger(capacity) || capacity < 1)
      throw new RangeError('an egress log holds at least one entry');
    this.capacity = capacity;
    this.#ring = new Array<EgressEntry | undefined>(capacity);
  }

  append(entry: EgressEntry): void {
    this.#ring[this.#next] = entry;
    this.#next = (this.#next + 1) % this.capacity;
    if (this.#count < this.capacity) this.#count += 1;
  }

  /** The last `limit` entries (all kept, by default), oldest first. */
  entries(limit = this.capacity): EgressEntry[] {
    const n = Math.max(0, Math.min(Math.floor(limit), this.#count));
    const out: EgressEntry[] = [];
    for (let i = n; i > 0; i--) {
      const entry = this.#ring[(this.#next - i + this.capacity) % this.capacity];
      if (entry !== undefined) out.push(entry);
    }
    return out;
  }

  get size(): number {
    return this.#count;
  }
}
