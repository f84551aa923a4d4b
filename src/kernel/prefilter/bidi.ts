// Bidirectional-control detector (Trojan Source, CVE-2021-42574): embeddings, overrides and
// isolates reorder how text is displayed, so a reviewer reads something other than what runs.

import { type Detection, SCORES } from './finding.ts';
import { sampleAround } from './sample.ts';

/** Code units whose absence means `findBidi` finds nothing (a character-class body). */
export const BIDI_TRIGGER = String.raw`\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069`;

const EMBEDDING_OR_ISOLATE = /[\u202A-\u202E\u2066-\u2069]/;
const MARK = /[\u061C\u200E\u200F]/;
const RIGHT_TO_LEFT =
  /(?=\p{L})(?:\p{Script=Hebrew}|\p{Script=Arabic}|\p{Script=Syriac}|\p{Script=Thaana}|\p{Script=Nko}|\p{Script=Adlam})/u;

/**
 * Reports the first bidi control in `text`, or nothing. Embeddings, overrides and isolates always
 * count. The invisible marks (LRM, RLM, ALM) count only in text without right-to-left letters:
 * Hebrew and Arabic text uses them routinely to place punctuation.
 */
export function findBidi(text: string): Detection | undefined {
  const control = EMBEDDING_OR_ISOLATE.exec(text);
  if (control !== null)
    return { score: SCORES.block, sample: sampleAround(text, control.index, control.index + 1) };
  const mark = MARK.exec(text);
  if (mark === null || RIGHT_TO_LEFT.test(text)) return undefined;
  return { score: SCORES.block, sample: sampleAround(text, mark.index, mark.index + 1) };
}
