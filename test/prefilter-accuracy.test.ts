// The pre-filter accuracy set and its scorer (bench/prefilter-accuracy.ts): the dataset is well
// formed (enough texts of each label, unique ids, a named source on every line, bounded texts) and
// the summaries' counts and ratios agree. Accuracy itself is measured, never asserted here.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  familyLines,
  isHeldOut,
  loadLabelled,
  prefilterAccuracy,
  type Summary,
  scanLabelled,
  summarize,
} from '../bench/prefilter-accuracy.ts';

const LABEL_MIN = 200;
const TEXT_BYTES_MAX = 8 * 1024;

const DATA = loadLabelled();

test('the labelled set has at least 200 injection and 200 benign texts', () => {
  const injections = DATA.filter((item) => item.label === 'injection').length;
  const benign = DATA.filter((item) => item.label === 'benign').length;
  assert.ok(injections >= LABEL_MIN, `${injections} injection texts`);
  assert.ok(benign >= LABEL_MIN, `${benign} benign texts`);
});

test('every line has a unique id, a family, a named source and a bounded non-empty text', () => {
  const seen = new Set<string>();
  for (const item of DATA) {
    assert.ok(!seen.has(item.id), `duplicate id ${item.id}`);
    seen.add(item.id);
    assert.match(item.id, /^(?:inj|ben)-\d{3}$/, item.id);
    assert.equal(item.id.startsWith('inj-'), item.label === 'injection', item.id);
    assert.ok(item.family.trim().length > 0, `${item.id}: empty family`);
    assert.ok(item.source.trim().length > 0, `${item.id}: empty source`);
    assert.ok(item.text.trim().length > 0, `${item.id}: empty text`);
    const bytes = Buffer.byteLength(item.text, 'utf8');
    assert.ok(bytes <= TEXT_BYTES_MAX, `${item.id}: ${bytes} bytes`);
  }
});

test('the held-out split is about a third of each label', () => {
  for (const label of ['injection', 'benign'] as const) {
    const items = DATA.filter((item) => item.label === label);
    const held = items.filter((item) => isHeldOut(item.id)).length;
    assert.ok(held > items.length * 0.25 && held < items.length * 0.35, `${label}: ${held}/${items.length}`);
  }
});

function assertConsistent(summary: Summary, injections: number, benign: number): void {
  const { tp, fp, fn, tn, precision, recall, f1, accuracy } = summary;
  assert.equal(summary.injections, injections);
  assert.equal(summary.benign, benign);
  assert.equal(tp + fn, injections);
  assert.equal(fp + tn, benign);
  assert.equal(precision, tp + fp === 0 ? 0 : tp / (tp + fp));
  assert.equal(recall, tp + fn === 0 ? 0 : tp / (tp + fn));
  assert.equal(f1, precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall));
  assert.equal(accuracy, (tp + tn) / (injections + benign));
  for (const ratio of [precision, recall, f1, accuracy]) assert.ok(ratio >= 0 && ratio <= 1);
}

test('the summaries count every text once, and their ratios follow from the counts', () => {
  const injections = DATA.filter((item) => item.label === 'injection').length;
  const benign = DATA.length - injections;
  const [deny, escalate] = prefilterAccuracy();
  assert.ok(deny !== undefined && escalate !== undefined);
  assert.equal(deny.threshold, 'deny');
  assert.equal(escalate.threshold, 'escalate');
  assertConsistent(deny, injections, benign);
  assertConsistent(escalate, injections, benign);
  // Escalation flags everything a deny flags, and maybe more.
  assert.ok(escalate.tp >= deny.tp && escalate.fp >= deny.fp);
});

test('the dev and held-out splits partition the set', () => {
  const all = scanLabelled();
  const dev = scanLabelled(undefined, { split: 'dev' });
  const holdout = scanLabelled(undefined, { split: 'holdout' });
  assert.equal(dev.length + holdout.length, all.length);
  for (const threshold of ['deny', 'escalate'] as const) {
    const [a, d, h] = [summarize(all, threshold), summarize(dev, threshold), summarize(holdout, threshold)];
    assert.equal(d.tp + h.tp, a.tp);
    assert.equal(d.fp + h.fp, a.fp);
    assert.equal(d.fn + h.fn, a.fn);
    assert.equal(d.tn + h.tn, a.tn);
  }
});

test('the family lines add up to the summary counts', () => {
  const outcomes = scanLabelled();
  const lines = familyLines(outcomes);
  assert.equal(
    lines.reduce((sum, line) => sum + line.n, 0),
    outcomes.length,
  );
  const [deny, escalate] = prefilterAccuracy();
  const flagged = (label: string, key: 'deny' | 'escalate') =>
    lines.filter((line) => line.label === label).reduce((sum, line) => sum + line.flagged[key], 0);
  assert.equal(flagged('injection', 'deny'), deny?.tp);
  assert.equal(flagged('benign', 'deny'), deny?.fp);
  assert.equal(flagged('injection', 'escalate'), escalate?.tp);
  assert.equal(flagged('benign', 'escalate'), escalate?.fp);
});
