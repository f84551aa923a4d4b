// SQLite Storage adapter on `node:sqlite`: one file in WAL mode with synchronous=FULL, so a resolved
// write is on disk. The daemon's default storage; `audit verify` opens the same file read-only.

import { closeSync, existsSync, openSync } from 'node:fs';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import { type ErrorCode, KernelError } from '../shared/index.ts';
import { prefixUpperBound } from './memory.ts';
import type { Entry, ExpectedVersion, JournalRow, Storage, StorageKind, Versioned } from './port.ts';

export type SqliteOptions = {
  /** Opens without creating or changing anything; every write fails with READ_ONLY. */
  readonly readOnly?: boolean;
  /** Caps the database size in pages (SQLite `max_page_count`); tests use it to provoke DISK_FULL. */
  readonly pageCountMax?: number;
};

/** The connection settings as SQLite reports them, for diagnostics and tests. */
export type SqliteSettings = {
  readonly journalMode: string;
  readonly synchronous: number;
  readonly busyTimeoutMs: number;
};

const BUSY_TIMEOUT_MS = 5_000;
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS journal (seq INTEGER PRIMARY KEY, hash TEXT NOT NULL, body TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS kv (
    ns TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, version INTEGER NOT NULL,
    PRIMARY KEY (ns, key)
  ) WITHOUT ROWID;
`;
const SQL = {
  head: 'SELECT seq, hash, body FROM journal ORDER BY seq DESC LIMIT 1',
  last: 'SELECT seq FROM journal ORDER BY seq DESC LIMIT 1',
  insertRow: 'INSERT INTO journal (seq, hash, body) VALUES (?, ?, ?)',
  read: 'SELECT seq, hash, body FROM journal WHERE seq >= ? ORDER BY seq LIMIT ?',
  get: 'SELECT value, version FROM kv WHERE ns = ? AND key = ?',
  upsert:
    'INSERT INTO kv (ns, key, value, version) VALUES (?, ?, ?, 1) ' +
    'ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value, version = kv.version + 1 RETURNING version',
  insert:
    'INSERT INTO kv (ns, key, value, version) VALUES (?, ?, ?, 1) ON CONFLICT (ns, key) DO NOTHING RETURNING version',
  update:
    'UPDATE kv SET value = ?, version = version + 1 WHERE ns = ? AND key = ? AND version = ? RETURNING version',
  delete: 'DELETE FROM kv WHERE ns = ? AND key = ?',
  deleteVersion: 'DELETE FROM kv WHERE ns = ? AND key = ? AND version = ?',
  // WHY: a range instead of LIKE, so `%` and `_` in a prefix are plain characters and the primary
  // key index bounds the scan; `substr` re-checks the prefix.
  listBounded:
    'SELECT key, value, version FROM kv WHERE ns = ? AND key >= ?2 AND key < ? ' +
    'AND substr(key, 1, length(?2)) = ?2 ORDER BY key LIMIT ?',
  listOpen:
    'SELECT key, value, version FROM kv WHERE ns = ? AND key >= ?2 ' +
    'AND substr(key, 1, length(?2)) = ?2 ORDER BY key LIMIT ?',
} as const;

/**
 * Opens (creating if absent, with mode 0600) a SQLite database at `path`. With `readOnly`, the file
 * must exist and nothing is created; used by offline verification while a daemon holds the file.
 */
export async function openSqliteStorage(path: string, options: SqliteOptions = {}): Promise<SqliteStorage> {
  const readOnly = options.readOnly === true;
  let db: DatabaseSync | undefined;
  try {
    if (!readOnly && path !== ':memory:' && !existsSync(path)) closeSync(openSync(path, 'a', 0o600));
    db = new DatabaseSync(path, { readOnly });
    db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    if (!readOnly) enableWal(db, path);
    db.exec('PRAGMA synchronous = FULL');
    if (options.pageCountMax !== undefined)
      db.exec(`PRAGMA max_page_count = ${Math.floor(options.pageCountMax)}`);
    if (!readOnly) db.exec(SCHEMA);
    return new SqliteStorage(db);
  } catch (error) {
    if (db?.isOpen === true) db.close();
    throw storageError(error, `cannot open sqlite database \`${path}\``);
  }
}

/** WAL lets `audit verify` read beside the daemon; a file that refuses it is refused. */
function enableWal(db: DatabaseSync, path: string): void {
  const mode = Object.values(db.prepare('PRAGMA journal_mode = WAL').get() ?? {})[0];
  if (mode !== 'wal' && path !== ':memory:') {
    throw new KernelError('STORAGE', `sqlite database \`${path}\` cannot use write-ahead logging`);
  }
}

/** Storage in one SQLite file; every write is one durable transaction. */
export class SqliteStorage implements Storage {
  readonly kind: StorageKind = 'sqlite';
  #db: DatabaseSync;
  #statements = new Map<string, StatementSync>();
  #closed = false;

  /** Use `openSqliteStorage`, which prepares the file and the connection. */
  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  async appendJournal(rows: readonly JournalRow[]): Promise<void> {
    const first = rows[0];
    this.#open();
    if (first === undefined) return;
    const insert = this.#statement(SQL.insertRow);
    this.#transaction('journal append', () => {
      // INVARIANT: the head is read inside the write transaction, so no other writer can slip in.
      const last = this.#statement(SQL.last).get();
      const next = last === undefined ? 0 : Number(last.seq) + 1;
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i];
        if (row === undefined || row.seq !== next + i) {
          throw new KernelError(
            'STORAGE_CONFLICT',
            `journal append expected seq \`${next + i}\`, got \`${String(row?.seq)}\``,
            { seq: first.seq },
          );
        }
        insert.run(row.seq, row.hash, row.body);
      }
    });
  }

  async readJournal(fromSeq: number, limit: number): Promise<JournalRow[]> {
    this.#open();
    const count = clampCount(limit);
    if (count === 0 || Number.isNaN(fromSeq)) return [];
    const start = Math.min(Math.max(0, Math.ceil(fromSeq)), Number.MAX_SAFE_INTEGER);
    const statement = this.#statement(SQL.read);
    const raw = this.#run('journal read', () => statement.all(start, count));
    // WHY: a plain loop over returned arrays; verification reads hundreds of thousands of rows a second.
    const out: JournalRow[] = new Array(raw.length);
    for (let i = 0; i < raw.length; i++) {
      const row = raw[i] as unknown as readonly [number, string, string];
      out[i] = { seq: row[0], hash: row[1], body: row[2] };
    }
    return out;
  }

  async journalHead(): Promise<JournalRow | undefined> {
    this.#open();
    const row = this.#run('journal head', () => this.#statement(SQL.head).get());
    return row === undefined
      ? undefined
      : { seq: Number(row.seq), hash: String(row.hash), body: String(row.body) };
  }

  async get(namespace: string, key: string): Promise<Versioned | undefined> {
    this.#open();
    return this.#run('get', () => this.#current(namespace, key));
  }

  async put(namespace: string, key: string, value: string, expected?: ExpectedVersion): Promise<number> {
    this.#open();
    return this.#run(`put \`${namespace}/${key}\``, () => {
      const row =
        expected === undefined
          ? this.#statement(SQL.upsert).get(namespace, key, value)
          : expected === 0
            ? this.#statement(SQL.insert).get(namespace, key, value)
            : this.#statement(SQL.update).get(value, namespace, key, expected);
      if (row === undefined) throw this.#conflict(namespace, key, expected);
      return Number(row.version);
    });
  }

  async delete(namespace: string, key: string, expected?: ExpectedVersion): Promise<boolean> {
    this.#open();
    return this.#run(`delete \`${namespace}/${key}\``, () => {
      if (expected === 0) {
        if (this.#current(namespace, key) !== undefined) throw this.#conflict(namespace, key, expected);
        return false;
      }
      if (expected === undefined) return Number(this.#statement(SQL.delete).run(namespace, key).changes) > 0;
      const changes = Number(this.#statement(SQL.deleteVersion).run(namespace, key, expected).changes);
      if (changes === 0) throw this.#conflict(namespace, key, expected);
      return true;
    });
  }

  async list(namespace: string, prefix: string, limit: number): Promise<Entry[]> {
    this.#open();
    const count = clampCount(limit);
    if (count === 0) return [];
    const upper = prefixUpperBound(prefix);
    const rows = this.#run('list', () =>
      upper === undefined
        ? this.#statement(SQL.listOpen).all(namespace, prefix, count)
        : this.#statement(SQL.listBounded).all(namespace, prefix, upper, count),
    );
    return rows.map((row) => ({
      key: String(row.key),
      value: String(row.value),
      version: Number(row.version),
    }));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#statements.clear();
    try {
      this.#db.close();
    } catch (error) {
      throw storageError(error, 'cannot close sqlite database');
    }
  }

  /** The connection's journal mode, synchronous level and busy timeout, read back from SQLite. */
  settings(): SqliteSettings {
    this.#open();
    const pragma = (name: string): SQLInputValue | undefined => {
      const row = this.#db.prepare(`PRAGMA ${name}`).get();
      return row === undefined ? undefined : (Object.values(row)[0] as SQLInputValue);
    };
    return {
      journalMode: String(pragma('journal_mode')),
      synchronous: Number(pragma('synchronous')),
      busyTimeoutMs: Number(pragma('busy_timeout')),
    };
  }

  #open(): void {
    if (this.#closed) throw new KernelError('STORAGE_CLOSED', 'storage is closed');
  }

  #statement(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#run('prepare', () => this.#db.prepare(sql));
      if (sql === SQL.read) statement.setReturnArrays(true);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #current(namespace: string, key: string): Versioned | undefined {
    const row = this.#statement(SQL.get).get(namespace, key);
    return row === undefined ? undefined : { value: String(row.value), version: Number(row.version) };
  }

  #conflict(namespace: string, key: string, expected: number | undefined): KernelError {
    const found = this.#current(namespace, key)?.version ?? 0;
    return new KernelError(
      'STORAGE_CONFLICT',
      `version conflict on \`${namespace}/${key}\`: expected \`${String(expected)}\`, found \`${found}\``,
      { namespace, key, expected, found },
    );
  }

  /** Runs `work` in BEGIN IMMEDIATE…COMMIT: one write lock, one fsync, all or nothing. */
  #transaction(what: string, work: () => void): void {
    this.#run(what, () => {
      this.#db.exec('BEGIN IMMEDIATE');
      try {
        work();
        this.#db.exec('COMMIT');
      } catch (error) {
        // WHY: SQLite may already have rolled back (SQLITE_FULL at commit, say); a failing
        // rollback must not hide the error that caused it.
        try {
          if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
        } catch {}
        throw error;
      }
    });
  }

  #run<T>(what: string, work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw storageError(error, `sqlite ${what} failed`);
    }
  }
}

/** A limit as a whole number SQLite accepts: 0 for nonsense, at most MAX_SAFE_INTEGER. */
function clampCount(limit: number): number {
  const count = Math.floor(limit);
  return count > 0 ? Math.min(count, Number.MAX_SAFE_INTEGER) : 0;
}

/** Maps a SQLite or file-system failure to a KernelError code; KernelErrors pass through. */
function storageError(error: unknown, context: string): KernelError {
  if (error instanceof KernelError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new KernelError(codeOf(error), `${context}: ${detail.split('\n')[0] ?? ''}`);
}

function codeOf(error: unknown): ErrorCode {
  if (typeof error !== 'object' || error === null) return 'STORAGE';
  const { code, errcode } = error as { code?: unknown; errcode?: unknown };
  if (code === 'ENOSPC') return 'DISK_FULL';
  if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') return 'READ_ONLY';
  if (code === 'ERR_INVALID_STATE') return 'STORAGE_CLOSED';
  if (typeof errcode !== 'number') return 'STORAGE';
  const primary = errcode & 0xff;
  if (primary === 13) return 'DISK_FULL';
  if (primary === 8) return 'READ_ONLY';
  if (primary === 19) return 'STORAGE_CONFLICT';
  return 'STORAGE';
}
