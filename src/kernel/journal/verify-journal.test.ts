// Tamper tests of journal verification (MR-3, INV-5) on real SQLite files: each edit an attacker
// or a bad disk could make to the table must be named at the first broken record.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, test } from 'node:test';
import { verifies } from '../../../test/invariants.ts';
import { canonicalJson, type HashAlgorithm, hashHex } from '../../shared/index.ts';
import { MemoryStorage } from '../../storage/memory.ts';
import type { JournalRow } from '../../storage/port.ts';
import { openSqliteStorage } from '../../storage/sqlite.ts';
import { FakeClock } from '../../testing/fake-clock.ts';
import { generateIssuerKeyPair, publicKeysOf } from '../token/key-material.ts';
import { Journal, journalSignerOf } from './journal.ts';
import {
  CHECKPOINT_TYPE,
  checkpointStatement,
  type JournalRecord,
  signCheckpoint,
} from './journal-record.ts';
import { type VerifyOptions, type VerifyReport, verifyJournal } from './verify-journal.ts';

const PAIR = generateIssuerKeyPair('journal-key-1');
const INTRUDER = generateIssuerKeyPair('intruder-key');
const PUBLIC_KEYS = publicKeysOf([PAIR]);
const DIR = mkdtempSync(join(tmpdir(), 'maos-journal-'));
after(() => rmSync(DIR, { recursive: true, force: true }));
let files = 0;

/**
 * A closed SQLite journal of `records` records with a checkpoint after every 5: seq 0 is the
 * header, 1–5 records, 6 a checkpoint, 7–11 records, 12 a checkpoint, and so on.
 */
async function journalFile(records = 20, hashAlgorithm: HashAlgorithm = 'sha256'): Promise<string> {
  const path = join(DIR, `journal-${++files}.sqlite`);
  const storage = await openSqliteStorage(path);
  const opened = await Journal.open(storage, {
    nodeId: 'node-a',
    clock: new FakeClock(),
    signer: journalSignerOf(PAIR),
    checkpointEveryRecords: 5,
    hashAlgorithm,
  });
  if (!opened.ok) assert.fail(opened.error.message);
  const journal = opened.value;
  await Promise.all(
    Array.from({ length: records }, (_, n) => journal.append('intent.written', { n, text: `record ${n}` })),
  );
  await journal.close();
  await storage.close();
  return path;
}

async function verifyFile(path: string, options: Partial<VerifyOptions> = {}): Promise<VerifyReport> {
  const storage = await openSqliteStorage(path, { readOnly: true });
  try {
    return await verifyJournal(storage, { publicKeys: PUBLIC_KEYS, ...options });
  } finally {
    await storage.close();
  }
}

/** Runs raw SQL on the file, as an attacker with write access to the database would. */
function tamper(path: string, work: (db: DatabaseSync) => void): void {
  const db = new DatabaseSync(path);
  try {
    work(db);
  } finally {
    db.close();
  }
}

function rowAt(db: DatabaseSync, seq: number): JournalRow {
  const row = db.prepare('SELECT seq, hash, body FROM journal WHERE seq = ?').get(seq);
  assert.ok(row !== undefined, `row ${seq} exists`);
  return { seq: Number(row.seq), hash: String(row.hash), body: String(row.body) };
}

function setRow(db: DatabaseSync, seq: number, body: string, hash: string): void {
  db.prepare('UPDATE journal SET body = ?, hash = ? WHERE seq = ?').run(body, hash, seq);
}

/**
 * Rewrites every record from `fromSeq` to the head with a fresh, consistent hash chain, applying
 * `edit` to each parsed record first: what an attacker who knows the format but not the key can do.
 */
function rewriteTail(
  db: DatabaseSync,
  fromSeq: number,
  edit: (record: JournalRecord, previousHash: string) => JournalRecord,
  algorithm: HashAlgorithm = 'sha256',
): void {
  const head = Number(db.prepare('SELECT max(seq) AS seq FROM journal').get()?.seq);
  let previousHash = rowAt(db, fromSeq - 1).hash;
  for (let seq = fromSeq; seq <= head; seq++) {
    const parsed = JSON.parse(rowAt(db, seq).body) as JournalRecord;
    const record = { ...edit(parsed, previousHash), prev: previousHash };
    const body = canonicalJson(record);
    previousHash = hashHex(body, algorithm);
    setRow(db, seq, body, previousHash);
  }
}

function broken(report: VerifyReport): { brokenSeq: number; reason: string } {
  if (report.ok) assert.fail('expected a broken journal, it verified');
  return { brokenSeq: report.brokenSeq, reason: report.reason };
}

const keep = (record: JournalRecord) => record;

test(`${verifies('MR-3', 'INV-5')}an untouched journal verifies end to end, in batches, with progress`, async () => {
  const path = await journalFile();
  const progress: number[] = [];
  const report = await verifyFile(path, { batchSize: 7, onProgress: (n) => progress.push(n) });
  let headHash = '';
  tamper(path, (db) => {
    headHash = rowAt(db, 24).hash;
  });
  assert.deepEqual(report, { ok: true, records: 25, checkpoints: 4, headSeq: 24, headHash });
  assert.deepEqual(progress, [7, 14, 21, 25]);
});

test(`${verifies('MR-3', 'INV-5')}one edited byte in a middle body is a hash mismatch at that record`, async () => {
  const path = await journalFile();
  tamper(path, (db) => {
    const row = rowAt(db, 9);
    setRow(db, 9, row.body.replace('"text":"record', '"text":"recorD'), row.hash);
  });
  const report = await verifyFile(path);
  assert.deepEqual(broken(report), { brokenSeq: 9, reason: 'hash-mismatch' });
  assert.equal(report.records, 9);
  assert.equal(report.checkpoints, 1);
});

test(`${verifies('MR-3', 'INV-5')}an edited body with a recomputed hash breaks the next record's prev`, async () => {
  const path = await journalFile();
  tamper(path, (db) => {
    const body = rowAt(db, 9).body.replace('"text":"record', '"text":"recorD');
    setRow(db, 9, body, hashHex(body));
  });
  assert.deepEqual(broken(await verifyFile(path)), { brokenSeq: 10, reason: 'prev-mismatch' });
});

test(`${verifies('MR-3', 'INV-5')}a tail rewritten with a consistent chain is caught by the checkpoint covering it`, async () => {
  const path = await journalFile();
  const edit = (record: JournalRecord) =>
    record.seq === 9 ? { ...record, data: { ...record.data, text: 'forged' } } : record;
  tamper(path, (db) => rewriteTail(db, 9, edit));
  assert.deepEqual(broken(await verifyFile(path)), { brokenSeq: 12, reason: 'checkpoint-mismatch' });

  const again = await journalFile();
  tamper(again, (db) =>
    rewriteTail(db, 9, (record, previousHash) =>
      record.type === CHECKPOINT_TYPE
        ? { ...record, data: { ...record.data, upToHash: previousHash } }
        : edit(record),
    ),
  );
  assert.deepEqual(broken(await verifyFile(again)), { brokenSeq: 12, reason: 'checkpoint-signature' });
});

test(`${verifies('MR-3', 'INV-5')}a deleted middle row is a seq gap`, async () => {
  const path = await journalFile();
  tamper(path, (db) => db.prepare('DELETE FROM journal WHERE seq = 9').run());
  assert.deepEqual(broken(await verifyFile(path)), { brokenSeq: 9, reason: 'seq-gap' });
  const batched = await verifyFile(path, { batchSize: 9 });
  assert.deepEqual(broken(batched), { brokenSeq: 9, reason: 'seq-gap' }, 'also at a batch boundary');

  const headless = await journalFile(3);
  tamper(headless, (db) => db.prepare('DELETE FROM journal WHERE seq = 0').run());
  assert.deepEqual(broken(await verifyFile(headless)), { brokenSeq: 0, reason: 'seq-gap' });
});

test(`${verifies('MR-3')}a checkpoint forged with another key is refused`, async () => {
  // WHY: the last checkpoint (seq 24), so that the forgery is the only change to the chain.
  const forge = (keyId: string) => (record: JournalRecord, previousHash: string) => {
    if (record.seq !== 24) return record;
    const statement = checkpointStatement('node-a', 23, previousHash);
    const signature = signCheckpoint(statement, INTRUDER.ed25519.privateKey);
    return { ...record, data: { upToSeq: 23, upToHash: previousHash, keyId, signature } };
  };
  const unknown = await journalFile();
  tamper(unknown, (db) => rewriteTail(db, 24, forge(INTRUDER.kid)));
  assert.deepEqual(broken(await verifyFile(unknown)), { brokenSeq: 24, reason: 'checkpoint-key-unknown' });
  const known = await journalFile();
  tamper(known, (db) => rewriteTail(db, 24, forge(PAIR.kid)));
  assert.deepEqual(broken(await verifyFile(known)), { brokenSeq: 24, reason: 'checkpoint-signature' });
  const trusting = await verifyFile(unknown, { publicKeys: publicKeysOf([PAIR, INTRUDER]) });
  assert.equal(trusting.ok, true, 'the same checkpoint verifies once its key is trusted');
});

test(`${verifies('MR-3', 'INV-5')}a non-canonical body with a correct hash is malformed`, async () => {
  const variants: ((body: string) => string)[] = [
    (body) => body.replace('"n":', '"n": '),
    (body) => body.replace('"text":"record', '"text":"\\u0072ecord'),
    (body) => JSON.stringify(JSON.parse(body), ['type', 'ts', 'seq', 'prev', 'data', 'n', 'text']),
    (body) => body.replace(/"n":(\d+)/, '"n":$1.0'),
    (body) => body.replace('"seq":9', '"seq":9,"seq":9'),
    (body) => `${body} `,
  ];
  for (const variant of variants) {
    const path = await journalFile(8);
    tamper(path, (db) => {
      const body = variant(rowAt(db, 9).body);
      setRow(db, 9, body, hashHex(body));
    });
    assert.deepEqual(
      broken(await verifyFile(path)),
      { brokenSeq: 9, reason: 'malformed' },
      variant.toString(),
    );
  }
});

test(`${verifies('MR-3')}a header naming an unknown hash algorithm is refused`, async () => {
  const path = await journalFile(2);
  tamper(path, (db) => {
    const header = JSON.parse(rowAt(db, 0).body) as JournalRecord;
    const body = canonicalJson({ ...header, data: { ...header.data, hashAlgorithm: 'md5' } });
    setRow(db, 0, body, hashHex(body));
  });
  const report = await verifyFile(path);
  assert.deepEqual(broken(report), { brokenSeq: 0, reason: 'header' });
  assert.match(report.ok ? '' : report.message, /`md5`/);
  assert.deepEqual(broken(await verifyJournal(new MemoryStorage(), { publicKeys: PUBLIC_KEYS })), {
    brokenSeq: 0,
    reason: 'header',
  });
});

test(`${verifies('MR-3', 'INV-5')}a sha3-256 journal verifies, and tampering with it is caught`, async () => {
  const path = await journalFile(12, 'sha3-256');
  const report = await verifyFile(path);
  assert.equal(report.ok && report.records, 15);
  tamper(path, (db) => {
    assert.equal(rowAt(db, 3).hash, hashHex(rowAt(db, 3).body, 'sha3-256'));
    const body = rowAt(db, 3).body.replace('record', 'recorD');
    setRow(db, 3, body, hashHex(body));
  });
  assert.deepEqual(broken(await verifyFile(path)), { brokenSeq: 3, reason: 'hash-mismatch' });
  const rewritten = await journalFile(12, 'sha3-256');
  tamper(rewritten, (db) => rewriteTail(db, 3, keep, 'sha3-256'));
  assert.equal((await verifyFile(rewritten)).ok, true, 'an identical rewrite changes nothing');
});
