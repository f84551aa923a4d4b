// The slash cascade (pure): who loses how much when a vouchee's message or task caused a denial or
// anomaly. The vouchee loses SLASH_VOUCHEE_MAX × severity; a direct voucher its bonds for that
// subject × severity; a voucher of a voucher (depth 2) half of its own bond for that voucher ×
// severity; nobody deeper. Each agent is slashed once, at its shallowest depth.

import { activeBonds, type Bond, type SessionBonds } from './bonds.ts';
import { SLASH_ATTENUATION, SLASH_DEPTH_MAX, SLASH_VOUCHEE_MAX } from './params.ts';

export type PlannedSlash = {
  readonly agent: string;
  /** 0 = the vouchee, 1 = a direct voucher, 2 = a voucher of a voucher. */
  readonly depth: 0 | 1 | 2;
  /** The amount to take from the agent's score (before the floor at 0). */
  readonly amount: number;
};

export type SlashPlan = {
  readonly slashes: readonly PlannedSlash[];
  /** The bonds for the faulty subject: forfeited, so they stop counting and cannot be released. */
  readonly forfeited: readonly Bond[];
};

export function planSlash(
  doc: SessionBonds,
  vouchee: string,
  subject: string,
  severity: number,
  nowMs: number,
): SlashPlan {
  const active = activeBonds(doc, nowMs);
  const slashes: PlannedSlash[] = [{ agent: vouchee, depth: 0, amount: SLASH_VOUCHEE_MAX * severity }];
  const seen = new Set<string>([vouchee]);
  const forfeited = active.filter((bond) => bond.vouchee === vouchee && bond.subject === subject);
  // Level 1 slashes the bonds for the subject; each deeper level slashes the bonds for the agents of
  // the level below, attenuated once more per level.
  let level: readonly Bond[] = forfeited;
  for (let depth = 1; depth <= SLASH_DEPTH_MAX && level.length > 0; depth++) {
    const factor = severity * SLASH_ATTENUATION ** (depth - 1);
    const losses = new Map<string, number>();
    for (const bond of level) {
      if (seen.has(bond.voucher)) continue;
      losses.set(bond.voucher, (losses.get(bond.voucher) ?? 0) + bond.amount * factor);
    }
    // Within a level, agents in id order: the outcome does not depend on the order bonds were made.
    for (const [agent, amount] of [...losses].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) {
      seen.add(agent);
      slashes.push({ agent, depth: depth as 1 | 2, amount });
    }
    const slashedNow = new Set(losses.keys());
    level = active.filter((bond) => slashedNow.has(bond.vouchee));
  }
  return { slashes, forfeited };
}
