// The storage port: what the journal, the commit layer and the key-value connector need from a
// database. Adapters (memory, SQLite, PostgreSQL) implement it and all pass `conformance.ts`.

/**
 * One journal row as stored. `body` is the record's canonical JSON; the storage never parses it.
 * `hash` is the chain hash the journal computed; the storage only keeps it.
 */
export type JournalRow = {
  readonly seq: number;
  readonly hash: string;
  readonly body: string;
};

/** A value with its version, for compare-and-set. Versions start at 1 and grow by one per write. */
export type Versioned = {
  readonly value: string;
  readonly version: number;
};

export type Entry = Versioned & { readonly key: string };

/**
 * `undefined` = write whatever is there; `0` = the key must not exist; `n` = the current version
 * must be `n`. A mismatch fails with `STORAGE_CONFLICT` and changes nothing.
 */
export type ExpectedVersion = number | undefined;

export type StorageKind = 'memory' | 'sqlite' | 'postgres';

/**
 * Every method is atomic. A resolved promise from a write means the data is durable (fsync'd where
 * the adapter has a disk). Failures reject with a `KernelError` whose code is one of STORAGE,
 * STORAGE_CONFLICT, STORAGE_CLOSED, DISK_FULL, READ_ONLY.
 */
export interface Storage {
  readonly kind: StorageKind;

  /**
   * Appends rows in one durable transaction (group commit: one fsync for all of them). Rows must be
   * consecutive and continue the journal: `rows[0].seq === (head?.seq ?? -1) + 1`. Otherwise nothing
   * is written and it fails with STORAGE_CONFLICT. An empty array is a no-op.
   */
  appendJournal(rows: readonly JournalRow[]): Promise<void>;

  /** Rows with `seq >= fromSeq`, ascending, at most `limit` of them. */
  readJournal(fromSeq: number, limit: number): Promise<JournalRow[]>;

  /** The row with the highest seq, or undefined for an empty journal. */
  journalHead(): Promise<JournalRow | undefined>;

  get(namespace: string, key: string): Promise<Versioned | undefined>;

  /** Writes a value if `expected` matches (see `ExpectedVersion`); resolves to the new version. */
  put(namespace: string, key: string, value: string, expected?: ExpectedVersion): Promise<number>;

  /** Deletes if `expected` matches; resolves to whether a value was there. */
  delete(namespace: string, key: string, expected?: ExpectedVersion): Promise<boolean>;

  /** Entries whose key starts with `prefix`, ascending by key, at most `limit`. */
  list(namespace: string, prefix: string, limit: number): Promise<Entry[]>;

  /** Releases connections and files; later calls fail with STORAGE_CLOSED. Idempotent. */
  close(): Promise<void>;
}
