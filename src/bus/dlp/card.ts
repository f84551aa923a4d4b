// Payment card number detector: 13-19 digits, whole or in groups separated by single spaces or
// dashes, that pass the Luhn check and start with an issuer range (IIN) of a real card brand
// with that brand's length. Phone numbers, dates and random digit runs mostly fail one of these.

import type { Detection } from './kinds.ts';

const DIGITS_MIN = 13;
const DIGITS_MAX = 19;

/** An issuer range: prefixes `from`..`to` (same number of digits) and the allowed lengths. */
type IssuerRange = {
  readonly from: number;
  readonly to: number;
  readonly digits: number;
  readonly lengths: readonly number[];
};

const ANY_13_19 = [13, 14, 15, 16, 17, 18, 19];
const LONG_16_19 = [16, 17, 18, 19];

function range(from: number, to: number, lengths: readonly number[]): IssuerRange {
  return { from, to, digits: String(from).length, lengths };
}

/** Issuer ranges: Visa, Mastercard, Amex, Discover, UnionPay, JCB, Diners Club, Maestro, Mir. */
const ISSUER_RANGES: readonly IssuerRange[] = [
  range(4, 4, [13, 16, 19]),
  range(51, 55, [16]),
  range(2221, 2720, [16]),
  range(34, 34, [15]),
  range(37, 37, [15]),
  range(6011, 6011, LONG_16_19),
  range(644, 649, LONG_16_19),
  range(65, 65, LONG_16_19),
  range(62, 62, LONG_16_19),
  range(3528, 3589, LONG_16_19),
  range(300, 305, [14, 15, 16, 17, 18, 19]),
  range(3095, 3095, [14, 15, 16, 17, 18, 19]),
  range(36, 36, [14, 15, 16, 17, 18, 19]),
  range(38, 39, [16, 17, 18, 19]),
  range(5018, 5018, ANY_13_19),
  range(5020, 5020, ANY_13_19),
  range(5038, 5038, ANY_13_19),
  range(5893, 5893, ANY_13_19),
  range(6304, 6304, ANY_13_19),
  range(6759, 6759, ANY_13_19),
  range(6761, 6763, ANY_13_19),
  range(2200, 2204, LONG_16_19),
];

/** A maximal run of digit groups joined by single separators: group `k` is `[starts[k], ends[k])`. */
type GroupRun = { readonly starts: number[]; readonly ends: number[] };

/**
 * Finds card numbers in `text` (already normalised). WHY runs glued to letters or following `+`
 * are skipped: digits inside identifiers and hex strings, and international phone numbers.
 * A known miss: a card glued to letters (`card4111…`).
 */
export function findCardNumbers(text: string): Detection[] {
  const out: Detection[] = [];
  let i = 0;
  while (i < text.length) {
    // WHY a loop over code units, not a regex: a regex match per digit costs far more in prose
    // full of dates, ids and hashes.
    if (!isDigit(text, i) || isWordChar(text, i - 1)) {
      i++;
      continue;
    }
    const run = groupRunAt(text, i);
    const end = run.ends[run.ends.length - 1] ?? i + 1;
    if (!isWordChar(text, end) && text[i - 1] !== '+') cardsInRun(text, run, out);
    i = end;
  }
  return out;
}

function groupRunAt(text: string, start: number): GroupRun {
  const starts: number[] = [];
  const ends: number[] = [];
  let i = start;
  for (;;) {
    starts.push(i);
    while (isDigit(text, i)) i++;
    ends.push(i);
    const separator = text[i];
    if ((separator !== ' ' && separator !== '-') || !isDigit(text, i + 1)) break;
    i++;
  }
  return { starts, ends };
}

/** Tries every sub-run of consecutive groups, keeping the longest valid one from each start. */
function cardsInRun(text: string, run: GroupRun, out: Detection[]): void {
  const count = run.starts.length;
  let first = 0;
  while (first < count) {
    let digits = '';
    let best = -1;
    for (let last = first; last < count; last++) {
      digits += text.slice(run.starts[last], run.ends[last]);
      if (digits.length > DIGITS_MAX) break;
      if (digits.length >= DIGITS_MIN && groupingIsPlausible(run, first, last) && isCardNumber(digits))
        best = last;
    }
    if (best === -1) {
      first++;
      continue;
    }
    out.push({ kind: 'card-number', start: run.starts[first] ?? 0, end: run.ends[best] ?? 0 });
    first = best + 1;
  }
}

/**
 * Printed cards group digits as 4-4-4-4(-3), 4-6-5 or 4-6-4: when separated, the first group has
 * four digits and the others three to six. WHY: dates (2024-01-15) and phone numbers (555 0199)
 * use shorter groups, and they are the common digit runs in prose.
 */
function groupingIsPlausible(run: GroupRun, first: number, last: number): boolean {
  if (first === last) return true;
  for (let k = first; k <= last; k++) {
    const length = (run.ends[k] ?? 0) - (run.starts[k] ?? 0);
    if (k === first ? length !== 4 : length < 3 || length > 6) return false;
  }
  return true;
}

/** Luhn-valid and inside an issuer range whose lengths include this one. */
export function isCardNumber(digits: string): boolean {
  if (!passesLuhn(digits)) return false;
  return ISSUER_RANGES.some((issuer) => {
    const prefix = Number(digits.slice(0, issuer.digits));
    return prefix >= issuer.from && prefix <= issuer.to && issuer.lengths.includes(digits.length);
  });
}

/** The Luhn (mod 10) check: double every second digit from the right, the sum ends in 0. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let value = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      value *= 2;
      if (value > 9) value -= 9;
    }
    sum += value;
  }
  return sum % 10 === 0;
}

/** ASCII letter, digit or underscore. */
function isWordChar(text: string, i: number): boolean {
  const code = text.charCodeAt(i);
  return (
    (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95
  );
}

function isDigit(text: string, i: number): boolean {
  const code = text.charCodeAt(i);
  return code >= 48 && code <= 57;
}
