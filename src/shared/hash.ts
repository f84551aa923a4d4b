// Hashing through node:crypto: SHA-256 (default) and SHA3-256, hex or base64url.

import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.ts';

export const HASH_ALGORITHMS = ['sha256', 'sha3-256'] as const;
export type HashAlgorithm = (typeof HASH_ALGORITHMS)[number];

export function hashHex(data: string | Uint8Array, algorithm: HashAlgorithm = 'sha256'): string {
  return createHash(algorithm).update(data).digest('hex');
}

export function hashBase64url(data: string | Uint8Array, algorithm: HashAlgorithm = 'sha256'): string {
  return createHash(algorithm).update(data).digest('base64url');
}

/** Hash of the RFC 8785 canonical form of `value`: equal values hash equal whatever their key order. */
export function hashCanonical(value: unknown, algorithm: HashAlgorithm = 'sha256'): string {
  return hashHex(canonicalJson(value), algorithm);
}
