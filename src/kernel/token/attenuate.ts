// Attenuation (§33.8.4, DR-T5, INV-4): a child token embeds its parent's claims and may only narrow
// them. The same pure check refuses widening when minting and again on every verification.

import { ERROR_CODES, fail, type KernelError, ok, type Result, uuidv7 } from '../../shared/index.ts';
import type { Cost } from '../intent.ts';
import { LIMITS } from '../limits.ts';
import type { AgentRing } from '../rings.ts';
import type { RateClaim, Scope, TokenClaims, TrustClass } from './claims.ts';
import type { IssuerKeyPair } from './issuer-keys.ts';
import { describeScope, missingConstraints, scopeTargetsWithin, withinAny } from './scope-containment.ts';
import {
  checkIssuable,
  copyScope,
  DEFAULT_ISSUER,
  type MintContext,
  type MintedToken,
} from './token-mint.ts';
import { signClaims } from './token-sign.ts';
import { checkTtl, defaultTtlMs, type TtlAcknowledgmentRequest } from './ttl.ts';
import type { VerifiedToken } from './verified-token.ts';

export type AttenuationRequest = {
  /** Each must lie within a parent scope; the parent scope's constraints are appended when missing. */
  readonly scopes: readonly Scope[];
  /** The holder of the child (a subagent); defaults to the parent's subject. */
  readonly sub?: string;
  /** Default: the parent's. May only move to a less privileged ring. */
  readonly ring?: AgentRing;
  readonly trust?: TrustClass;
  /** Default: min(parent expiry, nbf + default lifetime). */
  readonly ttlMs?: number;
  readonly nbf?: number;
  /** Defaults for these three: the parent's. */
  readonly maxUses?: number;
  readonly rate?: RateClaim;
  readonly budget?: Cost;
  readonly acknowledgment?: TtlAcknowledgmentRequest;
};

export type AttenuationContext = Omit<MintContext, 'grants'>;

/** Mints a child of `parent`. Refusals: ATTENUATION_WIDENS, EXPIRED, CLAIMS_INVALID, TTL_EXCESSIVE. */
export async function attenuateToken(
  parent: VerifiedToken,
  request: AttenuationRequest,
  issuer: IssuerKeyPair,
  ctx: AttenuationContext,
): Promise<Result<MintedToken, KernelError>> {
  if (parent.chain.length > LIMITS.tokenChainDepthMax) {
    return widens(`the delegation chain would be deeper than ${LIMITS.tokenChainDepthMax}`);
  }
  const nowMs = Math.floor(ctx.clock.wallMs());
  if (parent.expiresMs <= nowMs) return fail(ERROR_CODES.TOKEN_EXPIRED, 'the parent token has expired');
  const scopes = narrowScopes(parent.claims.scopes, request.scopes);
  if (!scopes.ok) return scopes;
  const ring = request.ring ?? parent.claims.ring;
  const trust = request.trust ?? parent.claims.trust;
  const nbf = request.nbf ?? Math.max(nowMs, parent.notBeforeMs);
  const exp =
    request.ttlMs === undefined
      ? Math.min(parent.expiresMs, nbf + defaultTtlMs(ring, trust))
      : nbf + request.ttlMs;
  const maxUses = request.maxUses ?? parent.claims.maxUses;
  const rate = request.rate ?? parent.claims.rate;
  const budget = request.budget ?? parent.claims.budget;
  const unsigned: TokenClaims = {
    jti: uuidv7(ctx.clock, ctx.random),
    kid: issuer.kid,
    iss: ctx.iss ?? DEFAULT_ISSUER,
    sub: request.sub ?? parent.claims.sub,
    aud: parent.claims.aud,
    iat: nowMs,
    nbf,
    exp,
    epoch: ctx.epoch,
    ring,
    trust,
    scopes: scopes.value,
    ...(maxUses === undefined ? {} : { maxUses }),
    ...(rate === undefined ? {} : { rate }),
    ...(budget === undefined ? {} : { budget }),
    parent: parent.claims,
  };
  // WHY: widening is checked first; an acknowledgment can lengthen a lifetime, never widen a parent.
  const violation = attenuationViolation(parent.claims, unsigned);
  if (violation !== undefined) return widens(violation);
  const ttlAck = checkTtl(exp - nbf, ring, trust, request.acknowledgment, nowMs);
  if (!ttlAck.ok) return ttlAck;
  const claims = ttlAck.value === undefined ? unsigned : { ...unsigned, ttlAck: ttlAck.value };
  const valid = checkIssuable(claims);
  if (!valid.ok) return valid;
  return ok({ token: await signClaims(claims, issuer), claims });
}

/**
 * Why `child` is wider than `parent`, or undefined when it is not. Checks audience, ring, trust,
 * validity window, use count, rate, budget and every scope (targets and constraints).
 */
export function attenuationViolation(parent: TokenClaims, child: TokenClaims): string | undefined {
  if (child.aud !== parent.aud)
    return `audience \`${child.aud}\` differs from the parent's \`${parent.aud}\``;
  if (child.ring < parent.ring)
    return `ring ${child.ring} is more privileged than the parent's ring ${parent.ring}`;
  if (parent.trust === 'external' && child.trust !== 'external')
    return "trust is wider than the parent's `external`";
  if (child.nbf < parent.nbf) return "not-before is earlier than the parent's";
  if (child.exp > parent.exp) return "expiry is later than the parent's";
  if (parent.maxUses !== undefined && (child.maxUses === undefined || child.maxUses > parent.maxUses)) {
    return `use count is missing or above the parent's ${parent.maxUses}`;
  }
  if (parent.rate !== undefined && !rateWithin(parent.rate, child.rate)) {
    return "rate limit is missing or looser than the parent's";
  }
  if (parent.budget !== undefined && !budgetWithin(parent.budget, child.budget)) {
    return "budget is missing or above the parent's";
  }
  const outside = child.scopes.find((scope) => !withinAny(parent.scopes, scope));
  if (outside !== undefined) return `scope ${describeScope(outside)} is not within the parent's scopes`;
  return undefined;
}

/**
 * Fits each requested scope under the parent scope that needs the fewest added constraints,
 * appending that scope's missing constraints (a conjunction can only narrow).
 */
function narrowScopes(parents: readonly Scope[], requested: readonly Scope[]): Result<Scope[], KernelError> {
  const out: Scope[] = [];
  for (const scope of requested) {
    let best: string[] | undefined;
    for (const parent of parents) {
      if (!scopeTargetsWithin(parent, scope)) continue;
      const missing = missingConstraints(parent, scope);
      if (best === undefined || missing.length < best.length) best = missing;
    }
    if (best === undefined) return widens(`scope ${describeScope(scope)} is not within the parent's scopes`);
    const constraint = [...(scope.constraint ?? []), ...best];
    out.push(
      copyScope(
        constraint.length === 0
          ? { action: scope.action, resource: scope.resource }
          : { ...scope, constraint },
      ),
    );
  }
  return ok(out);
}

function rateWithin(parent: RateClaim, child: RateClaim | undefined): boolean {
  return child !== undefined && child.max <= parent.max && child.windowMs >= parent.windowMs;
}

function budgetWithin(parent: Cost, child: Cost | undefined): boolean {
  return (
    child !== undefined &&
    child.tokens <= parent.tokens &&
    child.apiCalls <= parent.apiCalls &&
    child.costMicros <= parent.costMicros
  );
}

function widens(what: string): Result<never, KernelError> {
  return fail(ERROR_CODES.TOKEN_ATTENUATION_WIDENS, `attenuation widens the parent: ${what}`);
}
