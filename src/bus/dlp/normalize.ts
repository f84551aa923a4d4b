// Text normalisation before DLP matching: compatibility forms folded (NFKC: full-width digits,
// ligatures, odd spaces) and invisible characters removed, so `4111\u200B1111…` still matches.
// Keeps a map from each normalised code unit back to the original string for redaction.

/** Format characters and default-ignorable code points: zero-width, bidi controls, tags, selectors. */
const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/u;
const MARK = /\p{M}/u;
/** Anything but printable ASCII, tab and line breaks: text without it is already normalised. */
const NOT_PLAIN_ASCII = /[^\t\n\r\x20-\x7E]/;

/**
 * Normalised text plus, unless the text was already normal, the original range of each code unit:
 * code unit `k` of `text` comes from `[starts[k], ends[k])` of the original.
 */
export type NormalizedText = {
  readonly text: string;
  /** Length of the original text. */
  readonly originalLength: number;
  readonly starts: readonly number[] | undefined;
  readonly ends: readonly number[] | undefined;
};

/**
 * Returns `text` in NFKC without invisible characters. WHY segment-wise: NFKC is applied to each
 * base character together with its combining marks, so every output code unit maps to exactly one
 * segment of the input. A match therefore maps back to whole segments: redaction may cover a few
 * more code units than matched (the rest of a ligature, a dropped invisible inside the match),
 * never fewer. Composition across segments (Hangul jamo) is the one place this differs from NFKC.
 */
export function normalizeForDlp(text: string): NormalizedText {
  const normal = !NOT_PLAIN_ASCII.test(text) || (!INVISIBLE.test(text) && text.normalize('NFKC') === text);
  if (normal) return { text, originalLength: text.length, starts: undefined, ends: undefined };
  return segmentwise(text);
}

function segmentwise(text: string): NormalizedText {
  const parts: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  let segment = '';
  let segmentStart = 0;
  let segmentEnd = 0;
  const flush = (): void => {
    if (segment === '') return;
    const normal = segment.normalize('NFKC');
    parts.push(normal);
    for (let k = 0; k < normal.length; k++) {
      starts.push(segmentStart);
      ends.push(segmentEnd);
    }
    segment = '';
  };
  let i = 0;
  while (i < text.length) {
    const cp = text.codePointAt(i) ?? 0;
    const width = cp > 0xffff ? 2 : 1;
    const char = text.slice(i, i + width);
    const ascii = cp < 0x80;
    if (!ascii && INVISIBLE.test(char)) {
      // Dropped: it maps to nothing, but a segment that spans it covers it on redaction.
    } else if (!ascii && segment !== '' && MARK.test(char)) {
      segment += char;
      segmentEnd = i + width;
    } else {
      flush();
      segment = char;
      segmentStart = i;
      segmentEnd = i + width;
    }
    i += width;
  }
  flush();
  return { text: parts.join(''), originalLength: text.length, starts, ends };
}

/** Maps `[start, end)` of the normalised text (end > start) back to a range of the original. */
export function originalRange(normal: NormalizedText, start: number, end: number): [number, number] {
  const { starts, ends } = normal;
  if (starts === undefined || ends === undefined) return [start, end];
  // WHY the fallbacks: out of range cannot happen for a detector's span; if it did, the whole
  // original is the safe range to redact.
  return [starts[start] ?? 0, ends[end - 1] ?? normal.originalLength];
}
