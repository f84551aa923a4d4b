// Random port: every source of randomness goes through it, so a seeded twin can replay a run.

import { randomFillSync } from 'node:crypto';

export interface Random {
  /** Fills and returns `length` random bytes. */
  bytes(length: number): Uint8Array;
}

export const systemRandom: Random = {
  bytes: (length) => randomFillSync(new Uint8Array(length)),
};
