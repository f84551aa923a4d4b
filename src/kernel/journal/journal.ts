// The journal: MAOS's write-ahead log and audit log in one hash-chained sequence of records (§5, MR-3).
// Appends are group-committed (one storage transaction per batch); signed checkpoints anchor the chain.

import type { KeyObject } from 'node:crypto';
import {
  assert,
  type Clock,
  err,
  HASH_ALGORITHMS,
  type HashAlgorithm,
  isKernelError,
  KernelError,
  ok,
  type Result,
} from '../../shared/index.ts';
import type { JournalRow, Storage } from '../../storage/port.ts';
import type { JsonObject } from '../intent.ts';
import type { IssuerKeyPair } from '../token/issuer-keys.ts';
import {
  CHECKPOINT_TYPE,
  type CheckpointData,
  checkpointStatement,
  digestBody,
  headerRecord,
  isRecordType,
  type JournalEntry,
  type JournalHeaderData,
  parseHeader,
  parseRecordBody,
  readRecordFields,
  sealRecord,
  signCheckpoint,
} from './journal-record.ts';

/** The key checkpoints are signed with: the issuer's Ed25519 key under its key id. */
export type JournalSigner = { readonly keyId: string; readonly privateKey: KeyObject };

export type JournalOptions = {
  readonly nodeId: string;
  readonly clock: Clock;
  /** Without a signer the journal writes no checkpoints. */
  readonly signer?: JournalSigner;
  readonly checkpointEveryRecords?: number;
  readonly checkpointEveryMs?: number;
  /** Runs a flush later; tests pass their own to control batching. Defaults to setImmediate. */
  readonly schedule?: (flush: () => void) => void;
  /** For a new journal only; an existing journal keeps the algorithm its header names. */
  readonly hashAlgorithm?: HashAlgorithm;
};

/** The last durable record's seq and hash. */
export type JournalHead = { readonly seq: number; readonly hash: string };
type Settle = { resolve: (entry: JournalEntry) => void; reject: (error: KernelError) => void };
type Pending = { readonly entry: JournalEntry; readonly row: JournalRow; settle: Settle | undefined };
type Start = {
  header: JournalHeaderData;
  head: JournalHead;
  sinceCheckpoint: number;
  lastCheckpointMs: number;
};

// WHY: these bounds would live in kernel/limits.ts; they are the journal's alone, so they stay here.
const CHECKPOINT_EVERY_RECORDS_DEFAULT = 1000;
const CHECKPOINT_EVERY_MS_DEFAULT = 10_000;
/** Rows in one storage transaction; a longer queue is written in several. */
const BATCH_ROWS_MAX = 4096;
/** Rows `open` reads back from the head to find the last checkpoint. */
const OPEN_SCAN_ROWS_MAX = 10_000;
const READ_ROWS_MAX = 10_000;

/** Checkpoint signing key of an issuer key pair. */
export function journalSignerOf(pair: IssuerKeyPair): JournalSigner {
  return { keyId: pair.kid, privateKey: pair.ed25519.privateKey };
}

/**
 * An open journal. Appends are ordered by call, chained by hash, and durable when their promise
 * resolves. A storage failure fails the journal for good (JOURNAL_FAILED); `Journal.open` on the
 * same storage continues from what is durable.
 */
export class Journal {
  readonly #storage: Storage;
  readonly #clock: Clock;
  readonly #signer: JournalSigner | undefined;
  readonly #everyRecords: number;
  readonly #everyMs: number;
  readonly #schedule: (flush: () => void) => void;
  readonly #header: JournalHeaderData;
  /** Last record handed out (maybe not yet durable); the next record chains to it. */
  #assigned: JournalHead;
  #durable: JournalHead;
  #sinceCheckpoint: number;
  #lastCheckpointMs: number;
  #pending: Pending[] = [];
  #inFlight = false;
  #scheduled = false;
  #failed: KernelError | undefined;
  #closed = false;
  #listeners = new Set<(error: KernelError) => void>();
  #idle: (() => void)[] = [];

  private constructor(storage: Storage, options: JournalOptions, start: Start) {
    this.#storage = storage;
    this.#clock = options.clock;
    this.#signer = options.signer;
    this.#everyRecords = options.checkpointEveryRecords ?? CHECKPOINT_EVERY_RECORDS_DEFAULT;
    this.#everyMs = options.checkpointEveryMs ?? CHECKPOINT_EVERY_MS_DEFAULT;
    this.#schedule = options.schedule ?? ((flush) => setImmediate(flush));
    this.#header = start.header;
    this.#assigned = start.head;
    this.#durable = start.head;
    this.#sinceCheckpoint = start.sinceCheckpoint;
    this.#lastCheckpointMs = start.lastCheckpointMs;
  }

  /**
   * Opens the journal in `storage`: writes the header durably when it is empty, otherwise continues
   * from the head. Checks the header and the head row but not the chain between (see verifyJournal):
   * JOURNAL_BROKEN when they do not check out, CONFIG_INVALID when the journal is another node's.
   */
  static async open(storage: Storage, options: JournalOptions): Promise<Result<Journal, KernelError>> {
    assert(options.nodeId !== '', 'journal node id must not be empty');
    assert(
      positiveInteger(options.checkpointEveryRecords),
      'checkpointEveryRecords must be a positive integer',
    );
    assert(positiveInteger(options.checkpointEveryMs), 'checkpointEveryMs must be a positive integer');
    try {
      const start = await startOf(storage, options);
      return start.ok ? ok(new Journal(storage, options, start.value)) : start;
    } catch (error) {
      // WHY: storage fails with KernelErrors; anything else is a bug and must not become a result.
      if (!isKernelError(error)) throw error;
      return err(error);
    }
  }

  /** The last durable record. */
  get head(): JournalHead {
    return this.#durable;
  }

  get headerData(): JournalHeaderData {
    return this.#header;
  }

  /** The failure that stopped the journal, if any. */
  get failed(): KernelError | undefined {
    return this.#failed;
  }

  /** Calls `listener` once when the journal fails (at once if it already has); returns an unsubscribe. */
  onFailure(listener: (error: KernelError) => void): () => void {
    if (this.#failed !== undefined) {
      listener(this.#failed);
      return () => {};
    }
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Appends a record. Its seq, prev and hash are fixed now (order = call order) and the data is
   * serialised now; the promise resolves once the batch holding it is durable, or rejects with
   * JOURNAL_FAILED. Types under `journal.` are the journal's own.
   */
  append(type: string, data: JsonObject): Promise<JournalEntry> {
    assert(isRecordType(type), `journal record type \`${type}\` is not a dotted lowercase name`);
    assert(!type.startsWith('journal.'), `journal record type \`${type}\` is reserved`);
    const stopped = this.#stopped();
    if (stopped !== undefined) return Promise.reject(stopped);
    const { promise, resolve, reject } = Promise.withResolvers<JournalEntry>();
    this.#enqueue(type, data, { resolve, reject });
    this.#sinceCheckpoint += 1;
    if (this.#checkpointDue()) this.#enqueueCheckpoint(undefined);
    this.#scheduleFlush();
    return promise;
  }

  /** Writes a checkpoint when records were appended since the last one; for timers and shutdown. */
  checkpoint(): Promise<JournalEntry | undefined> {
    const stopped = this.#stopped();
    if (stopped !== undefined) return Promise.reject(stopped);
    if (this.#signer === undefined || this.#sinceCheckpoint === 0) return Promise.resolve(undefined);
    const { promise, resolve, reject } = Promise.withResolvers<JournalEntry>();
    this.#enqueueCheckpoint({ resolve, reject });
    this.#scheduleFlush();
    return promise;
  }

  /** Every durable record from `fromSeq` on, in order, read a page at a time. */
  async *entries(fromSeq = 0): AsyncGenerator<JournalEntry> {
    for (let from = fromSeq; ; ) {
      const page = await this.read(from, READ_ROWS_MAX);
      yield* page;
      const last = page.at(-1);
      if (last === undefined || page.length < READ_ROWS_MAX) return;
      from = last.seq + 1;
    }
  }

  /** Durable records with `seq >= fromSeq`, at most `limit`; JOURNAL_BROKEN for a row that does not parse or hash. */
  async read(fromSeq: number, limit: number): Promise<JournalEntry[]> {
    assert(Number.isSafeInteger(fromSeq) && fromSeq >= 0, 'journal read must start at a whole seq');
    assert(Number.isSafeInteger(limit) && limit >= 0 && limit <= READ_ROWS_MAX, 'journal read limit is bad');
    const rows = await this.#storage.readJournal(fromSeq, limit);
    return rows.map((row) => {
      const entry = entryOf(row, this.#header.hashAlgorithm);
      if (entry.ok) return entry.value;
      throw new KernelError('JOURNAL_BROKEN', `journal record \`${row.seq}\` is broken: ${entry.error}`, {
        seq: row.seq,
      });
    });
  }

  /** Writes what is pending, then stops: later appends reject with JOURNAL_FAILED. Check `failed` after. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#failed !== undefined || (!this.#inFlight && this.#pending.length === 0)) return;
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#idle.push(resolve);
    await promise;
  }

  #stopped(): KernelError | undefined {
    if (this.#failed !== undefined) return this.#failed;
    if (this.#closed) return new KernelError('JOURNAL_FAILED', 'journal is closed', { code: 'CLOSED' });
    return undefined;
  }

  #enqueue(type: string, data: JsonObject, settle: Settle | undefined): void {
    const record = {
      seq: this.#assigned.seq + 1,
      prev: this.#assigned.hash,
      ts: this.#clock.wallMs(),
      type,
      data,
    };
    const { entry, row } = sealRecord(record, this.#header.hashAlgorithm);
    this.#pending.push({ entry, row, settle });
    this.#assigned = { seq: entry.seq, hash: entry.hash };
  }

  #checkpointDue(): boolean {
    if (this.#signer === undefined || this.#sinceCheckpoint === 0) return false;
    if (this.#sinceCheckpoint >= this.#everyRecords) return true;
    return this.#clock.wallMs() - this.#lastCheckpointMs >= this.#everyMs;
  }

  /** Queues a signed checkpoint over the last assigned record; `settle` is undefined for automatic ones. */
  #enqueueCheckpoint(settle: Settle | undefined): void {
    const signer = this.#signer;
    assert(signer !== undefined, 'a checkpoint needs a signer');
    const { seq, hash } = this.#assigned;
    const statement = checkpointStatement(this.#header.nodeId, seq, hash);
    const signature = signCheckpoint(statement, signer.privateKey);
    const data: CheckpointData = { upToSeq: seq, upToHash: hash, keyId: signer.keyId, signature };
    this.#enqueue(CHECKPOINT_TYPE, data, settle);
    this.#sinceCheckpoint = 0;
    this.#lastCheckpointMs = this.#clock.wallMs();
  }

  #scheduleFlush(): void {
    if (this.#scheduled || this.#inFlight || this.#pending.length === 0) return;
    this.#scheduled = true;
    this.#schedule(() => this.#flush());
  }

  #flush(): void {
    this.#scheduled = false;
    if (this.#inFlight || this.#failed !== undefined || this.#pending.length === 0) return;
    const batch = this.#pending.splice(0, BATCH_ROWS_MAX);
    this.#inFlight = true;
    // WHY: #write handles its own failure (it fails the journal), so its promise never rejects.
    void this.#write(batch);
  }

  async #write(batch: readonly Pending[]): Promise<void> {
    try {
      await this.#storage.appendJournal(batch.map((item) => item.row));
    } catch (error) {
      this.#inFlight = false;
      this.#fail(error, batch);
      return;
    }
    this.#inFlight = false;
    const last = batch[batch.length - 1];
    if (last !== undefined) this.#durable = { seq: last.entry.seq, hash: last.entry.hash };
    for (const item of batch) item.settle?.resolve(item.entry);
    // WHY: the next flush is scheduled, not run now, so continuations of the promises just resolved
    // (microtasks) can append first and join the next batch.
    this.#scheduleFlush();
    if (!this.#scheduled && !this.#inFlight) this.#wakeIdle();
  }

  #fail(cause: unknown, batch: readonly Pending[]): void {
    const error = appendFailure(`journal append at seq \`${String(batch[0]?.entry.seq)}\` failed`, cause);
    this.#failed = error;
    // INVARIANT: nothing past the durable head chains on; every queued record is rejected with it.
    const queued = this.#pending;
    this.#pending = [];
    this.#assigned = this.#durable;
    for (const item of [...batch, ...queued]) item.settle?.reject(error);
    this.#wakeIdle();
    const listeners = [...this.#listeners];
    this.#listeners.clear();
    for (const listener of listeners) listener(error);
  }

  #wakeIdle(): void {
    const waiting = this.#idle;
    this.#idle = [];
    for (const wake of waiting) wake();
  }
}

/** Reads or creates the header and finds where to continue: the head and the checkpoint state. */
async function startOf(storage: Storage, options: JournalOptions): Promise<Result<Start, KernelError>> {
  const headRow = await storage.journalHead();
  if (headRow === undefined) {
    const createdMs = options.clock.wallMs();
    const algorithm = options.hashAlgorithm ?? 'sha256';
    assert(HASH_ALGORITHMS.includes(algorithm), `hash algorithm \`${algorithm}\` is not supported`);
    const { entry, row } = sealRecord(headerRecord(options.nodeId, createdMs, algorithm), algorithm);
    try {
      await storage.appendJournal([row]);
    } catch (error) {
      return err(appendFailure('cannot write the journal header', error));
    }
    const header = parseHeader(entry);
    assert(header.ok, 'a fresh journal header parses');
    return ok({ header: header.value, head: entry, sinceCheckpoint: 0, lastCheckpointMs: createdMs });
  }
  const headerRow = (await storage.readJournal(0, 1))[0];
  const header = headerOf(headerRow);
  if (!header.ok) return header;
  if (header.value.nodeId !== options.nodeId) {
    return err(
      new KernelError(
        'CONFIG_INVALID',
        `journal belongs to node \`${header.value.nodeId}\`, not \`${options.nodeId}\``,
      ),
    );
  }
  const head = entryOf(headRow, header.value.hashAlgorithm);
  if (!head.ok) return err(broken(headRow.seq, `journal head \`${headRow.seq}\` is broken: ${head.error}`));
  return ok(await checkpointState(storage, options, header.value, head.value));
}

function headerOf(row: JournalRow | undefined): Result<JournalHeaderData, KernelError> {
  if (row === undefined || row.seq !== 0) return err(broken(0, 'journal has no header'));
  const record = parseRecordBody(row.body, 0);
  const header = record.ok ? parseHeader(record.value) : record;
  if (!header.ok) return err(broken(0, `journal header is broken: ${header.error}`));
  if (digestBody(row.body, header.value.hashAlgorithm) !== row.hash) {
    return err(broken(0, 'journal header hash does not match its body'));
  }
  return header;
}

/** Scans back from the head (bounded) for the last checkpoint, to resume the checkpoint cadence. */
async function checkpointState(
  storage: Storage,
  options: JournalOptions,
  header: JournalHeaderData,
  head: JournalEntry,
): Promise<Start> {
  const window = Math.min(
    options.checkpointEveryRecords ?? CHECKPOINT_EVERY_RECORDS_DEFAULT,
    OPEN_SCAN_ROWS_MAX,
  );
  const from = Math.max(1, head.seq - window + 1);
  const rows = head.seq === 0 ? [] : await storage.readJournal(from, head.seq - from + 1);
  let sinceCheckpoint = 0;
  let lastCheckpointMs = header.createdMs;
  for (let i = rows.length - 1; i >= 0; i--) {
    const row = rows[i];
    if (row === undefined) break;
    const record = readRecordFields(row.body, row.seq);
    if (!record.ok) throw broken(row.seq, `journal record \`${row.seq}\` is broken: ${record.error}`);
    if (record.value.type === CHECKPOINT_TYPE) {
      lastCheckpointMs = record.value.ts;
      break;
    }
    sinceCheckpoint += 1;
  }
  return { header, head: { seq: head.seq, hash: head.hash }, sinceCheckpoint, lastCheckpointMs };
}

/** Parses a row and checks its hash under the journal's algorithm. */
function entryOf(row: JournalRow, algorithm: HashAlgorithm): Result<JournalEntry, string> {
  const record = parseRecordBody(row.body, row.seq);
  if (!record.ok) return record;
  if (digestBody(row.body, algorithm) !== row.hash) return err('stored hash does not match the body');
  return ok({ ...record.value, hash: row.hash });
}

function broken(seq: number, message: string): KernelError {
  return new KernelError('JOURNAL_BROKEN', message, { seq });
}

/** JOURNAL_FAILED for a failed storage append; details carry the storage's code (DISK_FULL, …). */
function appendFailure(context: string, cause: unknown): KernelError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  const code = isKernelError(cause) ? cause.code : 'STORAGE';
  return new KernelError('JOURNAL_FAILED', `${context}: ${reason}`, { code });
}

function positiveInteger(value: number | undefined): boolean {
  return value === undefined || (Number.isSafeInteger(value) && value > 0);
}
