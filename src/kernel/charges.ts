// Works out what one intent would take from the ledger: the rate buckets of every matching rule
// and token, one use of the token and each ancestor, and its cost against agent and token budgets.

import type { Charges } from './decision.ts';
import type { Intent } from './intent.ts';
import type { AgentPolicy, Policy, RateRule } from './policy.ts';
import { actionMatches } from './token/pattern.ts';
import type { VerifiedToken } from './token/verified-token.ts';

type RuleIndex = Map<string, readonly number[]>;

const RULE_MEMO_ENTRIES_MAX = 10_000;
const ruleMemo = new WeakMap<Policy, RuleIndex>();

export function chargesFor(
  intent: Intent,
  policy: Policy,
  agent: AgentPolicy | undefined,
  token: VerifiedToken | undefined,
): Charges {
  const rateBuckets: Array<readonly [string, number, number]> = [];
  for (const index of matchingRules(policy, intent.agent, intent.action)) {
    const rule = policy.rateRules[index] as RateRule;
    rateBuckets.push([`rule:${index}:${intent.agent}`, rule.max, rule.windowMs]);
  }
  const tokenUses: Array<readonly [string, number]> = [];
  const tokenBudgets: Array<readonly [string, Intent['cost']]> = [];
  if (token !== undefined) {
    for (const claims of token.chain) {
      if (claims.rate !== undefined)
        rateBuckets.push([`token:${claims.jti}`, claims.rate.max, claims.rate.windowMs]);
      if (claims.maxUses !== undefined) tokenUses.push([claims.jti, claims.maxUses]);
      if (claims.budget !== undefined) tokenBudgets.push([claims.jti, claims.budget]);
    }
  }
  return {
    agent: intent.agent,
    rateBuckets,
    tokenUses,
    cost: intent.cost,
    tokenBudgets,
    agentBudget: agent?.budget,
  };
}

/** Indexes of the rate rules for (agent, action), memoised per frozen policy. */
function matchingRules(policy: Policy, agent: string, action: string): readonly number[] {
  let memo = ruleMemo.get(policy);
  if (memo === undefined) {
    memo = new Map();
    ruleMemo.set(policy, memo);
  }
  const key = `${agent}\u0000${action}`;
  const hit = memo.get(key);
  if (hit !== undefined) return hit;
  const found: number[] = [];
  policy.rateRules.forEach((rule, index) => {
    if ((rule.agent === '*' || rule.agent === agent) && actionMatches(rule.action, action)) found.push(index);
  });
  // WHY: intents name arbitrary actions; bound the memo so hostile input cannot grow it forever.
  if (memo.size >= RULE_MEMO_ENTRIES_MAX) memo.clear();
  memo.set(key, found);
  return found;
}
