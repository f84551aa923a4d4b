// Unit tests of the journal: chaining, group commit, durability order, failure and recovery,
// checkpoints by count and by time, and what `open` refuses.

import assert from 'node:assert/strict';
import { verify } from 'node:crypto';
import { test } from 'node:test';
import { verifies } from '../../../test/invariants.ts';
import { AssertionError, hashHex, isKernelError, KernelError } from '../../shared/index.ts';
import { MemoryStorage } from '../../storage/memory.ts';
import type { Entry, JournalRow, Storage, StorageKind, Versioned } from '../../storage/port.ts';
import { FakeClock } from '../../testing/fake-clock.ts';
import { generateIssuerKeyPair, publicKeysOf } from '../token/key-material.ts';
import { Journal, type JournalOptions, journalSignerOf } from './journal.ts';
import { CHECKPOINT_TYPE, checkpointStatement, GENESIS_PREV, type JournalEntry } from './journal-record.ts';
import { verifyJournal } from './verify-journal.ts';

const PAIR = generateIssuerKeyPair('journal-key-1');
const SIGNER = journalSignerOf(PAIR);
const PUBLIC_KEYS = publicKeysOf([PAIR]);

/** A storage that counts and can hold back or fail journal appends; everything else passes through. */
class ProbeStorage implements Storage {
  readonly kind: StorageKind = 'memory';
  readonly inner: Storage;
  /** Rows per appendJournal call, in call order. */
  batches: number[] = [];
  gate: Promise<void> | undefined;
  failWith: Error | undefined;
  events: string[] = [];

  constructor(inner: Storage = new MemoryStorage()) {
    this.inner = inner;
  }

  async appendJournal(rows: readonly JournalRow[]): Promise<void> {
    this.batches.push(rows.length);
    if (this.gate !== undefined) await this.gate;
    if (this.failWith !== undefined) throw this.failWith;
    await this.inner.appendJournal(rows);
    this.events.push(`stored ${rows.map((row) => row.seq).join(',')}`);
  }
  readJournal(fromSeq: number, limit: number): Promise<JournalRow[]> {
    return this.inner.readJournal(fromSeq, limit);
  }
  journalHead(): Promise<JournalRow | undefined> {
    return this.inner.journalHead();
  }
  get(namespace: string, key: string): Promise<Versioned | undefined> {
    return this.inner.get(namespace, key);
  }
  put(namespace: string, key: string, value: string, expected?: number): Promise<number> {
    return this.inner.put(namespace, key, value, expected);
  }
  delete(namespace: string, key: string, expected?: number): Promise<boolean> {
    return this.inner.delete(namespace, key, expected);
  }
  list(namespace: string, prefix: string, limit: number): Promise<Entry[]> {
    return this.inner.list(namespace, prefix, limit);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

async function openJournal(storage: Storage, options: Partial<JournalOptions> = {}): Promise<Journal> {
  const result = await Journal.open(storage, { nodeId: 'node-a', clock: new FakeClock(), ...options });
  if (!result.ok) assert.fail(`journal did not open: ${result.error.code} ${result.error.message}`);
  return result.value;
}

async function allRows(storage: Storage): Promise<JournalRow[]> {
  return storage.readJournal(0, 1_000_000);
}

function gate(): { promise: Promise<void>; open: () => void } {
  const { promise, resolve } = Promise.withResolvers<void>();
  return { promise, open: () => resolve() };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

function isJournalFailed(storageCode: string): (error: unknown) => boolean {
  return (error) => {
    assert.ok(isKernelError(error), `expected a KernelError, got ${String(error)}`);
    assert.equal(error.code, 'JOURNAL_FAILED');
    assert.equal(error.details?.code, storageCode);
    return true;
  };
}

test(`${verifies('MR-3', 'INV-5')}a new journal writes its header durably and chains every record to the previous hash`, async () => {
  const storage = new MemoryStorage();
  const clock = new FakeClock();
  const journal = await openJournal(storage, { clock });
  const [header] = await allRows(storage);
  assert.equal(header?.seq, 0);
  assert.deepEqual(journal.headerData, {
    format: 1,
    hashAlgorithm: 'sha256',
    nodeId: 'node-a',
    createdMs: clock.wallMs(),
  });
  const a = await journal.append('intent.written', { intentId: 'i-1', n: 1 });
  clock.advance(5);
  const b = await journal.append('intent.committed', { intentId: 'i-1' });
  assert.equal(a.seq, 1);
  assert.equal(a.prev, header?.hash);
  assert.equal(b.prev, a.hash);
  assert.equal(b.ts, a.ts + 5);
  assert.deepEqual(journal.head, { seq: 2, hash: b.hash });
  const rows = await allRows(storage);
  for (const row of rows) assert.equal(row.hash, hashHex(row.body), `row ${row.seq} hash`);
  assert.equal(
    rows[1]?.body,
    `{"data":{"intentId":"i-1","n":1},"prev":"${header?.hash}","seq":1,"ts":${a.ts},"type":"intent.written"}`,
  );
  assert.deepEqual(await journal.read(1, 10), [a, b]);
  assert.equal((await journal.read(0, 1))[0]?.prev, GENESIS_PREV);
});

test('the journal of a sha3-256 header hashes every record with sha3-256', async () => {
  const storage = new MemoryStorage();
  const journal = await openJournal(storage, { hashAlgorithm: 'sha3-256' });
  await journal.append('intent.written', { n: 1 });
  assert.equal(journal.headerData.hashAlgorithm, 'sha3-256');
  for (const row of await allRows(storage)) assert.equal(row.hash, hashHex(row.body, 'sha3-256'));
  const reopened = await openJournal(storage, { hashAlgorithm: 'sha256' });
  const entry = await reopened.append('intent.written', { n: 2 });
  assert.equal(entry.hash, hashHex((await allRows(storage))[2]?.body ?? '', 'sha3-256'));
});

test(`${verifies('INV-5')}group commit: 64 concurrent writers share a handful of storage transactions`, async () => {
  const probe = new ProbeStorage();
  const journal = await openJournal(probe);
  probe.batches = [];
  const order: string[] = [];
  const writer = async (id: number) => {
    for (let step = 0; step < 3; step++) {
      for (let wait = 0; wait < (id * 7 + step) % 5; wait++) await Promise.resolve();
      const label = `w${id}.${step}`;
      order.push(label);
      await journal.append('test.write', { label });
    }
  };
  await Promise.all(Array.from({ length: 64 }, (_, id) => writer(id)));
  assert.ok(probe.batches.length <= 6, `expected a handful of transactions, got ${probe.batches.length}`);
  assert.equal(
    probe.batches.reduce((sum, n) => sum + n, 0),
    192,
  );
  const entries = await journal.read(1, 1000);
  assert.deepEqual(
    entries.map((entry) => entry.data.label),
    order,
    'records are in call order',
  );
  assert.deepEqual(await verifyJournal(probe, { publicKeys: PUBLIC_KEYS }), {
    ok: true,
    records: 193,
    checkpoints: 0,
    headSeq: 192,
    headHash: journal.head.hash,
  });
});

test('group commit: appends made while a batch is in flight, and its continuations, form the next batch', async () => {
  const probe = new ProbeStorage();
  const journal = await openJournal(probe);
  probe.batches = [];
  const held = gate();
  probe.gate = held.promise;
  const first = journal.append('test.first', {});
  await tick();
  assert.deepEqual(probe.batches, [1], 'the first batch is in flight');
  const during = Array.from({ length: 10 }, (_, n) => journal.append('test.during', { n }));
  const followers = during.map((promise, n) => promise.then(() => journal.append('test.after', { n })));
  probe.gate = undefined;
  held.open();
  await first;
  await Promise.all(followers);
  assert.deepEqual(probe.batches, [1, 10, 10]);
});

test(`${verifies('MR-8', 'INV-5')}an append resolves only after storage has made its batch durable`, async () => {
  const probe = new ProbeStorage();
  const journal = await openJournal(probe);
  const held = gate();
  probe.gate = held.promise;
  let resolved = false;
  const appended = journal.append('test.write', {}).then((entry) => {
    probe.events.push(`resolved ${entry.seq}`);
    resolved = true;
  });
  await tick();
  await tick();
  assert.equal(resolved, false);
  assert.equal((await probe.inner.journalHead())?.seq, 0, 'nothing durable yet');
  assert.equal(journal.head.seq, 0, 'head is the durable head');
  held.open();
  await appended;
  assert.deepEqual(probe.events.slice(-2), ['stored 1', 'resolved 1']);
  assert.equal(journal.head.seq, 1);
});

test(`${verifies('MR-8', 'INV-5')}a failed flush fails the journal: JOURNAL_FAILED now and later, storage untouched, reopen continues`, async () => {
  const probe = new ProbeStorage();
  const journal = await openJournal(probe, { signer: SIGNER, checkpointEveryRecords: 2 });
  const good = await journal.append('test.good', { n: 1 });
  const before = await allRows(probe);
  const failures: KernelError[] = [];
  journal.onFailure((error) => failures.push(error));
  const held = gate();
  probe.gate = held.promise;
  probe.failWith = new KernelError('DISK_FULL', 'database or disk is full');
  const failing = [journal.append('test.lost', { n: 2 }), journal.append('test.lost', { n: 3 })];
  await tick();
  const queued = journal.append('test.queued', { n: 4 });
  held.open();
  for (const promise of [...failing, queued]) await assert.rejects(promise, isJournalFailed('DISK_FULL'));
  await assert.rejects(journal.append('test.later', {}), isJournalFailed('DISK_FULL'));
  await assert.rejects(journal.checkpoint(), isJournalFailed('DISK_FULL'));
  assert.equal(journal.failed?.code, 'JOURNAL_FAILED');
  assert.equal(failures.length, 1);
  assert.equal(failures[0], journal.failed);
  let lateListener: KernelError | undefined;
  journal.onFailure((error) => {
    lateListener = error;
  });
  assert.equal(lateListener, journal.failed, 'a listener added after the failure hears of it at once');
  assert.deepEqual(journal.head, { seq: good.seq, hash: good.hash });
  assert.deepEqual(await allRows(probe), before, 'nothing of the failed batch is stored');

  probe.gate = undefined;
  probe.failWith = undefined;
  const reopened = await openJournal(probe, { signer: SIGNER, checkpointEveryRecords: 2 });
  assert.deepEqual(reopened.head, { seq: good.seq, hash: good.hash });
  const next = await reopened.append('test.after-reopen', {});
  assert.equal(next.seq, good.seq + 1);
  assert.equal(next.prev, good.hash);
  const report = await verifyJournal(probe, { publicKeys: PUBLIC_KEYS });
  assert.equal(report.ok, true, JSON.stringify(report));
  assert.equal(report.checkpoints, 1, 'the reopened journal resumed the checkpoint count');
});

test('close writes what is pending, then refuses appends', async () => {
  const probe = new ProbeStorage();
  const journal = await openJournal(probe);
  const pending = journal.append('test.pending', {});
  await journal.close();
  assert.equal((await pending).seq, 1);
  assert.equal((await probe.inner.journalHead())?.seq, 1);
  await assert.rejects(journal.append('test.late', {}), isJournalFailed('CLOSED'));
  assert.equal(journal.failed, undefined);
  await journal.close();
});

test(`${verifies('MR-3')}signed checkpoints follow every N records in the same batch`, async () => {
  const probe = new ProbeStorage();
  const journal = await openJournal(probe, { signer: SIGNER, checkpointEveryRecords: 3 });
  probe.batches = [];
  await Promise.all(Array.from({ length: 7 }, (_, n) => journal.append('test.write', { n })));
  assert.deepEqual(probe.batches, [9], 'seven records and two checkpoints in one transaction');
  const entries = await journal.read(0, 100);
  const types = entries.map((entry) => entry.type);
  assert.deepEqual(types.slice(1), [
    'test.write',
    'test.write',
    'test.write',
    CHECKPOINT_TYPE,
    'test.write',
    'test.write',
    'test.write',
    CHECKPOINT_TYPE,
    'test.write',
  ]);
  const checkpoint = entries[4] as JournalEntry;
  const covered = entries[3] as JournalEntry;
  assert.equal(checkpoint.data.upToSeq, 3);
  assert.equal(checkpoint.data.upToHash, covered.hash);
  assert.equal(checkpoint.data.keyId, PAIR.kid);
  const statement = checkpointStatement('node-a', 3, covered.hash);
  assert.equal(statement.toString(), `{"nodeId":"node-a","upToHash":"${covered.hash}","upToSeq":3}`);
  const signature = Buffer.from(String(checkpoint.data.signature), 'base64url');
  assert.ok(verify(null, statement, PAIR.ed25519.publicKey, signature));
  const manual = await journal.checkpoint();
  assert.equal(manual?.seq, 10);
  assert.equal(manual?.data.upToSeq, 9);
  assert.deepEqual((await journal.read(10, 1))[0], manual);
  assert.equal(await journal.checkpoint(), undefined, 'no records since the last checkpoint');
  const report = await verifyJournal(probe, { publicKeys: PUBLIC_KEYS });
  assert.equal(report.ok && report.checkpoints, 3);
});

test(`${verifies('MR-3')}a checkpoint follows the first record once checkpointEveryMs has passed`, async () => {
  const clock = new FakeClock();
  const storage = new MemoryStorage();
  const journal = await openJournal(storage, {
    clock,
    signer: SIGNER,
    checkpointEveryMs: 1_000,
    checkpointEveryRecords: 1_000_000,
  });
  await journal.append('test.a', {});
  clock.advance(999);
  await journal.append('test.b', {});
  assert.equal(journal.head.seq, 2, 'no checkpoint before the interval');
  clock.advance(1);
  const c = await journal.append('test.c', {});
  const [checkpoint] = await journal.read(c.seq + 1, 1);
  assert.equal(checkpoint?.type, CHECKPOINT_TYPE);
  assert.equal(checkpoint?.data.upToSeq, c.seq);
  clock.advance(5_000);
  assert.equal(await journal.checkpoint(), undefined, 'time alone writes no checkpoint');
  await journal.append('test.d', {});
  assert.equal(journal.head.seq, c.seq + 3, 'the next record after the interval gets its checkpoint');
});

test('without a signer the journal writes no checkpoints', async () => {
  const storage = new MemoryStorage();
  const journal = await openJournal(storage, { checkpointEveryRecords: 1 });
  await Promise.all([journal.append('test.a', {}), journal.append('test.b', {})]);
  assert.equal(await journal.checkpoint(), undefined);
  assert.deepEqual(
    (await journal.read(0, 10)).map((entry) => entry.type),
    ['journal.header', 'test.a', 'test.b'],
  );
});

test('record types must be dotted lowercase names outside `journal.`', async () => {
  const journal = await openJournal(new MemoryStorage());
  for (const type of ['intent', 'Intent.written', 'intent..written', 'intent.written.', '1x.y', 'a.b c']) {
    assert.throws(() => journal.append(type, {}), AssertionError, type);
  }
  assert.throws(() => journal.append('journal.checkpoint', {}), AssertionError);
  assert.throws(() => journal.append('journal.header', {}), AssertionError);
  assert.equal((await journal.append('intent.written-2.x-y', {})).type, 'intent.written-2.x-y');
});

test(`${verifies('MR-3')}open refuses a head whose stored hash does not match its body, and another node's journal`, async () => {
  const storage = new MemoryStorage();
  const journal = await openJournal(storage);
  await journal.append('test.a', { n: 1 });
  const rows = await allRows(storage);
  const tampered = new MemoryStorage();
  const head = rows[1] as JournalRow;
  await tampered.appendJournal([
    rows[0] as JournalRow,
    { ...head, body: head.body.replace('"n":1', '"n":2') },
  ]);
  const broken = await Journal.open(tampered, { nodeId: 'node-a', clock: new FakeClock() });
  assert.equal(broken.ok ? 'opened' : broken.error.code, 'JOURNAL_BROKEN');
  const other = await Journal.open(storage, { nodeId: 'node-b', clock: new FakeClock() });
  assert.equal(other.ok ? 'opened' : other.error.code, 'CONFIG_INVALID');
  const headerless = new MemoryStorage();
  await headerless.appendJournal([{ seq: 0, hash: 'x', body: '{}' }]);
  const noHeader = await Journal.open(headerless, { nodeId: 'node-a', clock: new FakeClock() });
  assert.equal(noHeader.ok ? 'opened' : noHeader.error.code, 'JOURNAL_BROKEN');
  await journal.append('test.b', {});
  const [header, middle, last] = await allRows(storage);
  const quietlyEdited = new MemoryStorage();
  await quietlyEdited.appendJournal([
    header as JournalRow,
    { ...(middle as JournalRow), body: middle?.body.replace('"n":1', '"n":3') ?? '' },
    last as JournalRow,
  ]);
  const reader = await openJournal(quietlyEdited);
  await assert.rejects(
    reader.read(0, 10),
    (error: unknown) => isKernelError(error) && error.code === 'JOURNAL_BROKEN' && error.details?.seq === 1,
  );
});

test('a header that cannot be written is JOURNAL_FAILED with the storage code', async () => {
  const probe = new ProbeStorage();
  probe.failWith = new KernelError('READ_ONLY', 'attempt to write a readonly database');
  const result = await Journal.open(probe, { nodeId: 'node-a', clock: new FakeClock() });
  assert.equal(result.ok, false);
  if (!result.ok) assert.ok(isJournalFailed('READ_ONLY')(result.error));
});

test('entries() walks every durable record in order across read pages', async () => {
  const storage = new MemoryStorage();
  const journal = await openJournal(storage);
  const appended = 10_050;
  for (let i = 0; i < appended; i += 1000) {
    await Promise.all(
      Array.from({ length: Math.min(1000, appended - i) }, (_, k) =>
        journal.append('test.entry', { n: i + k }),
      ),
    );
  }
  const seqs: number[] = [];
  for await (const entry of journal.entries()) seqs.push(entry.seq);
  assert.equal(seqs.length, journal.head.seq + 1, 'the header, every record and every checkpoint');
  assert.ok(seqs.every((seq, index) => seq === index));
  const tail: number[] = [];
  for await (const entry of journal.entries(journal.head.seq - 2)) tail.push(entry.seq);
  assert.deepEqual(tail, [journal.head.seq - 2, journal.head.seq - 1, journal.head.seq]);
});
