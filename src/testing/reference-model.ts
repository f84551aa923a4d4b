// A deliberately naive reference model of the DSC's core rules: linear scan of scopes with
// regular expressions, plain comparisons for time, revocation, budget and uses. Property tests
// compare the real `decide` with it on random inputs (Cedar's differential-testing habit).

import type { Intent } from '../kernel/intent.ts';
import type { Scope, TokenClaims } from '../kernel/token/claims.ts';

export type ModelState = {
  readonly nowMs: number;
  readonly nodeId: string;
  readonly revoked: ReadonlySet<string>;
  /** Agent budget per dimension (Infinity = none) and what has been spent. */
  readonly budget: { readonly tokens: number };
  readonly spentTokens: number;
  readonly usesSpent: ReadonlyMap<string, number>;
};

export type ModelVerdict = { readonly allow: boolean; readonly reason: string };

export function modelDecide(intent: Intent, token: TokenClaims, state: ModelState): ModelVerdict {
  const chain: TokenClaims[] = [];
  for (let c: TokenClaims | undefined = token; c !== undefined; c = c.parent) chain.push(c);
  if (token.sub !== intent.agent) return { allow: false, reason: 'subject' };
  if (token.aud !== state.nodeId) return { allow: false, reason: 'audience' };
  if (chain.some((c) => state.nowMs < c.nbf)) return { allow: false, reason: 'not-yet-valid' };
  if (chain.some((c) => state.nowMs >= c.exp)) return { allow: false, reason: 'expired' };
  if (chain.some((c) => state.revoked.has(c.jti))) return { allow: false, reason: 'revoked' };
  if (!token.scopes.some((s) => scopeAllows(s, intent))) return { allow: false, reason: 'scope' };
  for (const c of chain) {
    if (c.maxUses !== undefined && (state.usesSpent.get(c.jti) ?? 0) >= c.maxUses)
      return { allow: false, reason: 'uses' };
  }
  const remaining = state.budget.tokens - state.spentTokens;
  if (remaining <= 0 || intent.cost.tokens > remaining) return { allow: false, reason: 'budget' };
  return { allow: true, reason: 'ok' };
}

/** Whether `scope` names `action` on `resource`, constraints aside. */
export function scopeNames(scope: Scope, action: string, resource: string): boolean {
  return actionAllows(scope.action, action) && globMatches(scope.resource.split('/'), resource.split('/'));
}

function scopeAllows(scope: Scope, intent: Intent): boolean {
  return scopeNames(scope, intent.action, intent.resource) && constraintsHold(scope, intent);
}

function actionAllows(pattern: string, action: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*'))
    return action.startsWith(pattern.slice(0, -1)) && action.length > pattern.length - 1;
  return pattern === action;
}

/** `*` = exactly one segment, `**` = any number of segments (including none); plain recursion. */
function globMatches(pattern: readonly string[], path: readonly string[]): boolean {
  if (pattern.length === 0) return path.length === 0;
  const [head, ...rest] = pattern;
  if (head === '**')
    return globMatches(rest, path) || (path.length > 0 && globMatches(pattern, path.slice(1)));
  if (path.length === 0) return false;
  return (head === '*' || head === path[0]) && globMatches(rest, path.slice(1));
}

/** The model understands one constraint form only: `args.n < K`. */
function constraintsHold(scope: Scope, intent: Intent): boolean {
  for (const expression of scope.constraint ?? []) {
    const match = /^args\.n < (\d+)$/.exec(expression);
    if (match === null) throw new Error(`the reference model does not understand \`${expression}\``);
    const n = intent.args.n;
    if (typeof n !== 'number' || !(n < Number(match[1]))) return false;
  }
  return true;
}
