// The rollback zone (§35): undo within the hold period restores the snapshot; after it, or after
// the resource changed again, undo is refused.

import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { verifies } from '../../../test/invariants.ts';
import { ERROR_CODES } from '../../shared/index.ts';
import { commitStack } from '../../testing/commit-fixture.ts';
import { releaseExpired, undoIntent } from './rollback-zone.ts';

test(`${verifies('DR-C5', 'MR-5')}a file deletion is undone within its hold period`, async () => {
  const stack = await commitStack();
  const file = join(stack.root, 'world/keep.txt');
  assert.ok(
    (await stack.commits.submit(stack.intent('fs.write', '/keep.txt', { args: { content: 'precious' } }))).ok,
  );
  const deleted = await stack.commits.submit(stack.intent('fs.delete', '/keep.txt'));
  assert.ok(deleted.ok);
  assert.equal(deleted.value.state, 'committed');
  await assert.rejects(readFile(file), /ENOENT/);
  stack.clock.advance(23 * 3_600_000);
  const undone = await undoIntent(stack.commits, deleted.value.intentId, 'carol');
  assert.ok(undone.ok, undone.ok ? '' : undone.error.message);
  assert.equal(await readFile(file, 'utf8'), 'precious');
  assert.equal(stack.commits.status(deleted.value.intentId)?.state, 'undone');
  const twice = await undoIntent(stack.commits, deleted.value.intentId, 'carol');
  assert.ok(!twice.ok);
  assert.equal(twice.error.code, ERROR_CODES.UNDO_IMPOSSIBLE);
});

test(`${verifies('DR-C5')}after the hold period undo is refused and the snapshot released`, async () => {
  const stack = await commitStack();
  assert.ok(
    (await stack.commits.submit(stack.intent('fs.write', '/old.txt', { args: { content: 'v1' } }))).ok,
  );
  const deleted = await stack.commits.submit(stack.intent('fs.delete', '/old.txt'));
  assert.ok(deleted.ok);
  stack.clock.advance(24 * 3_600_000 + 1);
  const late = await undoIntent(stack.commits, deleted.value.intentId, 'carol');
  assert.ok(!late.ok);
  assert.equal(late.error.code, ERROR_CODES.UNDO_EXPIRED);
  assert.equal(await releaseExpired(stack.commits), 2);
  assert.equal(stack.commits.status(deleted.value.intentId)?.released, true);
});

test('undo refuses to overwrite a change made after the commit', async () => {
  const stack = await commitStack();
  const write = await stack.commits.submit(stack.intent('fs.write', '/w.txt', { args: { content: 'mine' } }));
  assert.ok(write.ok);
  await writeFile(join(stack.root, 'world/w.txt'), 'someone else');
  const undone = await undoIntent(stack.commits, write.value.intentId, 'carol');
  assert.ok(!undone.ok);
  assert.equal(undone.error.code, ERROR_CODES.CONCURRENCY_CONFLICT);
  assert.equal(await readFile(join(stack.root, 'world/w.txt'), 'utf8'), 'someone else');
});

test('undo of a write to a new file removes it; unknown intents are reported', async () => {
  const stack = await commitStack();
  const write = await stack.commits.submit(stack.intent('fs.write', '/new.txt', { args: { content: 'x' } }));
  assert.ok(write.ok);
  assert.ok((await undoIntent(stack.commits, write.value.intentId, 'carol')).ok);
  await assert.rejects(readFile(join(stack.root, 'world/new.txt')), /ENOENT/);
  const missing = await undoIntent(stack.commits, '01900000-0000-7000-8000-00000000beef', 'carol');
  assert.ok(!missing.ok);
  assert.equal(missing.error.code, ERROR_CODES.INTENT_NOT_FOUND);
});
