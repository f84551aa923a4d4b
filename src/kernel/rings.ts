// Protection rings (§7): 0 kernel, 1 system services, 2 trusted agents, 3 untrusted agents.
// Demotion is immediate and always allowed; promotion never happens at run time (MR-4, INV-4).

import { ERROR_CODES, fail, ok, type Result } from '../shared/index.ts';

export const RINGS = [0, 1, 2, 3] as const;
export type Ring = (typeof RINGS)[number];
/** Rings an agent may hold; Ring 0 runs no agent code ever. */
export const AGENT_RINGS = [1, 2, 3] as const;
export type AgentRing = (typeof AGENT_RINGS)[number];

export function isRing(value: unknown): value is Ring {
  return value === 0 || value === 1 || value === 2 || value === 3;
}

export function isAgentRing(value: unknown): value is AgentRing {
  return value === 1 || value === 2 || value === 3;
}

/**
 * Moves an agent from `current` to `target`. A higher ring number is less privileged:
 * `target >= current` is a demotion (or no change) and always succeeds; anything else is refused.
 */
export function changeRing(current: AgentRing, target: AgentRing): Result<AgentRing> {
  if (target >= current) return ok(target);
  return fail(
    ERROR_CODES.RING_PROMOTION_REFUSED,
    `promotion from ring ${current} to ring ${target} is refused at run time; it needs full re-onboarding (mr-4)`,
  );
}

/** True when authority minted for `tokenRing` may be exercised by an agent now in `agentRing`. */
export function ringPermits(agentRing: Ring, tokenRing: Ring): boolean {
  return tokenRing >= agentRing;
}
