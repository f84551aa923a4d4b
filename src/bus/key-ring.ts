// The host's bus keys: one Ed25519 key pair per sender pod, made by the host when the pod starts.
// Private keys live in a private field and are only ever used to sign (MR-2: agent code, which
// holds no reference to the ring, never sees them); receivers look public keys up by key id.

import { createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';
import { type Clock, hashBase64url, type Random, systemClock, systemRandom } from '../shared/index.ts';

/** A public key as a receiver knows it: whose it is and whether it was retired. */
export type BusPublicKey = {
  readonly keyId: string;
  readonly sender: string;
  readonly key: KeyObject;
  readonly retired: boolean;
};

/** What a receiving side needs: public keys by id. A remote node can implement it from exports. */
export interface KeyDirectory {
  publicKey(keyId: string): BusPublicKey | undefined;
}

type Signer = { readonly keyId: string; readonly privateKey: KeyObject };

export class BusKeyRing implements KeyDirectory {
  readonly clock: Clock;
  readonly random: Random;
  readonly #signers = new Map<string, Signer>();
  readonly #public = new Map<string, BusPublicKey>();
  // INVARIANT: a sender's sequence outlives its keys, so no key change reopens used numbers.
  readonly #nextSeq = new Map<string, number>();

  constructor(options: { readonly clock?: Clock; readonly random?: Random } = {}) {
    this.clock = options.clock ?? systemClock;
    this.random = new PooledRandom(options.random ?? systemRandom);
  }

  /**
   * Makes a fresh key pair for `sender` and makes it the one that signs its messages; returns the
   * key id. A sender's previous key stays valid for verification until retired. The sequence
   * number continues across keys, so a new key cannot reopen old sequence numbers.
   */
  generate(sender: string): string {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const raw = publicKey.export({ format: 'der', type: 'spki' });
    const keyId = `ed25519:${hashBase64url(raw).slice(0, 22)}`;
    this.#signers.set(sender, { keyId, privateKey });
    this.#public.set(keyId, Object.freeze({ keyId, sender, key: publicKey, retired: false }));
    return keyId;
  }

  /** Registers a public key made elsewhere (another node's sender), as SPKI PEM. */
  importPublicKey(keyId: string, sender: string, pem: string): void {
    const key = createPublicKey(pem);
    if (key.asymmetricKeyType !== 'ed25519') throw new TypeError('bus keys are ed25519');
    this.#public.set(keyId, Object.freeze({ keyId, sender, key, retired: false }));
  }

  /** Exports a public key as SPKI PEM, for other nodes' key directories. */
  exportPublicKey(keyId: string): string | undefined {
    return this.#public.get(keyId)?.key.export({ format: 'pem', type: 'spki' }).toString();
  }

  /** Retires a key: messages signed with it fail verification from now on, and it signs no more. */
  retire(keyId: string): void {
    const known = this.#public.get(keyId);
    if (known === undefined) return;
    this.#public.set(keyId, Object.freeze({ ...known, retired: true }));
    const signer = this.#signers.get(known.sender);
    if (signer?.keyId === keyId) this.#signers.delete(known.sender);
  }

  /** Forgets a sender's signing key (the pod stopped); its public keys stay for late messages. */
  forget(sender: string): void {
    this.#signers.delete(sender);
  }

  hasSigner(sender: string): boolean {
    return this.#signers.has(sender);
  }

  publicKey(keyId: string): BusPublicKey | undefined {
    return this.#public.get(keyId);
  }

  /**
   * Takes the sender's next `count` sequence numbers (consecutive, from `firstSeq`) and signs once
   * what `data` returns for them with its key. Internal to the bus: batch.ts is the only caller.
   * Returns undefined when the sender has no active key. The numbers are taken even when `data`
   * throws, so no number is ever signed twice.
   */
  signRun(
    sender: string,
    count: number,
    data: (keyId: string, firstSeq: number) => Uint8Array,
  ): { keyId: string; firstSeq: number; sig: Uint8Array } | undefined {
    if (!Number.isSafeInteger(count) || count < 1) throw new RangeError('a run signs at least one number');
    const signer = this.#signers.get(sender);
    if (signer === undefined) return undefined;
    const firstSeq = this.#nextSeq.get(sender) ?? 1;
    this.#nextSeq.set(sender, firstSeq + count);
    const sig = sign(null, data(signer.keyId, firstSeq), signer.privateKey);
    return { keyId: signer.keyId, firstSeq, sig };
  }
}

const POOL_BYTES = 4_096;

/**
 * Serves small requests (envelope ids and nonces) from a block drawn from `source` at a time, as
 * `crypto.randomUUID` does: one call into the system's generator per 4 KB instead of two per
 * message. Every byte is handed out once, as a copy; a seeded source stays reproducible.
 */
class PooledRandom implements Random {
  readonly #source: Random;
  #pool: Uint8Array = new Uint8Array(0);
  #at = 0;

  constructor(source: Random) {
    this.#source = source;
  }

  bytes(length: number): Uint8Array {
    if (length > POOL_BYTES / 8) return this.#source.bytes(length);
    if (this.#at + length > this.#pool.length) {
      this.#pool = this.#source.bytes(POOL_BYTES);
      this.#at = 0;
    }
    const out = this.#pool.slice(this.#at, this.#at + length);
    this.#at += length;
    return out;
  }
}

/** Verifies an Ed25519 signature; false on any malformed input. */
export function verifySignature(key: KeyObject, data: Uint8Array, sig: Uint8Array): boolean {
  try {
    return verify(null, data, key, sig);
  } catch {
    return false;
  }
}
