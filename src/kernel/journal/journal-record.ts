// Journal records: the five-key record, its canonical body and chain hash, the header and the
// checkpoint statement. Shared by the journal (writing) and verify-journal (checking the chain).

import { hash, type KeyObject, sign, verify } from 'node:crypto';
import {
  assert,
  canonicalJson,
  err,
  HASH_ALGORITHMS,
  type HashAlgorithm,
  ok,
  type Result,
} from '../../shared/index.ts';
import type { JournalRow } from '../../storage/port.ts';
import type { JsonObject } from '../intent.ts';
import { scanCanonical } from './canonical-scan.ts';

/** One journal record. `ts` is wall-clock milliseconds; `prev` is the previous record's hash. */
export type JournalRecord = {
  readonly seq: number;
  readonly prev: string;
  readonly ts: number;
  readonly type: string;
  readonly data: JsonObject;
};

/** A record with its chain hash: the hex digest of its canonical body. */
export type JournalEntry = JournalRecord & { readonly hash: string };

/** The data of record 0; `hashAlgorithm` hashes every record of this journal. */
export type JournalHeaderData = {
  readonly format: typeof JOURNAL_FORMAT;
  readonly hashAlgorithm: HashAlgorithm;
  readonly nodeId: string;
  readonly createdMs: number;
};

/** The data of a `journal.checkpoint` record; `signature` is base64url Ed25519. */
export type CheckpointData = {
  readonly upToSeq: number;
  readonly upToHash: string;
  readonly keyId: string;
  readonly signature: string;
};

export const JOURNAL_FORMAT = 1;
export const HEADER_TYPE = 'journal.header';
export const CHECKPOINT_TYPE = 'journal.checkpoint';
/** The `prev` of record 0. */
export const GENESIS_PREV = '0'.repeat(64);

const RECORD_TYPE = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/;
const RECORD_KEYS = ['data', 'prev', 'seq', 'ts', 'type'] as const;
const QUOTE = 0x22;
const LEFT_BRACE = 0x7b;
const MINUS = 0x2d;
const ED25519_SIGNATURE_BYTES = 64;

/** Whether `type` is a dotted lowercase record type such as `intent.written`. */
export function isRecordType(type: string): boolean {
  return RECORD_TYPE.test(type);
}

/** Hex digest of a stored body, hashed as the exact string (UTF-8) without re-serialising it. */
export function digestBody(body: string, algorithm: HashAlgorithm): string {
  // WHY: the one-shot crypto.hash is about twice as fast as createHash for bodies of a few hundred bytes.
  return hash(algorithm, body, 'hex');
}

/** Serialises `record` canonically and hashes it: the entry the caller sees and the row storage keeps. */
export function sealRecord(
  record: JournalRecord,
  algorithm: HashAlgorithm,
): { entry: JournalEntry; row: JournalRow } {
  assert(isRecordType(record.type), `journal record type \`${record.type}\` is not a dotted lowercase name`);
  assert(Number.isSafeInteger(record.seq) && record.seq >= 0, 'journal seq must be a whole number');
  const { seq, prev, ts, type, data } = record;
  const body = canonicalJson({ seq, prev, ts, type, data });
  const digest = digestBody(body, algorithm);
  return { entry: { seq, prev, ts, type, data, hash: digest }, row: { seq, hash: digest, body } };
}

/** Record 0 of a new journal. */
export function headerRecord(nodeId: string, createdMs: number, algorithm: HashAlgorithm): JournalRecord {
  const data: JournalHeaderData = { format: JOURNAL_FORMAT, hashAlgorithm: algorithm, nodeId, createdMs };
  return { seq: 0, prev: GENESIS_PREV, ts: createdMs, type: HEADER_TYPE, data };
}

/** The four small fields of a record, read from its body without building its data. */
export type RecordFields = Omit<JournalRecord, 'data'>;

/**
 * Reads a stored body's seq, prev, ts and type, or says why it is malformed: not canonical JSON,
 * not exactly the five keys with the right kinds of value, or a `seq` other than the row's.
 */
export function readRecordFields(body: string, rowSeq: number): Result<RecordFields, string> {
  const members: number[] = [];
  const problem = scanCanonical(body, members);
  if (problem !== undefined) return err(`body is not canonical json: ${problem}`);
  if (members.length !== 15 || !RECORD_KEYS.every((key, i) => isKeyAt(body, members, i, key))) {
    return err('body must be an object of exactly data, prev, seq, ts and type');
  }
  const span = (i: number) => body.slice(members[i * 3 + 1], members[i * 3 + 2]);
  if (body.charCodeAt(members[1] ?? 0) !== LEFT_BRACE) return err('data is not a json object');
  const prev = span(1);
  if (prev.charCodeAt(0) !== QUOTE) return err('prev is not a string');
  const seq = span(2);
  if (seq !== String(rowSeq)) return err(`body seq \`${seq}\` differs from row seq \`${rowSeq}\``);
  const ts = span(3);
  const tsStart = ts.charCodeAt(0);
  if (tsStart !== MINUS && !(tsStart >= 0x30 && tsStart <= 0x39)) return err('ts is not a number');
  const type = span(4);
  // WHY: canonical strings escape only quotes, backslashes and control characters; a type has none.
  const typeText = type.slice(1, -1);
  if (type.charCodeAt(0) !== QUOTE || !isRecordType(typeText)) {
    return err('type is not a dotted lowercase name');
  }
  const prevText = prev.includes('\\') ? (JSON.parse(prev) as string) : prev.slice(1, -1);
  return ok({ seq: rowSeq, prev: prevText, ts: Number(ts), type: typeText });
}

/** Whether top-level member `index` (offsets from scanCanonical) has the plain key `key`. */
function isKeyAt(body: string, members: readonly number[], index: number, key: string): boolean {
  const keyStart = members[index * 3] ?? 0;
  const valueStart = members[index * 3 + 1] ?? 0;
  return valueStart - keyStart === key.length + 3 && body.startsWith(key, keyStart + 1);
}

/** `readRecordFields` plus the data: the whole record. */
export function parseRecordBody(body: string, rowSeq: number): Result<JournalRecord, string> {
  const fields = readRecordFields(body, rowSeq);
  if (!fields.ok) return fields;
  const { data } = JSON.parse(body) as { data: JsonObject };
  return ok({ ...fields.value, data });
}

/** Checks record 0's fields and data: the journal's format, hash algorithm, node id and creation time. */
export function parseHeader(record: JournalRecord): Result<JournalHeaderData, string> {
  if (record.seq !== 0 || record.type !== HEADER_TYPE) return err(`record 0 is not a \`${HEADER_TYPE}\``);
  if (record.prev !== GENESIS_PREV) return err('header prev is not all zeros');
  const { format, hashAlgorithm, nodeId, createdMs } = record.data;
  if (Object.keys(record.data).length !== 4) return err('header data has unexpected fields');
  if (format !== JOURNAL_FORMAT) return err(`header format \`${String(format)}\` is not supported`);
  const algorithm = HASH_ALGORITHMS.find((name) => name === hashAlgorithm);
  if (algorithm === undefined) return err(`header hash algorithm \`${String(hashAlgorithm)}\` is unknown`);
  if (typeof nodeId !== 'string' || nodeId === '') return err('header node id is not a non-empty string');
  if (typeof createdMs !== 'number') return err('header createdMs is not a number');
  return ok({ format: JOURNAL_FORMAT, hashAlgorithm: algorithm, nodeId, createdMs });
}

/** Checks a checkpoint record's data has exactly its four fields with the right types. */
export function parseCheckpointData(data: JsonObject): Result<CheckpointData, string> {
  const { upToSeq, upToHash, keyId, signature } = data;
  if (Object.keys(data).length !== 4) return err('checkpoint data has unexpected fields');
  if (typeof upToSeq !== 'number' || !Number.isSafeInteger(upToSeq)) return err('checkpoint upToSeq is bad');
  if (typeof upToHash !== 'string' || typeof keyId !== 'string' || typeof signature !== 'string') {
    return err('checkpoint upToHash, keyId and signature must be strings');
  }
  return ok({ upToSeq, upToHash, keyId, signature });
}

/** The UTF-8 bytes a checkpoint signs: canonical `{ nodeId, upToHash, upToSeq }`. */
export function checkpointStatement(nodeId: string, upToSeq: number, upToHash: string): Buffer {
  return Buffer.from(canonicalJson({ nodeId, upToHash, upToSeq }), 'utf8');
}

/** Signs a checkpoint statement with Ed25519; base64url. */
export function signCheckpoint(statement: Buffer, privateKey: KeyObject): string {
  return sign(null, statement, privateKey).toString('base64url');
}

/** Whether `signature` (base64url) is a valid Ed25519 signature of `statement` under `publicKey`. */
export function checkpointSignatureValid(
  statement: Buffer,
  signature: string,
  publicKey: KeyObject,
): boolean {
  const bytes = Buffer.from(signature, 'base64url');
  // WHY: base64url decoding is lenient; re-encoding pins the one accepted spelling of the signature.
  if (bytes.length !== ED25519_SIGNATURE_BYTES || bytes.toString('base64url') !== signature) return false;
  try {
    return verify(null, statement, publicKey, bytes);
  } catch {
    return false;
  }
}
