// Many-pattern substring search for immune memory: every pattern is indexed by a rolling hash of
// its first characters, so one pass over the text finds every candidate whatever the number of
// patterns (Rabin–Karp with one anchor length). A candidate is confirmed by a direct comparison.

/** Characters hashed per anchor; every pattern is at least this long. */
export const ANCHOR_CHARS = 8;
const BASE = 31;
const BASE_POW = (() => {
  let power = 1;
  for (let i = 1; i < ANCHOR_CHARS; i++) power = Math.imul(power, BASE);
  return power;
})();

function anchorOf(text: string, start: number): number {
  let hash = 0;
  for (let j = 0; j < ANCHOR_CHARS; j++) hash = (Math.imul(hash, BASE) + text.charCodeAt(start + j)) | 0;
  return hash;
}

export class PatternIndex {
  readonly #byAnchor = new Map<number, string[]>();

  /** Patterns shorter than `ANCHOR_CHARS` are a programmer error: callers enforce a longer minimum. */
  constructor(patterns: Iterable<string>) {
    for (const pattern of patterns) {
      if (pattern.length < ANCHOR_CHARS) throw new RangeError('pattern shorter than its anchor');
      const anchor = anchorOf(pattern, 0);
      const bucket = this.#byAnchor.get(anchor);
      if (bucket === undefined) this.#byAnchor.set(anchor, [pattern]);
      else bucket.push(pattern);
    }
  }

  /** The first pattern (by position in `text`) that occurs in it, if any. */
  find(text: string): string | undefined {
    if (this.#byAnchor.size === 0 || text.length < ANCHOR_CHARS) return undefined;
    let hash = anchorOf(text, 0);
    const last = text.length - ANCHOR_CHARS;
    for (let i = 0; ; i++) {
      const bucket = this.#byAnchor.get(hash);
      if (bucket !== undefined) {
        for (const pattern of bucket) if (text.startsWith(pattern, i)) return pattern;
      }
      if (i >= last) return undefined;
      const out = Math.imul(text.charCodeAt(i), BASE_POW);
      hash = (Math.imul((hash - out) | 0, BASE) + text.charCodeAt(i + ANCHOR_CHARS)) | 0;
    }
  }
}
