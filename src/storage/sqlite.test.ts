// The SQLite adapter: the conformance suite on temporary files, plus what only a file can show:
// durability across reopen, pragmas, file mode, read-only access and a full disk.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { verifies } from '../../test/invariants.ts';
import { isKernelError, KernelError } from '../shared/index.ts';
import { rejectionCode as codeOf } from '../testing/rejection-code.ts';
import { journalRows, storageConformance } from './conformance.ts';
import { prefixUpperBound } from './memory.ts';
import { openSqliteStorage } from './sqlite.ts';

const DIR = mkdtempSync(join(tmpdir(), 'maos-sqlite-'));
let files = 0;
const freshPath = () => join(DIR, `db-${++files}.sqlite`);

storageConformance('sqlite', () => openSqliteStorage(freshPath()));
after(() => rmSync(DIR, { recursive: true, force: true }));

test(`${verifies('INV-5')}sqlite: journal and values survive close and reopen`, async () => {
  const path = freshPath();
  const first = await openSqliteStorage(path);
  await first.appendJournal(journalRows(0, 100));
  await first.put('ns', 'k', 'v');
  await first.close();
  const second = await openSqliteStorage(path);
  assert.deepEqual(await second.readJournal(0, 1_000), journalRows(0, 100));
  assert.deepEqual(await second.get('ns', 'k'), { value: 'v', version: 1 });
  assert.equal(await codeOf(second.appendJournal(journalRows(0, 1))), 'STORAGE_CONFLICT');
  await second.appendJournal(journalRows(100, 1));
  assert.equal((await second.journalHead())?.seq, 100);
  await second.close();
});

test('sqlite: WAL, synchronous=FULL and a busy timeout are set on the connection', async () => {
  const storage = await openSqliteStorage(freshPath());
  assert.deepEqual(storage.settings(), { journalMode: 'wal', synchronous: 2, busyTimeoutMs: 5_000 });
  await storage.close();
  assert.throws(
    () => storage.settings(),
    (error: unknown) => isKernelError(error) && error.code === 'STORAGE_CLOSED',
  );
});

test('sqlite: a new database file is created with mode 0600', async () => {
  const path = freshPath();
  const storage = await openSqliteStorage(path);
  await storage.appendJournal(journalRows(0, 1));
  assert.equal(statSync(path).mode & 0o777, 0o600);
  for (const suffix of ['-wal', '-shm']) {
    if (existsSync(path + suffix)) assert.equal(statSync(path + suffix).mode & 0o777, 0o600, suffix);
  }
  await storage.close();
});

test(`${verifies('INV-5')}sqlite: a read-only open reads beside a writer and refuses writes`, async () => {
  const path = freshPath();
  const writer = await openSqliteStorage(path);
  await writer.appendJournal(journalRows(0, 3));
  await writer.put('ns', 'k', 'v');
  const reader = await openSqliteStorage(path, { readOnly: true });
  assert.deepEqual(await reader.readJournal(0, 10), journalRows(0, 3));
  await writer.appendJournal(journalRows(3, 2));
  assert.equal((await reader.journalHead())?.seq, 4);
  assert.equal(await codeOf(reader.appendJournal(journalRows(5, 1))), 'READ_ONLY');
  assert.equal(await codeOf(reader.put('ns', 'k', 'w')), 'READ_ONLY');
  assert.equal(await codeOf(reader.delete('ns', 'k')), 'READ_ONLY');
  assert.deepEqual(await reader.get('ns', 'k'), { value: 'v', version: 1 });
  assert.equal((await writer.journalHead())?.seq, 4);
  await reader.close();
  await writer.close();
});

test('sqlite: a read-only open of a missing file fails and creates nothing', async () => {
  const path = freshPath();
  const error = await openSqliteStorage(path, { readOnly: true }).catch((e: unknown) => e);
  assert.ok(error instanceof KernelError);
  assert.equal(error.code, 'STORAGE');
  assert.match(error.message, /^cannot open sqlite database `/);
  assert.equal(existsSync(path), false);
});

test('sqlite: a path that cannot be created, or a file that is no database, fails with STORAGE', async () => {
  const blocker = join(DIR, 'a-file');
  writeFileSync(blocker, 'not a directory');
  assert.equal(await codeOf(openSqliteStorage(join(blocker, 'db.sqlite'))), 'STORAGE');
  assert.equal(await codeOf(openSqliteStorage(join(DIR, 'missing', 'db.sqlite'))), 'STORAGE');
  const garbage = join(DIR, 'garbage.sqlite');
  writeFileSync(garbage, 'this is not a sqlite database, just text long enough to have a header');
  assert.equal(await codeOf(openSqliteStorage(garbage)), 'STORAGE');
});

test(`${verifies('INV-5')}sqlite: a full disk fails with DISK_FULL and keeps committed rows`, async () => {
  const path = freshPath();
  const storage = await openSqliteStorage(path, { pageCountMax: 40 });
  const committed = [];
  let code = 'none';
  for (let seq = 0; seq < 1_000; seq += 10) {
    const rows = journalRows(seq, 10).map((row) => ({ ...row, body: `{"pad":"${'x'.repeat(2_000)}"}` }));
    code = await codeOf(storage.appendJournal(rows));
    if (code !== 'resolved') break;
    committed.push(...rows);
  }
  assert.equal(code, 'DISK_FULL');
  assert.ok(committed.length > 0);
  assert.deepEqual(await storage.readJournal(0, 10_000), committed);
  assert.equal((await storage.journalHead())?.seq, committed.length - 1);
  await storage.close();
  const reopened = await openSqliteStorage(path);
  assert.deepEqual(await reopened.readJournal(0, 10_000), committed);
  await reopened.close();
});

test(`${verifies('INV-5')}sqlite: two connections to one file never append the same seq`, async () => {
  const path = freshPath();
  const a = await openSqliteStorage(path);
  const b = await openSqliteStorage(path);
  await a.appendJournal(journalRows(0, 5));
  assert.equal(await codeOf(b.appendJournal(journalRows(0, 1))), 'STORAGE_CONFLICT');
  const outcomes = await Promise.allSettled([
    a.appendJournal(journalRows(5, 3)),
    b.appendJournal(journalRows(5, 2)),
  ]);
  assert.equal(outcomes.filter((outcome) => outcome.status === 'fulfilled').length, 1);
  await b.appendJournal(journalRows(8, 2));
  assert.deepEqual(await a.readJournal(0, 100), journalRows(0, 10));
  await a.close();
  await b.close();
});

test('the prefix upper bound is the next string in code point order', () => {
  assert.equal(prefixUpperBound(''), undefined);
  assert.equal(prefixUpperBound('ab'), 'ac');
  assert.equal(prefixUpperBound('a\u{10ffff}'), 'b');
  assert.equal(prefixUpperBound('\u{10ffff}'), undefined);
  assert.equal(prefixUpperBound('a\ud7ff'), 'a\ue000');
  assert.equal(prefixUpperBound('a😀'), 'a😁');
});
