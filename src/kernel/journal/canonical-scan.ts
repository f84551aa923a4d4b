// Canonical-form check for journal bodies: one pass over the text that builds nothing, so
// verify-journal can confirm RFC 8785 form about as fast as it reads and hashes records.

const OBJECT = 0;
const ARRAY = 1;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const LEFT_BRACE = 0x7b;
const RIGHT_BRACE = 0x7d;
const LEFT_BRACKET = 0x5b;
const RIGHT_BRACKET = 0x5d;
const MINUS = 0x2d;
/** Integers of up to this many digits print exactly as written (below 2^53). */
const EXACT_INTEGER_DIGITS_MAX = 15;

/**
 * Checks that `text` is exactly what canonicalJson writes for `JSON.parse(text)`: no whitespace,
 * keys strictly ascending by UTF-16 code units (so no duplicates), numbers spelled as JavaScript
 * prints them, strings escaped exactly as JSON.stringify escapes them and free of lone surrogates.
 * For each member of a top-level object it pushes three offsets onto `members`: the key's opening
 * quote, the value's start and the value's end. Returns the problem, or undefined when canonical.
 * WHY: parsing and re-serialising costs more than reading and hashing a record together; this scan
 * allocates almost nothing, and its stack is an array, so hostile nesting cannot overflow it.
 */
export function scanCanonical(text: string, members: number[]): string | undefined {
  const kinds: number[] = [];
  const keyStarts: number[] = [];
  const keyEnds: number[] = [];
  let i = 0;
  for (;;) {
    const c = text.charCodeAt(i);
    const opens = c === LEFT_BRACE || c === LEFT_BRACKET;
    if (opens && text.charCodeAt(i + 1) !== (c === LEFT_BRACE ? RIGHT_BRACE : RIGHT_BRACKET)) {
      kinds.push(c === LEFT_BRACE ? OBJECT : ARRAY);
      i += 1;
      if (c === LEFT_BRACE) i = scanKey(text, i, kinds.length, keyStarts, keyEnds, members, true);
      if (i < 0) return 'keys must be canonical strings in ascending order';
      continue;
    }
    i = opens ? i + 2 : scanScalar(text, i, c);
    if (i < 0) return 'a value is not in canonical form';
    // A value ends at i: note a top-level member's end, then close containers or go to the next item.
    for (;;) {
      const depth = kinds.length;
      if (depth === 0) return i === text.length ? undefined : 'text follows the value';
      const kind = kinds[depth - 1];
      if (depth === 1 && kind === OBJECT) members.push(i);
      const next = text.charCodeAt(i);
      if (next === COMMA) {
        i = kind === OBJECT ? scanKey(text, i + 1, depth, keyStarts, keyEnds, members, false) : i + 1;
        if (i < 0) return 'keys must be canonical strings in ascending order';
        break;
      }
      if (next !== (kind === OBJECT ? RIGHT_BRACE : RIGHT_BRACKET)) return `unexpected text at offset ${i}`;
      kinds.pop();
      i += 1;
    }
  }
}

/** Scans `"key":` at `i` in an object at `depth`, checking it sorts after the previous key; -1 if bad. */
function scanKey(
  text: string,
  i: number,
  depth: number,
  keyStarts: number[],
  keyEnds: number[],
  members: number[],
  first: boolean,
): number {
  if (text.charCodeAt(i) !== QUOTE) return -1;
  const end = scanString(text, i);
  if (end < 0 || text.charCodeAt(end) !== COLON) return -1;
  const level = depth - 1;
  const previousStart = keyStarts[level] ?? 0;
  const previousEnd = keyEnds[level] ?? 0;
  if (!first && compareKeys(text, previousStart, previousEnd, i, end) >= 0) return -1;
  keyStarts[level] = i;
  keyEnds[level] = end;
  if (depth === 1) members.push(i, end + 1);
  return end + 1;
}

/**
 * Compares two keys (spans including their quotes) as decoded strings, by UTF-16 code units.
 * WHY: until the first backslash, raw text and decoded text agree unit for unit, so raw comparison
 * is exact unless an escape comes before the first difference; then both keys are decoded.
 */
function compareKeys(text: string, aStart: number, aEnd: number, bStart: number, bEnd: number): number {
  const aLength = aEnd - aStart;
  const bLength = bEnd - bStart;
  const length = Math.min(aLength, bLength) - 1;
  for (let k = 1; k < length; k++) {
    const a = text.charCodeAt(aStart + k);
    const b = text.charCodeAt(bStart + k);
    if (a === BACKSLASH || b === BACKSLASH) {
      const aKey = JSON.parse(text.slice(aStart, aEnd)) as string;
      const bKey = JSON.parse(text.slice(bStart, bEnd)) as string;
      return aKey < bKey ? -1 : aKey === bKey ? 0 : 1;
    }
    if (a !== b) return a - b;
  }
  return aLength - bLength;
}

/** The index after a canonical string, number or literal starting at `i`, or -1. */
function scanScalar(text: string, i: number, c: number): number {
  if (c === QUOTE) return scanString(text, i);
  if (c === MINUS || isDigit(c)) return scanNumber(text, i);
  if (c === 0x74) return text.startsWith('true', i) ? i + 4 : -1;
  if (c === 0x66) return text.startsWith('false', i) ? i + 5 : -1;
  if (c === 0x6e) return text.startsWith('null', i) ? i + 4 : -1;
  return -1;
}

function scanNumber(text: string, i: number): number {
  const digits = text.charCodeAt(i) === MINUS ? i + 1 : i;
  let j = digits;
  while (isDigit(text.charCodeAt(j))) j += 1;
  const count = j - digits;
  const next = text.charCodeAt(j);
  const fraction = next === 0x2e || next === 0x65 || next === 0x45;
  // WHY: the common case, a short integer, is canonical without a leading zero (and `-0` is not).
  if (!fraction && count > 0 && count <= EXACT_INTEGER_DIGITS_MAX) {
    const leadingZero = text.charCodeAt(digits) === 0x30;
    return !leadingZero || (count === 1 && digits === i) ? j : -1;
  }
  while (isNumberChar(text.charCodeAt(j))) j += 1;
  const token = text.slice(i, j);
  // WHY: JavaScript's own number-to-string is the canonical spelling (RFC 8785 §3.2.2.3).
  return String(Number(token)) === token ? j : -1;
}

/** The index after a string starting at `i` escaped exactly as JSON.stringify escapes, or -1. */
function scanString(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === QUOTE) return j + 1;
    if (c < 0x20) return -1;
    if (c === BACKSLASH) {
      const e = text.charCodeAt(j + 1);
      // Short escapes: \" \\ \b \f \n \r \t (not \/, which JSON.stringify never writes).
      if (
        e === QUOTE ||
        e === BACKSLASH ||
        e === 0x62 ||
        e === 0x66 ||
        e === 0x6e ||
        e === 0x72 ||
        e === 0x74
      ) {
        j += 1;
        continue;
      }
      if (e !== 0x75 || !isControlEscape(text, j + 2)) return -1;
      j += 5;
    } else if (c >= 0xd800 && c <= 0xdbff) {
      const low = text.charCodeAt(j + 1);
      if (!(low >= 0xdc00 && low <= 0xdfff)) return -1;
      j += 1;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return -1;
    }
  }
  return -1;
}

/** Whether the four characters at `k` are `00XX` (lowercase hex) for a control character without a short escape. */
function isControlEscape(text: string, k: number): boolean {
  if (text.charCodeAt(k) !== 0x30 || text.charCodeAt(k + 1) !== 0x30) return false;
  const high = text.charCodeAt(k + 2) - 0x30;
  const d = text.charCodeAt(k + 3);
  const low = isDigit(d) ? d - 0x30 : d >= 0x61 && d <= 0x66 ? d - 0x61 + 10 : -1;
  if ((high !== 0 && high !== 1) || low < 0) return false;
  const code = high * 16 + low;
  return code !== 0x08 && code !== 0x09 && code !== 0x0a && code !== 0x0c && code !== 0x0d;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Digits, `.`, `+`, `-`, `e`, `E`: what a JSON number token is made of. */
function isNumberChar(c: number): boolean {
  return isDigit(c) || c === 0x2e || c === 0x2b || c === MINUS || c === 0x65 || c === 0x45;
}
