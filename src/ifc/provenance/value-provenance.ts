// What a provenance classification says (IFC, issue 7): the class of one argument value, how it
// was decided, the sources it was seen in, and how the results of a structure's leaves combine.

import type { JsonValue } from '../../shared/index.ts';
import type { Label } from '../label.ts';

export type ProvenanceClass = 'trusted' | 'untrusted' | 'generated';
export type SourceHit = {
  readonly source: string;
  readonly tool?: string;
  readonly path: string;
  readonly label: Label;
  readonly excerpt: string;
};
export type ValueProvenance = {
  readonly class: ProvenanceClass;
  /**
   * How it was decided: exact (whole value equals a seen text), embedded (inside a longer text),
   * partial (generated, but some significant token of it appears only in untrusted data), unseen,
   * doubt, oversized, saturated, structure (worst of an array/object's leaves).
   */
  readonly why:
    | 'exact'
    | 'embedded'
    | 'partial'
    | 'unseen'
    | 'doubt'
    | 'oversized'
    | 'saturated'
    | 'structure';
  readonly trusted: readonly SourceHit[];
  readonly untrusted: readonly SourceHit[];
  /** For `partial`: the tokens found only in untrusted data (at most 5). */
  readonly tokens?: readonly string[];
};

/** At most this many hits per trust class in one result. */
export const HITS_MAX = 3;
/** At most this many tokens in a `partial` result. */
export const PARTIAL_TOKENS_MAX = 5;

/** A result with no hits, frozen all the way down: the shared constants below are handed out. */
function fixed(cls: ProvenanceClass, why: ValueProvenance['why']): ValueProvenance {
  return Object.freeze({ class: cls, why, trusted: Object.freeze([]), untrusted: Object.freeze([]) });
}

export const UNSEEN: ValueProvenance = fixed('generated', 'unseen');
export const DOUBT: ValueProvenance = fixed('untrusted', 'doubt');
export const OVERSIZED: ValueProvenance = fixed('untrusted', 'oversized');

const RANK: Readonly<Record<ProvenanceClass, number>> = { trusted: 0, generated: 1, untrusted: 2 };

/** The worst class of several leaves, their hits and partial tokens unioned (bounded). */
export function combine(results: readonly ValueProvenance[]): ValueProvenance {
  let worst: ProvenanceClass = 'trusted';
  const trusted: SourceHit[] = [];
  const untrusted: SourceHit[] = [];
  const tokens: string[] = [];
  for (const result of results) {
    if (RANK[result.class] > RANK[worst]) worst = result.class;
    unionHits(trusted, result.trusted);
    unionHits(untrusted, result.untrusted);
    for (const token of result.tokens ?? []) {
      if (tokens.length < PARTIAL_TOKENS_MAX && !tokens.includes(token)) tokens.push(token);
    }
  }
  const base = { class: worst, why: 'structure' as const, trusted, untrusted };
  return tokens.length > 0 ? { ...base, tokens } : base;
}

/** Adds the hits of `from` not yet in `into` (same source and path), up to HITS_MAX. */
export function unionHits(into: SourceHit[], from: readonly SourceHit[]): void {
  for (const hit of from) {
    if (into.length >= HITS_MAX) return;
    if (!into.some((h) => h.source === hit.source && h.path === hit.path)) into.push(hit);
  }
}

/**
 * Collects the string and number leaves of `value` (keys ignored); false when the structure is
 * deeper than `depthMax` or holds more than `leavesMax` leaves.
 */
export function collectLeaves(
  value: JsonValue[] | { [key: string]: JsonValue },
  depth: number,
  limits: { readonly leavesMax: number; readonly depthMax: number },
  out: Array<string | number>,
): boolean {
  if (depth > limits.depthMax) return false;
  const children = Array.isArray(value) ? value : Object.values(value);
  for (const child of children) {
    if (typeof child === 'string' || typeof child === 'number') {
      if (out.length >= limits.leavesMax) return false;
      out.push(child);
    } else if (child !== null && typeof child === 'object') {
      if (!collectLeaves(child, depth + 1, limits, out)) return false;
    }
  }
  return true;
}
