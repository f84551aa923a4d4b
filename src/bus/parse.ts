// Strict parsing of an incoming envelope, before any crypto: bounded size and depth, valid UTF-8,
// no prototype-polluting keys, exactly the envelope's fields, each of the right type and form.
// The result is well-formed but not yet trusted: the signature check comes next.
// Order: UTF-8, JSON, then the exact shape of every field but the free-form two (`payload` and
// `vouch`), whose every value is then walked (`checkJsonValue`: plain JSON, finite numbers,
// well-formed strings, no forbidden keys, depth). The shape check admits only fixed-form strings
// (ASCII patterns or enumerations), safe integers and the fixed objects `label` and `proof`, so
// nothing but those two fields needs the walk, and the depth bound counts the envelope's level.

import { isConfidentiality, isIntegrity } from '../ifc/index.ts';
import {
  checkJsonValue,
  decodeUtf8,
  ERROR_CODES,
  isAgentId,
  isMessageName,
  isUuidv7,
  type KernelError,
  ok,
  type Result,
} from '../shared/index.ts';
import { ENVELOPE_FIELDS, type Envelope } from './envelope.ts';
import { BATCH_MAX, ENVELOPE_DEPTH_MAX, RECIPIENTS_MAX, VOUCH_MAX } from './limits.ts';
import { pathLength } from './merkle.ts';
import { BUS_REASONS, busFail } from './reasons.ts';

// WHY: base64url decoding ignores stray trailing bits, so two strings could name one byte string;
// only the canonical encoding is accepted. For a fixed length that means the last character's
// unused low bits are zero, which these patterns say directly: 16 bytes (nonce) and 64 bytes
// (signature) leave 4 unused bits, so the last character is one of A Q g w; 32 bytes (a hash)
// leave 2, so it is one whose alphabet index is a multiple of 4.
const NONCE = /^[A-Za-z0-9_-]{21}[AQgw]$/;
const SIG = /^[A-Za-z0-9_-]{85}[AQgw]$/;
const HASH = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;
const KEY_ID = /^[A-Za-z0-9_:.-]{1,128}$/;
const FIELDS: ReadonlySet<string> = new Set(ENVELOPE_FIELDS);

/** Parses the wire form of an envelope: the size check, then the shape check. */
export function parseEnvelope(wire: Uint8Array, bytesMax: number): Result<Envelope, KernelError> {
  if (wire.byteLength > bytesMax) {
    return busFail(BUS_REASONS.BUS_OVERSIZED, `envelope is larger than ${bytesMax} bytes`, {
      bytes: wire.byteLength,
    });
  }
  const text = decodeUtf8(wire);
  if (!text.ok) return busFail(BUS_REASONS.BUS_MALFORMED, text.error.message, { code: text.error.code });
  let value: unknown;
  try {
    value = JSON.parse(text.value);
  } catch (error) {
    return busFail(BUS_REASONS.BUS_MALFORMED, `envelope is not valid json: ${(error as Error).message}`, {
      code: ERROR_CODES.INVALID_JSON,
    });
  }
  const problem = shapeProblem(value);
  if (problem !== undefined) return busFail(BUS_REASONS.BUS_MALFORMED, problem);
  const envelope = value as Envelope;
  const limits = { bytesMax, depthMax: ENVELOPE_DEPTH_MAX - 1 };
  for (const free of [envelope.payload, envelope.vouch]) {
    const checked = checkJsonValue(free, limits);
    if (!checked.ok) {
      return busFail(BUS_REASONS.BUS_MALFORMED, checked.error.message, { code: checked.error.code });
    }
  }
  return ok(envelope);
}

function shapeProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'envelope is not an object';
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  for (const key of keys)
    if (!FIELDS.has(key)) return `envelope has an unknown field \`${key.slice(0, 64)}\``;
  if (keys.length !== FIELDS.size) return 'envelope lacks a field';
  if (record.v !== 1) return 'envelope version is not 1';
  if (typeof record.id !== 'string' || !isUuidv7(record.id)) return 'envelope `id` is not a uuidv7';
  if (!isAgentId(record.from)) return 'envelope `from` is not an agent id';
  const toProblem = recipientsProblem(record.to);
  if (toProblem !== undefined) return toProblem;
  if (!isMessageName(record.type)) return 'envelope `type` is invalid';
  if (!isMessageName(record.schema)) return 'envelope `schema` is invalid';
  if (!isLabel(record.label)) return 'envelope `label` is invalid';
  if (!isCount(record.seq) || record.seq < 1) return 'envelope `seq` is not a positive integer';
  if (typeof record.nonce !== 'string' || !NONCE.test(record.nonce)) return 'envelope `nonce` is invalid';
  if (!isCount(record.ts)) return 'envelope `ts` is not a time in milliseconds';
  if (!Array.isArray(record.vouch) || record.vouch.length > VOUCH_MAX) return 'envelope `vouch` is invalid';
  if (typeof record.keyId !== 'string' || !KEY_ID.test(record.keyId)) return 'envelope `keyId` is invalid';
  const proofProblem = record.proof === null ? undefined : batchProofProblem(record.proof);
  if (proofProblem !== undefined) return proofProblem;
  if (typeof record.sig !== 'string' || !SIG.test(record.sig)) return 'envelope `sig` is invalid';
  return undefined;
}

/** A batch proof: exactly `n`, `i` and `path`, 2 ≤ n ≤ BATCH_MAX, 0 ≤ i < n, a path of the exact length. */
function batchProofProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return 'envelope `proof` is neither null nor an object';
  }
  const proof = value as Record<string, unknown>;
  const keys = Object.keys(proof);
  if (
    keys.length !== 3 ||
    !Object.hasOwn(proof, 'n') ||
    !Object.hasOwn(proof, 'i') ||
    !Object.hasOwn(proof, 'path')
  ) {
    return 'envelope `proof` must hold exactly `n`, `i` and `path`';
  }
  const { n, i, path } = proof;
  if (!isCount(n) || n < 2 || n > BATCH_MAX)
    return `envelope \`proof.n\` is not a batch size (2 to ${BATCH_MAX})`;
  if (!isCount(i) || i >= n) return 'envelope `proof.i` is not an index in the batch';
  if (!Array.isArray(path) || path.length !== pathLength(n, i)) {
    return 'envelope `proof.path` does not have the length its position needs';
  }
  for (const hash of path) {
    if (typeof hash !== 'string' || !HASH.test(hash)) return 'envelope `proof.path` holds an invalid hash';
  }
  return undefined;
}

function recipientsProblem(to: unknown): string | undefined {
  if (!Array.isArray(to) || to.length === 0 || to.length > RECIPIENTS_MAX) {
    return `envelope \`to\` must list 1 to ${RECIPIENTS_MAX} recipients`;
  }
  if (!to.every(isAgentId)) return 'envelope `to` holds an invalid agent id';
  if (to.length > 1 && new Set(to).size !== to.length) return 'envelope `to` names a recipient twice';
  return undefined;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isLabel(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const label = value as Record<string, unknown>;
  return (
    Object.keys(label).length === 2 &&
    isConfidentiality(label.confidentiality) &&
    isIntegrity(label.integrity)
  );
}
