// The PostgreSQL adapter: the conformance suite in fresh random schemas, plus two pools racing on
// one schema. Needs a server (MAOS_TEST_PG_URL); without one it skips, or fails when CI is set.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import pg from 'pg';
import { verifies } from '../../test/invariants.ts';
import { rejectionCode as codeOf } from '../testing/rejection-code.ts';
import { journalRows, storageConformance } from './conformance.ts';
import { openPostgresStorage, type PostgresStorage, postgresErrorCode } from './postgres.ts';

const PG_URL = process.env.MAOS_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const RUN = `maos_test_${randomBytes(6).toString('hex')}`;
const schemas: string[] = [];
let roles: string[] = [];

async function reachable(): Promise<string | undefined> {
  // WHY: a server that is down refuses at once; one that is up may take seconds on a loaded CI machine.
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.end().catch(() => {});
  }
}

function freshSchema(): string {
  const schema = `${RUN}_${schemas.length}`;
  schemas.push(schema);
  return schema;
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function dropAll(): Promise<void> {
  for (const schema of schemas.splice(0))
    await admin(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
  for (const role of roles) await admin(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(role)}`);
  roles = [];
}

const problem = await reachable();
if (problem !== undefined && process.env.CI !== undefined) {
  test('postgres storage: the server must be reachable in CI', () => {
    assert.fail(`postgresql unreachable at MAOS_TEST_PG_URL or the default: ${problem}`);
  });
} else if (problem !== undefined) {
  test('postgres storage', { skip: `postgresql unreachable (set MAOS_TEST_PG_URL): ${problem}` }, () => {});
} else {
  storageConformance(
    'postgres',
    () => openPostgresStorage({ connectionString: PG_URL, schema: freshSchema() }),
    dropAll,
  );
  adapterCases();
}

function adapterCases(): void {
  after(dropAll);

  test(`${verifies('INV-5')}postgres: two pools racing on one schema never duplicate or lose a seq`, async () => {
    const schema = freshSchema();
    const [a, b] = await Promise.all([
      openPostgresStorage({ connectionString: PG_URL, schema }),
      openPostgresStorage({ connectionString: PG_URL, schema }),
    ]);
    try {
      const appended = await Promise.all([appendMany(a, 'a', 40), appendMany(b, 'b', 40)]);
      const rows = await a.readJournal(0, 1_000);
      assert.deepEqual(
        rows.map((row) => row.seq),
        Array.from({ length: 80 }, (_, i) => i),
      );
      assert.equal(rows.filter((row) => row.hash === 'a').length, 40);
      assert.deepEqual(appended, [40, 40]);
      const blind = await Promise.allSettled([
        a.appendJournal(journalRows(80, 5)),
        b.appendJournal(journalRows(80, 3)),
      ]);
      assert.equal(blind.filter((outcome) => outcome.status === 'fulfilled').length, 1);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  test(`${verifies('INV-5')}postgres: journal and values survive a new pool`, async () => {
    const schema = freshSchema();
    const first = await openPostgresStorage({ connectionString: PG_URL, schema });
    await first.appendJournal(journalRows(0, 10));
    await first.put('ns', 'k', 'v');
    await first.close();
    const second = await openPostgresStorage({ connectionString: PG_URL, schema });
    assert.deepEqual(await second.readJournal(0, 100), journalRows(0, 10));
    assert.deepEqual(await second.get('ns', 'k'), { value: 'v', version: 1 });
    await second.close();
  });

  test('postgres: a terminated connection fails at most one call with STORAGE, then the pool recovers', async () => {
    const schema = freshSchema();
    const storage = await openPostgresStorage({ connectionString: PG_URL, schema });
    try {
      await storage.appendJournal(journalRows(0, 1));
      await storage.journalHead();
      const pid = await backendPid(schema);
      assert.ok(pid > 0, 'no idle pooled connection found');
      await admin(`SELECT pg_terminate_backend(${pid})`);
      const codes = [await codeOf(storage.journalHead()), await codeOf(storage.journalHead())];
      assert.ok(codes.filter((code) => code === 'STORAGE').length <= 1, codes.join());
      assert.equal((await storage.journalHead())?.seq, 0);
    } finally {
      await storage.close();
    }
  });

  test('postgres: writes through a read-only session fail with READ_ONLY', async () => {
    const schema = freshSchema();
    const writer = await openPostgresStorage({ connectionString: PG_URL, schema });
    await writer.appendJournal(journalRows(0, 2));
    await writer.close();
    const role = `${RUN}_reader`;
    roles.push(role);
    const quoted = pg.escapeIdentifier(role);
    await admin(`CREATE ROLE ${quoted} LOGIN SUPERUSER`);
    await admin(`ALTER ROLE ${quoted} SET default_transaction_read_only = on`);
    const url = new URL(PG_URL);
    url.username = role;
    const reader = await openPostgresStorage({ connectionString: url.toString(), schema });
    try {
      assert.deepEqual(await reader.readJournal(0, 10), journalRows(0, 2));
      assert.equal(await codeOf(reader.appendJournal(journalRows(2, 1))), 'READ_ONLY');
      assert.equal(await codeOf(reader.put('ns', 'k', 'v')), 'READ_ONLY');
      assert.equal(await reader.get('ns', 'k'), undefined);
    } finally {
      await reader.close();
    }
  });

  test('postgres: a bad schema name or an unreachable server is refused', async () => {
    assert.equal(
      await codeOf(openPostgresStorage({ connectionString: PG_URL, schema: 'Bad; drop' })),
      'INVALID_INPUT',
    );
    const nowhere = 'postgres://postgres@127.0.0.1:1/test';
    assert.equal(await codeOf(openPostgresStorage({ connectionString: nowhere, schema: 'x' })), 'STORAGE');
  });

  test('postgres: SQLSTATEs map to storage codes', () => {
    assert.equal(postgresErrorCode({ code: '53100' }), 'DISK_FULL');
    assert.equal(postgresErrorCode({ code: '25006' }), 'READ_ONLY');
    assert.equal(postgresErrorCode({ code: '23505' }), 'STORAGE_CONFLICT');
    assert.equal(postgresErrorCode({ code: 'ECONNREFUSED' }), 'STORAGE');
    assert.equal(postgresErrorCode(new Error('socket hang up')), 'STORAGE');
  });
}

/** Appends `count` rows one at a time, re-reading the head after each lost race. */
async function appendMany(storage: PostgresStorage, writer: string, count: number): Promise<number> {
  let done = 0;
  while (done < count) {
    const next = ((await storage.journalHead())?.seq ?? -1) + 1;
    const code = await codeOf(
      storage.appendJournal([{ seq: next, hash: writer, body: `{"w":"${writer}"}` }]),
    );
    if (code === 'resolved') done++;
    else assert.equal(code, 'STORAGE_CONFLICT');
  }
  return done;
}

/** The backend pid of an idle pooled connection whose last query named `schema`. */
async function backendPid(schema: string): Promise<number> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    const result = await client.query<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE state = 'idle' AND pid <> pg_backend_pid() AND strpos(query, $1) > 0",
      [schema],
    );
    return result.rows[0]?.pid ?? 0;
  } finally {
    await client.end();
  }
}
