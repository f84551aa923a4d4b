// Scans one string: normalise, run every detector, resolve overlaps, map spans back to the
// original string and build its redacted form. The payload walker calls it for every key,
// string and number; it is also exported on its own for callers holding plain text.

import { findCardNumbers } from './card.ts';
import { findCredentials, findCredentialUnderKey } from './credentials.ts';
import { findEmails } from './email.ts';
import { findIbans } from './iban.ts';
import { findJwts } from './jwt.ts';
import { type Detection, type DlpKind, redactionMarker } from './kinds.ts';
import { normalizeForDlp, originalRange } from './normalize.ts';
import { findSecrets } from './secrets.ts';

/** A detection in the original string: `[start, end)` in UTF-16 code units. */
export type TextFinding = Detection;

export type TextScan = {
  /** Every detection left after dropping those inside another, in order of position. */
  readonly findings: readonly TextFinding[];
  /** `text` with each detected span replaced by `[REDACTED:<kind>]`; `text` itself when clean. */
  readonly redacted: string;
};

/** Kinds recognised by context rather than shape: a shaped detection on the same span wins. */
const GENERIC: ReadonlySet<DlpKind> = new Set(['credential-assignment', 'high-entropy-secret']);

/** Rescans of a redacted string before giving up and redacting all of it. */
const REDACTION_PASSES_MAX = 2;

/**
 * Scans `text`. `key`, when given, is the object key the string is the value of: a
 * credential-named key (`password`, `apiKey`) makes the whole value a finding.
 *
 * INVARIANT: scanning `redacted` again (with the same key) finds nothing. Redaction maps spans
 * back through normalisation at segment granularity, then the result is rescanned: a replacement
 * can uncover more (a card glued to an address, `ada@example.com4111…`, or a key word brought
 * near a random string), which is redacted too without being listed in `findings`. If two
 * rescans still find something, the whole string becomes one marker.
 */
export function scanText(text: string, key?: string): TextScan {
  // WHY once here: every pass below looks at the same key.
  const normalKey = key === undefined ? undefined : normalizeForDlp(key).text;
  const findings = detect(text, normalKey);
  if (findings.length === 0) return { findings, redacted: text };
  let redacted = redact(text, findings);
  for (let pass = 0; pass < REDACTION_PASSES_MAX; pass++) {
    const again = detect(redacted, normalKey);
    if (again.length === 0) return { findings, redacted };
    redacted = redact(redacted, again);
  }
  const first = findings[0]?.kind ?? 'oversized';
  return { findings, redacted: detect(redacted, normalKey).length === 0 ? redacted : redactionMarker(first) };
}

/** Detections in `text`, mapped back to it; `normalKey` is the object key, already normalised. */
function detect(text: string, normalKey: string | undefined): TextFinding[] {
  const normal = normalizeForDlp(text);
  const all = detectNormalized(normal.text, normalKey);
  if (all.length === 0) return all;
  return resolveOverlaps(all).map((found) => {
    const [start, end] = originalRange(normal, found.start, found.end);
    return { kind: found.kind, start, end };
  });
}

function detectNormalized(text: string, key: string | undefined): Detection[] {
  const out = [
    ...findSecrets(text),
    ...findJwts(text),
    ...findCredentials(text),
    ...findEmails(text),
    ...findIbans(text),
    ...findCardNumbers(text),
  ];
  const underKey = key === undefined ? undefined : findCredentialUnderKey(key, text);
  if (underKey !== undefined) out.push(underKey);
  return out;
}

/**
 * Drops every detection lying inside another one (a token inside a `token: …` assignment, an
 * e-mail address inside a private key block); on equal spans the shaped kind is kept.
 */
function resolveOverlaps(all: Detection[]): Detection[] {
  const sorted = all.toSorted(
    (a, b) => a.start - b.start || b.end - a.end || Number(GENERIC.has(a.kind)) - Number(GENERIC.has(b.kind)),
  );
  const kept: Detection[] = [];
  let reach = -1;
  for (const found of sorted) {
    if (found.end <= reach) continue;
    kept.push(found);
    reach = found.end;
  }
  return kept;
}

/** Replaces each span (overlapping spans merged, the first one's kind named) with its marker. */
function redact(text: string, findings: readonly TextFinding[]): string {
  const sorted = findings.toSorted((a, b) => a.start - b.start || b.end - a.end);
  const parts: string[] = [];
  let cursor = 0;
  let index = 0;
  while (index < sorted.length) {
    const first = sorted[index];
    if (first === undefined) break;
    let end = first.end;
    index++;
    for (let next = sorted[index]; next !== undefined && next.start < end; next = sorted[index]) {
      end = Math.max(end, next.end);
      index++;
    }
    parts.push(text.slice(cursor, Math.max(cursor, first.start)), redactionMarker(first.kind));
    cursor = Math.max(cursor, end);
  }
  parts.push(text.slice(cursor));
  return parts.join('');
}
