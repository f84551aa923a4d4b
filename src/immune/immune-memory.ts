// Immune memory (§37.8.3): threat records of eliminated agents, and the text patterns learned from
// their anomalies' evidence (a prompt-injection phrase an agent tried to pass on). DSC check 7
// asks `recognize` on every decision, so matching is one normalization pass and one scan of each
// string, whatever the number of patterns, and nothing at all while no pattern is learned.

import { matchForm } from '../ifc/provenance/index.ts';
import type { StandingRestriction } from '../kernel/standing-port.ts';
import type { JsonValue } from '../shared/index.ts';
import { pushBounded, touchBounded } from '../shared/lru.ts';
import { ANCHOR_CHARS, PatternIndex } from './pattern-index.ts';
import type { QuarantineStage } from './port.ts';

export const MEMORY_LIMITS = {
  /** Shortest learned pattern, in matching-form characters: shorter ones match innocent text. */
  patternCharsMin: Math.max(12, ANCHOR_CHARS),
  patternCharsMax: 1_024,
  /** Patterns kept; the oldest learned is forgotten first. */
  patternsMax: 256,
  threatsMax: 256,
  /** Work per `recognize`: values walked, nesting followed, characters normalized (= the largest intent). */
  valuesMax: 128 * 1024,
  depthMax: 32,
  charsMax: 1024 * 1024,
} as const;

export type ThreatClassification = 'elimination' | 'fast_apoptosis';

/** A threat pattern record (§37.8.3): how the agent was caught and contained. */
export type ThreatRecord = {
  readonly agent: string;
  readonly classification: ThreatClassification;
  readonly by: string;
  readonly kinds: string[];
  readonly evidence: string[];
  /** Stages the agent went through, each with how long it stood there. */
  readonly stages: { readonly stage: QuarantineStage; readonly ms: number }[];
  readonly patternsLearned: number;
  readonly atMs: number;
};

const NON_ASCII = /[\u0080-\uFFFF]/;

type Learned = { readonly agent: string; readonly atMs: number };

export const IMMUNE_MEMORY_MATCH = 'IMMUNE_MEMORY_MATCH';

/** The matching form of a candidate pattern, or undefined when it is too short to be specific. */
function patternForm(text: string): string | undefined {
  const form = matchForm(text.slice(0, MEMORY_LIMITS.patternCharsMax * 2)).slice(
    0,
    MEMORY_LIMITS.patternCharsMax,
  );
  return form.length >= MEMORY_LIMITS.patternCharsMin ? form : undefined;
}

export class ImmuneMemory {
  /** Matching form → where it was learned; Map order is learning order (oldest first). */
  readonly #patterns = new Map<string, Learned>();
  readonly #threats: ThreatRecord[] = [];
  /** Built on the first `recognize` after learning; learning is rare, recognizing constant. */
  #index: PatternIndex | undefined;

  /** Learns texts as patterns; returns how many were new. */
  learn(texts: readonly string[], agent: string, atMs: number): number {
    this.#index = undefined;
    let added = 0;
    for (const text of texts) {
      const form = patternForm(text);
      if (form === undefined) continue;
      if (!this.#patterns.has(form)) added++;
      touchBounded(this.#patterns, form, { agent, atMs }, MEMORY_LIMITS.patternsMax);
    }
    return added;
  }

  remember(threat: ThreatRecord): void {
    pushBounded(this.#threats, threat, MEMORY_LIMITS.threatsMax);
  }

  threats(): readonly ThreatRecord[] {
    return this.#threats;
  }

  patterns(): string[] {
    return [...this.#patterns.keys()];
  }

  /**
   * A learned pattern inside the intent's arguments (keys and string values, at any depth), matched
   * case-insensitively with whitespace, quotes, hidden characters and lookalike letters folded.
   * A pattern never spans two strings.
   */
  recognize(args: JsonValue): StandingRestriction | undefined {
    if (this.#patterns.size === 0) return undefined;
    this.#index ??= new PatternIndex(this.#patterns.keys());
    const pattern = findInStrings(args, this.#index);
    const learned = pattern === undefined ? undefined : this.#patterns.get(pattern);
    if (pattern === undefined || learned === undefined) return undefined;
    return {
      code: IMMUNE_MEMORY_MATCH,
      reason: `intent carries a threat pattern learned from eliminated agent \`${learned.agent}\``,
      detail: {
        pattern: pattern.length <= 120 ? pattern : `${pattern.slice(0, 120)}…`,
        agent: learned.agent,
      },
    };
  }
}

/**
 * The first pattern found in a string of a JSON value (object keys too), each string searched on
 * its own in matching form, so no pattern spans two strings; the walk stops at the first hit.
 * Bounded work.
 */
function findInStrings(root: JsonValue, index: PatternIndex): string | undefined {
  const stack: { value: JsonValue; depth: number }[] = [{ value: root, depth: 0 }];
  let values = 0;
  let chars = 0;
  const search = (text: string): string | undefined => {
    if (chars >= MEMORY_LIMITS.charsMax) return undefined;
    const slice = text.slice(0, MEMORY_LIMITS.charsMax - chars);
    chars += slice.length;
    // WHY: compatibility decomposition can lengthen non-ASCII text ("ﬃ" is three letters).
    if (slice.length < MEMORY_LIMITS.patternCharsMin && !NON_ASCII.test(slice)) return undefined;
    return index.find(matchForm(slice));
  };
  while (stack.length > 0 && values < MEMORY_LIMITS.valuesMax && chars < MEMORY_LIMITS.charsMax) {
    const item = stack.pop();
    if (item === undefined) break;
    values++;
    const { value, depth } = item;
    const found = typeof value === 'string' ? search(value) : undefined;
    if (found !== undefined) return found;
    if (value === null || typeof value !== 'object' || depth >= MEMORY_LIMITS.depthMax) continue;
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i] ?? null, depth: depth + 1 });
      continue;
    }
    for (const [key, child] of Object.entries(value)) {
      const inKey = search(key);
      if (inKey !== undefined) return inKey;
      stack.push({ value: child, depth: depth + 1 });
    }
  }
  return undefined;
}
