// Works out what one intent would take from the ledger: the rate buckets of every matching rule
// and token, one use of the token and each ancestor, and its cost against agent and token budgets.

import type { Charges } from './decision.ts';
import type { Intent } from './intent.ts';
import type { AgentPolicy, Policy, RateRule } from './policy.ts';
import { actionMatches } from './token/pattern.ts';
import type { VerifiedToken } from './token/verified-token.ts';

/** Per frozen policy: agent → action → indexes of the rate rules that apply. */
type RuleIndex = Map<string, Map<string, readonly number[]>>;

const RULE_MEMO_ENTRIES_MAX = 10_000;
const ruleMemo = new WeakMap<Policy, RuleIndex>();
const NONE: readonly never[] = Object.freeze([]);

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
  if (policy.rateRules.length === 0) return NONE;
  let byAgent = ruleMemo.get(policy);
  if (byAgent === undefined) {
    byAgent = new Map();
    ruleMemo.set(policy, byAgent);
  }
  let byAction = byAgent.get(agent);
  if (byAction === undefined) {
    // WHY: intents name arbitrary agents and actions; bound the memo so hostile input cannot grow it.
    if (byAgent.size >= RULE_MEMO_ENTRIES_MAX) byAgent.clear();
    byAction = new Map();
    byAgent.set(agent, byAction);
  }
  const hit = byAction.get(action);
  if (hit !== undefined) return hit;
  const found: number[] = [];
  policy.rateRules.forEach((rule, index) => {
    if ((rule.agent === '*' || rule.agent === agent) && actionMatches(rule.action, action)) found.push(index);
  });
  if (byAction.size >= RULE_MEMO_ENTRIES_MAX) byAction.clear();
  byAction.set(action, found);
  return found;
}
