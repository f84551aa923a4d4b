// Gate 1 of the three-gate declassification protocol (spec §11.3): a deterministic screen of the
// proposed output for PII, classification-dictionary keywords and similarity to the source text.
// Pure function; the Declassifier (protocol.ts) runs it before gates 2 and 3.

import { normalizeForMatching } from '../../kernel/prefilter/normalize.ts';

export type Gate1FindingKind = 'pii' | 'keyword' | 'similarity' | 'oversized';
export type Gate1Finding = {
  readonly kind: Gate1FindingKind;
  readonly detail: string;
  readonly excerpt?: string;
};
export type Gate1Request = { readonly original: string; readonly proposed: string };
export type Gate1Options = { readonly similarityMax?: number; readonly dictionary?: readonly string[] };
export type Gate1Result = {
  readonly pass: boolean;
  readonly similarity: number;
  readonly findings: Gate1Finding[];
};

/** Similarity above this blocks (spec §11.3: "> 70 %"). */
export const GATE1_SIMILARITY_MAX = 0.7;
/** Either text above this many UTF-8 bytes fails gate 1 unexamined (bounds the work per request). */
export const GATE1_TEXT_BYTES_MAX = 1024 * 1024;
/** Findings past this many are dropped, so an audit record stays bounded. */
export const GATE1_FINDINGS_MAX = 32;

/** Classification markings that must not survive into a declassified text (case-insensitive, whole words). */
export const DEFAULT_CLASSIFICATION_DICTIONARY: readonly string[] = Object.freeze([
  'CONFIDENTIAL',
  'RESTRICTED',
  'INTERNAL ONLY',
  'INTERNAL USE ONLY',
  'SECRET',
  'TOP SECRET',
  'DO NOT DISTRIBUTE',
  'NOT FOR DISTRIBUTION',
  'NOT FOR EXTERNAL DISTRIBUTION',
]);

/**
 * Screens `request.proposed` (the text to be released) for PII and classification keywords, and
 * measures its similarity to `request.original`. Passes only with no findings. Never throws on text input.
 */
export function gate1(request: Gate1Request, options: Gate1Options = {}): Gate1Result {
  const findings: Gate1Finding[] = [];
  for (const [name, text] of [
    ['original', request.original],
    ['proposed', request.proposed],
  ] as const) {
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > GATE1_TEXT_BYTES_MAX) {
      findings.push({
        kind: 'oversized',
        detail: `${name} text is ${bytes} bytes, above ${GATE1_TEXT_BYTES_MAX}`,
      });
    }
  }
  // WHY: similarity 0 when oversized means "not computed"; `pass` is false either way.
  if (findings.length > 0) return { pass: false, similarity: 0, findings };

  const similarityMax = validRatio(options.similarityMax) ?? GATE1_SIMILARITY_MAX;
  const screened = screenForm(request.proposed);
  const found = new Findings(findings);
  for (const detector of PII_DETECTORS) {
    for (const match of screened.matchAll(detector.pattern)) {
      if (detector.valid !== undefined && !detector.valid(match[0])) continue;
      found.add(
        { kind: 'pii', detail: detector.detail, excerpt: detector.mask ? mask(match[0]) : match[0] },
        match[0],
      );
    }
  }
  const dictionary = compileDictionary(options.dictionary ?? DEFAULT_CLASSIFICATION_DICTIONARY);
  if (dictionary !== undefined) {
    for (const match of screened.matchAll(dictionary.pattern)) {
      const keyword = dictionary.entries.get(similarityForm(match[0])) ?? match[0];
      found.add(
        { kind: 'keyword', detail: `classification keyword \`${keyword}\``, excerpt: match[0] },
        keyword,
      );
    }
  }
  const similarity = trigramCosine(request.original, request.proposed);
  if (similarity > similarityMax) {
    found.add({
      kind: 'similarity',
      detail: `similarity ${similarity.toFixed(3)} to the original is above ${similarityMax}`,
    });
  }
  return { pass: findings.length === 0, similarity, findings };
}

/**
 * Cosine similarity (0..1) of the character-trigram count vectors of two texts, in a matching form
 * (the screen form below, lowercased, whitespace runs collapsed to one space, trimmed).
 *
 * WHY: spec §11.3 asks for embedding cosine similarity; MAOS ships no embedding model, so gate 1
 * uses this deterministic stand-in. It catches near-copies and light rewording of the source, not
 * paraphrase; gate 2 (the evaluators) and gate 3 (a human) judge meaning.
 */
export function trigramCosine(a: string, b: string): number {
  const left = similarityForm(a);
  const right = similarityForm(b);
  if (left === right) return 1;
  const countsA = trigrams(left);
  const countsB = trigrams(right);
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (const [gram, count] of countsA) {
    normA += count * count;
    dot += count * (countsB.get(gram) ?? 0);
  }
  for (const count of countsB.values()) normB += count * count;
  if (normA === 0 || normB === 0) return 0;
  return Math.min(1, Math.max(0, dot / (Math.sqrt(normA) * Math.sqrt(normB))));
}

const NON_ASCII = /[\u0080-\uFFFF]/;

/** The form gate 1 screens: the pre-filter's matching normalization, lookalikes folded to Latin. */
function screenForm(text: string): string {
  // WHY: compatibility decomposition, hidden-character removal and lookalike folding mean
  // `ＣＯＮＦＩＤＥＮＴＩＡＬ`, `CONF\u200bIDENTIAL` or a Cyrillic `С` cannot slip past the patterns;
  // the extra \p{Cf} pass drops any other format character. ASCII text needs none of it.
  if (!NON_ASCII.test(text)) return text;
  return normalizeForMatching(text, { foldLookalikes: true }).replace(/\p{Cf}/gu, '');
}

function similarityForm(text: string): string {
  return screenForm(text).toLowerCase().replace(/\s+/g, ' ').trim();
}

function trigrams(text: string): Map<string, number> {
  // WHY: one space of padding each side gives texts of one or two characters a trigram too.
  const padded = ` ${text} `;
  const counts = new Map<string, number>();
  for (let i = 0; i + 3 <= padded.length; i++) {
    const gram = padded.slice(i, i + 3);
    counts.set(gram, (counts.get(gram) ?? 0) + 1);
  }
  return counts;
}

function validRatio(value: number | undefined): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 1 ? value : undefined;
}

/** Collects findings without duplicates, up to GATE1_FINDINGS_MAX. */
class Findings {
  readonly #out: Gate1Finding[];
  readonly #seen = new Set<string>();
  constructor(out: Gate1Finding[]) {
    this.#out = out;
  }
  /** `text` is what was matched (the excerpt may be masked), so distinct values are kept apart. */
  add(finding: Gate1Finding, text = finding.excerpt ?? ''): void {
    const key = `${finding.kind}\u0000${finding.detail}\u0000${text}`;
    if (this.#seen.has(key) || this.#out.length >= GATE1_FINDINGS_MAX) return;
    this.#seen.add(key);
    this.#out.push(finding);
  }
}

/** Keeps the first and last two characters. WHY: the finding goes to the audit log, which must not hold the PII. */
function mask(text: string): string {
  if (text.length <= 6) return '*'.repeat(text.length);
  return `${text.slice(0, 2)}${'*'.repeat(Math.min(text.length - 4, 12))}${text.slice(-2)}`;
}

type PiiDetector = {
  readonly detail: string;
  readonly pattern: RegExp;
  readonly valid?: (match: string) => boolean;
  readonly mask: boolean;
};

// INVARIANT: every quantifier below is bounded or over a class that cannot overlap its neighbour,
// so matching stays linear in the (≤ 1 MiB) input.
const PII_DETECTORS: readonly PiiDetector[] = [
  {
    detail: 'email address',
    pattern: /[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,24}\b/g,
    mask: true,
  },
  {
    // North American shape: (555) 123-4567, 555-123-4567, +1 555.123.4567.
    detail: 'phone number',
    pattern: /(?<![\w+])(?:\+?1[ .-]?)?(?:\(\d{3}\) ?|\d{3}[ .-])\d{3}[ .-]\d{4}(?!\w)/g,
    mask: true,
  },
  {
    // International shape with a leading `+`: +44 20 7946 0958, +49 (0)30 1234567.
    detail: 'phone number',
    pattern: /(?<![\w+])\+\d[\d ().-]{6,22}\d(?!\w)/g,
    valid: (match) => digitCount(match) >= 8 && digitCount(match) <= 15,
    mask: true,
  },
  {
    detail: 'IBAN',
    pattern:
      /(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]{4}){2,7}(?: ?[A-Za-z0-9]{1,3})?(?![A-Za-z0-9])/g,
    valid: ibanInText,
    mask: true,
  },
  {
    detail: 'payment card number',
    pattern: /(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])/g,
    valid: (match) => {
      const digits = match.replace(/\D/g, '');
      return !/^(\d)\1*$/.test(digits) && luhnValid(digits);
    },
    mask: true,
  },
  {
    detail: 'US social security number',
    pattern: /(?<![\d-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\d-])/g,
    mask: true,
  },
  { detail: 'API key (sk-)', pattern: /\bsk-[A-Za-z0-9_-]{20,512}/g, mask: true },
  { detail: 'AWS access key id', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, mask: true },
  {
    detail: 'GitHub token',
    pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})/g,
    mask: true,
  },
  { detail: 'Slack token', pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,255}/g, mask: true },
  { detail: 'Google API key', pattern: /\bAIza[0-9A-Za-z_-]{35}/g, mask: true },
  // WHY: the PEM header names the secret without being it, so it is shown unmasked.
  { detail: 'private key', pattern: /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----/g, mask: false },
];

function digitCount(text: string): number {
  return text.replace(/\D/g, '').length;
}

/** True when the whole candidate, or a prefix of it cut at a space, is a valid IBAN. */
function ibanInText(match: string): boolean {
  // WHY: the grouped form may swallow a following 4-character word or number (`BE68 5390 0754 7034
  // 2024`), so each space-delimited prefix is tried as well.
  const cuts = [match.length];
  for (let i = match.lastIndexOf(' '); i > 0; i = match.lastIndexOf(' ', i - 1)) cuts.push(i);
  return cuts.some((cut) => ibanValid(match.slice(0, cut)));
}

/** ISO 13616 check: length 15–34, moved-to-the-end country and check digits, mod 97 equals 1. */
export function ibanValid(candidate: string): boolean {
  const iban = candidate.replace(/ /g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban)) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const char of rearranged) {
    const code = char.charCodeAt(0);
    const value = code >= 65 ? code - 55 : code - 48;
    remainder = value >= 10 ? (remainder * 100 + value) % 97 : (remainder * 10 + value) % 97;
  }
  return remainder === 1;
}

/** Luhn checksum over a string of digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return digits.length > 0 && sum % 10 === 0;
}

type CompiledDictionary = { readonly pattern: RegExp; readonly entries: ReadonlyMap<string, string> };

// WHY: compiled per call, not cached by array identity: a caller may mutate its dictionary array.
function compileDictionary(dictionary: readonly string[]): CompiledDictionary | undefined {
  const entries = new Map<string, string>();
  for (const entry of dictionary) {
    if (typeof entry !== 'string') continue;
    const key = similarityForm(entry);
    if (key !== '' && !entries.has(key)) entries.set(key, entry.trim());
  }
  // WHY: longest first, so `TOP SECRET` is reported rather than its tail `SECRET`.
  const alternatives = [...entries.keys()]
    .sort((x, y) => y.length - x.length)
    .map((key) => key.split(' ').map(escapeRegExp).join('\\s+'));
  if (alternatives.length === 0) return undefined;
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}_])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}_])`, 'giu');
  return { pattern, entries };
}

function escapeRegExp(text: string): string {
  // WHY: no `-` here; with the `u` flag only syntax characters may be escaped.
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}
