// Replay protection for one (recipient, sender) pair: a sliding window over the sender's sequence
// numbers. A number already seen, or more than `window` behind the highest seen, is refused; so
// is an id or nonce seen within the window. Memory is bounded by the window.

import type { BusReason } from './reasons.ts';
import { BUS_REASONS } from './reasons.ts';

type Seen = { readonly id: string; readonly nonce: string };

export class ReplayWindow {
  readonly #window: number;
  #highest = 0;
  readonly #bySeq = new Map<number, Seen>();
  readonly #ids = new Set<string>();
  readonly #nonces = new Set<string>();

  constructor(window: number) {
    this.#window = window;
  }

  /** Why this message would be a replay, or undefined when it is new. Changes nothing. */
  problem(seq: number, id: string, nonce: string): BusReason | undefined {
    if (this.#highest > 0 && seq <= this.#highest - this.#window) return BUS_REASONS.BUS_SEQ_TOO_OLD;
    if (this.#bySeq.has(seq) || this.#ids.has(id) || this.#nonces.has(nonce)) return BUS_REASONS.BUS_REPLAY;
    return undefined;
  }

  /** Records an accepted message and forgets what fell out of the window. */
  accept(seq: number, id: string, nonce: string): void {
    this.#bySeq.set(seq, { id, nonce });
    this.#ids.add(id);
    this.#nonces.add(nonce);
    if (seq > this.#highest) this.#highest = seq;
    this.#evict();
  }

  get highest(): number {
    return this.#highest;
  }

  get size(): number {
    return this.#bySeq.size;
  }

  #evict(): void {
    const floor = this.#highest - this.#window;
    // WHY: entries arrive nearly in sequence order, so the oldest usually sit at the front of the
    // map; a full sweep runs only when out-of-order arrivals let the map outgrow the window.
    for (const [seq, seen] of this.#bySeq) {
      if (seq > floor) break;
      this.#drop(seq, seen);
    }
    if (this.#bySeq.size <= this.#window) return;
    for (const [seq, seen] of this.#bySeq) if (seq <= floor) this.#drop(seq, seen);
  }

  #drop(seq: number, seen: Seen): void {
    this.#bySeq.delete(seq);
    this.#ids.delete(seen.id);
    this.#nonces.delete(seen.nonce);
  }
}
