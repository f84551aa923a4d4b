// A verified token's standing at a moment: not yet valid, expired, or revoked (itself or an
// ancestor). Shared by DSC check 1 and `maos token verify`, so the two can never disagree.

import type { RevocationView, VerifiedToken } from './verified-token.ts';

export type TokenDefect = {
  readonly code: 'TOKEN_NOT_YET_VALID' | 'TOKEN_EXPIRED' | 'TOKEN_REVOKED';
  readonly message: string;
  readonly jti?: string;
};

/** Undefined when the token is in force at `wallMs`; otherwise the first defect, in this order. */
export function tokenDefect(
  token: VerifiedToken,
  revocations: RevocationView,
  wallMs: number,
): TokenDefect | undefined {
  if (wallMs < token.notBeforeMs) return { code: 'TOKEN_NOT_YET_VALID', message: 'token is not valid yet' };
  // INVARIANT: valid iff nbf <= now < exp; a token is already dead at its expiry instant.
  if (wallMs >= token.expiresMs) return { code: 'TOKEN_EXPIRED', message: 'token has expired' };
  for (const jti of token.chainIds) {
    if (!revocations.isRevoked(jti)) continue;
    const whose = jti === token.claims.jti ? 'token' : 'a parent of the token';
    return { code: 'TOKEN_REVOKED', message: `${whose} was revoked`, jti };
  }
  return undefined;
}
