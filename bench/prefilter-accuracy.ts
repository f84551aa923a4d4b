// Pre-filter accuracy (DSC check 7): runs the default policy's pre-filter over a labelled set of
// injection and benign texts (bench/data/prefilter-labelled.jsonl, described in bench/data/README.md),
// screened the way the MCP gateway screens a tool's output, and reports precision and recall.
// Measured, never asserted. `node bench/prefilter-accuracy.ts [file] [--split dev|holdout] [--errors]`
// prints one JSON line per family, then one summary line per threshold.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonObject } from '../src/kernel/intent.ts';
import { compilePrefilter, type PrefilterTarget } from '../src/kernel/prefilter/index.ts';
import { ConfigSchema } from '../src/runtime/config-schema.ts';

export const DEFAULT_DATASET = join(import.meta.dirname, 'data', 'prefilter-labelled.jsonl');

export type Label = 'injection' | 'benign';
export type LabelledText = {
  readonly id: string;
  readonly label: Label;
  readonly family: string;
  readonly source: string;
  readonly text: string;
};

/** What "flagged" means: the verdict is deny, or it is deny or escalate. */
export type Threshold = 'deny' | 'escalate';
/**
 * `holdout` is every text whose id number ends in 0, 3 or 6 (about 30%), fixed before any change
 * to the signatures was measured; `dev` is the rest. Numbers on `holdout` show overfitting.
 */
export type Split = 'all' | 'dev' | 'holdout';

export type Outcome = LabelledText & {
  readonly verdict: 'allow' | 'escalate' | 'deny';
  readonly score: number;
  readonly kinds: readonly string[];
};

export type FamilyLine = {
  readonly family: string;
  readonly label: Label;
  readonly n: number;
  /** How many were flagged at each threshold. */
  readonly flagged: { readonly deny: number; readonly escalate: number };
};

export type Summary = {
  readonly suite: 'prefilter-accuracy';
  readonly split?: Split;
  readonly injections: number;
  readonly benign: number;
  readonly threshold: Threshold;
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly tn: number;
  /** tp / (tp + fp); 0 when nothing was flagged. */
  readonly precision: number;
  /** tp / (tp + fn); 0 when there are no injections. */
  readonly recall: number;
  /** Harmonic mean of precision and recall; 0 when both are 0. */
  readonly f1: number;
  /** (tp + tn) / all: a false positive costs as much as a miss. */
  readonly accuracy: number;
};

export type AccuracyOptions = { readonly split?: Split };

/** Reads and validates the JSONL dataset; throws naming the first bad line. */
export function loadLabelled(path: string = DEFAULT_DATASET): LabelledText[] {
  const out: LabelledText[] = [];
  const lines = readFileSync(path, 'utf8').split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const row = JSON.parse(line) as Record<string, unknown>;
    const { id, label, family, source, text } = row;
    if (
      typeof id !== 'string' ||
      (label !== 'injection' && label !== 'benign') ||
      typeof family !== 'string' ||
      typeof source !== 'string' ||
      typeof text !== 'string'
    ) {
      throw new Error(`${path}:${i + 1}: expected {id, label, family, source, text}`);
    }
    out.push({ id, label, family, source, text });
  });
  return out;
}

/** Whether `id` (e.g. `inj-023`) is in the held-out third: its number ends in 0, 3 or 6. */
export function isHeldOut(id: string): boolean {
  const last = id.at(-1);
  return last === '0' || last === '3' || last === '6';
}

function inSplit(item: LabelledText, split: Split): boolean {
  if (split === 'all') return true;
  return isHeldOut(item.id) === (split === 'holdout');
}

/**
 * The target the MCP gateway screens for a tool's output (mcp/output-screen.ts): the tool's
 * action and resource, and the result's text content under `args.output`.
 */
export function toolOutputTarget(text: string): PrefilterTarget {
  const output: JsonObject = { content: [{ type: 'text', text }] };
  return { action: 'mcp.corpus.read', resource: 'mcp:/corpus/read', args: { output } };
}

/** Scans every text (of `split`) with the default policy's pre-filter and its thresholds. */
export function scanLabelled(path: string = DEFAULT_DATASET, options: AccuracyOptions = {}): Outcome[] {
  const policy = ConfigSchema.shape.prefilter.parse(undefined);
  const prefilter = compilePrefilter(policy);
  const split = options.split ?? 'all';
  return loadLabelled(path)
    .filter((item) => inSplit(item, split))
    .map((item) => {
      const { score, findings } = prefilter.scan(toolOutputTarget(item.text));
      const verdict =
        score >= policy.blockScore ? 'deny' : score >= policy.escalateScore ? 'escalate' : 'allow';
      const kinds = findings.map((f) => (f.kind === 'injection' ? `injection:${f.sample}` : f.kind));
      return { ...item, verdict, score, kinds };
    });
}

export function isFlagged(outcome: Outcome, threshold: Threshold): boolean {
  return outcome.verdict === 'deny' || (threshold === 'escalate' && outcome.verdict === 'escalate');
}

/** Per family, in first-seen order: how many texts, how many flagged at each threshold. */
export function familyLines(outcomes: readonly Outcome[]): FamilyLine[] {
  const byFamily = new Map<string, { label: Label; n: number; deny: number; escalate: number }>();
  for (const o of outcomes) {
    const key = `${o.label}/${o.family}`;
    const line = byFamily.get(key) ?? { label: o.label, n: 0, deny: 0, escalate: 0 };
    line.n += 1;
    if (isFlagged(o, 'deny')) line.deny += 1;
    if (isFlagged(o, 'escalate')) line.escalate += 1;
    byFamily.set(key, line);
  }
  return [...byFamily].map(([key, { label, n, deny, escalate }]) => ({
    family: key.slice(label.length + 1),
    label,
    n,
    flagged: { deny, escalate },
  }));
}

const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);

export function summarize(outcomes: readonly Outcome[], threshold: Threshold, split: Split = 'all'): Summary {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (const o of outcomes) {
    const flagged = isFlagged(o, threshold);
    if (o.label === 'injection') flagged ? tp++ : fn++;
    else flagged ? fp++ : tn++;
  }
  const precision = ratio(tp, tp + fp);
  const recall = ratio(tp, tp + fn);
  return {
    suite: 'prefilter-accuracy',
    ...(split === 'all' ? {} : { split }),
    injections: tp + fn,
    benign: fp + tn,
    threshold,
    tp,
    fp,
    fn,
    tn,
    precision,
    recall,
    f1: ratio(2 * precision * recall, precision + recall),
    accuracy: ratio(tp + tn, tp + fp + fn + tn),
  };
}

/** The summaries at both thresholds, `deny` first. */
export function prefilterAccuracy(path: string = DEFAULT_DATASET, options: AccuracyOptions = {}): Summary[] {
  const outcomes = scanLabelled(path, options);
  const split = options.split ?? 'all';
  return [summarize(outcomes, 'deny', split), summarize(outcomes, 'escalate', split)];
}

function rounded(summary: Summary): Summary {
  const r = (x: number): number => Math.round(x * 10_000) / 10_000;
  const { precision, recall, f1, accuracy } = summary;
  return { ...summary, precision: r(precision), recall: r(recall), f1: r(f1), accuracy: r(accuracy) };
}

function main(argv: readonly string[]): void {
  let path = DEFAULT_DATASET;
  let split: Split = 'all';
  let errors = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--errors') errors = true;
    else if (arg === '--split') {
      const value = argv[++i];
      if (value !== 'all' && value !== 'dev' && value !== 'holdout') {
        throw new Error('--split takes all, dev or holdout');
      }
      split = value;
    } else path = arg;
  }
  const outcomes = scanLabelled(path, { split });
  for (const line of familyLines(outcomes)) console.log(JSON.stringify(line));
  if (errors) {
    // A miss is an injection not even escalated; a false positive is a benign text at least escalated.
    for (const o of outcomes) {
      const wrong = o.label === 'injection' ? !isFlagged(o, 'escalate') : isFlagged(o, 'escalate');
      if (!wrong) continue;
      console.log(
        JSON.stringify({
          error: o.label === 'injection' ? 'miss' : 'false-positive',
          id: o.id,
          family: o.family,
          verdict: o.verdict,
          score: o.score,
          kinds: o.kinds,
        }),
      );
    }
  }
  for (const threshold of ['deny', 'escalate'] as const) {
    console.log(JSON.stringify(rounded(summarize(outcomes, threshold, split))));
  }
}

if (import.meta.main) main(process.argv.slice(2));
