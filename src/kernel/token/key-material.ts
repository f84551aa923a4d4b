// Issuer key material: generating a hybrid key pair and importing public keys for verification.
// Pure node:crypto, no storage; the runtime key store persists what this produces.

import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { assert } from '../../shared/index.ts';
import type { IssuerKeyPair, IssuerPublicKeys, VerificationKeys } from './issuer-keys.ts';

/** Generates a fresh Ed25519 + ML-DSA-65 pair under `kid` from the system CSPRNG. */
export function generateIssuerKeyPair(kid: string): IssuerKeyPair {
  return {
    kid,
    ed25519: generateKeyPairSync('ed25519'),
    mlDsa65: generateKeyPairSync('ml-dsa-65'),
  };
}

/** Checks the two public keys' types once, so a swapped or wrong key fails at load, not per token. */
export function verificationKeys(ed25519: KeyObject, mlDsa65: KeyObject): VerificationKeys {
  assert(
    ed25519.type === 'public' && ed25519.asymmetricKeyType === 'ed25519',
    'issuer key must be a public ed25519 key',
  );
  assert(
    mlDsa65.type === 'public' && mlDsa65.asymmetricKeyType === 'ml-dsa-65',
    'issuer key must be a public ml-dsa-65 key',
  );
  return { ed25519, mlDsa65 };
}

/** The verification map for a set of key pairs (tests and single-process setups). */
export function publicKeysOf(pairs: readonly IssuerKeyPair[]): IssuerPublicKeys {
  return new Map(
    pairs.map((pair) => [pair.kid, verificationKeys(pair.ed25519.publicKey, pair.mlDsa65.publicKey)]),
  );
}
