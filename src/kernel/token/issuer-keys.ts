// Issuer key types: the hybrid Ed25519 + ML-DSA-65 key pair the DSC signs tokens with (§14a.3),
// and the public keys, by key id, that verification accepts. Loading and storing is runtime's job.

import type { KeyObject } from 'node:crypto';

export type KeyPairObjects = { readonly privateKey: KeyObject; readonly publicKey: KeyObject };

export type IssuerKeyPair = {
  /** Key id named by both protected headers and the `kid` claim. */
  readonly kid: string;
  readonly ed25519: KeyPairObjects;
  readonly mlDsa65: KeyPairObjects;
};

/** Public keys checked to be of the right type once, at load; verification uses node:crypto directly. */
export type VerificationKeys = { readonly ed25519: KeyObject; readonly mlDsa65: KeyObject };

/** Every non-retired issuer key, by kid. */
export type IssuerPublicKeys = ReadonlyMap<string, VerificationKeys>;

export type IssuerKeys = { readonly current: IssuerKeyPair; readonly publicKeys: IssuerPublicKeys };
