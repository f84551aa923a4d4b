// Minting (§9.3): turns an approved request into signed claims. Scopes must fit the agent's grants,
// patterns and constraints must compile, and a long lifetime needs an acknowledgment (DR-T3).

import {
  type Clock,
  ERROR_CODES,
  fail,
  type KernelError,
  ok,
  type Random,
  type Result,
  uuidv7,
} from '../../shared/index.ts';
import type { Cost } from '../intent.ts';
import type { AgentRing } from '../rings.ts';
import type { RateClaim, Scope, TokenClaims, TrustClass } from './claims.ts';
import { parseClaims } from './claims-schema.ts';
import { compileConstraints } from './constraint.ts';
import type { IssuerKeyPair } from './issuer-keys.ts';
import { describeScope, withinAny } from './scope-containment.ts';
import { signClaims } from './token-sign.ts';
import { checkTtl, defaultTtlMs, type TtlAcknowledgmentRequest } from './ttl.ts';

export type MintRequest = {
  readonly sub: string;
  readonly aud: string;
  readonly ring: AgentRing;
  readonly trust: TrustClass;
  readonly scopes: readonly Scope[];
  /** Lifetime from `nbf`; defaults to `defaultTtlMs(ring, trust)`. */
  readonly ttlMs?: number;
  /** Not-before; defaults to now and may not be earlier. */
  readonly nbf?: number;
  readonly maxUses?: number;
  readonly rate?: RateClaim;
  readonly budget?: Cost;
  /** Needed when `ttlMs` exceeds 4x the default; recorded in the token (the caller logs it too). */
  readonly acknowledgment?: TtlAcknowledgmentRequest;
};

/** The `iss` claim when the context names none. */
export const DEFAULT_ISSUER = 'maos-dsc';

export type MintContext = {
  readonly clock: Clock;
  readonly random: Random;
  /** The revocation epoch current now (§9.3). */
  readonly epoch: number;
  /** Issuer name for `iss`; default DEFAULT_ISSUER. */
  readonly iss?: string;
  /** The agent's granted scopes from policy; when given, every requested scope must fit one. */
  readonly grants?: readonly Scope[];
};

export type MintedToken = { readonly token: string; readonly claims: TokenClaims };

/** Mints a root token. Refusals: CLAIMS_INVALID, GRANT_EXCEEDED, TTL_EXCESSIVE. */
export async function mintToken(
  request: MintRequest,
  issuer: IssuerKeyPair,
  ctx: MintContext,
): Promise<Result<MintedToken, KernelError>> {
  const nowMs = Math.floor(ctx.clock.wallMs());
  const nbf = request.nbf ?? nowMs;
  if (nbf < nowMs) return fail(ERROR_CODES.TOKEN_CLAIMS_INVALID, 'token not-before is in the past');
  const ttlMs = request.ttlMs ?? defaultTtlMs(request.ring, request.trust);
  const ttlAck = checkTtl(ttlMs, request.ring, request.trust, request.acknowledgment, nowMs);
  if (!ttlAck.ok) return ttlAck;
  const claims: TokenClaims = {
    jti: uuidv7(ctx.clock, ctx.random),
    kid: issuer.kid,
    iss: ctx.iss ?? DEFAULT_ISSUER,
    sub: request.sub,
    aud: request.aud,
    iat: nowMs,
    nbf,
    exp: nbf + ttlMs,
    epoch: ctx.epoch,
    ring: request.ring,
    trust: request.trust,
    scopes: request.scopes.map(copyScope),
    ...(request.maxUses === undefined ? {} : { maxUses: request.maxUses }),
    ...(request.rate === undefined
      ? {}
      : { rate: { max: request.rate.max, windowMs: request.rate.windowMs } }),
    ...(request.budget === undefined ? {} : { budget: copyCost(request.budget) }),
    ...(ttlAck.value === undefined ? {} : { ttlAck: ttlAck.value }),
  };
  const valid = checkIssuable(claims);
  if (!valid.ok) return valid;
  if (ctx.grants !== undefined) {
    const grants = ctx.grants;
    const outside = claims.scopes.find((scope) => !withinAny(grants, scope));
    if (outside !== undefined) {
      return fail(
        ERROR_CODES.TOKEN_GRANT_EXCEEDED,
        `scope ${describeScope(outside)} is not within the agent's grants`,
      );
    }
  }
  return ok({ token: await signClaims(claims, issuer), claims });
}

/** Schema and constraint compilation: a minted token must be one `verifyToken` accepts. */
export function checkIssuable(claims: TokenClaims): Result<TokenClaims, KernelError> {
  const parsed = parseClaims(claims);
  if (!parsed.ok) return parsed;
  for (const scope of claims.scopes) {
    const compiled = compileConstraints(scope.constraint);
    if (!compiled.ok) return compiled;
  }
  return ok(claims);
}

export function copyScope(scope: Scope): Scope {
  return scope.constraint === undefined
    ? { action: scope.action, resource: scope.resource }
    : { action: scope.action, resource: scope.resource, constraint: [...scope.constraint] };
}

function copyCost(cost: Cost): Cost {
  return { tokens: cost.tokens, apiCalls: cost.apiCalls, costMicros: cost.costMicros };
}
