// Base64-instruction detector: runs of base64 or base64url, decoded, and when the bytes are mostly
// printable text, matched against the injection signatures ("aWdub3Jl..." hides "ignore ...").
// Work is bounded: runs are found by a strided scan, and decoding is capped per string.

import { type Detection, SCORES } from './finding.ts';
import { findHomoglyph } from './homoglyph.ts';
import { normalizeForMatching } from './normalize.ts';
import { escapeForDisplay } from './sample.ts';
import { SCAN_LIMITS } from './scan-limits.ts';
import type { SignatureSet } from './signatures.ts';

const ALPHABET = new Uint8Array(128);
for (const char of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_') {
  ALPHABET[char.charCodeAt(0)] = 1;
}

function inAlphabet(code: number): boolean {
  return code < 128 && ALPHABET[code] === 1;
}

const HEX_ONLY = /^[0-9a-fA-F-]+$/;
const NON_ASCII = /[\u0080-\uFFFF]/;
/** Share of unprintable characters above which decoded bytes are data, not text. */
const UNPRINTABLE_RATIO_MAX = 0.1;
/** Decoded text shorter than this cannot hold a signature worth the name. */
const DECODED_CHARS_MIN = 12;

export type Base64Run = { readonly start: number; readonly end: number };

/**
 * Finds runs of at least `SCAN_LIMITS.base64RunCharsMin` base64 characters, padding included. A
 * run wrapped over lines (MIME style, each full line a multiple of 4) is one run.
 */
export function findBase64Runs(text: string): Base64Run[] {
  const runs: Base64Run[] = [];
  const min = SCAN_LIMITS.base64RunCharsMin;
  // INVARIANT: any run of `min` characters starting at or after the scan point covers one probed
  // index, because probes are `min` apart and the first is `min - 1` past the scan point.
  let probe = min - 1;
  while (probe < text.length && runs.length < SCAN_LIMITS.base64RunsMax) {
    if (!inAlphabet(text.charCodeAt(probe))) {
      probe += min;
      continue;
    }
    let start = probe;
    while (start > 0 && inAlphabet(text.charCodeAt(start - 1))) start -= 1;
    let end = probe + 1;
    while (end < text.length && inAlphabet(text.charCodeAt(end))) end += 1;
    // WHY: the common case, a word of prose, is settled here without the padding and
    // line-wrapping logic, which only a long run or a full line before a line break needs.
    const lineBreak = text.charCodeAt(end) === 0x0a || text.charCodeAt(end) === 0x0d;
    if (end - start >= min || (lineBreak && (end - start) % 4 === 0)) {
      end = extendRun(text, start);
      if (end - start >= min) runs.push({ start, end });
    }
    probe = end + min - 1;
  }
  return runs;
}

function extendRun(text: string, from: number): number {
  let end = from;
  for (;;) {
    const lineStart = end;
    while (end < text.length && inAlphabet(text.charCodeAt(end))) end += 1;
    let padded = end;
    while (padded < text.length && padded - end < 2 && text.charCodeAt(padded) === 0x3d) padded += 1;
    if (padded > end) return padded;
    const newline = text.startsWith('\r\n', end) ? 2 : text.charCodeAt(end) === 0x0a ? 1 : 0;
    const fullLine = end - lineStart > 0 && (end - lineStart) % 4 === 0;
    if (newline === 0 || !fullLine || !inAlphabet(text.charCodeAt(end + newline))) return end;
    end += newline;
  }
}

/** Reports the first base64 run in `text` that decodes to text matching a signature. */
export function findBase64Instruction(text: string, signatures: SignatureSet): Detection | undefined {
  let budget = SCAN_LIMITS.base64CharsMax;
  for (const run of findBase64Runs(text)) {
    if (budget <= 0) return undefined;
    const chunk = text.slice(run.start, Math.min(run.end, run.start + budget));
    budget -= chunk.length;
    if (HEX_ONLY.test(chunk)) continue; // Digests and UUIDs: hex never encodes text worth reading.
    const hit = matchDecoded(chunk, signatures);
    if (hit !== undefined) return { score: SCORES.block, sample: `decodes to "${escapeForDisplay(hit)}"` };
  }
  return undefined;
}

function matchDecoded(chunk: string, signatures: SignatureSet): string | undefined {
  // WHY: a run may start mid-quantum (a `/` of a URL path glued to it); one of four alignments is right.
  for (let offset = 0; offset < 4; offset++) {
    if (chunk.length - offset < SCAN_LIMITS.base64RunCharsMin) return undefined;
    if (!mayEncodeText(chunk, offset)) continue;
    const decoded = decodePrintable(chunk.slice(offset));
    if (decoded === undefined) continue;
    const foldLookalikes = NON_ASCII.test(decoded) && findHomoglyph(decoded) !== undefined;
    const text = NON_ASCII.test(decoded) ? normalizeForMatching(decoded, { foldLookalikes }) : decoded;
    return signatures.find(text)[0]?.text;
  }
  return undefined;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64URL_EXTRA: Readonly<Record<string, number>> = { '-': 62, _: 63 };

/**
 * For a byte in 0x20–0x7F at each position of a 3-byte group, the set of base64 characters it can
 * produce: the first character carries the byte's top six bits (8–31); the second, the low two
 * bits of the first byte and the top four of the second (4 bits in 2–7); the third, the low four
 * bits of the second byte and the top two of the third (0 or 1). Each depends on one byte only.
 */
const TEXT_LIKE: readonly [Uint8Array, Uint8Array, Uint8Array] = [
  indexSet((i) => i >= 8 && i <= 31),
  indexSet((i) => (i & 15) >= 2 && (i & 15) <= 7),
  indexSet((i) => (i & 3) <= 1),
];

function indexSet(member: (index: number) => boolean): Uint8Array {
  const set = new Uint8Array(128);
  for (let i = 0; i < 64; i++) if (member(i)) set[B64.charCodeAt(i)] = 1;
  for (const [char, index] of Object.entries(B64URL_EXTRA)) if (member(index)) set[char.charCodeAt(0)] = 1;
  return set;
}

/**
 * A cheap necessary condition for "decodes to text a signature can match", checked before decoding.
 * The first three characters of each quantum each fall in a known set when the byte behind them is
 * ASCII (TEXT_LIKE), so the share of characters in their set estimates the share of ASCII bytes.
 * Text the signatures can match is mostly ASCII; a file path or identifier (the common run of
 * base64-alphabet characters in intents) scores about a third and is skipped without decoding.
 */
export function mayEncodeText(chunk: string, offset: number): boolean {
  let tested = 0;
  let textLike = 0;
  let position = 0;
  for (let i = offset; i < chunk.length; i++) {
    const code = chunk.charCodeAt(i);
    // Line breaks of wrapped base64 are not part of any quantum.
    if (code === 0x0a || code === 0x0d) continue;
    const place = position & 3;
    position += 1;
    if (place === 3) continue;
    tested += 1;
    textLike += TEXT_LIKE[place as 0 | 1 | 2][code & 127] ?? 0;
  }
  // WHY: a half, not all: each two-byte lookalike letter puts two bytes out of range, so English
  // with up to ~30 % of its letters swapped for Cyrillic or Greek ones still passes.
  return textLike * 2 >= tested;
}

/** The decoded text, or undefined when the bytes are mostly not printable UTF-8. */
export function decodePrintable(base64: string): string | undefined {
  const text = Buffer.from(base64, 'base64').toString('utf8');
  if (text.length < DECODED_CHARS_MIN) return undefined;
  let unprintable = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const control = code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d;
    if (control || (code >= 0x7f && code <= 0x9f) || code === 0xfffd) unprintable += 1;
  }
  return unprintable > text.length * UNPRINTABLE_RATIO_MAX ? undefined : text;
}
