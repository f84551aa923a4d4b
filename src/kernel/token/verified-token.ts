// A token whose envelope and both signatures have been verified once. Cached by digest; expiry,
// revocation, epoch and use counts are still checked on every decision (§9.1, §9.3).

import type { JsonObject } from '../intent.ts';
import type { Scope, TokenClaims } from './claims.ts';

/** Variables a scope constraint (CEL) can read. */
export type ConstraintVars = {
  readonly args: JsonObject;
  readonly resource: string;
  readonly action: string;
  readonly agent: string;
};

export type ScopeMatch =
  | { readonly kind: 'covered'; readonly scope: Scope }
  | { readonly kind: 'not-covered' }
  | { readonly kind: 'constraint-failed'; readonly scope: Scope; readonly expression: string }
  | {
      readonly kind: 'constraint-error';
      readonly scope: Scope;
      readonly expression: string;
      readonly message: string;
    };

export interface VerifiedToken {
  /** `tok:` + base64url SHA-256 of the serialized token: the key intents may cite instead of the token. */
  readonly digest: string;
  readonly claims: TokenClaims;
  /** This token's claims first, then each ancestor's. */
  readonly chain: readonly TokenClaims[];
  readonly chainIds: readonly string[];
  /** The latest `nbf` and earliest `exp` over the chain: a child never outlives its parent. */
  readonly notBeforeMs: number;
  readonly expiresMs: number;
  /** Finds a scope covering `action` on `resource` whose constraints hold; cost grows with depth, not scope count. */
  match(action: string, resource: string, vars: ConstraintVars): ScopeMatch;
}

export interface TokenCacheView {
  get(digest: string): VerifiedToken | undefined;
}

export interface RevocationView {
  /** This node's current revocation epoch: starts at 0, +1 per revocation. */
  readonly epoch: number;
  isRevoked(jti: string): boolean;
}

export const TOKEN_REF_PREFIX = 'tok:';
