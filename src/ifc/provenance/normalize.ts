// Matching forms for argument provenance (IFC): the form a value and a seen text are compared in,
// why a raw value is in doubt, the canonical form of a number, and the token scanners the
// provenance index is built from. Reuses the pre-filter's normalization and detectors.

import { findBidi } from '../../kernel/prefilter/bidi.ts';
import { hasLookalike, lookalikeOf } from '../../kernel/prefilter/confusables.ts';
import { findHomoglyph, HOMOGLYPH_TRIGGER } from '../../kernel/prefilter/homoglyph.ts';
import { findInvisible } from '../../kernel/prefilter/invisible.ts';
import { HIDDEN_TRIGGER, normalizeForMatching } from '../../kernel/prefilter/normalize.ts';

const NON_ASCII = /[\u0080-\uFFFF]/;
// WHY: quotes carry no identity (`"alice@x.example"` is the address), so every quote character,
// straight, typographic, guillemet or CJK corner bracket, counts as a space.
const QUOTES_AND_SPACES =
  /[\s'"`\u00AB\u00BB\u2018-\u201F\u2032-\u2037\u2039\u203A\u275B-\u275E\u276E\u276F\u300C-\u300F\u301D-\u301F\uFF02\uFF07]+/g;

/**
 * The matching form: NFKD compatibility, hidden characters (zero-width, bidi, soft hyphen,
 * variation selectors, tags) removed, lookalike letters folded to Latin, lowercased, every quote
 * character and every whitespace run turned into one space, trimmed.
 */
export function matchForm(text: string): string {
  // WHY: lowercase both before NFKD (so capital lookalikes fold) and after it (mathematical
  // capitals decompose to ASCII capitals). ASCII text skips the Unicode passes entirely.
  const plain = NON_ASCII.test(text)
    ? normalizeForMatching(text.toLowerCase(), { foldLookalikes: true }).toLowerCase()
    : text.toLowerCase();
  return plain.replace(QUOTES_AND_SPACES, ' ').trim();
}

const DOUBT_TRIGGER = new RegExp(`[${HIDDEN_TRIGGER}${HOMOGLYPH_TRIGGER}]`);
/** Hidden characters the invisible and bidi detectors leave to the normalizer: BOM, fillers, format controls. */
const OTHER_HIDDEN = /[\uFEFF\u115F\u1160\u3164\uFFA0\u2065\u206A-\u206F]/;
const CHUNK = /\S+/g;
const WORD = /[\p{L}\p{M}]+/gu;
const ASCII_LETTER = /[A-Za-z]/;

/**
 * Why a raw value is in doubt (it must not count as trusted), or undefined: hidden or bidi
 * characters present, or a word mixing ASCII Latin letters with lookalike letters of another
 * script (also a word spelled wholly in lookalikes glued to Latin ones, as in an IDN homograph).
 */
export function doubtOf(raw: string): string | undefined {
  if (!DOUBT_TRIGGER.test(raw)) return undefined;
  const invisible = findInvisible(raw)[0];
  if (invisible !== undefined) return `hidden characters: ${invisible.sample}`;
  const bidi = findBidi(raw);
  if (bidi !== undefined) return `bidi control: ${bidi.sample}`;
  if (OTHER_HIDDEN.test(raw)) return 'hidden characters';
  const homoglyph = findHomoglyph(raw);
  if (homoglyph !== undefined) return `mixed-script word: ${homoglyph.sample}`;
  return hasLookalike(raw) ? lookalikeWordBesideLatin(raw) : undefined;
}

// WHY: "аррӏе.com" spelled wholly in Cyrillic lookalikes mixes no scripts within a word, yet it
// folds to "apple.com". Within one whitespace-free chunk (a domain, an address, a URL) a word of
// nothing but lookalikes next to ASCII letters is a homograph; in prose, Russian words beside an
// English name are separated by spaces and stay out of doubt.
function lookalikeWordBesideLatin(raw: string): string | undefined {
  for (const chunk of raw.match(CHUNK) ?? []) {
    if (!ASCII_LETTER.test(chunk) || !hasLookalike(chunk)) continue;
    for (const word of chunk.match(WORD) ?? []) {
      if (!ASCII_LETTER.test(word) && [...word].every((char) => lookalikeOf(char) !== undefined)) {
        return `lookalike word beside latin letters: ${JSON.stringify(chunk.slice(0, 40))}`;
      }
    }
  }
  return undefined;
}

// WHY: an integer part with a leading zero ("0012", "05") is an identifier or a date part, not an
// amount: read as a number it would equal "12" and could borrow the trust of an unrelated number.
const PLAIN_NUMBER = /^([+-]?)(0|[1-9]\d{0,2}(?:,\d{3})+|[1-9]\d*)?(?:\.(\d+))?$/;

/**
 * Canonical numeric form: "1,250.00" → "1250", "1250.50" → "1250.5", "-3" → "-3", 0.1 → "0.1";
 * undefined if not a plain decimal number (grouping commas only in groups of 3; no exponents; no
 * leading zeros). Numbers are written out in full (1e21 → "1" and 21 zeros).
 */
export function numericForm(text: string | number): string | undefined {
  if (typeof text === 'number') return Number.isFinite(text) ? canonical(plainDecimal(text)) : undefined;
  if (typeof text !== 'string' || text.length > NUMBER_CHARS_MAX) return undefined;
  return canonical(text.trim());
}

const CURRENCY_AFFIX =
  /^(?:[$\u00A3\u00A5\u20AC\u20B9]|usd|eur|gbp|chf|jpy|cad|aud|cny|inr) ?|(?<=\d) ?(?:[$\u00A3\u00A5\u20AC\u20B9]|usd|eur|gbp|chf|jpy|cad|aud|cny|inr)$/g;

/**
 * The numeric form of a match form holding one amount, a plain number with at most a currency sign
 * or code before or after it ("$1,250.00", "eur 99.90", "12 chf"); undefined otherwise.
 */
export function amountForm(form: string): string | undefined {
  return (
    numericForm(form) ??
    (form.length <= NUMBER_CHARS_MAX ? numericForm(form.replace(CURRENCY_AFFIX, '')) : undefined)
  );
}

/** Longer "numbers" are digit strings (keys, hashes), matched as text. */
const NUMBER_CHARS_MAX = 400;

function canonical(text: string): string | undefined {
  const match = PLAIN_NUMBER.exec(text);
  if (match === null) return undefined;
  const [, sign, whole, fraction] = match;
  if (whole === undefined && fraction === undefined) return undefined;
  const int = (whole ?? '0').replaceAll(',', '');
  const frac = (fraction ?? '').replace(/0+$/, '');
  const unsigned = frac === '' ? int : `${int}.${frac}`;
  return sign === '-' && unsigned !== '0' ? `-${unsigned}` : unsigned;
}

/** `n` in positional notation: String(1e-7) is "1e-7", this gives "0.0000001". */
function plainDecimal(n: number): string {
  const text = String(n);
  const e = text.indexOf('e');
  if (e === -1) return text;
  const sign = text.startsWith('-') ? '-' : '';
  const mantissa = text.slice(sign.length, e);
  const point = mantissa.indexOf('.');
  const digits = mantissa.replace('.', '');
  const intDigits = (point === -1 ? mantissa.length : point) + Number(text.slice(e + 1));
  if (intDigits <= 0) return `${sign}0.${'0'.repeat(-intDigits)}${digits}`;
  if (intDigits >= digits.length) return `${sign}${digits}${'0'.repeat(intDigits - digits.length)}`;
  return `${sign}${digits.slice(0, intDigits)}.${digits.slice(intDigits)}`;
}

// --- Scanners over match forms -------------------------------------------------------------

const TOKEN_ASCII = /[A-Za-z0-9]+/g;
const TOKEN_ANY = /[\p{L}\p{N}]+/gu;
const TOKEN_CHAR = /^[\p{L}\p{N}]$/u;

/**
 * Calls `visit` with every token of a match form (a maximal run of letters and digits) and its
 * offset. Safe to nest: the scan position is restored after each visit.
 */
export function forEachToken(form: string, visit: (token: string, offset: number) => void): void {
  const re = NON_ASCII.test(form) ? TOKEN_ANY : TOKEN_ASCII;
  re.lastIndex = 0;
  for (let match = re.exec(form); match !== null; match = re.exec(form)) {
    const end = match.index + match[0].length;
    visit(match[0], match.index);
    re.lastIndex = end;
  }
}

function isTokenCode(code: number): boolean {
  if (code < 0x80)
    return (code >= 48 && code <= 57) || (code >= 97 && code <= 122) || (code >= 65 && code <= 90);
  return TOKEN_CHAR.test(String.fromCodePoint(code));
}

/** True when the code point starting at `i` is a letter or digit. */
export function tokenCharAt(text: string, i: number): boolean {
  if (i < 0 || i >= text.length) return false;
  return isTokenCode(text.codePointAt(i) ?? 0);
}

/** True when the code point ending just before `i` is a letter or digit. */
export function tokenCharBefore(text: string, i: number): boolean {
  if (i <= 0 || i > text.length) return false;
  const low = text.charCodeAt(i - 1);
  if (low >= 0xdc00 && low <= 0xdfff && i >= 2) return isTokenCode(text.codePointAt(i - 2) ?? low);
  return isTokenCode(low);
}

const NUMBER_RUN = /\d+(?:[.,]\d+)*/g;
const NUMBER_PART = /\d+/g;

/**
 * Calls `visit` with the numeric form of every number written in a match form ("$1,250.00",
 * "eur 99.90", "-3"), its offset and length. A run that is no plain number ("10.0.0.1", "1,2,3")
 * gives each digit group. Digits glued to a preceding letter ("de89", "inv2024") are not numbers.
 */
export function forEachNumber(
  form: string,
  visit: (value: string, offset: number, length: number) => void,
): void {
  const re = NUMBER_RUN;
  re.lastIndex = 0;
  for (let match = re.exec(form); match !== null; match = re.exec(form)) {
    const end = match.index + match[0].length;
    const at = match.index;
    if (!tokenCharBefore(form, at)) visitRun(form, match[0], at, visit);
    re.lastIndex = end;
  }
}

function visitRun(
  form: string,
  run: string,
  at: number,
  visit: (value: string, offset: number, length: number) => void,
): void {
  const before = form.charAt(at - 1);
  const signed = (before === '-' || before === '+') && !tokenCharBefore(form, at - 1);
  const value = numericForm(signed ? before + run : run);
  if (value !== undefined) {
    visit(value, signed ? at - 1 : at, run.length + (signed ? 1 : 0));
    return;
  }
  for (const part of run.matchAll(NUMBER_PART)) {
    const partValue = numericForm(part[0]);
    if (partValue !== undefined) visit(partValue, at + part.index, part[0].length);
  }
}
