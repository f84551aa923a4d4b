// PostgreSQL Storage adapter on `pg`: tables in one schema, shared by several MAOS processes.
// Journal appends lock the journal table so two writers never take the same seq.

import pg from 'pg';
import { type ErrorCode, KernelError } from '../shared/index.ts';
import { prefixUpperBound } from './memory.ts';
import type { Entry, ExpectedVersion, JournalRow, Storage, StorageKind, Versioned } from './port.ts';

export type PostgresOptions = {
  /** A libpq URL; it never appears in error messages, since it may carry a password. */
  readonly connectionString: string;
  /** Schema holding the tables, created if missing; `maos` by default. */
  readonly schema?: string;
  /** Most connections the pool opens; 10 by default. */
  readonly connectionsMax?: number;
};

type Client = pg.PoolClient;
type Sql = ReturnType<typeof statements>;

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const CONNECT_TIMEOUT_MS = 5_000;

function statements(schema: string) {
  const s = pg.escapeIdentifier(schema);
  const kv = `${s}.kv`;
  const list = `SELECT key, value, version FROM ${kv} WHERE ns = $1 AND key >= $2 AND starts_with(key, $2)`;
  return {
    schema: [
      `CREATE SCHEMA IF NOT EXISTS ${s}`,
      `CREATE TABLE IF NOT EXISTS ${s}.journal (seq BIGINT PRIMARY KEY, hash TEXT NOT NULL, body TEXT NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS ${kv} (ns TEXT COLLATE "C" NOT NULL, key TEXT COLLATE "C" NOT NULL, ` +
        'value TEXT NOT NULL, version BIGINT NOT NULL, PRIMARY KEY (ns, key))',
    ],
    lock: `LOCK TABLE ${s}.journal IN EXCLUSIVE MODE`,
    last: `SELECT max(seq) AS seq FROM ${s}.journal`,
    insertRows: `INSERT INTO ${s}.journal (seq, hash, body) SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[])`,
    read: `SELECT seq, hash, body FROM ${s}.journal WHERE seq >= $1 ORDER BY seq LIMIT $2`,
    head: `SELECT seq, hash, body FROM ${s}.journal ORDER BY seq DESC LIMIT 1`,
    get: `SELECT value, version FROM ${kv} WHERE ns = $1 AND key = $2`,
    upsert:
      `INSERT INTO ${kv} (ns, key, value, version) VALUES ($1, $2, $3, 1) ON CONFLICT (ns, key) ` +
      `DO UPDATE SET value = EXCLUDED.value, version = ${kv}.version + 1 RETURNING version`,
    insert: `INSERT INTO ${kv} (ns, key, value, version) VALUES ($1, $2, $3, 1) ON CONFLICT DO NOTHING RETURNING version`,
    update: `UPDATE ${kv} SET value = $3, version = version + 1 WHERE ns = $1 AND key = $2 AND version = $4 RETURNING version`,
    delete: `DELETE FROM ${kv} WHERE ns = $1 AND key = $2 RETURNING version`,
    deleteVersion: `DELETE FROM ${kv} WHERE ns = $1 AND key = $2 AND version = $3 RETURNING version`,
    // WHY: a key range plus starts_with instead of LIKE, so `%` and `_` are plain characters.
    listBounded: `${list} AND key < $3 ORDER BY key LIMIT $4`,
    listOpen: `${list} ORDER BY key LIMIT $3`,
  } as const;
}

/**
 * Connects a pool to PostgreSQL and creates the schema and tables if missing. Commits use
 * `synchronous_commit = on`, so a resolved write is in the server's fsync'd WAL.
 */
export async function openPostgresStorage(options: PostgresOptions): Promise<PostgresStorage> {
  const schema = options.schema ?? 'maos';
  if (!SCHEMA_NAME.test(schema)) {
    throw new KernelError('INVALID_INPUT', `postgres schema \`${schema}\` is not a lowercase identifier`);
  }
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.connectionsMax ?? 10,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    options: '-c synchronous_commit=on',
  });
  // WHY: an idle client losing its connection emits `error`; unhandled, it would end the process.
  // The next query on the pool fails and reports it.
  pool.on('error', () => {});
  const storage = new PostgresStorage(pool, statements(schema));
  try {
    await storage.createSchema(schema);
  } catch (error) {
    await storage.close();
    throw error;
  }
  return storage;
}

/** Storage in one PostgreSQL schema; safe to share between processes. */
export class PostgresStorage implements Storage {
  readonly kind: StorageKind = 'postgres';
  #pool: pg.Pool;
  #sql: Sql;
  #closed = false;

  /** Use `openPostgresStorage`, which creates the schema. */
  constructor(pool: pg.Pool, sql: Sql) {
    this.#pool = pool;
    this.#sql = sql;
  }

  /** Creates the schema and tables if missing; an advisory lock keeps concurrent openers apart. */
  async createSchema(schema: string): Promise<void> {
    // WHY: checked first so a read-only server (a hot standby) can still be opened for reading.
    const [ready] = await this.#query<{ ready: boolean }>('schema check', {
      text: 'SELECT to_regclass($1) IS NOT NULL AND to_regclass($2) IS NOT NULL AS ready',
      values: [`${pg.escapeIdentifier(schema)}.journal`, `${pg.escapeIdentifier(schema)}.kv`],
    });
    if (ready?.ready === true) return;
    await this.#transaction('schema creation', async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`maos-schema:${schema}`]);
      for (const statement of this.#sql.schema) await client.query(statement);
    });
  }

  async appendJournal(rows: readonly JournalRow[]): Promise<void> {
    this.#open();
    const first = rows[0];
    if (first === undefined) return;
    const broken = rows.findIndex((row, i) => row.seq !== first.seq + i);
    if (broken !== -1) throw conflict(first.seq + broken, rows[broken]?.seq, first.seq);
    await this.#transaction('journal append', async (client) => {
      // INVARIANT: the lock serialises appenders (readers go on); the head is read under it.
      await client.query(this.#sql.lock);
      const last = (await client.query<{ seq: string | null }>(this.#sql.last)).rows[0]?.seq ?? null;
      const next = last === null ? 0 : Number(last) + 1;
      if (first.seq !== next) throw conflict(next, first.seq, first.seq);
      await client.query(this.#sql.insertRows, [
        rows.map((row) => row.seq),
        rows.map((row) => row.hash),
        rows.map((row) => row.body),
      ]);
    });
  }

  async readJournal(fromSeq: number, limit: number): Promise<JournalRow[]> {
    this.#open();
    const count = Math.floor(limit);
    if (!(count > 0) || Number.isNaN(fromSeq)) return [];
    const start = Math.min(Math.max(0, Math.ceil(fromSeq)), Number.MAX_SAFE_INTEGER);
    let rows: [string, string, string][];
    try {
      const query = { name: 'maos-journal-read', text: this.#sql.read, rowMode: 'array' as const };
      const values = [start, Math.min(count, Number.MAX_SAFE_INTEGER)];
      rows = (await this.#pool.query<[string, string, string]>({ ...query, values })).rows;
    } catch (error) {
      throw this.#error(error, 'journal read');
    }
    // WHY: array rows and a plain loop; verification reads hundreds of thousands of rows a second.
    const out: JournalRow[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as [string, string, string];
      out[i] = { seq: Number(row[0]), hash: row[1], body: row[2] };
    }
    return out;
  }

  async journalHead(): Promise<JournalRow | undefined> {
    this.#open();
    const [row] = await this.#query<{ seq: string; hash: string; body: string }>('journal head', {
      text: this.#sql.head,
    });
    return row === undefined ? undefined : { seq: Number(row.seq), hash: row.hash, body: row.body };
  }

  async get(namespace: string, key: string): Promise<Versioned | undefined> {
    this.#open();
    const [row] = await this.#query<{ value: string; version: string }>('get', {
      text: this.#sql.get,
      values: [namespace, key],
    });
    return row === undefined ? undefined : { value: row.value, version: Number(row.version) };
  }

  async put(namespace: string, key: string, value: string, expected?: ExpectedVersion): Promise<number> {
    this.#open();
    const what = `put \`${namespace}/${key}\``;
    const [row] = await this.#query<{ version: string }>(
      what,
      expected === undefined
        ? { text: this.#sql.upsert, values: [namespace, key, value] }
        : expected === 0
          ? { text: this.#sql.insert, values: [namespace, key, value] }
          : { text: this.#sql.update, values: [namespace, key, value, expected] },
    );
    if (row === undefined) throw await this.#versionConflict(namespace, key, expected);
    return Number(row.version);
  }

  async delete(namespace: string, key: string, expected?: ExpectedVersion): Promise<boolean> {
    this.#open();
    if (expected === 0) {
      if ((await this.get(namespace, key)) !== undefined)
        throw await this.#versionConflict(namespace, key, 0);
      return false;
    }
    const what = `delete \`${namespace}/${key}\``;
    const rows = await this.#query(
      what,
      expected === undefined
        ? { text: this.#sql.delete, values: [namespace, key] }
        : { text: this.#sql.deleteVersion, values: [namespace, key, expected] },
    );
    if (rows.length === 0 && expected !== undefined)
      throw await this.#versionConflict(namespace, key, expected);
    return rows.length > 0;
  }

  async list(namespace: string, prefix: string, limit: number): Promise<Entry[]> {
    this.#open();
    const count = Math.min(Math.floor(limit), Number.MAX_SAFE_INTEGER);
    if (!(count > 0)) return [];
    const upper = prefixUpperBound(prefix);
    const rows = await this.#query<{ key: string; value: string; version: string }>(
      'list',
      upper === undefined
        ? { text: this.#sql.listOpen, values: [namespace, prefix, count] }
        : { text: this.#sql.listBounded, values: [namespace, prefix, upper, count] },
    );
    return rows.map((row) => ({ key: row.key, value: row.value, version: Number(row.version) }));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }

  #open(): void {
    if (this.#closed) throw new KernelError('STORAGE_CLOSED', 'storage is closed');
  }

  async #versionConflict(namespace: string, key: string, expected: number | undefined): Promise<KernelError> {
    const found = (await this.get(namespace, key))?.version ?? 0;
    return new KernelError(
      'STORAGE_CONFLICT',
      `version conflict on \`${namespace}/${key}\`: expected \`${String(expected)}\`, found \`${found}\``,
      { namespace, key, expected, found },
    );
  }

  async #query<R extends object = Record<string, unknown>>(
    what: string,
    query: pg.QueryConfig,
  ): Promise<R[]> {
    try {
      const result = await this.#pool.query(query);
      return result.rows as R[];
    } catch (error) {
      throw this.#error(error, what);
    }
  }

  /** Runs `work` between BEGIN and COMMIT on one pooled connection; any failure rolls back. */
  async #transaction(what: string, work: (client: Client) => Promise<void>): Promise<void> {
    let client: Client;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      throw this.#error(error, what);
    }
    try {
      await client.query('BEGIN');
      await work(client);
      await client.query('COMMIT');
      client.release();
    } catch (error) {
      // WHY: a connection that cannot even roll back is broken; destroy it instead of pooling it.
      const rolledBack = await client.query('ROLLBACK').then(
        () => true,
        () => false,
      );
      client.release(!rolledBack);
      throw this.#error(error, what);
    }
  }

  #error(error: unknown, what: string): KernelError {
    if (error instanceof KernelError) return error;
    if (this.#closed) return new KernelError('STORAGE_CLOSED', 'storage is closed');
    const detail = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    return new KernelError(postgresErrorCode(error), `postgres ${what} failed: ${detail}`);
  }
}

function conflict(expected: number, got: number | undefined, first: number): KernelError {
  return new KernelError(
    'STORAGE_CONFLICT',
    `journal append expected seq \`${expected}\`, got \`${String(got)}\``,
    {
      seq: first,
    },
  );
}

/** Maps a SQLSTATE (or a socket error) to a KernelError code. */
export function postgresErrorCode(error: unknown): ErrorCode {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (code === '53100') return 'DISK_FULL';
  if (code === '25006') return 'READ_ONLY';
  if (code === '23505') return 'STORAGE_CONFLICT';
  return 'STORAGE';
}
