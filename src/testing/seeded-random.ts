// A seeded random source (xorshift128+): the same seed gives the same bytes, so a failing
// simulation or property run replays exactly. Not for keys or nonces in production.

import type { Random } from '../shared/index.ts';

export class SeededRandom implements Random {
  #s0: bigint;
  #s1: bigint;

  constructor(seed: number) {
    const mask = (1n << 64n) - 1n;
    this.#s0 = (BigInt(seed) * 0x9e3779b97f4a7c15n + 1n) & mask;
    this.#s1 = (this.#s0 ^ 0xbf58476d1ce4e5b9n) & mask || 1n;
  }

  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i += 8) {
      const word = this.#next();
      for (let j = 0; j < 8 && i + j < length; j++) out[i + j] = Number((word >> BigInt(8 * j)) & 0xffn);
    }
    return out;
  }

  #next(): bigint {
    const mask = (1n << 64n) - 1n;
    let s1 = this.#s0;
    const s0 = this.#s1;
    this.#s0 = s0;
    s1 ^= (s1 << 23n) & mask;
    this.#s1 = s1 ^ s0 ^ (s1 >> 17n) ^ (s0 >> 26n);
    return (this.#s1 + s0) & mask;
  }
}
