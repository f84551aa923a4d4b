// Verified-token cache: signatures are checked once per distinct serialized token, then the
// decision path finds the token by digest. Bounded LRU (LIMITS.tokenCacheEntriesMax).

import type { KernelError, Result } from '../../shared/index.ts';
import { ok } from '../../shared/index.ts';
import { LIMITS } from '../limits.ts';
import type { IssuerPublicKeys } from './issuer-keys.ts';
import { tokenDigest, verifyToken } from './token-verify.ts';
import type { TokenCacheView, VerifiedToken } from './verified-token.ts';

export class TokenCache implements TokenCacheView {
  readonly #entriesMax: number;
  // INVARIANT: Map order is recency order, least recently used first; size <= #entriesMax.
  readonly #entries = new Map<string, VerifiedToken>();
  readonly #pending = new Map<string, Promise<Result<VerifiedToken, KernelError>>>();

  constructor(entriesMax: number = LIMITS.tokenCacheEntriesMax) {
    if (!Number.isSafeInteger(entriesMax) || entriesMax < 1) throw new RangeError('entriesMax must be >= 1');
    this.#entriesMax = entriesMax;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(digest: string): VerifiedToken | undefined {
    const token = this.#entries.get(digest);
    if (token === undefined) return undefined;
    this.#entries.delete(digest);
    this.#entries.set(digest, token);
    return token;
  }

  /** Returns the cached token for this exact text, or verifies it and caches it on success only. */
  async admit(serialized: string, keys: IssuerPublicKeys): Promise<Result<VerifiedToken, KernelError>> {
    if (typeof serialized !== 'string') return verifyToken(serialized, keys);
    const digest = tokenDigest(serialized);
    const cached = this.get(digest);
    if (cached !== undefined) return ok(cached);
    const inFlight = this.#pending.get(digest);
    if (inFlight !== undefined) return inFlight;
    const verifying = verifyToken(serialized, keys);
    this.#pending.set(digest, verifying);
    try {
      const result = await verifying;
      if (result.ok) this.#store(digest, result.value);
      return result;
    } finally {
      this.#pending.delete(digest);
    }
  }

  /** Drops one token, e.g. when its issuer key is retired. */
  delete(digest: string): boolean {
    return this.#entries.delete(digest);
  }

  /** Drops everything: required whenever the set of accepted issuer keys shrinks. */
  clear(): void {
    this.#entries.clear();
  }

  #store(digest: string, token: VerifiedToken): void {
    this.#entries.delete(digest);
    this.#entries.set(digest, token);
    if (this.#entries.size <= this.#entriesMax) return;
    const oldest = this.#entries.keys().next();
    if (oldest.done !== true) this.#entries.delete(oldest.value);
  }
}
