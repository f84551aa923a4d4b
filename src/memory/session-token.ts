// Join tokens for shared sessions: the host signs `{typ, session, agent, exp}` with Ed25519
// (node:crypto) and a session verifies it with the public key alone before admitting the agent.
//
// WHY Ed25519 and not HMAC-SHA256: a verifier holding an HMAC key can also mint tokens. With a
// signature, only the host's private key mints; sessions (possibly on other nodes) get the public
// key, so a leaked verifier cannot forge a membership. A join is rare, so ~60 µs per verify is free.

import { type KeyObject, sign, verify } from 'node:crypto';
import { z } from 'zod';
import type { Clock, KernelError, Result } from '../shared/index.ts';
import { canonicalJson, ERROR_CODES, fail, ok, parseJsonStrict } from '../shared/index.ts';
import { SESSION_LIMITS } from './limits.ts';
import { isSegment, shown } from './vfs-path.ts';

/** Domain separation: a signature made for anything else with the same key never reads as a join. */
export const JOIN_TOKEN_TYPE = 'maos-session-join/v1';

export type JoinClaims = {
  readonly typ: typeof JOIN_TOKEN_TYPE;
  readonly session: string;
  readonly agent: string;
  /** Expiry, wall-clock milliseconds since the epoch. */
  readonly exp: number;
};

const ClaimsSchema = z.strictObject({
  typ: z.literal(JOIN_TOKEN_TYPE),
  session: z.string().refine(isSegment),
  agent: z.string().refine(isSegment),
  exp: z.number().int().nonnegative(),
});

const TOKEN = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/;
const SIGNATURE_BYTES = 64;

function isEd25519(key: KeyObject, type: 'private' | 'public'): boolean {
  return key.type === type && key.asymmetricKeyType === 'ed25519';
}

/** Mints the token that lets `agent` join `session` until `clock.wallMs() + ttlMs`. Host side only. */
export function mintJoinToken(
  request: { readonly session: string; readonly agent: string; readonly ttlMs: number },
  privateKey: KeyObject,
  clock: Clock,
): Result<string, KernelError> {
  if (!isEd25519(privateKey, 'private')) {
    return fail(ERROR_CODES.INVALID_INPUT, 'join tokens are signed with an ed25519 private key');
  }
  if (!isSegment(request.session) || !isSegment(request.agent)) {
    return fail(
      ERROR_CODES.INVALID_INPUT,
      `session \`${shown(request.session)}\` or agent \`${shown(request.agent)}\` is not a valid id`,
    );
  }
  if (
    !Number.isInteger(request.ttlMs) ||
    request.ttlMs <= 0 ||
    request.ttlMs > SESSION_LIMITS.tokenTtlMsMax
  ) {
    return fail(
      ERROR_CODES.TOKEN_TTL_EXCESSIVE,
      `join token ttl must be 1..${SESSION_LIMITS.tokenTtlMsMax} ms`,
    );
  }
  const claims: JoinClaims = {
    typ: JOIN_TOKEN_TYPE,
    session: request.session,
    agent: request.agent,
    exp: clock.wallMs() + request.ttlMs,
  };
  const payload = Buffer.from(canonicalJson(claims), 'utf8');
  const signature = sign(null, payload, privateKey);
  return ok(`${payload.toString('base64url')}.${signature.toString('base64url')}`);
}

/**
 * Checks a join token's form, signature and expiry, in that order, and returns its claims. The
 * caller still compares the claims with the session and agent at hand.
 */
export function verifyJoinToken(
  token: unknown,
  publicKey: KeyObject,
  clock: Clock,
): Result<JoinClaims, KernelError> {
  if (!isEd25519(publicKey, 'public')) {
    return fail(ERROR_CODES.INVALID_INPUT, 'join tokens are verified with an ed25519 public key');
  }
  if (typeof token !== 'string' || token.length > SESSION_LIMITS.tokenLengthMax) {
    return fail(ERROR_CODES.TOKEN_MALFORMED, 'join token is not a string of bounded length');
  }
  const parts = TOKEN.exec(token);
  const payload = decodeExact(parts?.[1]);
  const signature = decodeExact(parts?.[2]);
  if (payload === undefined || signature === undefined || signature.length !== SIGNATURE_BYTES) {
    return fail(ERROR_CODES.TOKEN_MALFORMED, 'join token is not `payload.signature` in base64url');
  }
  if (!verify(null, payload, publicKey, signature)) {
    return fail(ERROR_CODES.TOKEN_SIGNATURE_INVALID, 'join token signature does not verify');
  }
  const json = parseJsonStrict(payload, { bytesMax: SESSION_LIMITS.tokenLengthMax, depthMax: 2 });
  const claims = json.ok ? ClaimsSchema.safeParse(json.value) : undefined;
  // WHY: only the canonical encoding is accepted, so one claim set has exactly one signed form.
  if (claims === undefined || !claims.success || canonicalJson(claims.data) !== payload.toString('utf8')) {
    return fail(ERROR_CODES.TOKEN_CLAIMS_INVALID, 'join token claims are not a canonical join claim set');
  }
  if (claims.data.exp <= clock.wallMs()) {
    return fail(ERROR_CODES.TOKEN_EXPIRED, `join token for \`${claims.data.agent}\` has expired`);
  }
  return ok(claims.data);
}

/** Decodes base64url, refusing any text that is not the canonical encoding of its bytes. */
function decodeExact(text: string | undefined): Buffer | undefined {
  if (text === undefined) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}
