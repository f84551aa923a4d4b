// IBAN detector (ISO 13616): country code, two check digits and a national account number of the
// country's fixed length, with a valid mod-97 checksum, written with or without spaces.
// Random strings pass mod-97 about once in 97, so the length table does most of the filtering.

import type { Detection } from './kinds.ts';

/** IBAN length per country: all SEPA members plus common non-SEPA IBAN countries. */
const IBAN_LENGTHS: ReadonlyMap<string, number> = new Map(
  Object.entries({
    AD: 24,
    AE: 23,
    AL: 28,
    AT: 20,
    AZ: 28,
    BA: 20,
    BE: 16,
    BG: 22,
    BH: 22,
    BR: 29,
    CH: 21,
    CR: 22,
    CY: 28,
    CZ: 24,
    DE: 22,
    DK: 18,
    DO: 28,
    EE: 20,
    EG: 29,
    ES: 24,
    FI: 18,
    FO: 18,
    FR: 27,
    GB: 22,
    GE: 22,
    GI: 23,
    GL: 18,
    GR: 27,
    GT: 28,
    HR: 21,
    HU: 28,
    IE: 22,
    IL: 23,
    IS: 26,
    IT: 27,
    JO: 30,
    KW: 30,
    KZ: 20,
    LB: 28,
    LI: 21,
    LT: 20,
    LU: 20,
    LV: 21,
    MC: 27,
    MD: 24,
    ME: 22,
    MK: 19,
    MR: 27,
    MT: 31,
    MU: 30,
    NL: 18,
    NO: 15,
    PK: 24,
    PL: 28,
    PS: 29,
    PT: 25,
    QA: 29,
    RO: 24,
    RS: 22,
    SA: 24,
    SE: 24,
    SI: 19,
    SK: 24,
    SM: 27,
    TN: 24,
    TR: 26,
    UA: 29,
    VA: 22,
    VG: 24,
    XK: 20,
  }),
);

/** Country code and check digits at the start of an alphanumeric run. */
const START = /(?<![A-Za-z0-9])([A-Z]{2})([0-9]{2})/g;
const GATE = /[A-Z]{2}[0-9]{2}/;
const ALNUM = /[A-Za-z0-9]/;

/** Finds IBANs in `text` (already normalised). Groups may be separated by single spaces. */
export function findIbans(text: string): Detection[] {
  const out: Detection[] = [];
  if (!GATE.test(text)) return out;
  for (const match of text.matchAll(START)) {
    const length = IBAN_LENGTHS.get(match[1] ?? '');
    if (length === undefined) continue;
    const found = ibanAt(text, match.index, length);
    if (found !== undefined) out.push(found);
  }
  return out;
}

/**
 * Collects `length` alphanumerics from `start`, allowing one space between characters; the
 * IBAN must then end (no alphanumeric right after it) and pass mod-97.
 */
function ibanAt(text: string, start: number, length: number): Detection | undefined {
  let compact = '';
  let i = start;
  while (compact.length < length && i < text.length) {
    const char = text[i] ?? '';
    if (ALNUM.test(char)) {
      compact += char;
      i++;
    } else if (char === ' ' && compact.length >= 4 && ALNUM.test(text[i + 1] ?? '')) {
      i++;
    } else {
      return undefined;
    }
  }
  if (compact.length < length || ALNUM.test(text[i] ?? '')) return undefined;
  const check = Number(compact.slice(2, 4));
  if (check < 2 || check > 98 || !passesMod97(compact)) return undefined;
  return { kind: 'iban', start, end: i };
}

/** ISO 7064 MOD 97-10: move the first four characters to the end, letters to 10..35, remainder 1. */
export function passesMod97(iban: string): boolean {
  const rearranged = (iban.slice(4) + iban.slice(0, 4)).toUpperCase();
  let remainder = 0;
  for (const char of rearranged) {
    const code = char.charCodeAt(0);
    const value = code <= 57 ? code - 48 : code - 55;
    remainder = value >= 10 ? (remainder * 100 + value) % 97 : (remainder * 10 + value) % 97;
  }
  return remainder === 1;
}
