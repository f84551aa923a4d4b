// Strict parsing of an incoming envelope, before any crypto: bounded size and depth, valid UTF-8,
// no prototype-polluting keys, exactly the envelope's fields, each of the right type and form.
// The result is well-formed but not yet trusted: the signature check comes next.

import { isConfidentiality, isIntegrity } from '../ifc/index.ts';
import { isUuidv7, type KernelError, ok, parseJsonStrict, type Result } from '../shared/index.ts';
import { ENVELOPE_FIELDS, type Envelope, isAgentId, isName } from './envelope.ts';
import { ENVELOPE_DEPTH_MAX, RECIPIENTS_MAX, VOUCH_MAX } from './limits.ts';
import { BUS_REASONS, busFail } from './reasons.ts';

const NONCE = /^[A-Za-z0-9_-]{22}$/;
const SIG = /^[A-Za-z0-9_-]{86}$/;
const KEY_ID = /^[A-Za-z0-9_:.-]{1,128}$/;
const FIELDS: ReadonlySet<string> = new Set(ENVELOPE_FIELDS);

/** Parses the wire form of an envelope: the size check, then the shape check. */
export function parseEnvelope(wire: Uint8Array, bytesMax: number): Result<Envelope, KernelError> {
  if (wire.byteLength > bytesMax) {
    return busFail(BUS_REASONS.BUS_OVERSIZED, `envelope is larger than ${bytesMax} bytes`, {
      bytes: wire.byteLength,
    });
  }
  const parsed = parseJsonStrict(wire, { bytesMax, depthMax: ENVELOPE_DEPTH_MAX });
  if (!parsed.ok)
    return busFail(BUS_REASONS.BUS_MALFORMED, parsed.error.message, { code: parsed.error.code });
  const problem = shapeProblem(parsed.value);
  if (problem !== undefined) return busFail(BUS_REASONS.BUS_MALFORMED, problem);
  return ok(parsed.value as unknown as Envelope);
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
  if (!isName(record.type)) return 'envelope `type` is invalid';
  if (!isName(record.schema)) return 'envelope `schema` is invalid';
  if (!isLabel(record.label)) return 'envelope `label` is invalid';
  if (!isCount(record.seq) || record.seq < 1) return 'envelope `seq` is not a positive integer';
  if (typeof record.nonce !== 'string' || !isBase64url(record.nonce, NONCE))
    return 'envelope `nonce` is invalid';
  if (!isCount(record.ts)) return 'envelope `ts` is not a time in milliseconds';
  if (!Array.isArray(record.vouch) || record.vouch.length > VOUCH_MAX) return 'envelope `vouch` is invalid';
  if (typeof record.keyId !== 'string' || !KEY_ID.test(record.keyId)) return 'envelope `keyId` is invalid';
  if (typeof record.sig !== 'string' || !isBase64url(record.sig, SIG)) return 'envelope `sig` is invalid';
  return undefined;
}

function recipientsProblem(to: unknown): string | undefined {
  if (!Array.isArray(to) || to.length === 0 || to.length > RECIPIENTS_MAX) {
    return `envelope \`to\` must list 1 to ${RECIPIENTS_MAX} recipients`;
  }
  if (!to.every(isAgentId)) return 'envelope `to` holds an invalid agent id';
  if (new Set(to).size !== to.length) return 'envelope `to` names a recipient twice';
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

// WHY: base64url decoding ignores stray trailing bits, so two strings could name one byte string;
// only the canonical encoding is accepted.
function isBase64url(value: string, form: RegExp): boolean {
  return form.test(value) && Buffer.from(value, 'base64url').toString('base64url') === value;
}
