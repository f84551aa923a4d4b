// Code-point helpers shared by the character-level detectors (invisible, bidi): neighbours of a
// UTF-16 index, read without splitting surrogate pairs.

/** The code point that ends just before index `i`, or -1 at the start. */
export function codePointBefore(text: string, i: number): number {
  if (i <= 0) return -1;
  const low = text.charCodeAt(i - 1);
  if (low >= 0xdc00 && low <= 0xdfff && i >= 2) {
    const high = text.charCodeAt(i - 2);
    if (high >= 0xd800 && high <= 0xdbff) return ((high - 0xd800) << 10) + (low - 0xdc00) + 0x10000;
  }
  return low;
}

/** The code point starting at index `i`, or -1 past the end. */
export function codePointAt(text: string, i: number): number {
  return text.codePointAt(i) ?? -1;
}

/** UTF-16 length of code point `cp`. */
export function unitsOf(cp: number): number {
  return cp > 0xffff ? 2 : 1;
}
