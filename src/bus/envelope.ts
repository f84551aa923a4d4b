// The bus envelope (issue 5): who sends what to whom under which label, numbered and signed with
// the sender pod's Ed25519 key over the canonical JSON of every field but `sig`. The host signs on
// the sender's behalf (`signEnvelope`); agent code hands over a draft and never touches the key.

import { isConfidentiality, isIntegrity, type Label } from '../ifc/index.ts';
import { canonicalJson, type JsonValue, type KernelError, ok, type Result, uuidv7 } from '../shared/index.ts';
import type { BusKeyRing } from './key-ring.ts';
import { RECIPIENTS_MAX, VOUCH_MAX } from './limits.ts';
import { BUS_REASONS, busFail } from './reasons.ts';

/** One entry of a vouch chain; the trust module defines and checks it, the bus carries it signed. */
export type VouchEntry = JsonValue;

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
  readonly sig: string;
};

/** What a sender asks to send; the host fills in the id, sequence, nonce, time, key and signature. */
export type EnvelopeDraft = {
  readonly from: string;
  readonly to: readonly string[];
  readonly type: string;
  readonly schema: string;
  readonly payload: JsonValue;
  readonly label: Label;
  readonly vouch?: readonly VouchEntry[];
};

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
  'sig',
] as const;

/** Agent ids as pod manifests allow them. */
const AGENT_ID = /^[A-Za-z0-9_.-]{1,128}$/;
/** Message types and schema ids. */
const NAME = /^[A-Za-z0-9_.:/#-]{1,256}$/;

/** An agent id as pod manifests allow it: a sender or a recipient. */
export function isAgentId(value: unknown): value is string {
  return typeof value === 'string' && AGENT_ID.test(value);
}

/** A message type or schema id. */
export function isName(value: unknown): value is string {
  return typeof value === 'string' && NAME.test(value);
}

// WHY: a domain tag keeps a bus signature from ever being valid for another signed format.
const DOMAIN = 'maos.bus.envelope.v1\n';
const NONCE_BYTES = 16;

/** The bytes a signature covers: the domain tag and the canonical JSON of all fields but `sig`. */
export function signingInput(unsigned: Omit<Envelope, 'sig'>): Uint8Array {
  return Buffer.from(DOMAIN + canonicalJson(unsigned), 'utf8');
}

/**
 * Signs a draft with the sender's key from `keyRing`, taking the sender's next sequence number.
 * Fails when the draft is malformed or the sender has no active key.
 */
export function signEnvelope(draft: EnvelopeDraft, keyRing: BusKeyRing): Result<Envelope, KernelError> {
  const problem = draftProblem(draft);
  if (problem !== undefined) return busFail(BUS_REASONS.BUS_MALFORMED, problem);
  const base = {
    v: 1 as const,
    id: uuidv7(keyRing.clock, keyRing.random),
    from: draft.from,
    to: [...draft.to],
    type: draft.type,
    schema: draft.schema,
    payload: draft.payload,
    label: { confidentiality: draft.label.confidentiality, integrity: draft.label.integrity },
    nonce: Buffer.from(keyRing.random.bytes(NONCE_BYTES)).toString('base64url'),
    ts: Math.floor(keyRing.clock.wallMs()),
    vouch: [...(draft.vouch ?? [])],
  };
  let unsigned: Omit<Envelope, 'sig'> | undefined;
  let signed: ReturnType<BusKeyRing['signNext']>;
  try {
    signed = keyRing.signNext(draft.from, (keyId, seq) => {
      unsigned = { ...base, seq, keyId };
      return signingInput(unsigned);
    });
  } catch (error) {
    return busFail(BUS_REASONS.BUS_MALFORMED, `draft cannot be signed: ${(error as Error).message}`);
  }
  if (signed === undefined || unsigned === undefined) {
    return busFail(BUS_REASONS.BUS_SENDER_UNKNOWN, `sender \`${draft.from}\` has no bus key`);
  }
  return ok({ ...unsigned, sig: Buffer.from(signed.sig).toString('base64url') });
}

function draftProblem(draft: EnvelopeDraft): string | undefined {
  if (!isAgentId(draft.from)) return 'draft has an invalid `from`';
  if (!Array.isArray(draft.to) || draft.to.length === 0 || draft.to.length > RECIPIENTS_MAX) {
    return `draft needs 1 to ${RECIPIENTS_MAX} recipients`;
  }
  if (!draft.to.every(isAgentId)) return 'draft has an invalid recipient';
  if (new Set(draft.to).size !== draft.to.length) return 'draft names a recipient twice';
  if (!isName(draft.type)) return 'draft has an invalid `type`';
  if (!isName(draft.schema)) return 'draft has an invalid `schema`';
  if (!isConfidentiality(draft.label?.confidentiality) || !isIntegrity(draft.label?.integrity)) {
    return 'draft has an invalid `label`';
  }
  if (draft.vouch !== undefined && (!Array.isArray(draft.vouch) || draft.vouch.length > VOUCH_MAX)) {
    return `draft has more than ${VOUCH_MAX} vouch entries`;
  }
  return undefined;
}
