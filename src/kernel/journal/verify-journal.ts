// Verification of the journal's hash chain (MR-3, INV-5): walks every row from seq 0 in batches and
// names the first broken one. The runtime runs it at boot and `audit verify` runs it offline.

import { assert } from '../../shared/index.ts';
import type { JournalRow, Storage } from '../../storage/port.ts';
import type { IssuerPublicKeys } from '../token/issuer-keys.ts';
import {
  CHECKPOINT_TYPE,
  checkpointSignatureValid,
  checkpointStatement,
  digestBody,
  HEADER_TYPE,
  type JournalHeaderData,
  parseCheckpointData,
  parseHeader,
  parseRecordBody,
  readRecordFields,
} from './journal-record.ts';

export type VerifyFailureReason =
  | 'header'
  | 'seq-gap'
  | 'malformed'
  | 'prev-mismatch'
  | 'hash-mismatch'
  | 'checkpoint-signature'
  | 'checkpoint-mismatch'
  | 'checkpoint-key-unknown';

/** `records` counts rows verified (header and checkpoints included); on failure, those before the break. */
export type VerifyReport =
  | {
      readonly ok: true;
      readonly records: number;
      readonly checkpoints: number;
      readonly headSeq: number;
      readonly headHash: string;
    }
  | {
      readonly ok: false;
      readonly records: number;
      readonly checkpoints: number;
      readonly brokenSeq: number;
      readonly reason: VerifyFailureReason;
      readonly message: string;
    };

export type VerifyOptions = {
  /** Keys checkpoints may be signed with, by key id; only the Ed25519 half is used. */
  readonly publicKeys: IssuerPublicKeys;
  /** Rows read per storage call. */
  readonly batchSize?: number;
  /** Called after each batch with the number of records verified so far. */
  readonly onProgress?: (records: number) => void;
};

type Walk = {
  readonly header: JournalHeaderData;
  readonly publicKeys: IssuerPublicKeys;
  nextSeq: number;
  prevHash: string;
  records: number;
  checkpoints: number;
};
type Break = { readonly seq: number; readonly reason: VerifyFailureReason; readonly message: string };

// WHY: large batches amortise the storage round trip; 8192 rows of ~300 bytes is a few megabytes.
const BATCH_SIZE_DEFAULT = 8192;
const BATCH_SIZE_MAX = 100_000;

/**
 * Verifies the whole chain: consecutive seqs from 0, canonical five-key bodies, each `prev` equal to
 * the previous stored hash, each stored hash equal to the digest of its body under the header's
 * algorithm, and every checkpoint covering the record before it with a valid signature from a known
 * key. Reports the first break; a storage failure rejects. It cannot see a tail cut off after the
 * last checkpoint: compare `headSeq`/`headHash` with an anchor kept elsewhere for that.
 */
export async function verifyJournal(storage: Storage, options: VerifyOptions): Promise<VerifyReport> {
  const batchSize = options.batchSize ?? BATCH_SIZE_DEFAULT;
  assert(Number.isSafeInteger(batchSize) && batchSize > 0 && batchSize <= BATCH_SIZE_MAX, 'bad batch size');
  let rows = await storage.readJournal(0, batchSize);
  const start = startWalk(rows[0], options.publicKeys);
  if ('reason' in start) return failed(0, 0, start);
  const walk = start;
  let from = 1;
  while (rows.length > 0) {
    const problem = checkRows(walk, rows, from);
    if (problem !== undefined) return failed(walk.records, walk.checkpoints, problem);
    options.onProgress?.(walk.records);
    rows = await storage.readJournal(walk.nextSeq, batchSize);
    from = 0;
  }
  return {
    ok: true,
    records: walk.records,
    checkpoints: walk.checkpoints,
    headSeq: walk.nextSeq - 1,
    headHash: walk.prevHash,
  };
}

function failed(records: number, checkpoints: number, problem: Break): VerifyReport {
  const { seq, reason, message } = problem;
  return { ok: false, records, checkpoints, brokenSeq: seq, reason, message };
}

/** Checks row 0, the header, and starts the walk after it. */
function startWalk(row: JournalRow | undefined, publicKeys: IssuerPublicKeys): Walk | Break {
  if (row === undefined) return { seq: 0, reason: 'header', message: 'journal is empty: no header' };
  if (row.seq !== 0) return gap(0, row.seq);
  const record = parseRecordBody(row.body, 0);
  const header = record.ok ? parseHeader(record.value) : record;
  if (!header.ok) return { seq: 0, reason: 'header', message: `journal header is broken: ${header.error}` };
  if (digestBody(row.body, header.value.hashAlgorithm) !== row.hash) {
    return { seq: 0, reason: 'hash-mismatch', message: 'stored hash of record `0` does not match its body' };
  }
  return { header: header.value, publicKeys, nextSeq: 1, prevHash: row.hash, records: 1, checkpoints: 0 };
}

/** Checks `rows[from..]` in order, advancing `walk`; the first break, or undefined. */
function checkRows(walk: Walk, rows: readonly JournalRow[], from: number): Break | undefined {
  const algorithm = walk.header.hashAlgorithm;
  for (let i = from; i < rows.length; i++) {
    const row = rows[i];
    if (row === undefined) break;
    const seq = walk.nextSeq;
    if (row.seq !== seq) return gap(seq, row.seq);
    if (digestBody(row.body, algorithm) !== row.hash) {
      return {
        seq,
        reason: 'hash-mismatch',
        message: `stored hash of record \`${seq}\` does not match its body`,
      };
    }
    // WHY: only the four small fields are read; the data is built only for checkpoints.
    const fields = readRecordFields(row.body, seq);
    if (!fields.ok) return { seq, reason: 'malformed', message: `record \`${seq}\`: ${fields.error}` };
    if (fields.value.prev !== walk.prevHash) {
      return {
        seq,
        reason: 'prev-mismatch',
        message: `prev of record \`${seq}\` is not the hash of \`${seq - 1}\``,
      };
    }
    if (fields.value.type === HEADER_TYPE) {
      return { seq, reason: 'malformed', message: `record \`${seq}\` is a second header` };
    }
    if (fields.value.type === CHECKPOINT_TYPE) {
      const problem = checkCheckpoint(walk, row);
      if (problem !== undefined) return problem;
      walk.checkpoints += 1;
    }
    walk.nextSeq = seq + 1;
    walk.prevHash = row.hash;
    walk.records += 1;
  }
  return undefined;
}

/**
 * A checkpoint must cover the record right before it, which the walk has just verified.
 * WHY: the journal only ever writes a checkpoint directly after the record it covers, so demanding
 * exactly that is sound and needs no table of earlier hashes.
 */
function checkCheckpoint(walk: Walk, row: JournalRow): Break | undefined {
  const { seq } = row;
  const record = parseRecordBody(row.body, seq);
  const data = record.ok ? parseCheckpointData(record.value.data) : record;
  if (!data.ok) return { seq, reason: 'malformed', message: `checkpoint \`${seq}\`: ${data.error}` };
  const { upToSeq, upToHash, keyId, signature } = data.value;
  if (upToSeq !== seq - 1 || upToHash !== walk.prevHash) {
    return {
      seq,
      reason: 'checkpoint-mismatch',
      message: `checkpoint \`${seq}\` covers \`${upToSeq}\` with a hash other than the verified record \`${seq - 1}\``,
    };
  }
  const keys = walk.publicKeys.get(keyId);
  if (keys === undefined) {
    return {
      seq,
      reason: 'checkpoint-key-unknown',
      message: `checkpoint \`${seq}\` names unknown key \`${keyId}\``,
    };
  }
  const statement = checkpointStatement(walk.header.nodeId, upToSeq, upToHash);
  if (!checkpointSignatureValid(statement, signature, keys.ed25519)) {
    return {
      seq,
      reason: 'checkpoint-signature',
      message: `checkpoint \`${seq}\` signature does not verify`,
    };
  }
  return undefined;
}

function gap(expected: number, found: number): Break {
  return {
    seq: expected,
    reason: 'seq-gap',
    message: `record \`${expected}\` is missing: the next stored record is \`${found}\``,
  };
}
