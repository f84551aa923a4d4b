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
export type RecordHead = Omit<JournalRecord, 'data'>;

/**
 * Reads a stored body's seq, prev, ts and type, or says why it is malformed: not canonical JSON,
 * not exactly the five keys with the right kinds of value, or a `seq` other than the row's.
 */
export function readRecordHead(body: string, rowSeq: number): Result<RecordHead, string> {
  const members = scanCanonical(body);
  if (typeof members === 'string') return err(`body is not canonical json: ${members}`);
  const { keys, starts, ends } = members;
  if (keys.length !== 5 || RECORD_KEYS.some((key, i) => keys[i] !== key)) {
    return err('body must be an object of exactly data, prev, seq, ts and type');
  }
  const span = (i: number) => body.slice(starts[i], ends[i]);
  if (body.charCodeAt(starts[0] ?? 0) !== LEFT_BRACE) return err('data is not a json object');
  const prev = span(1);
  if (prev.charCodeAt(0) !== QUOTE) return err('prev is not a string');
  const seq = span(2);
  if (seq !== String(rowSeq)) return err(`body seq \`${seq}\` differs from row seq \`${rowSeq}\``);
  const ts = span(3);
  if (!isNumberStart(ts.charCodeAt(0))) return err('ts is not a number');
  const type = span(4);
  // WHY: canonical strings escape only quotes, backslashes and control characters; a type has none.
  const typeText = type.slice(1, -1);
  if (type.charCodeAt(0) !== QUOTE || !isRecordType(typeText)) {
    return err('type is not a dotted lowercase name');
  }
  const prevText = prev.includes('\\') ? (JSON.parse(prev) as string) : prev.slice(1, -1);
  return ok({ seq: rowSeq, prev: prevText, ts: Number(ts), type: typeText });
}

/** `readRecordHead` plus the data: the whole record. */
export function parseRecordBody(body: string, rowSeq: number): Result<JournalRecord, string> {
  const head = readRecordHead(body, rowSeq);
  if (!head.ok) return head;
  const { data } = JSON.parse(body) as { data: JsonObject };
  return ok({ ...head.value, data });
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

/** The members of a top-level object: keys and value spans (`[starts[i], ends[i])`), in order. */
export type TopMembers = { keys: string[]; starts: number[]; ends: number[] };

const OBJECT = 0;
const ARRAY = 1;

/**
 * Checks in one pass that `text` is exactly what canonicalJson writes for `JSON.parse(text)`:
 * no whitespace, keys strictly ascending by UTF-16 code units (so no duplicates), numbers as
 * JavaScript prints them, strings escaped as JSON.stringify escapes them and free of lone
 * surrogates. Returns the top-level object's members (none for other values) or the problem.
 * WHY: parsing and re-serialising costs about twice the hashing and reading together; this scan
 * builds nothing, and its stack is an array, so hostile nesting cannot overflow the call stack.
 */
export function scanCanonical(text: string): TopMembers | string {
  const members: TopMembers = { keys: [], starts: [], ends: [] };
  const kinds: number[] = [];
  const lastKeys: string[] = [];
  let i = 0;
  for (;;) {
    const c = text.charCodeAt(i);
    if ((c === 0x7b && text.charCodeAt(i + 1) !== 0x7d) || (c === 0x5b && text.charCodeAt(i + 1) !== 0x5d)) {
      kinds.push(c === 0x7b ? OBJECT : ARRAY);
      i += 1;
      if (c === 0x7b) i = scanKey(text, i, kinds.length, lastKeys, members, true);
      if (i < 0) return 'keys must be strings in ascending order, each followed by `:`';
      continue;
    }
    i = c === 0x7b || c === 0x5b ? i + 2 : scanScalar(text, i, c);
    if (i < 0) return 'a value is not in canonical form';
    // A value ends at i: note a top-level member's end, then close containers or go to the next item.
    for (;;) {
      const depth = kinds.length;
      if (depth === 0) return i === text.length ? members : 'text follows the value';
      if (depth === 1 && kinds[0] === OBJECT) members.ends.push(i);
      const next = text.charCodeAt(i);
      const kind = kinds[depth - 1];
      if (next === 0x2c) {
        i = kind === OBJECT ? scanKey(text, i + 1, depth, lastKeys, members, false) : i + 1;
        if (i < 0) return 'keys must be strings in ascending order, each followed by `:`';
        break;
      }
      if (next !== (kind === OBJECT ? 0x7d : 0x5d)) return `unexpected character at offset ${i}`;
      kinds.pop();
      i += 1;
    }
  }
}

/** Scans `"key":` at `i` in an object at `depth`; the index after the colon, or -1. */
function scanKey(
  text: string,
  i: number,
  depth: number,
  lastKeys: string[],
  members: TopMembers,
  first: boolean,
): number {
  if (text.charCodeAt(i) !== 0x22) return -1;
  const end = scanString(text, i);
  if (end < 0 || text.charCodeAt(end) !== 0x3a) return -1;
  const raw = text.slice(i + 1, end - 1);
  const key = raw.includes('\\') ? (JSON.parse(text.slice(i, end)) as string) : raw;
  const previous = lastKeys[depth - 1];
  if (!first && (previous === undefined || !(previous < key))) return -1;
  lastKeys[depth - 1] = key;
  if (depth === 1) {
    members.keys.push(key);
    members.starts.push(end + 1);
  }
  return end + 1;
}

/** The index after a canonical string, number or literal starting at `i`, or -1. */
function scanScalar(text: string, i: number, c: number): number {
  if (c === 0x22) return scanString(text, i);
  if (isNumberStart(c)) {
    let j = i + 1;
    while (isNumberChar(text.charCodeAt(j))) j += 1;
    const token = text.slice(i, j);
    // WHY: JavaScript's own number-to-string is the canonical spelling (RFC 8785 §3.2.2.3).
    return String(Number(token)) === token ? j : -1;
  }
  for (const literal of ['true', 'false', 'null']) {
    if (text.startsWith(literal, i)) return i + literal.length;
  }
  return -1;
}

/** The index after a string starting at `i` escaped exactly as JSON.stringify escapes, or -1. */
function scanString(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 0x22) return j + 1;
    if (c < 0x20) return -1;
    if (c === 0x5c) {
      const e = text.charCodeAt(j + 1);
      // Short escapes: \" \\ \b \f \n \r \t (not \/, which JSON.stringify never writes).
      if (e === 0x22 || e === 0x5c || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) {
        j += 1;
        continue;
      }
      if (e !== 0x75 || !isControlEscape(text, j + 2)) return -1;
      j += 5;
    } else if (c >= 0xd800 && c <= 0xdbff) {
      const low = text.charCodeAt(j + 1);
      if (!(low >= 0xdc00 && low <= 0xdfff)) return -1;
      j += 1;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return -1;
    }
  }
  return -1;
}

/** Whether the four characters at `k` are `00XX` (lowercase hex) for a control character without a short escape. */
function isControlEscape(text: string, k: number): boolean {
  if (text.charCodeAt(k) !== 0x30 || text.charCodeAt(k + 1) !== 0x30) return false;
  const high = text.charCodeAt(k + 2) - 0x30;
  const d = text.charCodeAt(k + 3);
  const low = d >= 0x30 && d <= 0x39 ? d - 0x30 : d >= 0x61 && d <= 0x66 ? d - 0x61 + 10 : -1;
  if ((high !== 0 && high !== 1) || low < 0) return false;
  const code = high * 16 + low;
  return code !== 0x08 && code !== 0x09 && code !== 0x0a && code !== 0x0c && code !== 0x0d;
}

function isNumberStart(c: number): boolean {
  return c === 0x2d || (c >= 0x30 && c <= 0x39);
}

/** Digits, `.`, `+`, `-`, `e`, `E`: what a JSON number token is made of. */
function isNumberChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2b || c === 0x2d || c === 0x65 || c === 0x45;
}
