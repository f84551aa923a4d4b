// Homoglyph detector: a word mixing Latin letters with Cyrillic, Greek, Armenian or Cherokee
// lookalikes ("pаypal" with a Cyrillic а) is built to fool a reader or a filter. Text wholly in
// one script is fine, and so are non-lookalike letters (µs, Δx, λ-calculus).

import { hasLookalike, lookalikeOf } from './confusables.ts';
import { type Detection, SCORES } from './finding.ts';
import { SCAN_LIMITS } from './scan-limits.ts';

/** Code units whose absence means `findHomoglyph` finds nothing: the lookalike scripts' blocks. */
export const HOMOGLYPH_TRIGGER = String.raw`\u0370-\u058F\u13A0-\u13FF\uAB70-\uABBF`;
const TRIGGERED = new RegExp(`[${HOMOGLYPH_TRIGGER}]`);

const LATIN = String.raw`A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F\u1E00-\u1EFF\uFF21-\uFF3A\uFF41-\uFF5A`;
const LOOKALIKE_SCRIPTS = String.raw`\u0370-\u03FF\u0400-\u052F\u0531-\u058F\u13A0-\u13FF\uAB70-\uABBF`;
const MARKS = String.raw`\u0300-\u036F\u0483-\u0489`;
// WHY: a mixed word has a point where one letter's script changes to the next one's. Such points
// are rare in honest text, and a character-class search finds them in one fast pass; only then is
// the word around them examined. The search starts at Latin letters only (the lookbehind covers
// the other direction), so Russian or Greek text without Latin letters is skimmed, not matched.
const SCRIPT_CHANGE = new RegExp(
  `[${LATIN}](?:[${MARKS}]*[${LOOKALIKE_SCRIPTS}]|(?<=[${LOOKALIKE_SCRIPTS}][${MARKS}]*[${LATIN}]))`,
  'g',
);
const WORD_CHAR = /[\p{L}\p{M}]/u;

/** Reports the first word mixing Latin with lookalike letters, lookalikes shown as `\u{…}`. */
export function findHomoglyph(text: string): Detection | undefined {
  if (!TRIGGERED.test(text)) return undefined;
  const re = SCRIPT_CHANGE;
  re.lastIndex = 0;
  for (let match = re.exec(text); match !== null; match = re.exec(text)) {
    let start = match.index;
    while (start > 0 && WORD_CHAR.test(text.charAt(start - 1))) start -= 1;
    let end = match.index + match[0].length;
    while (end < text.length && WORD_CHAR.test(text.charAt(end))) end += 1;
    const word = text.slice(start, end);
    if (hasLookalike(word)) return { score: SCORES.suspicious, sample: spellOut(word) };
    re.lastIndex = end;
  }
  return undefined;
}

function spellOut(word: string): string {
  let out = '';
  let shown = 0;
  for (const char of word) {
    if (shown >= SCAN_LIMITS.sampleCharsMax) return `${out}…`;
    const cp = char.codePointAt(0) ?? 0;
    out += lookalikeOf(char) === undefined ? char : `\\u{${cp.toString(16).toUpperCase().padStart(4, '0')}}`;
    shown += 1;
  }
  return out;
}
