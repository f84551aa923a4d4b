// In-memory Storage adapter: the reference implementation of the storage port, used by unit
// tests and the simulator. Nothing survives the process; every method is atomic by construction.

import { KernelError } from '../shared/index.ts';
import type { Entry, ExpectedVersion, JournalRow, Storage, StorageKind, Versioned } from './port.ts';

type Slot = { value: string; version: number };

/** Storage held in plain maps and an array; `close()` drops everything. */
export class MemoryStorage implements Storage {
  readonly kind: StorageKind = 'memory';
  #journal: JournalRow[] = [];
  #spaces = new Map<string, Map<string, Slot>>();
  #closed = false;

  async appendJournal(rows: readonly JournalRow[]): Promise<void> {
    this.#open();
    const first = rows[0];
    if (first === undefined) return;
    const problem = continuityProblem(rows, this.#journal.length);
    if (problem !== undefined) throw new KernelError('STORAGE_CONFLICT', problem, { seq: first.seq });
    // INVARIANT: rows are copied so a caller mutating its objects cannot rewrite the journal.
    for (const row of rows)
      this.#journal.push(Object.freeze({ seq: row.seq, hash: row.hash, body: row.body }));
  }

  async readJournal(fromSeq: number, limit: number): Promise<JournalRow[]> {
    this.#open();
    const start = Math.max(0, Math.ceil(fromSeq));
    const count = Math.floor(limit);
    if (!(count > 0) || Number.isNaN(start)) return [];
    return this.#journal.slice(start, start + count);
  }

  async journalHead(): Promise<JournalRow | undefined> {
    this.#open();
    return this.#journal[this.#journal.length - 1];
  }

  async get(namespace: string, key: string): Promise<Versioned | undefined> {
    this.#open();
    const slot = this.#spaces.get(namespace)?.get(key);
    return slot === undefined ? undefined : { value: slot.value, version: slot.version };
  }

  async put(namespace: string, key: string, value: string, expected?: ExpectedVersion): Promise<number> {
    this.#open();
    let space = this.#spaces.get(namespace);
    const current = space?.get(key);
    checkExpected(namespace, key, current?.version, expected);
    // WHY: a key deleted and written again starts over at version 1, as in the SQL adapters.
    const version = (current?.version ?? 0) + 1;
    if (space === undefined) {
      space = new Map();
      this.#spaces.set(namespace, space);
    }
    space.set(key, { value, version });
    return version;
  }

  async delete(namespace: string, key: string, expected?: ExpectedVersion): Promise<boolean> {
    this.#open();
    const space = this.#spaces.get(namespace);
    const current = space?.get(key);
    checkExpected(namespace, key, current?.version, expected);
    if (space === undefined || current === undefined) return false;
    space.delete(key);
    if (space.size === 0) this.#spaces.delete(namespace);
    return true;
  }

  async list(namespace: string, prefix: string, limit: number): Promise<Entry[]> {
    this.#open();
    const count = Math.floor(limit);
    const space = this.#spaces.get(namespace);
    if (space === undefined || !(count > 0)) return [];
    const keys = [...space.keys()].filter((key) => key.startsWith(prefix)).sort(compareCodePoints);
    const out: Entry[] = [];
    for (const key of keys.slice(0, count)) {
      const slot = space.get(key);
      if (slot !== undefined) out.push({ key, value: slot.value, version: slot.version });
    }
    return out;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#journal = [];
    this.#spaces.clear();
  }

  #open(): void {
    if (this.#closed) throw new KernelError('STORAGE_CLOSED', 'storage is closed');
  }
}

/** Why `rows` cannot follow a journal whose next seq is `next`, or undefined when they can. */
function continuityProblem(rows: readonly JournalRow[], next: number): string | undefined {
  for (let i = 0; i < rows.length; i++) {
    const seq = rows[i]?.seq;
    if (seq !== next + i) {
      return `journal append expected seq \`${next + i}\`, got \`${String(seq)}\``;
    }
  }
  return undefined;
}

function checkExpected(
  namespace: string,
  key: string,
  current: number | undefined,
  expected: ExpectedVersion,
): void {
  if (expected === undefined || expected === (current ?? 0)) return;
  throw new KernelError(
    'STORAGE_CONFLICT',
    `version conflict on \`${namespace}/${key}\`: expected \`${expected}\`, found \`${current ?? 0}\``,
    { namespace, key, expected, found: current ?? 0 },
  );
}

/** Orders strings by Unicode code point (UTF-8 byte order), as SQLite BINARY and PostgreSQL "C" do. */
function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.codePointAt(i) ?? 0;
    const y = b.codePointAt(i) ?? 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/**
 * The smallest string above every string that starts with `prefix` in code point order, if any:
 * the SQL adapters scan the key range [prefix, bound) instead of using LIKE.
 */
export function prefixUpperBound(prefix: string): string | undefined {
  const points = [...prefix];
  while (points.length > 0) {
    const last = points.pop()?.codePointAt(0) ?? 0x10ffff;
    if (last < 0x10ffff) {
      const next = last === 0xd7ff ? 0xe000 : last + 1;
      return points.join('') + String.fromCodePoint(next);
    }
  }
  return undefined;
}
