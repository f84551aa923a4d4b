// The structural pre-filter behind DSC check 7 (§15.3): compiled once from the policy, it scans an
// intent's resource and every string and object key in its args for known attack shapes and
// returns scored findings. Deterministic, no LLM, bounded work per string and per intent.

import { ERROR_CODES, KernelError } from '../../shared/index.ts';
import type { JsonObject } from '../intent.ts';
import { LIMITS } from '../limits.ts';
import type { PrefilterPolicy } from '../policy.ts';
import { findBase64Instruction } from './base64.ts';
import { BIDI_TRIGGER, findBidi } from './bidi.ts';
import {
  type Detection,
  type PrefilterFinding,
  type PrefilterFindingKind,
  type PrefilterResult,
  SCORES,
} from './finding.ts';
import { findHomoglyph, HOMOGLYPH_TRIGGER } from './homoglyph.ts';
import { findInvisible, INVISIBLE_TRIGGER } from './invisible.ts';
import { childPath, type PathNode, renderPath, rootPath } from './json-path.ts';
import { HIDDEN_TRIGGER, normalizeForMatching } from './normalize.ts';
import { escapeForDisplay } from './sample.ts';
import { SCAN_LIMITS } from './scan-limits.ts';
import { compileSignatures, type SignatureSet } from './signatures.ts';

// WHY: one pass decides whether any Unicode detector or the hidden-character removal has work:
// most non-ASCII text (curly quotes, accents, emoji, CJK) holds none of these code units.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range starts at U+0000.
const NON_ASCII = /[^\u0000-\u007f]/;
const UNICODE_TRIGGER = new RegExp(
  `[${INVISIBLE_TRIGGER}${BIDI_TRIGGER}${HIDDEN_TRIGGER}${HOMOGLYPH_TRIGGER}]`,
);

/** The parts of an intent the pre-filter reads. */
export type PrefilterTarget = {
  readonly action: string;
  readonly resource: string;
  readonly args: JsonObject;
};

export interface Prefilter {
  /** Scores `target`. Deterministic, and total: it does not throw on any JSON value. */
  scan(target: PrefilterTarget): PrefilterResult;
}

/**
 * Validates the policy and compiles every regular expression once. Throws `KernelError`
 * (`CONFIG_INVALID`) for bad bounds or thresholds and for an extra signature that does not
 * compile, matches the empty string or can backtrack catastrophically (named in backticks).
 */
export function compilePrefilter(policy: PrefilterPolicy): Prefilter {
  validatePolicy(policy);
  const scanner = new Scanner(compileSignatures(policy.signatures), policy.fieldBytesMax);
  return {
    scan(target: PrefilterTarget): PrefilterResult {
      const out = new FindingList();
      // WHY: `action` is not scanned. The intent schema already limits it to `[A-Za-z0-9_.:-]`,
      // and policy, not content, names actions.
      scanner.scanString(target.resource, rootPath('resource'), out);
      scanner.walk(target.args, out);
      return out.result();
    },
  };
}

function validatePolicy(policy: PrefilterPolicy): void {
  const invalid = (what: string): KernelError =>
    new KernelError(ERROR_CODES.CONFIG_INVALID, `invalid pre-filter policy: ${what}`);
  const { fieldBytesMax, blockScore, escalateScore } = policy;
  if (!Number.isSafeInteger(fieldBytesMax) || fieldBytesMax < 1 || fieldBytesMax > LIMITS.fieldBytesMax) {
    throw invalid(`\`fieldBytesMax\` must be an integer from 1 to ${LIMITS.fieldBytesMax}`);
  }
  if (!Number.isFinite(blockScore) || blockScore <= 0)
    throw invalid('`blockScore` must be a positive number');
  if (!Number.isFinite(escalateScore) || escalateScore <= 0) {
    throw invalid('`escalateScore` must be a positive number');
  }
  if (escalateScore > blockScore) throw invalid('`escalateScore` must not exceed `blockScore`');
}

class FindingList {
  private score = 0;
  private readonly findings: PrefilterFinding[] = [];

  add(kind: PrefilterFindingKind, path: PathNode, detection: Detection): void {
    this.score += detection.score;
    if (this.findings.length >= SCAN_LIMITS.findingsMax) return;
    this.findings.push({ kind, path: renderPath(path), score: detection.score, sample: detection.sample });
  }

  result(): PrefilterResult {
    return { score: this.score, findings: this.findings };
  }
}

type Pending = { readonly value: unknown; readonly path: PathNode; readonly depth: number };

class Scanner {
  private readonly signatures: SignatureSet;
  private readonly fieldBytesMax: number;

  constructor(signatures: SignatureSet, fieldBytesMax: number) {
    this.signatures = signatures;
    this.fieldBytesMax = fieldBytesMax;
  }

  /** Walks `args` depth first without recursion, scanning every key and string value. */
  walk(args: JsonObject, out: FindingList): void {
    const stack: Pending[] = [{ value: args, path: rootPath('args'), depth: 0 }];
    let visited = 0;
    while (stack.length > 0) {
      const item = stack.pop();
      if (item === undefined) break;
      const { value, path, depth } = item;
      visited += 1;
      if (visited > SCAN_LIMITS.valuesMax) {
        out.add('oversized', path, {
          score: SCORES.block,
          sample: `more than ${SCAN_LIMITS.valuesMax} values`,
        });
        return;
      }
      if (typeof value === 'string') {
        this.scanString(value, path, out);
      } else if (typeof value === 'object' && value !== null) {
        if (depth >= SCAN_LIMITS.depthMax) {
          out.add('oversized', path, { score: SCORES.block, sample: `nested deeper than ${depth} levels` });
        } else {
          this.expand(value, path, depth + 1, stack, out);
        }
      }
    }
  }

  private expand(value: object, path: PathNode, depth: number, stack: Pending[], out: FindingList): void {
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--)
        stack.push({ value: value[i], path: childPath(path, i), depth });
      return;
    }
    const record = value as Readonly<Record<string, unknown>>;
    const keys = Object.keys(record);
    const paths = keys.map((key) => childPath(path, key));
    for (let i = 0; i < keys.length; i++) this.scanString(keys[i] ?? '', paths[i] ?? path, out);
    for (let i = keys.length - 1; i >= 0; i--) {
      stack.push({ value: record[keys[i] ?? ''], path: paths[i] ?? path, depth });
    }
  }

  /** Runs every detector on one string (a value, a key or the resource). */
  scanString(value: string, path: PathNode, out: FindingList): void {
    // WHY: a UTF-16 unit is at most 3 UTF-8 bytes, so a short string needs no byte count at all.
    const ascii = !NON_ASCII.test(value);
    const bytes = ascii
      ? value.length
      : value.length * 3 <= this.fieldBytesMax
        ? -1
        : Buffer.byteLength(value, 'utf8');
    let text = value;
    if (bytes > this.fieldBytesMax) {
      const sample = `${bytes} bytes, more than ${this.fieldBytesMax}`;
      out.add('oversized', path, { score: SCORES.block, sample });
      // INVARIANT: only a bounded prefix of an oversized string is scanned any further.
      text = value.slice(0, this.fieldBytesMax);
    }
    // WHY: the fast path. ASCII text (one byte per character) has no invisible, bidi or
    // lookalike characters and needs no normalization: only the signatures and base64 remain.
    const triggered = !ascii && UNICODE_TRIGGER.test(text);
    const mixedScripts = triggered && this.scanUnicode(text, path, out);
    const normalized = ascii
      ? text
      : normalizeForMatching(text, { foldLookalikes: mixedScripts, hidden: triggered });
    for (const hit of this.signatures.find(normalized)) {
      out.add('injection', path, { score: SCORES.block, sample: escapeForDisplay(hit.text) });
    }
    const encoded = findBase64Instruction(text, this.signatures);
    if (encoded !== undefined) out.add('base64-instruction', path, encoded);
  }

  /** The detectors only non-ASCII text needs. Returns true when a word mixes scripts. */
  private scanUnicode(text: string, path: PathNode, out: FindingList): boolean {
    for (const detection of findInvisible(text)) out.add('invisible', path, detection);
    const bidi = findBidi(text);
    if (bidi !== undefined) out.add('bidi', path, bidi);
    const homoglyph = findHomoglyph(text);
    if (homoglyph !== undefined) out.add('homoglyph', path, homoglyph);
    return homoglyph !== undefined;
  }
}
