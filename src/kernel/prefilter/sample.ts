// Display helpers for pre-filter findings: a sample is a short, single-line excerpt safe to put in
// an audit record or a console, with invisible and control characters spelled out as `\u{…}`.

import { SCAN_LIMITS } from './scan-limits.ts';

// WHY: a sample of a Trojan Source attack must not itself reorder the audit log it lands in, so
// every control, format, separator, private-use and variation-selector code point is escaped.
const UNSAFE = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}\p{Zl}\p{Zp}\p{Variation_Selector}]/u;

/** Escapes unsafe code points as `\u{XXXX}` and truncates to about `charsMax` characters (adds `…`). */
export function escapeForDisplay(text: string, charsMax: number = SCAN_LIMITS.sampleCharsMax): string {
  let out = '';
  let shown = 0;
  for (const char of text) {
    if (shown >= charsMax) return `${out}…`;
    if (UNSAFE.test(char)) {
      const cp = char.codePointAt(0) ?? 0;
      out += `\\u{${cp.toString(16).toUpperCase().padStart(4, '0')}}`;
    } else {
      out += char;
    }
    shown += 1;
  }
  return out;
}

/** The escaped excerpt of `text` around `[start, end)`, with a little context before it. */
export function sampleAround(text: string, start: number, end: number, contextChars = 16): string {
  const from = Math.max(0, start - contextChars);
  const to = Math.min(text.length, Math.max(end, from + SCAN_LIMITS.sampleCharsMax) + 1);
  const prefix = from > 0 ? '…' : '';
  return prefix + escapeForDisplay(text.slice(from, to));
}
