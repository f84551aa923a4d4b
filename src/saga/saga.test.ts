// Sagas: steps commit in order; a failing step undoes the committed ones in reverse; a saga a crash
// interrupted is compensated at the next start.

import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadIndex } from '../kernel/index.ts';
import { ERROR_CODES, systemRandom } from '../shared/index.ts';
import { MemoryStorage } from '../storage/memory.ts';
import { commitStack } from '../testing/commit-fixture.ts';
import { resumeSagas, runSaga, SAGA_RECORDS } from './saga.ts';

test('a saga whose third step fails undoes the first two, newest first', async () => {
  const stack = await commitStack();
  const ids = { clock: stack.clock, random: systemRandom };
  assert.ok((await stack.commits.submit(stack.intent('fs.write', '/a.txt', { args: { content: 'a0' } }))).ok);
  const outcome = await runSaga(
    stack.commits,
    {
      name: 'publish',
      steps: [
        { name: 'draft', intent: stack.intent('fs.write', '/a.txt', { args: { content: 'a1' } }) },
        { name: 'index', intent: stack.intent('kv.put', 'kv:/index', { args: { value: 'a1' } }) },
        {
          name: 'announce',
          intent: stack.intent('fs.write', '/b.txt', { args: { content: 'b' }, stateHash: 'stale' }),
        },
      ],
    },
    ids,
  );
  assert.ok(outcome.ok);
  assert.equal(outcome.value.state, 'compensated');
  assert.equal(outcome.value.failure?.code, ERROR_CODES.CONCURRENCY_CONFLICT);
  assert.deepEqual(
    outcome.value.steps.map((s) => [s.name, s.state]),
    [
      ['draft', 'undone'],
      ['index', 'undone'],
      ['announce', 'conflict'],
    ],
  );
  assert.equal(await readFile(join(stack.root, 'world/a.txt'), 'utf8'), 'a0');
  const undone = (await stack.journal.read(0, 200)).filter((e) => e.type === 'intent.undone');
  assert.deepEqual(
    undone.map((e) => (e.data as { intentId: string }).intentId),
    [outcome.value.steps[1]?.intentId, outcome.value.steps[0]?.intentId],
  );
});

test('a saga that completes journals every step; bad definitions are refused', async () => {
  const stack = await commitStack();
  const ids = { clock: stack.clock, random: systemRandom };
  const done = await runSaga(
    stack.commits,
    {
      name: 'ok',
      steps: [{ name: 'one', intent: stack.intent('fs.write', '/one.txt', { args: { content: '1' } }) }],
    },
    ids,
  );
  assert.ok(done.ok);
  assert.equal(done.value.state, 'completed');
  const empty = await runSaga(stack.commits, { name: 'empty', steps: [] }, ids);
  assert.ok(!empty.ok);
  assert.equal(empty.error.code, ERROR_CODES.SAGA_INVALID);
});

test('a saga interrupted by a crash is compensated at the next start', async () => {
  const storage = new MemoryStorage();
  const root = await mkdtemp(join(tmpdir(), 'maos-saga-'));
  const before = await commitStack({ storage, root });
  // What a crash after the first step leaves in the journal: the saga started, one step committed.
  const sagaId = '01900000-0000-7000-8000-000000005a9a';
  await before.commits.record(SAGA_RECORDS.started, { sagaId, name: 'two', steps: ['first', 'second'] });
  const first = await before.commits.submit(
    before.intent('fs.write', '/s1.txt', { args: { content: '1' } }),
    {
      saga: sagaId,
    },
  );
  assert.ok(first.ok);
  assert.equal(await readFile(join(root, 'world/s1.txt'), 'utf8'), '1');
  const after = await commitStack({ storage, root });
  await loadIndex(after.commits);
  assert.deepEqual(await resumeSagas(after.commits), [sagaId]);
  await assert.rejects(readFile(join(root, 'world/s1.txt')), /ENOENT/);
  const types = (await after.journal.read(0, 200)).map((e) => e.type).filter((t) => t.startsWith('saga.'));
  assert.deepEqual(types, ['saga.started', 'saga.failed', 'saga.compensated']);
  assert.deepEqual(await resumeSagas(after.commits), [], 'a compensated saga is finished');
});
