// Approvals bound to the exact intent, the policy and an expiry; decided afresh at approval time.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { verifies } from '../../test/invariants.ts';
import { ERROR_CODES } from '../shared/index.ts';
import { commitStack } from '../testing/commit-fixture.ts';

const publish = (stack: Awaited<ReturnType<typeof commitStack>>, content = 'public') =>
  stack.intent('fs.publish', '/pub/p.txt', { args: { content } });

test('an escalated intent is held, journaled, and runs only after a human approves it', async () => {
  const stack = await commitStack();
  // An irreversible write escalates (MR-5); kv gives the approved intent a real effect to commit.
  const held = await stack.commits.submit(
    stack.intent('kv.put', 'kv:/x', { args: { value: 1 }, sideEffect: 'irreversible' }),
  );
  assert.ok(held.ok);
  assert.equal(held.value.state, 'held');
  assert.deepEqual(
    (await stack.approvals.list()).map((t) => t.intentId),
    [held.value.intentId],
  );
  const approved = await stack.approvals.approve(held.value.intentId, { by: 'carol', note: 'ok' });
  assert.ok(approved.ok, approved.ok ? '' : approved.error.message);
  assert.equal(approved.value.state, 'committed');
  const types = (await stack.journal.read(0, 100))
    .filter((e) => (e.data as { intentId?: string }).intentId === held.value.intentId)
    .map((e) => e.type);
  assert.deepEqual(types, [
    'intent.held',
    'intent.approved',
    'intent.written',
    'intent.executing',
    'intent.committed',
  ]);
  const again = await stack.approvals.approve(held.value.intentId, { by: 'carol' });
  assert.ok(!again.ok);
  assert.equal(again.error.code, ERROR_CODES.APPROVAL_DECIDED);
  assert.deepEqual(await stack.approvals.list(), []);
});

test(`${verifies('DR-H5')}an approval past its expiry cannot authorize the intent`, async () => {
  const stack = await commitStack();
  const held = await stack.commits.submit(publish(stack));
  assert.ok(held.ok);
  assert.equal(held.value.state, 'held');
  stack.clock.advance(stack.kernel.policy.approvalTtlMs + 1);
  const late = await stack.approvals.approve(held.value.intentId, { by: 'carol' });
  assert.ok(!late.ok);
  assert.equal(late.error.code, ERROR_CODES.APPROVAL_EXPIRED);
  assert.equal(stack.commits.status(held.value.intentId)?.state, 'rejected');
  await assert.rejects(readFile(join(stack.root, 'world/pub/p.txt')), /ENOENT/);
});

test(`${verifies('DR-H5')}an approval is bound to the intent's digest: a changed intent is refused`, async () => {
  const stack = await commitStack();
  const held = await stack.commits.submit(publish(stack, 'what the human saw'));
  assert.ok(held.ok);
  const tracked = stack.commits.status(held.value.intentId);
  assert.ok(tracked?.held !== undefined);
  // Someone edits the parked intent after it was shown to the human.
  tracked.held = { ...tracked.held, intent: { ...tracked.held.intent, args: { content: 'attacker text' } } };
  const approved = await stack.approvals.approve(held.value.intentId, { by: 'carol' });
  assert.ok(!approved.ok);
  assert.equal(approved.error.code, ERROR_CODES.APPROVAL_MISMATCH);
});

test('a rejected intent never runs; rejecting twice is refused', async () => {
  const stack = await commitStack();
  const held = await stack.commits.submit(publish(stack));
  assert.ok(held.ok);
  const rejected = await stack.approvals.reject(held.value.intentId, { by: 'carol', note: 'no' });
  assert.ok(rejected.ok);
  assert.equal(stack.commits.status(held.value.intentId)?.state, 'rejected');
  const twice = await stack.approvals.reject(held.value.intentId, { by: 'carol' });
  assert.ok(!twice.ok);
  assert.equal(twice.error.code, ERROR_CODES.APPROVAL_DECIDED);
  const unknown = await stack.approvals.approve('01900000-0000-7000-8000-00000000dead', { by: 'carol' });
  assert.ok(!unknown.ok);
  assert.equal(unknown.error.code, ERROR_CODES.APPROVAL_NOT_FOUND);
});

test(`${verifies('DR-T6')}a token revoked while its intent waited stops it even after approval`, async () => {
  const stack = await commitStack();
  const held = await stack.commits.submit(publish(stack));
  assert.ok(held.ok);
  for (const jti of held.value.tokenChain) stack.kernel.revoke(jti, 'test');
  const approved = await stack.approvals.approve(held.value.intentId, { by: 'carol' });
  assert.ok(approved.ok);
  assert.equal(stack.commits.status(held.value.intentId)?.state, 'rejected');
  await assert.rejects(readFile(join(stack.root, 'world/pub/p.txt')), /ENOENT/);
});
