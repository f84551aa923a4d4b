// Normalization for signature matching: the text an LLM would effectively read, so that an
// attacker cannot dodge a signature with full-width letters, ligatures, accents, invisible
// characters or lookalike letters. Used only to match; findings never change the intent.

import { foldLookalikes } from './confusables.ts';

/**
 * Code units whose absence means there is nothing hidden to remove (a character-class body):
 * everything a renderer hides, a superset of what the invisible and bidi detectors report
 * (Hangul fillers too), the variation selectors and the high surrogate of the tag block.
 */
export const HIDDEN_TRIGGER = String.raw`\u00AD\u061C\u115F\u1160\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0\uDB40`;
const HIDDEN = new RegExp(
  `[${HIDDEN_TRIGGER.replace(String.raw`\uDB40`, '')}]|\\uDB40[\\uDC00-\\uDDEF]`,
  'g',
);
// WHY: signatures are English, so only marks on ASCII letters matter ("ïgnörë" reads "ignore").
// The class holds the combining blocks used with Latin letters: a Unicode-aware `\p{M}` pass
// costs several times more on every non-ASCII string. A mark from another block still splits a word.
const MARKS_ON_ASCII = /([A-Za-z])[\u0300-\u036F\u1AB0-\u1AFF\u1DC0-\u1DFF\u20D0-\u20FF\uFE20-\uFE2F]+/g;

export type NormalizeOptions = {
  /** Fold Cyrillic, Greek, Armenian and Cherokee lookalikes to Latin: set when a word mixes scripts. */
  readonly foldLookalikes?: boolean;
  /** False promises `text` holds no `HIDDEN_TRIGGER` code unit, which saves a pass. */
  readonly hidden?: boolean;
};

/**
 * Returns `text` decomposed by compatibility (NFKD: full-width and mathematical letters become
 * ASCII), without hidden characters, with combining marks on ASCII letters dropped and, on
 * request, lookalike letters folded to Latin. Callers skip it for ASCII-only text, which it
 * would return unchanged.
 */
export function normalizeForMatching(text: string, options: NormalizeOptions = {}): string {
  let out = text.normalize('NFKD');
  if (options.hidden !== false) out = out.replace(HIDDEN, '');
  if (options.foldLookalikes === true) out = foldLookalikes(out);
  return out.replace(MARKS_ON_ASCII, '$1');
}
