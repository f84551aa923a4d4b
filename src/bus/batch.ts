// One Ed25519 signature per batch of envelopes (decision 0010): the sender's drafts become the
// leaves of a Merkle tree (merkle.ts), the key signs the root once, and each envelope carries the
// same signature and its own inclusion proof, so it verifies on its own at any recipient, on any
// node, in any order. A batch of one is signed alone (`proof: null`): that is `signEnvelope`.

import { type KernelError, ok, type Result } from '../shared/index.ts';
import {
  batchSigningInput,
  type Envelope,
  type EnvelopeDraft,
  leafText,
  type PreparedDraft,
  prepareDraft,
  signingInput,
} from './envelope.ts';
import type { BusKeyRing } from './key-ring.ts';
import { BATCH_MAX } from './limits.ts';
import { buildTree, leafHash } from './merkle.ts';
import { BUS_REASONS, busFail } from './reasons.ts';

/**
 * Signs a draft alone (`proof: null`) with the sender's key from `keyRing`, taking the sender's
 * next sequence number: a batch of one. Fails when the draft is malformed or the sender has no
 * active key.
 */
export function signEnvelope(draft: EnvelopeDraft, keyRing: BusKeyRing): Result<Envelope, KernelError> {
  const prepared = prepareDraft(draft, keyRing);
  if (!prepared.ok) return prepared;
  const signed = signPrepared([prepared.value], keyRing);
  return signed.ok ? ok(signed.value[0] as Envelope) : signed;
}

/**
 * Signs drafts of one sender, synchronously, taking consecutive sequence numbers in draft order.
 * Up to BATCH_MAX drafts share one signature; more are signed in several batches in turn. Nothing
 * is signed (and no number taken) when any draft is malformed, the drafts name more than one
 * sender, or the sender has no active key.
 */
export function signEnvelopes(
  drafts: readonly EnvelopeDraft[],
  keyRing: BusKeyRing,
): Result<Envelope[], KernelError> {
  const prepared: PreparedDraft[] = [];
  for (const [at, draft] of drafts.entries()) {
    const one = prepareDraft(draft, keyRing);
    if (!one.ok) return busFail(BUS_REASONS.BUS_MALFORMED, `draft ${at}: ${one.error.message}`, { at });
    prepared.push(one.value);
  }
  return signPrepared(prepared, keyRing);
}

/** `signEnvelopes` for drafts already checked by `prepareDraft` (the batch signer's path). */
export function signPrepared(
  prepared: readonly PreparedDraft[],
  keyRing: BusKeyRing,
): Result<Envelope[], KernelError> {
  const from = prepared[0]?.fields.from;
  if (from === undefined) return ok([]);
  if (prepared.some((draft) => draft.fields.from !== from)) {
    return busFail(BUS_REASONS.BUS_MALFORMED, 'a batch holds drafts of one sender only');
  }
  if (!keyRing.hasSigner(from)) {
    return busFail(BUS_REASONS.BUS_SENDER_UNKNOWN, `sender \`${from}\` has no bus key`);
  }
  const out: Envelope[] = [];
  for (let start = 0; start < prepared.length; start += BATCH_MAX) {
    const signed = signBatch(from, prepared.slice(start, start + BATCH_MAX), keyRing);
    if (signed === undefined) {
      return busFail(BUS_REASONS.BUS_SENDER_UNKNOWN, `sender \`${from}\` has no bus key`);
    }
    out.push(...signed);
  }
  return ok(out);
}

/** An envelope being made: its fields are final, its proof and signature are filled in last. */
type Making = { -readonly [K in keyof Envelope]: Envelope[K] };

/** One signature over 1 to BATCH_MAX drafts; undefined when the sender has no active key. */
function signBatch(
  from: string,
  batch: readonly PreparedDraft[],
  keyRing: BusKeyRing,
): Envelope[] | undefined {
  const n = batch.length;
  let made: Making[] = [];
  let paths: string[][] = [];
  const run = keyRing.signRun(from, n, (keyId, firstSeq) => {
    made = batch.map((draft, i) => ({ ...draft.fields, seq: firstSeq + i, keyId, proof: null, sig: '' }));
    if (n === 1) return signingInput(made[0] as Making, batch[0]?.parts);
    const tree = buildTree(made.map((one, i) => leafHash(leafText(one, batch[i]?.parts))));
    paths = tree.paths;
    return batchSigningInput(keyId, n, Buffer.from(tree.root, 'base64url'));
  });
  if (run === undefined) return undefined;
  const sig = Buffer.from(run.sig).toString('base64url');
  for (const [i, one] of made.entries()) {
    if (n > 1) one.proof = { n, i, path: paths[i] as string[] };
    one.sig = sig;
  }
  return made;
}
