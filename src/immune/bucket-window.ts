// A sliding sum over a long window kept in coarse buckets (aggregate monitoring, §49.11), so that
// memory is bounded by the number of buckets, not by the number of samples. Sparse: only buckets
// that received something are stored.

/**
 * An amount added at time t counts until at least `t + windowMs` and at most one bucket longer:
 * the window errs towards counting too much (fail closed), never too little.
 */
export class BucketWindow {
  readonly #bucketMs: number;
  readonly #buckets: number;
  #indexes: number[] = [];
  #sums: number[] = [];

  constructor(windowMs: number, bucketMs: number) {
    this.#bucketMs = bucketMs;
    this.#buckets = Math.ceil(windowMs / bucketMs);
  }

  add(nowMs: number, amount: number): void {
    const index = Math.floor(nowMs / this.#bucketMs);
    this.#prune(index);
    const last = this.#indexes.length - 1;
    if (last >= 0 && this.#indexes[last] === index) this.#sums[last] = (this.#sums[last] ?? 0) + amount;
    else {
      this.#indexes.push(index);
      this.#sums.push(amount);
    }
  }

  total(nowMs: number): number {
    this.#prune(Math.floor(nowMs / this.#bucketMs));
    let total = 0;
    for (const sum of this.#sums) total += sum;
    return total;
  }

  get empty(): boolean {
    return this.#indexes.length === 0;
  }

  /** A copy (a newcomer inheriting an evicted peer's count, in the space-saving scheme). */
  clone(): BucketWindow {
    const copy = new BucketWindow(this.#buckets * this.#bucketMs, this.#bucketMs);
    copy.#indexes = [...this.#indexes];
    copy.#sums = [...this.#sums];
    return copy;
  }

  #prune(index: number): void {
    const oldest = index - this.#buckets;
    let drop = 0;
    while (drop < this.#indexes.length && (this.#indexes[drop] ?? 0) < oldest) drop++;
    if (drop > 0) {
      this.#indexes.splice(0, drop);
      this.#sums.splice(0, drop);
    }
  }
}
