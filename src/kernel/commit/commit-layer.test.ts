// The commit layer through its public face, on a real journal, real connectors and real tokens:
// the seven stages, MR-6 clearance, optimistic concurrency, lock timeouts and abuse, idempotency.

import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { verifies } from '../../../test/invariants.ts';
import type { Connector } from '../../connectors/port.ts';
import { ERROR_CODES, hashHex } from '../../shared/index.ts';
import { MemoryStorage } from '../../storage/memory.ts';
import { commitStack } from '../../testing/commit-fixture.ts';
import { FaultyStorage } from '../../testing/faulty-storage.ts';
import { slowConnector } from '../../testing/test-connectors.ts';
import { parseIntent } from '../intent.ts';
import { INTENT_RECORDS } from './intent-index.ts';

const types = async (stack: Awaited<ReturnType<typeof commitStack>>, intentId: string) =>
  (await stack.journal.read(0, 10_000))
    .filter((e) => (e.data as { intentId?: string }).intentId === intentId)
    .map((e) => e.type);

test(`${verifies('INV-2', 'INV-5', 'MR-8')}a write is journaled before it runs, then committed`, async () => {
  const holder: { stack?: Awaited<ReturnType<typeof commitStack>> } = {};
  const seenAtExecute: string[] = [];
  const spy: Connector = {
    name: 'test',
    actions: { 'test.noop': 'write' },
    stateHash: async () => 'absent',
    prepare: async () => ({ kind: 'snapshot', data: null }),
    execute: async (request) => {
      const records = (await holder.stack?.journal.read(0, 1000)) ?? [];
      for (const e of records)
        if ((e.data as { intentId?: string }).intentId === request.intentId) seenAtExecute.push(e.type);
      return { done: true };
    },
    probe: async () => 'applied',
    undo: async () => {},
    discard: async () => {},
  };
  const withSpy = await commitStack({ connectors: [spy] });
  holder.stack = withSpy;
  const stack = await commitStack();
  const result = await withSpy.commits.submit(withSpy.intent('test.noop', 'x'));
  assert.ok(result.ok);
  assert.equal(result.value.state, 'committed');
  assert.deepEqual(seenAtExecute, [INTENT_RECORDS.written, INTENT_RECORDS.executing]);
  assert.deepEqual(await types(withSpy, result.value.intentId), [
    INTENT_RECORDS.written,
    INTENT_RECORDS.executing,
    INTENT_RECORDS.committed,
  ]);
  const write = await stack.commits.submit(
    stack.intent('fs.write', '/notes/a.md', { args: { content: 'hello' } }),
  );
  assert.ok(write.ok);
  assert.equal(write.value.state, 'committed');
  assert.equal(await readFile(join(stack.root, 'world/notes/a.md'), 'utf8'), 'hello');
});

test(`${verifies('MR-6', 'DR-C4')}no commit without a decision this kernel made for this intent`, async () => {
  const stack = await commitStack();
  const parsed = parseIntent(stack.intent('fs.write', '/a.txt', { args: { content: 'x' } }));
  assert.ok(parsed.ok);
  const decided = await stack.kernel.submitIntent(
    stack.intent('fs.write', '/a.txt', { args: { content: 'x' } }),
  );
  assert.ok(decided.ok);
  const { intent, decision } = decided.value;
  assert.equal(decision.verdict, 'allow');
  const forged = { ...decision };
  const refusals = [
    await stack.commits.commit(intent, forged),
    await stack.commits.commit({ ...parsed.value, token: intent.token }, decision),
  ];
  const deniedInput = await stack.kernel.submitIntent(
    stack.intent('fs.write', '/a.txt', { agent: 'mallory' }),
  );
  assert.ok(deniedInput.ok);
  refusals.push(await stack.commits.commit(deniedInput.value.intent, deniedInput.value.decision));
  const held = await stack.kernel.submitIntent(
    stack.intent('fs.publish', '/p.txt', { args: { content: 'p' } }),
  );
  assert.ok(held.ok);
  assert.equal(held.value.decision.verdict, 'escalate');
  refusals.push(await stack.commits.commit(held.value.intent, held.value.decision));
  for (const refused of refusals) {
    assert.ok(!refused.ok);
    assert.equal(refused.error.code, ERROR_CODES.DECISION_INVALID);
  }
  await assert.rejects(readFile(join(stack.root, 'world/a.txt')), /ENOENT/);
  await assert.rejects(readFile(join(stack.root, 'world/p.txt')), /ENOENT/);
});

test('a denied intent is journaled as denied and changes nothing', async () => {
  const stack = await commitStack();
  const denied = await stack.commits.submit(stack.intent('fs.write', '/etc.txt', { agent: 'mallory' }));
  assert.ok(denied.ok);
  assert.equal(denied.value.state, 'denied');
  assert.deepEqual(await types(stack, denied.value.intentId), [INTENT_RECORDS.denied]);
});

test(`${verifies('DR-C1')}a stale state hash is a concurrency conflict: no effect, no snapshot`, async () => {
  const stack = await commitStack();
  await mkdir(join(stack.root, 'world'), { recursive: true });
  await writeFile(join(stack.root, 'world/c.txt'), 'v1');
  const stale = hashHex('v0');
  const result = await stack.commits.submit(
    stack.intent('fs.write', '/c.txt', { args: { content: 'v2' }, stateHash: stale }),
  );
  assert.ok(result.ok);
  assert.equal(result.value.state, 'conflict');
  assert.equal(result.value.error?.code, ERROR_CODES.CONCURRENCY_CONFLICT);
  assert.equal(await readFile(join(stack.root, 'world/c.txt'), 'utf8'), 'v1');
  const snapshots = await readdir(join(stack.root, 'rollback')).catch(() => []);
  assert.deepEqual(snapshots, []);
  const fresh = await stack.commits.submit(
    stack.intent('fs.write', '/c.txt', { args: { content: 'v2' }, stateHash: hashHex('v1') }),
  );
  assert.ok(fresh.ok);
  assert.equal(fresh.value.state, 'committed');
});

test(`${verifies('DR-C2')}an effect past the lock timeout is aborted, rolled back, and the lock freed`, async () => {
  const seen = { aborted: 0, undone: 0 };
  const stack = await commitStack({ connectors: [slowConnector(5_000, seen)], layer: { lockTimeoutMs: 50 } });
  const result = await stack.commits.submit(stack.intent('test.slow', 'r1'));
  assert.ok(result.ok);
  assert.equal(result.value.state, 'failed');
  assert.equal(result.value.error?.code, ERROR_CODES.LOCK_TIMEOUT);
  assert.equal(seen.aborted, 1);
  assert.equal(seen.undone, 1);
  assert.equal(stack.commits.locks.held, 0);
});

test(`${verifies('DR-C3')}five failed lock cycles on one resource pause the agent; more than three flag it`, async () => {
  const stack = await commitStack();
  for (let i = 0; i < 5; i++) {
    const r = await stack.commits.submit(
      stack.intent('fs.write', '/d.txt', { args: { content: 'x' }, stateHash: 'nope' }),
    );
    assert.ok(r.ok);
    assert.equal(r.value.state, 'conflict');
  }
  const all = (await stack.journal.read(0, 1000)).map((e) => e.type);
  assert.equal(all.filter((t) => t === 'agent.flagged').length, 1);
  assert.equal(all.filter((t) => t === 'agent.paused').length, 1);
  const after = await stack.commits.submit(
    stack.intent('fs.write', '/other.txt', { args: { content: 'x' } }),
  );
  assert.ok(!after.ok);
  assert.equal(after.error.code, ERROR_CODES.AGENT_PAUSED);
});

test('an idempotency key commits once: a replay returns the first commit and runs nothing', async () => {
  const stack = await commitStack();
  const first = await stack.commits.submit(
    stack.intent('fs.write', '/i.txt', { args: { content: 'one' }, idempotencyKey: 'k-1' }),
  );
  const second = await stack.commits.submit(
    stack.intent('fs.write', '/i.txt', { args: { content: 'two' }, idempotencyKey: 'k-1' }),
  );
  assert.ok(first.ok && second.ok);
  assert.equal(second.value.intentId, first.value.intentId);
  assert.equal(await readFile(join(stack.root, 'world/i.txt'), 'utf8'), 'one');
  const concurrent = await Promise.all(
    [1, 2, 3].map((n) =>
      stack.commits.submit(
        stack.intent('fs.write', '/j.txt', { args: { content: `c${n}` }, idempotencyKey: 'k-2' }),
      ),
    ),
  );
  const ids = new Set(concurrent.map((r) => (r.ok ? r.value.intentId : 'error')));
  assert.equal(ids.size, 1);
  const written = (await stack.journal.read(0, 1000)).filter(
    (e) =>
      e.type === INTENT_RECORDS.written && (e.data as { idempotencyKey?: string }).idempotencyKey === 'k-2',
  );
  assert.equal(written.length, 1);
});

test(`${verifies('DR-C10')}an action no connector declares is refused, never guessed`, async () => {
  const stack = await commitStack();
  const result = await stack.commits.submit(stack.intent('test.noop', 'x'));
  assert.ok(result.ok);
  assert.equal(result.value.state, 'failed');
  assert.equal(result.value.error?.code, ERROR_CODES.CONNECTOR_MISSING);
});

test(`${verifies('MR-5', 'DR-C5')}a destructive effect whose connector keeps no snapshot never executes`, async () => {
  let executed = 0;
  const careless: Connector = {
    name: 'test',
    actions: { 'test.noop': 'destructive' },
    stateHash: async () => 'absent',
    prepare: async () => ({ kind: 'irreversible' }),
    execute: async () => {
      executed++;
      return null;
    },
    probe: async () => 'not-applied',
    undo: async () => {},
    discard: async () => {},
  };
  const stack = await commitStack({ connectors: [careless] });
  const result = await stack.commits.submit(stack.intent('test.noop', 'x'));
  assert.ok(result.ok);
  assert.equal(result.value.state, 'failed');
  assert.equal(result.value.error?.code, ERROR_CODES.COMMIT_REFUSED);
  assert.equal(executed, 0);
});

test(`${verifies('MR-8')}a failing journal write fails the commit before any effect`, async () => {
  const faulty = new FaultyStorage(new MemoryStorage());
  const stack = await commitStack({ storage: faulty });
  let frozen = false;
  stack.journal.onFailure(() => {
    frozen = true;
  });
  faulty.failNext('appendJournal', ERROR_CODES.DISK_FULL);
  const result = await stack.commits.submit(stack.intent('fs.write', '/f.txt', { args: { content: 'x' } }));
  assert.ok(!result.ok);
  assert.equal(result.error.code, ERROR_CODES.JOURNAL_FAILED);
  assert.ok(frozen);
  await assert.rejects(readFile(join(stack.root, 'world/f.txt')), /ENOENT/);
});

test('a large result is journaled as its size and hash; the caller still gets it whole', async () => {
  const stack = await commitStack();
  const content = 'x'.repeat(100_000);
  await writeFile(join(stack.root, 'world/big.txt'), content);
  const read = await stack.commits.submit(stack.intent('fs.read', '/big.txt', { sideEffect: 'read' }));
  assert.ok(read.ok);
  assert.equal(read.value.state, 'committed');
  assert.equal((read.value.result as { content: string }).content, content);
  const record = (await stack.journal.read(0, 100)).find(
    (e) =>
      e.type === INTENT_RECORDS.committed &&
      (e.data as { intentId: string }).intentId === read.value.intentId,
  );
  assert.ok(record !== undefined);
  const journaled = (record.data as { result: { truncated?: boolean; bytes?: number; hash?: string } })
    .result;
  assert.equal(journaled.truncated, true);
  assert.ok((journaled.bytes ?? 0) > 100_000);
  assert.equal(journaled.hash?.length, 64);
});
