// Spacing-blind matching of identifiers for argument provenance (IFC, issue 7): an IBAN, card or
// phone number is the same value written "GB33 BUKB 2020 1555", "gb33bukb20201555" or
// "415-555-0100", so an agent cannot launder an attacker's account number by regrouping it.

import { tokenCharAt, tokenCharBefore } from './normalize.ts';

/** Occurrences of one token, as the provenance index keeps them. */
export type TokenPostings = {
  readonly texts: readonly number[];
  readonly offsets: readonly number[];
  /** Set once the postings overflowed: every text holding the token, the postings dropped. */
  readonly containing: ReadonlySet<number> | undefined;
};

export type CompactSearch = {
  readonly lookup: (token: string) => TokenPostings | undefined;
  readonly formOf: (text: number) => string | undefined;
  /** One occurrence; returns false to stop the search. */
  readonly found: (text: number, start: number, end: number) => boolean;
};

const SEPARATORS = /[ -]/g;
const IDENTIFIER = /^[\p{L}\p{N}]+$/u;
const DIGIT = /\d/;
const COMPACT_CHARS_MIN = 6;
const COMPACT_CHARS_MAX = 64;
/** What an overflowed token costs to walk (an indexOf scan of every text holding it), in postings. */
const OVERFLOW_COST = 1_000_000;

/**
 * The value's identifier written without spaces and hyphens, when its match form is letters and
 * digits grouped only by them, holds a digit, and has 6 to 64 letters and digits; else undefined.
 */
export function compactIdentifier(form: string): string | undefined {
  if (form.length > COMPACT_CHARS_MAX * 2 || !DIGIT.test(form)) return undefined;
  const compact = form.replace(SEPARATORS, '');
  if (compact.length < COMPACT_CHARS_MIN || compact.length > COMPACT_CHARS_MAX) return undefined;
  return IDENTIFIER.test(compact) ? compact : undefined;
}

type Candidate = { readonly token: string; readonly postings: TokenPostings };

/**
 * Finds `compact` in the indexed forms with single spaces or hyphens allowed between any two of
 * its characters, on token boundaries. Every occurrence starts with a whole token that is a prefix
 * of `compact` and ends with one that is a suffix: the cheaper side's candidates are walked.
 */
export function findCompact(compact: string, search: CompactSearch): void {
  const prefixes: Candidate[] = [];
  const suffixes: Candidate[] = [];
  let prefixCost = 0;
  let suffixCost = 0;
  for (let k = 1; k <= compact.length; k++) {
    const head = compact.slice(0, k);
    const headPostings = search.lookup(head);
    if (headPostings !== undefined) {
      prefixes.push({ token: head, postings: headPostings });
      prefixCost += cost(headPostings);
    }
    const tail = compact.slice(compact.length - k);
    const tailPostings = search.lookup(tail);
    if (tailPostings !== undefined) {
      suffixes.push({ token: tail, postings: tailPostings });
      suffixCost += cost(tailPostings);
    }
  }
  const fromStart = prefixCost <= suffixCost;
  for (const candidate of fromStart ? prefixes : suffixes) {
    if (!walk(candidate, compact, fromStart, search)) return;
  }
}

function cost(postings: TokenPostings): number {
  return postings.containing === undefined ? postings.texts.length : OVERFLOW_COST + postings.containing.size;
}

/** Checks every occurrence of one candidate token; false once the search was told to stop. */
function walk(candidate: Candidate, compact: string, fromStart: boolean, search: CompactSearch): boolean {
  const check = (text: number, form: string, at: number): boolean => {
    const span = fromStart
      ? forward(form, at, compact)
      : backward(form, at + candidate.token.length, compact);
    return span === undefined || search.found(text, span[0], span[1]);
  };
  const { postings, token } = candidate;
  if (postings.containing === undefined) {
    for (let k = 0; k < postings.texts.length; k++) {
      const text = postings.texts[k] ?? -1;
      const form = search.formOf(text);
      if (form !== undefined && !check(text, form, postings.offsets[k] ?? 0)) return false;
    }
    return true;
  }
  for (const text of postings.containing) {
    const form = search.formOf(text) ?? '';
    for (let at = form.indexOf(token); at !== -1; at = form.indexOf(token, at + 1)) {
      const whole = !tokenCharBefore(form, at) && !tokenCharAt(form, at + token.length);
      if (whole && !check(text, form, at)) return false;
    }
  }
  return true;
}

/** Matches `compact` from `start` (a token start), skipping single separators between token characters. */
function forward(form: string, start: number, compact: string): [number, number] | undefined {
  let q = start;
  for (let i = 0; i < compact.length; i++) {
    if (form[q] !== compact[i]) {
      const sep = form[q];
      if (i === 0 || (sep !== ' ' && sep !== '-') || form[q + 1] !== compact[i]) return undefined;
      q++;
    }
    q++;
  }
  return tokenCharAt(form, q) ? undefined : [start, q];
}

/** Matches `compact` backwards, ending at `end` (a token end), skipping single separators. */
function backward(form: string, end: number, compact: string): [number, number] | undefined {
  let q = end - 1;
  for (let i = compact.length - 1; i >= 0; i--) {
    if (form[q] !== compact[i]) {
      const sep = form[q];
      if (i === compact.length - 1 || (sep !== ' ' && sep !== '-') || form[q - 1] !== compact[i])
        return undefined;
      q--;
    }
    q--;
  }
  return tokenCharBefore(form, q + 1) ? undefined : [q + 1, end];
}
