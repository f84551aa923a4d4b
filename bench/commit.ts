// `npm run bench -- commit`: durable commits through the full pipeline (token by reference, DSC,
// three fsync'd journal records, lock, snapshot plan, a no-op connector) against raw node:sqlite
// inserts of the same record size and durability, in the same run; then journal verification.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { CommitLayer, Journal, journalSignerOf, Kernel, verifyJournal } from '../src/kernel/index.ts';
import { generateIssuerKeyPair, publicKeysOf } from '../src/kernel/token/index.ts';
import { assert, systemClock, systemRandom, uuidv7 } from '../src/shared/index.ts';
import { openSqliteStorage } from '../src/storage/sqlite.ts';
import { actionPolicy, agentPolicy, testPolicy } from '../src/testing/fixtures.ts';
import { noopConnector } from '../src/testing/test-connectors.ts';
import { type BenchResult, measureConcurrent } from './harness.ts';

const COMMITS = 20_000;
const ISSUER = generateIssuerKeyPair('k-bench');

type Pipeline = {
  readonly run: () => Promise<boolean>;
  readonly recordBytes: number;
  close(): Promise<void>;
};

async function pipeline(dir: string): Promise<Pipeline> {
  const grants = [{ action: 'test.*', resource: '**' }];
  const policy = testPolicy({
    agents: new Map([['agent', agentPolicy('agent', { grants })]]),
    actions: new Map([['test.noop', actionPolicy('test.noop', { sideEffect: 'write' })]]),
  });
  const kernel = new Kernel({ policy, publicKeys: publicKeysOf([ISSUER]), issuer: ISSUER });
  const storage = await openSqliteStorage(join(dir, 'maos.db'));
  const journal = await Journal.open(storage, {
    nodeId: policy.nodeId,
    clock: systemClock,
    signer: journalSignerOf(ISSUER),
  });
  assert(journal.ok, 'the bench journal opens');
  const commits = new CommitLayer({
    kernel,
    journal: journal.value,
    connectors: [noopConnector()],
    clock: systemClock,
  });
  const minted = await kernel.mint({ sub: 'agent', scopes: grants });
  assert(minted.ok, 'the bench token mints');
  const admitted = await kernel.admitToken(minted.value.token);
  assert(admitted.ok, 'the bench token verifies');
  const token = admitted.value.digest;
  let n = 0;
  const run = async () => {
    const intent = {
      id: uuidv7(systemClock, systemRandom),
      agent: 'agent',
      action: 'test.noop',
      resource: `r/${n++ % 1024}`,
      token,
      args: { n },
    };
    const result = await commits.submit(intent);
    return result.ok && result.value.state === 'committed';
  };
  await run();
  const rows = await storage.readJournal(0, 100_000);
  const written = rows.find((row) => row.body.includes('"intent.written"'));
  return {
    run,
    recordBytes: written?.body.length ?? 0,
    close: async () => {
      await journal.value.close();
      await storage.close();
    },
  };
}

/** Raw node:sqlite: WAL, synchronous=FULL, the same row shape and size; `batch` rows per transaction. */
function rawSqlite(dir: string, recordBytes: number, batch: number) {
  const db = new DatabaseSync(join(dir, `raw-${batch}.db`));
  db.exec('PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;');
  db.exec('CREATE TABLE journal(seq INTEGER PRIMARY KEY, hash TEXT NOT NULL, body TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO journal(seq, hash, body) VALUES (?, ?, ?)');
  const body = 'x'.repeat(recordBytes);
  const hash = 'h'.repeat(64);
  let seq = 0;
  let pending: Array<() => void> = [];
  // WHY: node:sqlite is synchronous; concurrent callers are served one after another, as a user of
  // it would be served. `batch` > 1 is the upper bound: a perfect group commit with zero overhead.
  const flush = () => {
    const waiting = pending;
    pending = [];
    db.exec('BEGIN');
    for (let i = 0; i < waiting.length; i++) insert.run(seq++, hash, body);
    db.exec('COMMIT');
    for (const done of waiting) done();
  };
  return {
    run: () =>
      new Promise<boolean>((resolve) => {
        if (batch === 1) {
          insert.run(seq++, hash, body);
          resolve(true);
          return;
        }
        pending.push(() => resolve(true));
        if (pending.length >= batch) flush();
        else if (pending.length === 1) setImmediate(() => pending.length > 0 && flush());
      }),
    close: () => db.close(),
  };
}

export async function commitResults(): Promise<BenchResult[]> {
  const dir = await mkdtemp(join(tmpdir(), 'maos-bench-commit-'));
  try {
    const out: BenchResult[] = [];
    const serial = await pipeline(dir);
    out.push(
      await measureConcurrent('commit/durable/c=1', { concurrency: 1, total: 3_000 }, serial.run, {
        records_per_commit: 3,
        record_bytes: serial.recordBytes,
      }),
    );
    await serial.close();
    const subdir = await mkdtemp(join(dir, 'c64-'));
    const wide = await pipeline(subdir);
    const durable = await measureConcurrent(
      'commit/durable/c=64',
      { concurrency: 64, total: COMMITS },
      wide.run,
      {
        records_per_commit: 3,
        record_bytes: wide.recordBytes,
      },
    );
    const raw = rawSqlite(dir, wide.recordBytes, 1);
    const rawResult = await measureConcurrent(
      'sqlite/raw/c=64',
      { concurrency: 64, total: COMMITS },
      raw.run,
      {
        rows_per_transaction: 1,
        record_bytes: wide.recordBytes,
      },
    );
    raw.close();
    const batched = rawSqlite(dir, wide.recordBytes, 64);
    const batchedResult = await measureConcurrent(
      'sqlite/raw-batched/c=64',
      { concurrency: 64, total: COMMITS * 3 },
      batched.run,
      { rows_per_transaction: 64, record_bytes: wide.recordBytes },
    );
    batched.close();
    out.push(
      {
        ...durable,
        ratio_to_raw: round(durable.ops_per_s / rawResult.ops_per_s),
        ratio_to_raw_batched_rows: round((durable.ops_per_s * 3) / batchedResult.ops_per_s),
      },
      rawResult,
      batchedResult,
    );
    await wide.close();
    out.push(await verifyRate(subdir));
    return out;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Walks the c=64 journal (≈ 60,000 records) end to end, hashes and checkpoint signatures included. */
async function verifyRate(dir: string): Promise<BenchResult> {
  const storage = await openSqliteStorage(join(dir, 'maos.db'), { readOnly: true });
  const head = await storage.journalHead();
  const started = performance.now();
  let records = 0;
  const runs = 3;
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const report = await verifyJournal(storage, { publicKeys: publicKeysOf([ISSUER]) });
    samples.push(performance.now() - t0);
    assert(report.ok, 'the benchmark journal verifies');
    records = report.records;
  }
  const totalMs = performance.now() - started;
  await storage.close();
  samples.sort((a, b) => a - b);
  return {
    name: 'journal/verify',
    iterations: runs,
    p50_us: round((samples[1] ?? 0) * 1000),
    p99_us: round((samples[2] ?? 0) * 1000),
    mean_us: round((totalMs * 1000) / runs),
    ops_per_s: Math.round((records * runs) / (totalMs / 1000)),
    returned: records,
    records,
    head_seq: head?.seq ?? -1,
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
