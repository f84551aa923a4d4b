// Scope containment: one scope lies within another when its actions and resources do and it keeps
// every constraint of the outer one. Grant checks at mint and attenuation both rest on it (INV-4).

import type { Scope } from './claims.ts';
import { actionContains, resourceContains } from './pattern.ts';

/** True when every (action, resource) `inner` matches is also matched by `outer`. */
export function scopeTargetsWithin(outer: Scope, inner: Scope): boolean {
  return actionContains(outer.action, inner.action) && resourceContains(outer.resource, inner.resource);
}

/** The constraints of `outer` that `inner` does not carry (compared as exact expression text). */
export function missingConstraints(outer: Scope, inner: Scope): string[] {
  const carried = new Set(inner.constraint ?? []);
  return (outer.constraint ?? []).filter((expression) => !carried.has(expression));
}

/** True when `inner` is no wider than `outer`: targets within, and a superset of its constraints. */
export function scopeWithin(outer: Scope, inner: Scope): boolean {
  return scopeTargetsWithin(outer, inner) && missingConstraints(outer, inner).length === 0;
}

/** True when some scope of `outers` contains `inner`. */
export function withinAny(outers: readonly Scope[], inner: Scope): boolean {
  return outers.some((outer) => scopeWithin(outer, inner));
}

/** `action` on `resource`, for messages. */
export function describeScope(scope: Scope): string {
  return `\`${scope.action}\` on \`${scope.resource}\``;
}
