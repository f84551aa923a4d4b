// FaultyStorage: transparent without faults (the conformance suite), and injected faults reject
// with the chosen code while the inner storage stays untouched.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { journalRows, storageConformance } from '../storage/conformance.ts';
import { MemoryStorage } from '../storage/memory.ts';
import { FaultyStorage } from './faulty-storage.ts';
import { rejectionCode as codeOf } from './rejection-code.ts';

storageConformance('faulty storage without faults', async () => new FaultyStorage(new MemoryStorage()));

test('failNext fails the next calls of one method and leaves the inner storage alone', async () => {
  const inner = new MemoryStorage();
  const storage = new FaultyStorage(inner);
  assert.equal(storage.kind, 'memory');
  storage.failNext('appendJournal', 'DISK_FULL', 2);
  storage.failNext('appendJournal', 'STORAGE');
  assert.equal(await codeOf(storage.appendJournal(journalRows(0, 1))), 'DISK_FULL');
  assert.equal(await codeOf(storage.put('ns', 'k', 'v')), 'resolved');
  assert.equal(await codeOf(storage.appendJournal(journalRows(0, 1))), 'DISK_FULL');
  assert.equal(await codeOf(storage.appendJournal(journalRows(0, 1))), 'STORAGE');
  assert.equal(await inner.journalHead(), undefined);
  assert.equal(await codeOf(storage.appendJournal(journalRows(0, 1))), 'resolved');
  assert.equal((await inner.journalHead())?.seq, 0);
  assert.equal(storage.injectedCount, 3);
});

test('failAlways holds until heal, and failNext faults come first', async () => {
  const storage = new FaultyStorage(new MemoryStorage());
  storage.failAlways('get', 'STORAGE');
  storage.failNext('get', 'READ_ONLY');
  assert.equal(await codeOf(storage.get('ns', 'k')), 'READ_ONLY');
  assert.equal(await codeOf(storage.get('ns', 'k')), 'STORAGE');
  assert.equal(await codeOf(storage.get('ns', 'k')), 'STORAGE');
  storage.failAlways('close', 'STORAGE');
  assert.equal(await codeOf(storage.close()), 'STORAGE');
  storage.heal();
  assert.equal(await codeOf(storage.get('ns', 'k')), 'resolved');
  await storage.close();
  assert.equal(await codeOf(storage.get('ns', 'k')), 'STORAGE_CLOSED');
});

test('the onAppend hook sees every batch and a throw from it writes nothing', async () => {
  const inner = new MemoryStorage();
  const storage = new FaultyStorage(inner);
  const seen: number[] = [];
  storage.onAppend = (rows) => {
    seen.push(rows.length);
    if (rows.length > 2) throw new Error('crash before the write');
  };
  await storage.appendJournal(journalRows(0, 2));
  await assert.rejects(storage.appendJournal(journalRows(2, 3)), /crash before the write/);
  assert.deepEqual(seen, [2, 3]);
  assert.equal((await inner.journalHead())?.seq, 1);
});
