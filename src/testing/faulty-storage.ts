// A Storage wrapper that injects failures (TigerBeetle-style simulated twin): tests and the
// simulator make chosen calls reject with DISK_FULL, STORAGE, … without touching the inner storage.

import type { ErrorCode } from '../shared/index.ts';
import { KernelError } from '../shared/index.ts';
import type { Entry, ExpectedVersion, JournalRow, Storage, StorageKind, Versioned } from '../storage/port.ts';

/** The Storage methods a fault can target. */
export type StorageMethod = Exclude<keyof Storage, 'kind'>;

type Fault = { code: ErrorCode; remaining: number };

/**
 * Delegates to `inner` unless a fault is armed for the method. `failNext` faults are used up
 * first, then a `failAlways` fault applies until `heal()`.
 */
export class FaultyStorage implements Storage {
  readonly kind: StorageKind;
  /** Runs before every append reaches the inner storage; a throw fails the append, writing nothing. */
  onAppend: ((rows: readonly JournalRow[]) => void | Promise<void>) | undefined;
  readonly #inner: Storage;
  readonly #next = new Map<StorageMethod, Fault[]>();
  readonly #always = new Map<StorageMethod, ErrorCode>();
  #injected = 0;

  constructor(inner: Storage) {
    this.#inner = inner;
    this.kind = inner.kind;
    this.onAppend = undefined;
  }

  /** The next `count` calls of `method` reject with `code` (queued after faults already armed). */
  failNext(method: StorageMethod, code: ErrorCode, count = 1): void {
    const faults = this.#next.get(method) ?? [];
    faults.push({ code, remaining: Math.max(1, Math.floor(count)) });
    this.#next.set(method, faults);
  }

  /** Every call of `method` rejects with `code` until `heal()`. */
  failAlways(method: StorageMethod, code: ErrorCode): void {
    this.#always.set(method, code);
  }

  /** Disarms every fault; the hook stays. */
  heal(): void {
    this.#next.clear();
    this.#always.clear();
  }

  /** How many calls were failed on purpose so far. */
  get injectedCount(): number {
    return this.#injected;
  }

  async appendJournal(rows: readonly JournalRow[]): Promise<void> {
    this.#maybeFail('appendJournal');
    await this.onAppend?.(rows);
    return this.#inner.appendJournal(rows);
  }

  async readJournal(fromSeq: number, limit: number): Promise<JournalRow[]> {
    this.#maybeFail('readJournal');
    return this.#inner.readJournal(fromSeq, limit);
  }

  async journalHead(): Promise<JournalRow | undefined> {
    this.#maybeFail('journalHead');
    return this.#inner.journalHead();
  }

  async get(namespace: string, key: string): Promise<Versioned | undefined> {
    this.#maybeFail('get');
    return this.#inner.get(namespace, key);
  }

  async put(namespace: string, key: string, value: string, expected?: ExpectedVersion): Promise<number> {
    this.#maybeFail('put');
    return this.#inner.put(namespace, key, value, expected);
  }

  async delete(namespace: string, key: string, expected?: ExpectedVersion): Promise<boolean> {
    this.#maybeFail('delete');
    return this.#inner.delete(namespace, key, expected);
  }

  async list(namespace: string, prefix: string, limit: number): Promise<Entry[]> {
    this.#maybeFail('list');
    return this.#inner.list(namespace, prefix, limit);
  }

  async close(): Promise<void> {
    this.#maybeFail('close');
    return this.#inner.close();
  }

  #maybeFail(method: StorageMethod): void {
    const faults = this.#next.get(method);
    const fault = faults?.[0];
    let code = this.#always.get(method);
    if (faults !== undefined && fault !== undefined) {
      code = fault.code;
      fault.remaining--;
      if (fault.remaining === 0) faults.shift();
      if (faults.length === 0) this.#next.delete(method);
    }
    if (code === undefined) return;
    this.#injected++;
    throw new KernelError(code, `injected fault on \`${method}\``, { injected: true });
  }
}
