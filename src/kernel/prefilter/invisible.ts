// Invisible-character detector: zero-width characters hidden inside words (score 5), Unicode tag
// characters that spell out hidden ASCII, the "ASCII smuggling" channel (10), and runs of
// variation selectors that encode bytes (10). Legitimate uses in emoji and scripts are exempt.

import { type Detection, SCORES } from './finding.ts';
import { escapeForDisplay, sampleAround } from './sample.ts';
import { SCAN_LIMITS } from './scan-limits.ts';
import { codePointAt, codePointBefore, unitsOf } from './text-scan.ts';

/**
 * Code units whose absence means `findInvisible` finds nothing (a character-class body): soft
 * hyphen, Mongolian vowel separator, zero-width space / non-joiner / joiner, word joiner and
 * invisible operators, BOM, variation selectors, and the high surrogate of the tag and
 * supplementary-selector block.
 */
export const INVISIBLE_TRIGGER = String.raw`\u00AD\u180E\u200B-\u200D\u2060-\u2064\uFEFF\uFE00-\uFE0F\uDB40`;

const CANDIDATE = /[\u00AD\u180E\u200B-\u200D\u2060-\u2064\uFEFF]|[\uFE00-\uFE0F]|\uDB40[\uDC00-\uDDEF]/g;

const EMOJI_BEFORE_JOINER = /\p{Extended_Pictographic}|\p{Emoji_Modifier}|\uFE0F|\u20E3/u;
const EMOJI_AFTER_JOINER = /\p{Extended_Pictographic}/u;
const NON_LATIN_LETTER = /(?!\p{Script=Latin})[\p{L}\p{M}]/u;
const LATIN_LETTER = /\p{Script=Latin}/u;
const HAN = /\p{Script=Han}/u;
const BLACK_FLAG = 0x1f3f4;
const CANCEL_TAG = 0xe007f;
/** A subdivision flag (🏴 + "gbsct" + cancel tag) uses at most 6 tag characters plus the cancel tag. */
const FLAG_TAGS_MAX = 7;

type Category = 'zero-width' | 'tags' | 'selectors';

/** Reports each category of invisible character found in `text`, once, at its first occurrence. */
export function findInvisible(text: string): Detection[] {
  const found = new Map<Category, Detection>();
  const re = CANDIDATE;
  re.lastIndex = 0;
  let match = re.exec(text);
  while (match !== null && found.size < 3) {
    const i = match.index;
    const cp = codePointAt(text, i);
    if (cp >= 0xe0000 && cp <= 0xe007f) {
      re.lastIndex = tagRun(text, i, found);
    } else if ((cp >= 0xfe00 && cp <= 0xfe0f) || cp >= 0xe0100) {
      re.lastIndex = selectorRun(text, i, found);
    } else if (!found.has('zero-width') && !zeroWidthIsLegitimate(text, i, cp)) {
      found.set('zero-width', { score: SCORES.suspicious, sample: sampleAround(text, i, i + 1) });
    }
    match = re.exec(text);
  }
  return [...found.values()];
}

function tagRun(text: string, start: number, found: Map<Category, Detection>): number {
  let end = start;
  let hidden = '';
  let count = 0;
  let last = -1;
  for (let cp = codePointAt(text, end); cp >= 0xe0000 && cp <= 0xe007f; cp = codePointAt(text, end)) {
    if (hidden.length < SCAN_LIMITS.sampleCharsMax && cp >= 0xe0020 && cp <= 0xe007e) {
      hidden += String.fromCharCode(cp - 0xe0000);
    }
    last = cp;
    count += 1;
    end += 2;
  }
  // WHY: the flags of England, Scotland and Wales are 🏴 followed by tag letters and a cancel tag.
  const flag = codePointBefore(text, start) === BLACK_FLAG && last === CANCEL_TAG && count <= FLAG_TAGS_MAX;
  if (!flag && !found.has('tags')) {
    found.set('tags', { score: SCORES.block, sample: `tag characters spell "${escapeForDisplay(hidden)}"` });
  }
  return end;
}

function selectorRun(text: string, start: number, found: Map<Category, Detection>): number {
  let end = start;
  let count = 0;
  let supplementary = false;
  for (let cp = codePointAt(text, end); isSelector(cp); cp = codePointAt(text, end)) {
    supplementary ||= cp >= 0xe0100;
    count += 1;
    end += unitsOf(cp);
  }
  // WHY: an emoji takes one selector (U+FE0F) and a CJK ideograph one ideographic variation
  // selector; longer runs, or supplementary selectors after anything else, carry hidden bytes.
  const before = String.fromCodePoint(Math.max(0, codePointBefore(text, start)));
  const smuggling =
    count > SCAN_LIMITS.variationSelectorRunMax || (supplementary && (count > 1 || !HAN.test(before)));
  if (smuggling && !found.has('selectors')) {
    found.set('selectors', { score: SCORES.block, sample: sampleAround(text, start, end) });
  }
  return end;
}

function isSelector(cp: number): boolean {
  return (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xe0100 && cp <= 0xe01ef);
}

function zeroWidthIsLegitimate(text: string, i: number, cp: number): boolean {
  if (cp === 0xfeff && i === 0) return true; // A byte-order mark opening a file's content.
  if (cp !== 0x200b && cp !== 0x200c && cp !== 0x200d) return false;
  const before = String.fromCodePoint(Math.max(0, codePointBefore(text, i)));
  const after = String.fromCodePoint(Math.max(0, codePointAt(text, i + 1)));
  // WHY: the joiner glues emoji sequences (👩‍💻), and the three zero-width characters shape
  // Arabic, Persian and Indic text (a Malayalam chillu is virama + joiner at a word's end) or mark
  // word breaks in Thai and Khmer. Only a Latin letter after them makes them suspicious.
  if (cp === 0x200d && EMOJI_BEFORE_JOINER.test(before) && EMOJI_AFTER_JOINER.test(after)) return true;
  return NON_LATIN_LETTER.test(before) && !LATIN_LETTER.test(after);
}
