// Recovery (§14.2): an intent interrupted at any stage is settled at the next start — run if it
// never ran, finished if its effect landed, never run twice (DR-C6, INV-8).

import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { verifies } from '../../../test/invariants.ts';
import { MemoryStorage } from '../../storage/memory.ts';
import { commitStack } from '../../testing/commit-fixture.ts';
import { appendLogConnector } from '../../testing/test-connectors.ts';
import type { CommitStage } from './commit-layer.ts';
import { recover } from './recovery.ts';

const CRASH = 'simulated crash';

async function crashAt(stage: CommitStage) {
  const storage = new MemoryStorage();
  const root = await mkdtemp(join(tmpdir(), 'maos-recovery-'));
  const logPath = join(root, 'effects.log');
  const faults = {
    atStage: (at: CommitStage) => {
      if (at === stage) throw new Error(CRASH);
    },
  };
  const before = await commitStack({
    storage,
    root,
    connectors: [appendLogConnector(logPath)],
    layer: { faults },
  });
  const submitted = await before.commits.submit(before.intent('log.append', 'log'));
  assert.ok(!submitted.ok, 'the simulated crash interrupts the commit');
  const fsWrite = before.intent('fs.write', '/r.txt', { args: { content: 'recovered' } });
  await before.commits.submit(fsWrite);
  // The next start: a fresh kernel and commit layer over the same storage and world.
  const after = await commitStack({ storage, root, connectors: [appendLogConnector(logPath)] });
  const report = await recover(after.commits);
  const lines = (await readFile(logPath, 'utf8').catch(() => '')).split('\n').filter((l) => l !== '');
  const states = [...after.commits.index.all()].map((t) => [t.action, t.state]);
  return { report, lines, states, root, after };
}

for (const stage of ['written', 'locked', 'prepared', 'executing', 'executed'] as const) {
  test(`${verifies('DR-C6', 'INV-8')}a crash after stage \`${stage}\` is settled once at the next start`, async () => {
    const { report, lines, states, root, after } = await crashAt(stage);
    assert.equal(lines.length, 1, 'the effect happened exactly once');
    assert.deepEqual(states, [
      ['log.append', 'committed'],
      ['fs.write', 'committed'],
    ]);
    assert.equal(await readFile(join(root, 'world/r.txt'), 'utf8'), 'recovered');
    assert.equal(report.resumed, 2);
    assert.equal(after.kernel.mode, 'recovery-hold', 'the caller ends recovery hold');
    const again = await recover(after.commits);
    assert.equal(again.resumed, 0, 'committed intents are done; a second recovery runs nothing');
  });
}

test(`${verifies('DR-C6')}a committed intent is never run again by recovery`, async () => {
  const storage = new MemoryStorage();
  const root = await mkdtemp(join(tmpdir(), 'maos-recovery-'));
  const logPath = join(root, 'effects.log');
  const before = await commitStack({ storage, root, connectors: [appendLogConnector(logPath)] });
  for (let i = 0; i < 5; i++) assert.ok((await before.commits.submit(before.intent('log.append', 'log'))).ok);
  const after = await commitStack({ storage, root, connectors: [appendLogConnector(logPath)] });
  const report = await recover(after.commits);
  assert.equal(report.resumed, 0);
  assert.equal((await readFile(logPath, 'utf8')).split('\n').filter((l) => l !== '').length, 5);
});

test('recovery refuses to run an interrupted intent whose token was revoked meanwhile', async () => {
  const storage = new MemoryStorage();
  const root = await mkdtemp(join(tmpdir(), 'maos-recovery-'));
  const logPath = join(root, 'effects.log');
  const faults = {
    atStage: (at: CommitStage) => {
      if (at === 'written') throw new Error(CRASH);
    },
  };
  const before = await commitStack({
    storage,
    root,
    connectors: [appendLogConnector(logPath)],
    layer: { faults },
  });
  await before.commits.submit(before.intent('log.append', 'log'));
  const after = await commitStack({ storage, root, connectors: [appendLogConnector(logPath)] });
  const [interrupted] = (await before.journal.read(0, 100)).filter((e) => e.type === 'intent.written');
  const chain = (interrupted?.data as { tokenChain?: string[] } | undefined)?.tokenChain ?? [];
  assert.ok(chain.length > 0);
  for (const jti of chain) after.kernel.revoke(jti, 'test');
  const report = await recover(after.commits);
  assert.equal(report.refused, 1);
  assert.equal(await readFile(logPath, 'utf8').catch(() => ''), '');
});
