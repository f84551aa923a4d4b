// Scope index: a token's scopes compiled once into tries so `match` costs O(action depth x resource
// depth) instead of O(#scopes). Used by the capability check on every decision (§9.1, DR-T1).

import type { KernelError, Result } from '../../shared/index.ts';
import { ok } from '../../shared/index.ts';
import type { Scope } from './claims.ts';
import { type CompiledConstraint, compileConstraints } from './constraint.ts';
import { segmentsOf } from './pattern.ts';
import type { ConstraintVars, ScopeMatch } from './verified-token.ts';

type Entry = {
  /** Position in the token's scope list: among covering scopes the earliest is tried first. */
  readonly order: number;
  readonly scope: Scope;
  readonly constraints: readonly CompiledConstraint[];
};

class TrieNode {
  /** True for the node after a `**` edge: it may absorb any number of further segments. */
  readonly loops: boolean;
  readonly literal = new Map<string, TrieNode>();
  one: TrieNode | undefined;
  any: TrieNode | undefined;
  readonly entries: Entry[] = [];

  constructor(loops = false) {
    this.loops = loops;
  }
}

export type ScopeIndex = {
  match(action: string, resource: string, vars: ConstraintVars): ScopeMatch;
};

const NOT_COVERED: ScopeMatch = { kind: 'not-covered' };

/** Builds the index; fails when a constraint does not compile (TOKEN_CLAIMS_INVALID). */
export function buildScopeIndex(scopes: readonly Scope[]): Result<ScopeIndex, KernelError> {
  const exact = new Map<string, TrieNode>();
  const prefixed = new Map<string, TrieNode>();
  const everything = new TrieNode();
  for (const [order, scope] of scopes.entries()) {
    const constraints = compileConstraints(scope.constraint);
    if (!constraints.ok) return constraints;
    const root = rootFor(scope.action, exact, prefixed, everything);
    insert(root, segmentsOf(scope.resource), { order, scope, constraints: constraints.value });
  }
  return ok({
    match: (action, resource, vars) =>
      matchScopes(roots(action, exact, prefixed, everything), resource, vars),
  });
}

function rootFor(
  action: string,
  exact: Map<string, TrieNode>,
  prefixed: Map<string, TrieNode>,
  everything: TrieNode,
): TrieNode {
  if (action === '*') return everything;
  const wildcard = action.endsWith('.*');
  const map = wildcard ? prefixed : exact;
  const key = wildcard ? action.slice(0, -2) : action;
  let root = map.get(key);
  if (root === undefined) {
    root = new TrieNode();
    map.set(key, root);
  }
  return root;
}

function insert(root: TrieNode, segments: readonly string[], entry: Entry): void {
  let node = root;
  for (const segment of segments) {
    if (segment === '**') node = node.any ??= new TrieNode(true);
    else if (segment === '*') node = node.one ??= new TrieNode();
    else {
      let next = node.literal.get(segment);
      if (next === undefined) {
        next = new TrieNode();
        node.literal.set(segment, next);
      }
      node = next;
    }
  }
  node.entries.push(entry);
}

/** Tries for `action` itself, for each dotted prefix (`a.b.c` → `a.b.*`, `a.*`) and for `*`. */
function roots(
  action: string,
  exact: ReadonlyMap<string, TrieNode>,
  prefixed: ReadonlyMap<string, TrieNode>,
  everything: TrieNode,
): TrieNode[] {
  const out = [everything];
  const own = exact.get(action);
  if (own !== undefined) out.push(own);
  for (let dot = action.lastIndexOf('.'); dot > 0; dot = action.lastIndexOf('.', dot - 1)) {
    // WHY: `a.*` needs at least one character after `a.` (see actionMatches), so `a.` alone is not covered.
    if (dot === action.length - 1) continue;
    const node = prefixed.get(action.slice(0, dot));
    if (node !== undefined) out.push(node);
  }
  return out;
}

function matchScopes(starts: readonly TrieNode[], resource: string, vars: ConstraintVars): ScopeMatch {
  const covering = coveringEntries(starts, segmentsOf(resource));
  if (covering.length === 0) return NOT_COVERED;
  let failed: ScopeMatch | undefined;
  let errored: ScopeMatch | undefined;
  for (const entry of covering) {
    const outcome = checkConstraints(entry, vars);
    if (outcome === undefined) return { kind: 'covered', scope: entry.scope };
    if (outcome.kind === 'constraint-error') errored ??= outcome;
    else failed ??= outcome;
  }
  // WHY: an evaluation error is reported before a plain `false`, so a broken constraint is visible.
  return errored ?? failed ?? NOT_COVERED;
}

function checkConstraints(entry: Entry, vars: ConstraintVars): ScopeMatch | undefined {
  for (const constraint of entry.constraints) {
    const outcome = constraint.evaluate(vars);
    if (outcome.kind === 'true') continue;
    if (outcome.kind === 'false') {
      return { kind: 'constraint-failed', scope: entry.scope, expression: constraint.expression };
    }
    return {
      kind: 'constraint-error',
      scope: entry.scope,
      expression: constraint.expression,
      message: outcome.message,
    };
  }
  return undefined;
}

/** Runs the trie as an NFA over the path's segments; returns covering entries in scope order. */
function coveringEntries(starts: readonly TrieNode[], segments: readonly string[]): Entry[] {
  let current = closure([...starts]);
  for (const segment of segments) {
    if (current.length === 0) return [];
    const next: TrieNode[] = [];
    for (const node of current) {
      const literal = node.literal.get(segment);
      if (literal !== undefined) next.push(literal);
      if (node.one !== undefined) next.push(node.one);
      if (node.loops) next.push(node);
    }
    current = closure(next);
  }
  const entries: Entry[] = [];
  for (const node of current) entries.push(...node.entries);
  return entries.sort((a, b) => a.order - b.order);
}

/** Adds the `**` child of every node (a `**` may match zero segments) and removes duplicates. */
function closure(nodes: TrieNode[]): TrieNode[] {
  // WHY: most tries hold no `**`; then nodes are already distinct and nothing is added.
  if (nodes.every((node) => node.any === undefined && !node.loops)) return nodes;
  const seen = new Set<TrieNode>();
  const stack = [...nodes];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === undefined || seen.has(node)) continue;
    seen.add(node);
    if (node.any !== undefined) stack.push(node.any);
  }
  return [...seen];
}
