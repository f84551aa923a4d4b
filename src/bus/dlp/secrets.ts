// Detectors for credentials with a recognisable shape: private key blocks, AWS key ids and
// secret keys, GitHub, Slack, Stripe and Google API tokens. Each pattern starts at a fixed prefix
// and has bounded quantifiers, so matching stays linear in the text.

import type { Detection, DlpKind } from './kinds.ts';

/** `gate` is a cheap non-global test that must pass before the global pattern runs. */
type Pattern = { readonly kind: DlpKind; readonly gate: RegExp; readonly re: RegExp };

// WHY the look-arounds: a token glued to other word characters is part of something longer
// (a hash, a base64 blob), and anchoring at the start of a run keeps the regex linear.
const PREFIXED: readonly Pattern[] = [
  {
    kind: 'aws-access-key-id',
    gate: /A[KS]IA/,
    re: /(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])/g,
  },
  {
    kind: 'github-token',
    gate: /gh[pousr]_|github_pat_/,
    re: /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})(?![A-Za-z0-9_])/g,
  },
  {
    kind: 'slack-token',
    gate: /xox[abprs]-/,
    re: /(?<![A-Za-z0-9])xox[abprs]-[0-9]{1,20}-[A-Za-z0-9-]{6,250}/g,
  },
  {
    kind: 'stripe-key',
    gate: /k_(?:live|test)_/,
    re: /(?<![A-Za-z0-9])[rs]k_(?:live|test)_[A-Za-z0-9]{16,247}(?![A-Za-z0-9])/g,
  },
  { kind: 'google-api-key', gate: /AIza/, re: /(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])/g },
];

/** The secret key only counts beside its name, as in `~/.aws/credentials`, env files and JSON. */
const AWS_SECRET =
  /(?<![A-Za-z0-9])(?:aws_?)?secret_?access_?key["']?\s{0,8}(?:=|:|=>)\s{0,8}["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/dgi;

const PEM_BEGIN = /-----BEGIN[ A-Z0-9]{0,40} PRIVATE KEY(?: BLOCK)?-----/g;
const PEM_END_SOURCE = '-----END[ A-Z0-9]{0,40} PRIVATE KEY(?: BLOCK)?-----';

/** Finds the token-shaped secrets in `text` (already normalised). */
export function findSecrets(text: string): Detection[] {
  const out: Detection[] = [];
  for (const { kind, gate, re } of PREFIXED) {
    if (!gate.test(text)) continue;
    for (const match of text.matchAll(re)) {
      out.push({ kind, start: match.index, end: match.index + match[0].length });
    }
  }
  for (const match of /secret/i.test(text) ? text.matchAll(AWS_SECRET) : []) {
    const value = match.indices?.[1];
    if (value !== undefined) out.push({ kind: 'aws-secret-access-key', start: value[0], end: value[1] });
  }
  findPrivateKeys(text, out);
  return out;
}

/**
 * A private key block spans from its BEGIN line to the matching END line. A block without END (a
 * truncated key still leaks key material) spans the base64 and header lines that follow BEGIN.
 */
function findPrivateKeys(text: string, out: Detection[]): void {
  if (!text.includes('PRIVATE KEY')) return;
  const begin = new RegExp(PEM_BEGIN.source, 'g');
  const end = new RegExp(PEM_END_SOURCE, 'g');
  // INVARIANT: once no END follows some position, none follows a later one, so END is searched
  // again only when the last one found lies behind: the whole scan stays linear.
  let close: RegExpExecArray | null = null;
  let endsLeft = true;
  let match = begin.exec(text);
  while (match !== null) {
    const from = match.index + match[0].length;
    if (endsLeft && (close === null || close.index < from)) {
      end.lastIndex = from;
      close = end.exec(text);
      endsLeft = close !== null;
    }
    const stop = close === null ? bodyEnd(text, from) : close.index + close[0].length;
    out.push({ kind: 'private-key', start: match.index, end: stop });
    begin.lastIndex = stop;
    match = begin.exec(text);
  }
}

/** Whitespace (or an escaped line break), then a base64 word or an RFC 1421 header line. */
const BODY_PART = /(?:\s|\\[nr])*(?:[A-Z][A-Za-z-]{1,30}: [^\n]{0,200}|([A-Za-z0-9+/=]+))/y;

/**
 * End of the key material after an unterminated BEGIN line: words of base64 that look like key
 * material (16 or more characters, or holding a digit, `+`, `/` or `=`) and header lines.
 * WHY the word test: prose after a pasted key ("that was it") stops the block.
 */
function bodyEnd(text: string, from: number): number {
  const part = new RegExp(BODY_PART.source, 'y');
  let stop = from;
  part.lastIndex = from;
  for (let match = part.exec(text); match !== null; match = part.exec(text)) {
    const word = match[1];
    if (word !== undefined && word.length < 16 && !/[0-9+/=]/.test(word)) break;
    stop = part.lastIndex;
  }
  return stop;
}
