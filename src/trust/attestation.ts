// Kernel-signed trust attestations: a statement about an agent (its score, a vouch for it, a slash
// of it), signed with Ed25519 from node:crypto over the statement's canonical JSON (RFC 8785). The
// bus carries vouch attestations in a message's vouch chain; anyone with the public key verifies.

import { type KeyObject, sign, verify } from 'node:crypto';
import {
  canonicalJson,
  ERROR_CODES,
  type ErrorCode,
  fail,
  KernelError,
  ok,
  type Result,
  touchBounded,
} from '../shared/index.ts';
import { isTrustId, isUnit } from './input.ts';
import { ATTESTATION_SKEW_MS, ATTESTATION_TTL_MS_MAX } from './params.ts';

export const ATTESTATION_KINDS = ['trust-score', 'vouch', 'slash'] as const;
export type AttestationKind = (typeof ATTESTATION_KINDS)[number];

type StatementBase = {
  readonly v: 1;
  /** The signing key's id. */
  readonly issuer: string;
  /** The agent the statement is about (for a vouch: the vouchee). */
  readonly agent: string;
  /** Trust score: the agent's; vouch: the voucher's when it bonded; slash: the agent's after it. */
  readonly score: number;
  /** Wall-clock ms when signed, and when the statement stops being valid. */
  readonly at: number;
  readonly expires: number;
};

export type TrustScoreStatement = StatementBase & { readonly kind: 'trust-score' };
export type VouchStatement = StatementBase & {
  readonly kind: 'vouch';
  readonly voucher: string;
  readonly session: string;
  /** The message or task the bond stands behind. */
  readonly subject: string;
  readonly bondId: string;
  readonly bond: number;
};
export type SlashStatement = StatementBase & {
  readonly kind: 'slash';
  readonly session: string;
  /** The id of the denial or anomaly that caused the slash. */
  readonly cause: string;
  readonly amount: number;
  readonly severity: number;
  /** 0 = the vouchee itself, 1 = a direct voucher, 2 = a voucher of a voucher. */
  readonly depth: number;
};
export type AttestationStatement = TrustScoreStatement | VouchStatement | SlashStatement;

/** A statement and its detached Ed25519 signature (base64url, 64 bytes). */
export type Attestation<S extends AttestationStatement = AttestationStatement> = {
  readonly statement: S;
  readonly signature: string;
};

/** Signs statements; the kernel holds one, agents never do. */
export interface AttestationSigner {
  readonly keyId: string;
  readonly publicKey: KeyObject;
  sign<S extends AttestationStatement>(statement: S): Attestation<S>;
}

/** Public keys by key id, or the one key every statement must verify under. */
export type AttestationKeys = KeyObject | ReadonlyMap<string, KeyObject>;

/**
 * Makes a signer from an Ed25519 key pair (e.g. `generateKeyPairSync('ed25519')`). Throws
 * INVALID_INPUT when the keys are not an Ed25519 private/public pair that belong together.
 */
export function createAttestationSigner(
  keys: { readonly privateKey: KeyObject; readonly publicKey: KeyObject },
  keyId = 'kernel-trust',
): AttestationSigner {
  const { privateKey, publicKey } = keys;
  if (!isTrustId(keyId)) throw new KernelError(ERROR_CODES.INVALID_INPUT, '`keyId` must be a printable id');
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519')
    throw new KernelError(
      ERROR_CODES.INVALID_INPUT,
      'the attestation private key must be an ed25519 private key',
    );
  if (publicKey.type !== 'public' || publicKey.asymmetricKeyType !== 'ed25519')
    throw new KernelError(
      ERROR_CODES.INVALID_INPUT,
      'the attestation public key must be an ed25519 public key',
    );
  const probe = Buffer.from('maos trust key probe');
  if (!verify(null, probe, publicKey, sign(null, probe, privateKey)))
    throw new KernelError(ERROR_CODES.INVALID_INPUT, 'the attestation keys are not a pair');
  return {
    keyId,
    publicKey,
    sign<S extends AttestationStatement>(statement: S): Attestation<S> {
      const signed = { ...statement, issuer: keyId };
      const signature = sign(null, Buffer.from(canonicalJson(signed)), privateKey).toString('base64url');
      return { statement: signed, signature };
    },
  };
}

/** Why an attestation failed, as a stable string in `error.details.reason`. */
export type AttestationFailure =
  | 'malformed'
  | 'key-unknown'
  | 'signature-invalid'
  | 'not-yet-valid'
  | 'expired';

/**
 * Verifies `value` (untrusted, e.g. from a message) at wall time `nowMs`: shape, issuer key,
 * signature over the canonical statement, then time. Order matters: a tampered `expires` is a bad
 * signature, not a valid expiry. Codes: TOKEN_MALFORMED, TOKEN_KEY_UNKNOWN, TOKEN_SIGNATURE_INVALID,
 * TOKEN_CLAIMS_INVALID (signed in the future), TOKEN_EXPIRED.
 */
export function verifyAttestation(value: unknown, keys: AttestationKeys, nowMs: number): Result<Attestation> {
  const shaped = checkShape(value);
  if (!shaped.ok) return shaped;
  const { statement, signature } = shaped.value;
  const key = 'get' in keys ? keys.get(statement.issuer) : keys;
  if (key === undefined)
    return failure(
      ERROR_CODES.TOKEN_KEY_UNKNOWN,
      'key-unknown',
      `attestation issuer \`${statement.issuer}\` is unknown`,
    );
  const bytes = Buffer.from(signature, 'base64url');
  if (bytes.length !== 64 || bytes.toString('base64url') !== signature)
    return failure(
      ERROR_CODES.TOKEN_MALFORMED,
      'malformed',
      'attestation signature is not 64 base64url bytes',
    );
  if (!signatureVerifies(key, canonicalJson(statement), signature, bytes))
    return failure(
      ERROR_CODES.TOKEN_SIGNATURE_INVALID,
      'signature-invalid',
      'attestation signature does not verify',
    );
  if (statement.at > nowMs + ATTESTATION_SKEW_MS)
    return failure(ERROR_CODES.TOKEN_CLAIMS_INVALID, 'not-yet-valid', 'attestation is signed in the future');
  if (nowMs >= statement.expires)
    return failure(ERROR_CODES.TOKEN_EXPIRED, 'expired', `attestation expired at ${statement.expires}`);
  return ok({ statement, signature });
}

// WHY: a vouch chain rides on every message its vouchee sends and every receiver verifies it, one
// Ed25519 verification (~60 µs) per link per message; the same links come back again and again.
// Remembered per key object: signature → the canonical statement it verified over. Positives only,
// so nothing sent can make a later verification refuse or pass anything a fresh one would not; the
// time checks after it run on every call. Bounded: the oldest entry goes first.
const VERIFIED_PER_KEY_MAX = 4_096;
const verifiedByKey = new WeakMap<KeyObject, Map<string, string>>();

/** Whether `signature` (`bytes` decoded) signs `text` under `key`, from memory when it did before. */
function signatureVerifies(key: KeyObject, text: string, signature: string, bytes: Buffer): boolean {
  let verified = verifiedByKey.get(key);
  if (verified?.get(signature) === text) return true;
  try {
    if (!verify(null, Buffer.from(text), key, bytes)) return false;
  } catch {
    return false;
  }
  if (verified === undefined) {
    verified = new Map();
    verifiedByKey.set(key, verified);
  }
  touchBounded(verified, signature, text, VERIFIED_PER_KEY_MAX);
  return true;
}

function failure(code: ErrorCode, reason: AttestationFailure, message: string): Result<never> {
  return fail(code, message, { reason });
}

type FieldCheck = (value: unknown) => boolean;
const isId: FieldCheck = isTrustId;
const isMs: FieldCheck = (v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isDepth: FieldCheck = (v) => v === 0 || v === 1 || v === 2;

const BASE_FIELDS: Readonly<Record<string, FieldCheck>> = {
  v: (v) => v === 1,
  kind: (v) => typeof v === 'string' && (ATTESTATION_KINDS as readonly string[]).includes(v),
  issuer: isId,
  agent: isId,
  score: isUnit,
  at: isMs,
  expires: isMs,
};
const FIELDS: Readonly<Record<AttestationKind, Readonly<Record<string, FieldCheck>>>> = {
  'trust-score': BASE_FIELDS,
  vouch: { ...BASE_FIELDS, voucher: isId, session: isId, subject: isId, bondId: isId, bond: isUnit },
  slash: { ...BASE_FIELDS, session: isId, cause: isId, amount: isUnit, severity: isUnit, depth: isDepth },
};

function checkShape(value: unknown): Result<{ statement: AttestationStatement; signature: string }> {
  const malformed = (why: string) =>
    failure(ERROR_CODES.TOKEN_MALFORMED, 'malformed', `attestation is malformed: ${why}`);
  if (!isPlainObject(value)) return malformed('not an object');
  const { statement, signature } = value;
  if (Object.keys(value).length !== 2 || typeof signature !== 'string')
    return malformed('expected `statement` and `signature`');
  if (!isPlainObject(statement)) return malformed('`statement` is not an object');
  const fields = FIELDS[statement.kind as AttestationKind] ?? BASE_FIELDS;
  for (const [name, check] of Object.entries(fields)) {
    if (!Object.hasOwn(statement, name) || !check(statement[name]))
      return malformed(`field \`${name}\` is missing or invalid`);
  }
  for (const name of Object.keys(statement)) {
    if (!Object.hasOwn(fields, name)) return malformed(`unexpected field \`${name.slice(0, 64)}\``);
  }
  const expires = statement.expires as number;
  const at = statement.at as number;
  if (expires <= at || expires - at > ATTESTATION_TTL_MS_MAX)
    return malformed('`expires` is outside its bounds');
  return ok({ statement: statement as AttestationStatement, signature });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
