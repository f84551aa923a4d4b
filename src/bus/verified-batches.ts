// The receiving side's memory of batch signatures it has verified (decision 0010), so a batch of
// n envelopes costs one Ed25519 verification per receiving process instead of n. Bounded (LRU),
// positives only: a signature that failed is checked again every time, so nothing an attacker
// sends can make the cache refuse, or accept, anything later.

import type { KeyObject } from 'node:crypto';
import { touch, touchBounded } from '../shared/index.ts';
import { VERIFIED_BATCHES_MAX } from './limits.ts';
import type { Climb } from './merkle.ts';

/** One verified batch signature: the key object it verified under, the signed root, the last climb. */
export type VerifiedBatch = {
  readonly key: KeyObject;
  readonly root: string;
  /** The most recent member's verified climb to `root`, so the next member hashes less (merkle.ts). */
  last: Climb;
};

export class VerifiedBatches {
  readonly #max: number;
  readonly #entries = new Map<string, VerifiedBatch>();

  constructor(max = VERIFIED_BATCHES_MAX) {
    this.#max = Math.max(1, max);
  }

  /** What names a batch signature: key id, batch size and signature; the entry holds its root. */
  static idOf(keyId: string, n: number, sig: string): string {
    return `${keyId}\n${n}\n${sig}`;
  }

  /**
   * The batch this exact key id, size and signature verified, under this very key object (a key
   * re-imported under the same id is another object, so what the old key verified does not count).
   * The caller still holds the member to the entry's root.
   */
  get(id: string, key: KeyObject): VerifiedBatch | undefined {
    const entry = this.#entries.get(id);
    if (entry === undefined || entry.key !== key) return undefined;
    touch(this.#entries, id, entry);
    return entry;
  }

  /** Records a verified batch signature, forgetting the least recently used beyond the bound. */
  add(id: string, entry: VerifiedBatch): void {
    touchBounded(this.#entries, id, entry, this.#max);
  }

  get size(): number {
    return this.#entries.size;
  }
}
