// Invariants gate: every id a test cites must exist in the manifest; ids no test cites yet are
// listed (coverage grows issue by issue) without failing the run.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { INVARIANT_IDS, INVARIANTS, verifies } from './invariants.ts';

const ROOT = join(import.meta.dirname, '..');
const CITED = /\b(?:MR|INV|DR)-[A-Z]?\d+\b/g;
const SELF = relative(ROOT, import.meta.filename);

function testFiles(dir: string): string[] {
  const out: string[] = [];
  const stack = [dir];
  while (stack.length > 0) {
    const current = stack.pop();
    if (current === undefined) break;
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory() && entry.name !== 'node_modules') stack.push(path);
      else if (entry.isFile() && entry.name.endsWith('.test.ts')) out.push(path);
    }
  }
  return out.sort();
}

/** Every cited id with the files citing it. */
function citations(): Map<string, string[]> {
  const cited = new Map<string, string[]>();
  for (const file of [...testFiles(join(ROOT, 'src')), ...testFiles(join(ROOT, 'test'))]) {
    const name = relative(ROOT, file);
    if (name === SELF) continue;
    for (const match of readFileSync(file, 'utf8').matchAll(CITED)) {
      const files = cited.get(match[0]) ?? [];
      if (!files.includes(name)) files.push(name);
      cited.set(match[0], files);
    }
  }
  return cited;
}

test('manifest has unique ids, 11 mandatory rules and 13 invariants', () => {
  const ids = INVARIANTS.map((invariant) => invariant.id);
  assert.equal(new Set(ids).size, ids.length, 'duplicate ids in test/invariants.ts');
  assert.equal(ids.filter((id) => id.startsWith('MR-')).length, 11);
  assert.equal(ids.filter((id) => id.startsWith('INV-')).length, 13);
  for (const invariant of INVARIANTS) {
    assert.match(invariant.id, /^(?:MR|INV|DR)-[A-Z]?\d+$/);
    assert.ok(invariant.statement.length > 0 && !invariant.statement.includes('\n'), invariant.id);
    assert.match(invariant.section, /^§\d+(?:\.\d+)*[a-z]?(?:\.\d+)*$/, invariant.id);
  }
});

test('manifest holds every digest-derived requirement of §15.4', () => {
  const families: Readonly<Record<string, number>> = { C: 10, D: 7, T: 6, R: 5, I: 4, M: 6, X: 4, H: 8 };
  for (const [family, count] of Object.entries(families)) {
    for (let n = 1; n <= count; n++) assert.ok(INVARIANT_IDS.has(`DR-${family}${n}`), `DR-${family}${n}`);
  }
  const total = Object.values(families).reduce((sum, count) => sum + count, 0);
  assert.equal(INVARIANTS.filter((invariant) => invariant.id.startsWith('DR-')).length, total);
});

test('verifies() prefixes a test name with the cited ids', () => {
  assert.equal(verifies('MR-7'), 'MR-7: ');
  assert.equal(verifies('MR-7', 'INV-5'), 'MR-7 INV-5: ');
});

test('every id cited by a test is in the manifest; uncovered ids are listed', (t) => {
  const cited = citations();
  const unknown = [...cited].filter(([id]) => !INVARIANT_IDS.has(id));
  const report = unknown.map(([id, files]) => `${id} cited in ${files.join(', ')}`);
  assert.deepEqual(report, [], `ids missing from test/invariants.ts:\n${report.join('\n')}`);
  const uncovered = INVARIANTS.map((invariant) => invariant.id).filter((id) => !cited.has(id));
  const covered = INVARIANTS.length - uncovered.length;
  t.diagnostic(`invariants covered: ${covered}/${INVARIANTS.length}`);
  if (uncovered.length > 0) t.diagnostic(`not yet cited by any test: ${uncovered.join(' ')}`);
});
