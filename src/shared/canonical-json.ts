// Canonical JSON (RFC 8785, JCS) through the `canonicalize` library: the one serialization
// that hashes and signatures are computed over.

import canonicalizeLib from 'canonicalize';

/** Serializes `value` per RFC 8785. Throws on values JSON cannot represent (undefined, cycles). */
export function canonicalJson(value: unknown): string {
  const text = canonicalizeLib(value);
  if (text === undefined) throw new TypeError('value has no canonical json form');
  return text;
}
