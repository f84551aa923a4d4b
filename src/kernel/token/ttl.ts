// Token lifetimes (§9.3, DR-T3): defaults per ring and trust class, and the rule that a lifetime
// beyond 4x the default needs a Commander acknowledgment, which the token then records.

import { ERROR_CODES, fail, type KernelError, ok, type Result } from '../../shared/index.ts';
import { LIMITS } from '../limits.ts';
import type { AgentRing } from '../rings.ts';
import type { TrustClass, TtlAcknowledgment } from './claims.ts';

/** Who approved a long lifetime and why; `atMs` is added when it is recorded. */
export type TtlAcknowledgmentRequest = { readonly by: string; readonly reason: string };

/** External (A2A) 5 min whatever the ring; otherwise ring 3 15 min, rings 1 and 2 60 min. */
export function defaultTtlMs(ring: AgentRing, trust: TrustClass): number {
  if (trust === 'external') return LIMITS.ttlMsExternal;
  if (ring === 3) return LIMITS.ttlMsRing3;
  if (ring === 2) return LIMITS.ttlMsRing2;
  return LIMITS.ttlMsRing1;
}

/** The longest lifetime that needs no acknowledgment. */
export function ttlMsMaxUnacknowledged(ring: AgentRing, trust: TrustClass): number {
  return defaultTtlMs(ring, trust) * LIMITS.ttlFactorMaxUnacknowledged;
}

/**
 * Checks a requested lifetime. Returns the acknowledgment to record in the token when one is
 * needed and given, undefined when none is needed, and TOKEN_TTL_EXCESSIVE when one is missing.
 */
export function checkTtl(
  ttlMs: number,
  ring: AgentRing,
  trust: TrustClass,
  acknowledgment: TtlAcknowledgmentRequest | undefined,
  nowMs: number,
): Result<TtlAcknowledgment | undefined, KernelError> {
  if (!Number.isSafeInteger(ttlMs) || ttlMs < 1) {
    return fail(ERROR_CODES.TOKEN_CLAIMS_INVALID, `token lifetime \`${ttlMs}\` is not a positive integer`);
  }
  const ttlMsMax = ttlMsMaxUnacknowledged(ring, trust);
  if (ttlMs <= ttlMsMax) return ok(undefined);
  if (acknowledgment === undefined) {
    return fail(
      ERROR_CODES.TOKEN_TTL_EXCESSIVE,
      `token lifetime ${ttlMs} ms exceeds ${ttlMsMax} ms (4x the default) and needs an acknowledgment`,
      { ttlMs, ttlMsMax },
    );
  }
  return ok({ by: acknowledgment.by, reason: acknowledgment.reason, atMs: nowMs });
}
