// An Aho-Corasick automaton over ASCII keywords: one pass over a text, one table lookup per
// character, reports which keywords occur (ASCII case-insensitive). The pre-filter uses it to
// skip every signature whose required words are absent, which is almost every signature on
// almost every string; a regular expression per signature would cost a full pass each.

import { assert } from '../../shared/index.ts';

const ASCII_END = 128;
/** log2(ASCII_END): a state's row starts at `state << ROW_SHIFT`. */
const ROW_SHIFT = 7;

export class KeywordAutomaton {
  readonly keywords: readonly string[];
  /**
   * `rows[row | code]` is the next state's row for ASCII `code`; a non-ASCII character reads
   * column 0 (NUL), which no keyword contains. Failure links are folded in. States are numbered
   * so that those ending a keyword come last: `row >= acceptRowMin` tests for a match.
   */
  private readonly rows: Int32Array;
  private readonly acceptRowMin: number;
  /** Keyword ids ending at each state (failure links included), by state number. */
  private readonly matches: ReadonlyArray<readonly number[]>;

  constructor(keywords: readonly string[]) {
    this.keywords = keywords.map((k) => k.toLowerCase());
    for (const keyword of this.keywords) {
      assert(keyword.length > 0, 'keywords are not empty');
      for (let i = 0; i < keyword.length; i++) {
        const code = keyword.charCodeAt(i);
        assert(code > 0 && code < ASCII_END, `keyword \`${keyword}\` is ascii without nul`);
      }
    }
    const trie = buildTrie(this.keywords);
    const next = foldFailures(trie);
    // Renumber: states without a match first (the root, 0, stays first), those with one last.
    const count = trie.children.length;
    const order = [...Array(count).keys()].sort(
      (a, b) =>
        Number((trie.matches[a]?.length ?? 0) > 0) - Number((trie.matches[b]?.length ?? 0) > 0) || a - b,
    );
    const renumbered = new Int32Array(count);
    order.forEach((state, i) => {
      renumbered[state] = i;
    });
    const firstAccepting = order.findIndex((state) => (trie.matches[state]?.length ?? 0) > 0);
    this.acceptRowMin = (firstAccepting === -1 ? count : firstAccepting) << ROW_SHIFT;
    this.rows = new Int32Array(count << ROW_SHIFT);
    for (let state = 0; state < count; state++) {
      const row = (renumbered[state] ?? 0) << ROW_SHIFT;
      for (let code = 0; code < ASCII_END; code++) {
        const target = next[state * ASCII_END + lowerAscii(code)] ?? 0;
        this.rows[row | code] = (renumbered[target] ?? 0) << ROW_SHIFT;
      }
    }
    this.matches = order.map((state) => trie.matches[state] ?? []);
  }

  /** Sets `seen[id] = 1` for every keyword id that occurs in `text`; returns how many keyword hits it saw. */
  scan(text: string, seen: Uint8Array): number {
    const { rows, acceptRowMin, matches } = this;
    let row = 0;
    let hits = 0;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      row = rows[row | (code < ASCII_END ? code : 0)] ?? 0;
      if (row >= acceptRowMin) {
        hits += 1;
        for (const id of matches[row >> ROW_SHIFT] ?? []) seen[id] = 1;
      }
    }
    return hits;
  }
}

function lowerAscii(code: number): number {
  return code >= 0x41 && code <= 0x5a ? code + 0x20 : code;
}

type Trie = { children: Array<Map<number, number>>; matches: number[][] };

function buildTrie(keywords: readonly string[]): Trie {
  const trie: Trie = { children: [new Map()], matches: [[]] };
  keywords.forEach((keyword, id) => {
    let state = 0;
    for (let i = 0; i < keyword.length; i++) {
      const code = keyword.charCodeAt(i);
      let child = trie.children[state]?.get(code);
      if (child === undefined) {
        child = trie.children.length;
        trie.children.push(new Map());
        trie.matches.push([]);
        trie.children[state]?.set(code, child);
      }
      state = child;
    }
    trie.matches[state]?.push(id);
  });
  return trie;
}

/** The full transition table over lowercase ASCII, failure links folded in (breadth first). */
function foldFailures(trie: Trie): Int32Array {
  const next = new Int32Array(trie.children.length * ASCII_END);
  const fail = new Int32Array(trie.children.length);
  const queue: number[] = [0];
  for (let head = 0; head < queue.length; head++) {
    const state = queue[head] ?? 0;
    for (let code = 0; code < ASCII_END; code++) {
      const child = trie.children[state]?.get(code);
      const fallback = state === 0 ? 0 : (next[(fail[state] ?? 0) * ASCII_END + code] ?? 0);
      if (child === undefined) {
        next[state * ASCII_END + code] = fallback;
        continue;
      }
      fail[child] = fallback;
      trie.matches[child]?.push(...(trie.matches[fallback] ?? []));
      next[state * ASCII_END + code] = child;
      queue.push(child);
    }
  }
  return next;
}
