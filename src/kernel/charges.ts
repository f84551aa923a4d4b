// Works out what one intent would take from the ledger: the rate buckets of every matching rule
// and token, one use of the token and each ancestor, and its cost against agent and token budgets.

import type { Charges } from './decision.ts';
import type { Intent } from './intent.ts';
import type { AgentPolicy, Policy, RateRule } from './policy.ts';
import { actionMatches } from './token/pattern.ts';
import type { VerifiedToken } from './token/verified-token.ts';

type Bucket = readonly [key: string, capacity: number, windowMs: number];

/** Per frozen policy: agent → action → the rate buckets of the rules that apply, keys prebuilt. */
type RuleIndex = Map<string, Map<string, readonly Bucket[]>>;

const RULE_MEMO_ENTRIES_MAX = 10_000;
const ruleMemo = new WeakMap<Policy, RuleIndex>();
const NONE: readonly never[] = Object.freeze([]);

export function chargesFor(
  intent: Intent,
  policy: Policy,
  agent: AgentPolicy | undefined,
  token: VerifiedToken | undefined,
): Charges {
  // The memoised rule buckets are frozen and shared; a token's own rate makes a new list.
  let rateBuckets: readonly Bucket[] = matchingRules(policy, intent.agent, intent.action);
  const tokenUses: Array<readonly [string, number]> = [];
  const tokenBudgets: Array<readonly [string, Intent['cost']]> = [];
  if (token !== undefined) {
    for (const claims of token.chain) {
      if (claims.rate !== undefined) {
        rateBuckets = [...rateBuckets, [`token:${claims.jti}`, claims.rate.max, claims.rate.windowMs]];
      }
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

/**
 * The rate buckets of the rules for (agent, action), memoised per frozen policy so the hot path
 * builds no key strings (a new string is hashed anew on every map lookup).
 */
function matchingRules(policy: Policy, agent: string, action: string): readonly Bucket[] {
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
  const found: Bucket[] = [];
  policy.rateRules.forEach((rule: RateRule, index) => {
    if ((rule.agent === '*' || rule.agent === agent) && actionMatches(rule.action, action)) {
      found.push(Object.freeze([`rule:${index}:${agent}`, rule.max, rule.windowMs] as const));
    }
  });
  Object.freeze(found);
  if (byAction.size >= RULE_MEMO_ENTRIES_MAX) byAction.clear();
  byAction.set(action, found);
  return found;
}

/**
 * Fever mode (§37.11.1): every rate capacity scaled by `factor`, which also scales its refill, so
 * both the burst and the sustained rate shrink. Only a factor strictly between 0 and 1 applies:
 * the standing port may tighten limits, never loosen them.
 */
export function scaleRates(charges: Charges, factor: number): Charges {
  if (!(factor > 0 && factor < 1) || charges.rateBuckets.length === 0) return charges;
  const rateBuckets = charges.rateBuckets.map(
    ([key, capacity, windowMs]) => [key, Math.max(1, Math.floor(capacity * factor)), windowMs] as const,
  );
  return { ...charges, rateBuckets };
}
