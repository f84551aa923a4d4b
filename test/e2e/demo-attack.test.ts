// End to end: `maos demo attack --json` as a black box. A compromised agent in a hardened pod is
// walked down the quarantine stages, eliminated with a commander's approval and replaced; the
// kept directory's journal then verifies with `maos audit verify`, a separate process.

import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { maos, type Run } from './harness.ts';

type Step = {
  step: number;
  title: string;
  expected: string;
  actual: string;
  ok: boolean;
  why: string;
  details: string[];
  failed: string[];
  stage: number;
  stageName: string;
  score: number;
  stageWalk?: string[];
  records?: { seqs: string; type: string; summary: string }[];
};

describe('maos demo attack', () => {
  let run: Run;
  let steps: Step[];
  let dir: string | undefined;

  before(async () => {
    run = await maos(['demo', 'attack', '--json', '--keep']);
    dir = /^demo directory kept: (\S+)$/m.exec(run.stderr)?.[1];
    steps = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Step);
  });

  test('every step goes as expected and the demo exits 0', () => {
    assert.equal(run.status, 0, `${run.stderr}\n${run.stdout}`);
    assert.deepEqual(
      steps.map((s) => s.step),
      [1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
    for (const step of steps) {
      assert.equal(step.ok, true, JSON.stringify(step));
      assert.equal(step.actual, step.expected);
      assert.deepEqual(step.failed, []);
      assert.ok(step.title.length > 0 && step.why.length > 0 && step.details.length > 0);
    }
    assert.deepEqual(
      steps.map((s) => s.actual),
      [
        'running',
        'blocked',
        'held after 5',
        'denied',
        'blocked',
        'frozen',
        'eliminated',
        'replaced',
        'verified',
      ],
    );
  });

  test('DR-R4: the trust-class A ring-2 agent runs in the process sandbox (level 2) under hardened', () => {
    const started = steps[0];
    assert.ok(started !== undefined);
    assert.ok(started.details.some((d) => /process sandbox, isolation level 2/.test(d)));
    assert.ok(started.details.some((d) => /network namespace/.test(d)));
  });

  test('DR-M1: the agent walks down the stages step by step, and the journal shows the walk', () => {
    assert.deepEqual(
      steps.map((s) => s.stage),
      [0, 1, 2, 2, 3, 3, 0, 0, 0],
    );
    const journal = steps[8];
    assert.ok(journal !== undefined);
    assert.deepEqual(journal.stageWalk, ['0→1', '1→2', '2→3', '3→4', '4→5', '5→0']);
    const stages = (journal.records ?? []).filter((r) => r.type === 'immune.stage').map((r) => r.summary);
    assert.equal(stages.length, 6);
    assert.match(stages[3] ?? '', /3 → 4 \(elimination\) by demo-commander/);
  });

  test('DR-M1: elimination is refused without a commander approval under the hardened profile', () => {
    const eliminated = steps[6];
    assert.ok(eliminated !== undefined);
    assert.ok(eliminated.details.some((d) => d.includes('QUARANTINE_APPROVAL_REQUIRED')));
  });

  test('DR-R3: the network attempts fail inside the sandbox and at the Sentry, before any intent', () => {
    const network = steps[4];
    assert.ok(network !== undefined);
    assert.ok(network.details.some((d) => d.includes('GATEWAY_DENIED')));
    assert.ok(network.details.some((d) => d.includes('never reached the kernel')));
    const isolated = steps[5];
    assert.ok(isolated?.details.some((d) => d.includes('GATEWAY_CLOSED')));
  });

  test('the kept journal verifies in a separate process', async () => {
    assert.ok(
      dir !== undefined && existsSync(join(dir, 'data', 'maos.db')),
      'the kept directory holds the journal',
    );
    try {
      const verify = await maos(['audit', 'verify', '--config', join(dir, 'maos.yaml')]);
      assert.equal(verify.status, 0, verify.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
