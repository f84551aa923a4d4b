// Verification (§14a.3, DR-T1): strict envelope parse, then both signatures (node:crypto), then the
// claims schema and the attenuation chain. Expiry, revocation and use counts are the DSC's, per decision.

import { type KeyObject, verify as nodeVerify } from 'node:crypto';
import {
  deepFreeze,
  ERROR_CODES,
  fail,
  hashBase64url,
  type KernelError,
  ok,
  type Result,
} from '../../shared/index.ts';
import { attenuationViolation } from './attenuate.ts';
import type { TokenClaims } from './claims.ts';
import { parseClaims } from './claims-schema.ts';
import type { IssuerPublicKeys } from './issuer-keys.ts';
import { buildScopeIndex } from './scope-index.ts';
import {
  decodePayload,
  type EnvelopeSignature,
  type ProtectedHeader,
  parseEnvelope,
  type TokenEnvelope,
} from './token-envelope.ts';
import { TOKEN_REF_PREFIX, type VerifiedToken } from './verified-token.ts';

export type InspectedToken = {
  readonly digest: string;
  readonly headers: readonly [ProtectedHeader, ProtectedHeader];
  readonly claims: TokenClaims;
};

/** `tok:` + base64url SHA-256 of the exact serialized text. */
export function tokenDigest(serialized: string): string {
  return TOKEN_REF_PREFIX + hashBase64url(serialized);
}

/** Verifies a serialized token against the issuer's public keys. Never throws for bad input. */
export async function verifyToken(
  serialized: string,
  keys: IssuerPublicKeys,
): Promise<Result<VerifiedToken, KernelError>> {
  const envelope = parseEnvelope(serialized);
  if (!envelope.ok) return envelope;
  const { kid, payload, signatures } = envelope.value;
  const key = keys.get(kid);
  if (key === undefined)
    return fail(ERROR_CODES.TOKEN_KEY_UNKNOWN, `key \`${kid}\` is not a known issuer key`);
  // INVARIANT: both signatures are checked, always, before any claim is read (hybrid, §14a.3).
  const edOk = verifyOne(payload, signatures[0], key.ed25519);
  const mlOk = verifyOne(payload, signatures[1], key.mlDsa65);
  if (!edOk) return fail(ERROR_CODES.TOKEN_SIGNATURE_INVALID, 'the `EdDSA` signature does not verify');
  if (!mlOk) return fail(ERROR_CODES.TOKEN_SIGNATURE_INVALID, 'the `ML-DSA-65` signature does not verify');
  const claims = readClaims(envelope.value);
  if (!claims.ok) return claims;
  return buildVerified(serialized, claims.value);
}

/** Decodes headers and claims without checking signatures (for the CLI). Same structural errors. */
export function inspectToken(serialized: string): Result<InspectedToken, KernelError> {
  const envelope = parseEnvelope(serialized);
  if (!envelope.ok) return envelope;
  const claims = readClaims(envelope.value);
  if (!claims.ok) return claims;
  const [first, second] = envelope.value.signatures;
  return ok({
    digest: tokenDigest(serialized),
    headers: [first.header, second.header],
    claims: claims.value,
  });
}

/**
 * Checks one JWS signature (RFC 7515 §5.2) with node:crypto: the signing input is the ASCII of
 * `protected || '.' || payload` exactly as they stand in the envelope. The envelope parser has
 * already fixed the algorithm per position, the key type is fixed per position, and the signature
 * length was checked, so there is no algorithm to confuse.
 */
function verifyOne(payload: string, entry: EnvelopeSignature, key: KeyObject): boolean {
  try {
    const input = Buffer.from(`${entry.protected}.${payload}`, 'ascii');
    return nodeVerify(null, input, key, Buffer.from(entry.signature, 'base64url'));
  } catch {
    return false;
  }
}

function readClaims(envelope: TokenEnvelope): Result<TokenClaims, KernelError> {
  const json = decodePayload(envelope.payload);
  if (!json.ok) return json;
  const claims = parseClaims(json.value);
  if (!claims.ok) return claims;
  if (claims.value.kid !== envelope.kid) {
    return fail(ERROR_CODES.TOKEN_HEADER_INVALID, 'claim `kid` differs from the protected headers');
  }
  return claims;
}

function buildVerified(serialized: string, claims: TokenClaims): Result<VerifiedToken, KernelError> {
  const chain: TokenClaims[] = [];
  for (let link: TokenClaims | undefined = claims; link !== undefined; link = link.parent) chain.push(link);
  for (let i = 0; i + 1 < chain.length; i++) {
    const child = chain[i];
    const parent = chain[i + 1];
    if (child === undefined || parent === undefined) break;
    const violation = attenuationViolation(parent, child);
    if (violation !== undefined) {
      return fail(ERROR_CODES.TOKEN_ATTENUATION_WIDENS, `attenuation widens the parent: ${violation}`, {
        jti: child.jti,
      });
    }
  }
  const index = buildScopeIndex(claims.scopes);
  if (!index.ok) return index;
  const match = index.value.match;
  // Verified tokens are shared through the cache; freezing keeps one holder from altering another's view.
  deepFreeze(claims);
  return ok(
    Object.freeze({
      digest: tokenDigest(serialized),
      claims,
      chain: Object.freeze(chain),
      chainIds: Object.freeze(chain.map((link) => link.jti)),
      notBeforeMs: Math.max(...chain.map((link) => link.nbf)),
      expiresMs: Math.min(...chain.map((link) => link.exp)),
      match,
    }),
  );
}
