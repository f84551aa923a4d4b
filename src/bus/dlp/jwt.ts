// JSON Web Token detector: three (JWS) or five (JWE) base64url segments whose first segment
// decodes to a JSON object with an `alg` member. The decode check keeps dotted identifiers out.

import type { Detection } from './kinds.ts';

/**
 * A header always starts `{"`, which base64url encodes as `eyJ`. Segments after the payload are
 * non-empty, except the empty signature of an unsecured token (`header.payload.`).
 */
const JWT =
  /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{2,8192}\.[A-Za-z0-9_-]+(?:(?:\.[A-Za-z0-9_-]+){1,3}|\.)(?![A-Za-z0-9_-])/g;

/** Finds JSON Web Tokens in `text` (already normalised). */
export function findJwts(text: string): Detection[] {
  if (!text.includes('eyJ')) return [];
  const out: Detection[] = [];
  for (const match of text.matchAll(JWT)) {
    const header = match[0].slice(0, match[0].indexOf('.'));
    if (headerHasAlg(header))
      out.push({ kind: 'jwt', start: match.index, end: match.index + match[0].length });
  }
  return out;
}

function headerHasAlg(segment: string): boolean {
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    return false;
  }
  return (
    typeof header === 'object' && header !== null && typeof (header as { alg?: unknown }).alg === 'string'
  );
}
