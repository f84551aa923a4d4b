// The bus envelope (issue 5): who sends what to whom under which label, numbered and signed with
// the sender pod's Ed25519 key. The host signs on the sender's behalf (batch.ts: `signEnvelope`
// alone, or one signature per batch through `signEnvelopes` / `BatchSigner`, decision 0010); agent
// code hands over a draft and never touches the key. What each kind of signature covers is defined here.

import { isConfidentiality, isIntegrity, type Label } from '../ifc/index.ts';
import {
  canonicalJson,
  isAgentId,
  isMessageName,
  type JsonValue,
  type KernelError,
  ok,
  type Result,
  uuidv7,
} from '../shared/index.ts';
import type { BusKeyRing } from './key-ring.ts';
import { RECIPIENTS_MAX, VOUCH_MAX } from './limits.ts';
import { BUS_REASONS, busFail } from './reasons.ts';

/** One entry of a vouch chain; the trust module defines and checks it, the bus carries it signed. */
export type VouchEntry = JsonValue;

/**
 * Where an envelope sits in the batch its signature covers: batch size `n` (2 to BATCH_MAX), its
 * index `i`, and the base64url SHA-256 sibling hashes from its leaf up to the root (merkle.ts).
 */
export type MerkleProof = { readonly n: number; readonly i: number; readonly path: readonly string[] };

export type Envelope = {
  readonly v: 1;
  readonly id: string;
  readonly from: string;
  readonly to: readonly string[];
  readonly type: string;
  readonly schema: string;
  readonly payload: JsonValue;
  readonly label: Label;
  readonly seq: number;
  readonly nonce: string;
  readonly ts: number;
  readonly vouch: readonly VouchEntry[];
  readonly keyId: string;
  /** `null`: `sig` signs this envelope alone; otherwise `sig` signs the root of its batch. */
  readonly proof: MerkleProof | null;
  readonly sig: string;
};

/** What a sender asks to send; the host fills in the id, sequence, nonce, time, key and signature. */
export type EnvelopeDraft = Pick<Envelope, 'from' | 'to' | 'type' | 'schema' | 'payload' | 'label'> &
  Partial<Pick<Envelope, 'vouch'>>;

export const ENVELOPE_FIELDS = [
  'v',
  'id',
  'from',
  'to',
  'type',
  'schema',
  'payload',
  'label',
  'seq',
  'nonce',
  'ts',
  'vouch',
  'keyId',
  'proof',
  'sig',
] as const;

// WHY: distinct domain tags keep a signature of one kind from ever being valid as another kind,
// or for any other signed format: a single envelope, a batch leaf, a batch root.
const DOMAIN = 'maos.bus.envelope.v1\n';
const LEAF_DOMAIN = 'maos.bus.leaf.v1\n';
const BATCH_DOMAIN = 'maos.bus.batch.v1\n';
const NONCE_BYTES = 16;

/** Every field a signature covers, bar `proof`. */
export type SignedFields = Omit<Envelope, 'sig' | 'proof'>;

/** The canonical JSON of an envelope's nested values, computed once per envelope. */
type Parts = {
  readonly label: string;
  readonly payload: string;
  readonly to: string;
  readonly vouch: string;
};

function partsOf(e: Pick<SignedFields, 'label' | 'payload' | 'to' | 'vouch'>): Parts {
  return {
    label: labelJson(e.label),
    payload: canonicalJson(e.payload),
    to: toJson(e.to),
    vouch: vouchJson(e.vouch),
  };
}

// WHY: the fixed fields are short ASCII words, numbers and a two-key label on every message; their
// canonical form is written directly when they have the expected form (which parsing and draft
// checks guarantee), and left to `canonicalJson` otherwise, so the output is the same either way.
/** Printable ASCII without `"` and `\`: JSON writes such a string as is, between quotes. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

function str(value: unknown): string {
  return typeof value === 'string' && PLAIN.test(value) ? `"${value}"` : canonicalJson(value);
}

function int(value: unknown): string {
  return Number.isSafeInteger(value) ? String(value) : canonicalJson(value);
}

function labelJson(label: Label): string {
  if (
    Object.keys(label).length !== 2 ||
    !isConfidentiality(label.confidentiality) ||
    !isIntegrity(label.integrity)
  ) {
    return canonicalJson(label);
  }
  return `{"confidentiality":"${label.confidentiality}","integrity":"${label.integrity}"}`;
}

function toJson(to: readonly string[]): string {
  if (!Array.isArray(to)) return canonicalJson(to);
  let out = '[';
  for (let at = 0; at < to.length; at++) out += (at === 0 ? '' : ',') + str(to[at]);
  return `${out}]`;
}

function vouchJson(vouch: readonly VouchEntry[]): string {
  return Array.isArray(vouch) && vouch.length === 0 ? '[]' : canonicalJson(vouch);
}

/**
 * RFC 8785 canonical JSON of the signed fields (and of `proof` when given), written field by field
 * in the canonical key order. It equals `canonicalJson` of the same object (a test holds it to
 * that) without sorting the top level on every message.
 * INVARIANT: the field list is exactly ENVELOPE_FIELDS but `sig` (and `proof`); parsing refuses
 * any other field, so nothing on the wire is left out of what is signed.
 */
function canonicalFields(e: SignedFields, proof: MerkleProof | null | undefined, parts: Parts): string {
  return (
    `{"from":${str(e.from)},"id":${str(e.id)},"keyId":${str(e.keyId)},"label":${parts.label},` +
    `"nonce":${str(e.nonce)},"payload":${parts.payload},${proof === undefined ? '' : `"proof":${canonicalJson(proof)},`}` +
    `"schema":${str(e.schema)},"seq":${int(e.seq)},"to":${parts.to},"ts":${int(e.ts)},"type":${str(e.type)},` +
    `"v":${int(e.v)},"vouch":${parts.vouch}}`
  );
}

/** The bytes a single envelope's signature covers: the domain tag and every field but `sig`. */
export function signingInput(unsigned: Omit<Envelope, 'sig'>, parts = partsOf(unsigned)): Uint8Array {
  return Buffer.from(DOMAIN + canonicalFields(unsigned, unsigned.proof, parts), 'utf8');
}

/** The text a batch leaf hashes (merkle.ts `leafHash`): the leaf tag and every field but `sig` and `proof`. */
export function leafText(fields: SignedFields, parts = partsOf(fields)): string {
  return LEAF_DOMAIN + canonicalFields(fields, undefined, parts);
}

/** The bytes a batch signature covers: the batch tag, the key id, the batch size and the 32-byte root. */
export function batchSigningInput(keyId: string, n: number, root: Uint8Array): Uint8Array {
  return Buffer.concat([Buffer.from(`${BATCH_DOMAIN}${keyId}\n${n}\n`, 'utf8'), root]);
}

/** A checked draft with its id, nonce and time fixed; the key ring adds the key id and sequence. */
export type PreparedDraft = {
  readonly fields: Omit<SignedFields, 'seq' | 'keyId'>;
  readonly parts: Parts;
};

/**
 * Checks a draft, fixes its id, nonce and time, and computes the canonical JSON of its nested
 * values. Fails with BUS_MALFORMED when the draft is malformed or holds a value JSON cannot carry
 * (so a batch never fails for one bad draft). With `snapshot`, the payload and vouch chain are
 * copied from their canonical JSON, so a caller changing the draft later cannot make the envelope
 * differ from what is signed.
 */
export function prepareDraft(
  draft: EnvelopeDraft,
  keyRing: BusKeyRing,
  snapshot = false,
): Result<PreparedDraft, KernelError> {
  const problem = draftProblem(draft);
  if (problem !== undefined) return busFail(BUS_REASONS.BUS_MALFORMED, problem);
  const label = { confidentiality: draft.label.confidentiality, integrity: draft.label.integrity };
  const to = [...draft.to];
  const vouch = [...(draft.vouch ?? [])];
  let parts: Parts;
  try {
    parts = partsOf({ label, payload: draft.payload, to, vouch });
  } catch (error) {
    return busFail(BUS_REASONS.BUS_MALFORMED, `draft cannot be signed: ${(error as Error).message}`);
  }
  const fields = {
    v: 1 as const,
    id: uuidv7(keyRing.clock, keyRing.random),
    from: draft.from,
    to,
    type: draft.type,
    schema: draft.schema,
    payload:
      snapshot && typeof draft.payload === 'object' && draft.payload !== null
        ? (JSON.parse(parts.payload) as JsonValue)
        : draft.payload,
    label,
    nonce: base64url(keyRing.random.bytes(NONCE_BYTES)),
    ts: Math.floor(keyRing.clock.wallMs()),
    vouch: snapshot && vouch.length > 0 ? (JSON.parse(parts.vouch) as VouchEntry[]) : vouch,
  };
  return ok({ fields, parts });
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Unpadded base64url, in JavaScript: for a 16-byte nonce several times faster than a Buffer round trip. */
export function base64url(bytes: Uint8Array): string {
  let out = '';
  let at = 0;
  for (; at + 3 <= bytes.length; at += 3) {
    const word = ((bytes[at] ?? 0) << 16) | ((bytes[at + 1] ?? 0) << 8) | (bytes[at + 2] ?? 0);
    out +=
      BASE64URL.charAt(word >> 18) +
      BASE64URL.charAt((word >> 12) & 63) +
      BASE64URL.charAt((word >> 6) & 63) +
      BASE64URL.charAt(word & 63);
  }
  const left = bytes.length - at;
  if (left === 0) return out;
  const word = ((bytes[at] ?? 0) << 16) | (left === 2 ? (bytes[at + 1] ?? 0) << 8 : 0);
  out += BASE64URL.charAt(word >> 18) + BASE64URL.charAt((word >> 12) & 63);
  return left === 2 ? out + BASE64URL.charAt((word >> 6) & 63) : out;
}

function draftProblem(draft: EnvelopeDraft): string | undefined {
  if (draft === null || typeof draft !== 'object') return 'draft is not an object';
  if (!isAgentId(draft.from)) return 'draft has an invalid `from`';
  if (!Array.isArray(draft.to) || draft.to.length === 0 || draft.to.length > RECIPIENTS_MAX) {
    return `draft needs 1 to ${RECIPIENTS_MAX} recipients`;
  }
  if (!draft.to.every(isAgentId)) return 'draft has an invalid recipient';
  if (draft.to.length > 1 && new Set(draft.to).size !== draft.to.length)
    return 'draft names a recipient twice';
  if (!isMessageName(draft.type)) return 'draft has an invalid `type`';
  if (!isMessageName(draft.schema)) return 'draft has an invalid `schema`';
  if (!isConfidentiality(draft.label?.confidentiality) || !isIntegrity(draft.label?.integrity)) {
    return 'draft has an invalid `label`';
  }
  if (draft.vouch !== undefined && (!Array.isArray(draft.vouch) || draft.vouch.length > VOUCH_MAX)) {
    return `draft has more than ${VOUCH_MAX} vouch entries`;
  }
  return undefined;
}
