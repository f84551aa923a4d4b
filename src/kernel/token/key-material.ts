// Issuer key material: generating a hybrid key pair and importing public keys for verification.
// Pure node:crypto, no storage; the runtime key store persists what this produces.

import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { IssuerKeyPair, IssuerPublicKeys, VerificationKeys } from './issuer-keys.ts';

/** Generates a fresh Ed25519 + ML-DSA-65 pair under `kid` from the system CSPRNG. */
export function generateIssuerKeyPair(kid: string): IssuerKeyPair {
  return {
    kid,
    ed25519: generateKeyPairSync('ed25519'),
    mlDsa65: generateKeyPairSync('ml-dsa-65'),
  };
}

/** Imports the two public keys once, as non-extractable verify-only CryptoKeys. */
export function verificationKeys(ed25519: KeyObject, mlDsa65: KeyObject): VerificationKeys {
  return {
    ed25519: ed25519.toCryptoKey({ name: 'Ed25519' }, false, ['verify']),
    mlDsa65: mlDsa65.toCryptoKey({ name: 'ML-DSA-65' }, false, ['verify']),
  };
}

/** The verification map for a set of key pairs (tests and single-process setups). */
export function publicKeysOf(pairs: readonly IssuerKeyPair[]): IssuerPublicKeys {
  return new Map(
    pairs.map((pair) => [pair.kid, verificationKeys(pair.ed25519.publicKey, pair.mlDsa65.publicKey)]),
  );
}
