// The receiving side's checks, applied once per (envelope, recipient) before any handler sees it,
// in this order: size, shape, key and signature, the recipient has a policy, replay (clock skew,
// sequence window, id and nonce), recipient (addressed, sender allowed, sender trusted), schema,
// rate, IFC no-write-down, DLP. The first failure refuses the message with a stable reason; nothing later runs.

import { type Confidentiality, flowsTo } from '../ifc/index.ts';
import type { Clock, JsonValue, KernelError, Result } from '../shared/index.ts';
import { ok } from '../shared/index.ts';
import { type DlpFinding, type DlpMode, scanPayload } from './dlp/index.ts';
import { batchSigningInput, type Envelope, leafText, type MerkleProof, signingInput } from './envelope.ts';
import { type BusPublicKey, type KeyDirectory, verifySignature } from './key-ring.ts';
import { CLOCK_SKEW_MS_MAX, ENVELOPE_BYTES_MAX, REPLAY_WINDOW } from './limits.ts';
import { climb, leafHash, meetClimb } from './merkle.ts';
import { parseEnvelope } from './parse.ts';
import { BUS_REASONS, busFail } from './reasons.ts';
import { ReplayWindow } from './replay-window.ts';
import type { SchemaRegistry } from './schema-registry.ts';
import { VerifiedBatches } from './verified-batches.ts';

/** What one recipient accepts. A recipient without a policy accepts nothing. */
export type ReceivePolicy = {
  /** Senders this recipient accepts messages from (allowlist). */
  readonly senders: readonly string[];
  /** Highest confidentiality this recipient may hold (IFC no-write-down). */
  readonly clearance: Confidentiality;
  /** Token bucket per sender: sustained messages per second and burst. */
  readonly rate: { readonly perSecond: number; readonly burst: number };
  /** `block` refuses a payload with findings; `redact` delivers the redacted payload. */
  readonly dlp: DlpMode;
  readonly schemas: SchemaRegistry;
  /**
   * Receivers refuse payloads from senders below their trust threshold. `scoreOf` must be fast
   * and synchronous (a cache of the trust ledger); a sender it does not know scores 0. It sees the
   * signature-checked envelope, so a vouch chain the envelope carries can raise the sender's
   * effective score (decision 0011); a chain that does not verify must not.
   */
  readonly trust?: {
    readonly min: number;
    readonly scoreOf: (sender: string, envelope: Envelope) => number | undefined;
  };
};

export type PolicyLookup = (recipient: string) => ReceivePolicy | undefined;

/**
 * An envelope that passed every check, with the payload the handler gets. When DLP redacted it,
 * `envelope.payload` is the redacted one too (its `sig` then covers the original, already verified).
 */
export type Delivery = {
  readonly recipient: string;
  readonly envelope: Envelope;
  readonly payload: JsonValue;
  readonly findings: readonly DlpFinding[];
};

export type ReceiverOptions = {
  readonly keys: KeyDirectory;
  readonly policies: PolicyLookup;
  readonly clock: Clock;
  readonly bytesMax?: number;
  readonly window?: number;
  readonly skewMsMax?: number;
};

type SenderState = { readonly replay: ReplayWindow; tokens: number; refilledAtMs: number };

export class Receiver {
  readonly #options: ReceiverOptions;
  readonly #bytesMax: number;
  readonly #window: number;
  readonly #skewMsMax: number;
  readonly #state = new Map<string, Map<string, SenderState>>();
  readonly #allowlists = new WeakMap<ReceivePolicy, ReadonlySet<string>>();
  readonly #batches = new VerifiedBatches();

  constructor(options: ReceiverOptions) {
    this.#options = options;
    this.#bytesMax = options.bytesMax ?? ENVELOPE_BYTES_MAX;
    this.#window = options.window ?? REPLAY_WINDOW;
    this.#skewMsMax = options.skewMsMax ?? CLOCK_SKEW_MS_MAX;
  }

  /** Pairs of (recipient, sender) the receiver keeps replay state for. */
  get statePairs(): number {
    let pairs = 0;
    for (const senders of this.#state.values()) pairs += senders.size;
    return pairs;
  }

  /** Runs every check for `recipient` on one wire message; records it as seen when it passes replay. */
  receive(recipient: string, wire: Uint8Array): Result<Delivery, KernelError> {
    const parsed = parseEnvelope(wire, this.#bytesMax);
    if (!parsed.ok) return parsed;
    const envelope = parsed.value;
    const where = { id: envelope.id, from: envelope.from, seq: envelope.seq };
    const signed = this.#checkSignature(envelope);
    if (!signed.ok) return signed;
    // WHY: before any replay state is made, so signed messages raw-published to made-up recipient
    // names cannot grow the receiver's memory: state exists only for recipients with a policy.
    const policy = this.#options.policies(recipient);
    if (policy === undefined) {
      return busFail(
        BUS_REASONS.BUS_RECIPIENT_UNKNOWN,
        `recipient \`${recipient}\` has no receive policy`,
        where,
      );
    }
    const state = this.#senderState(recipient, envelope.from);
    const replay = this.#checkReplay(state, envelope, where);
    if (!replay.ok) return replay;
    if (!envelope.to.includes(recipient)) {
      return busFail(BUS_REASONS.BUS_NOT_ADDRESSED, `message is not addressed to \`${recipient}\``, where);
    }
    if (!this.#allowlist(policy).has(envelope.from)) {
      return busFail(
        BUS_REASONS.BUS_SENDER_NOT_ALLOWED,
        `\`${recipient}\` does not accept \`${envelope.from}\``,
        where,
      );
    }
    if (policy.trust !== undefined && policy.trust.min > 0) {
      const score = policy.trust.scoreOf(envelope.from, envelope) ?? 0;
      if (!(score >= policy.trust.min)) {
        return busFail(
          BUS_REASONS.BUS_TRUST_BELOW_THRESHOLD,
          `\`${envelope.from}\` has trust ${score.toFixed(2)}, below the ${policy.trust.min} \`${recipient}\` requires`,
          where,
        );
      }
    }
    const verdict = policy.schemas.validate(envelope.schema, envelope.payload);
    if (verdict === undefined) {
      return busFail(
        BUS_REASONS.BUS_SCHEMA_UNKNOWN,
        `schema \`${envelope.schema}\` is not registered`,
        where,
      );
    }
    if (!verdict.ok) return busFail(BUS_REASONS.BUS_SCHEMA_INVALID, verdict.problem, where);
    if (!this.#takeToken(state, policy)) {
      return busFail(BUS_REASONS.BUS_RATE_LIMITED, `\`${envelope.from}\` sends faster than allowed`, where);
    }
    if (!flowsTo(envelope.label.confidentiality, policy.clearance)) {
      return busFail(
        BUS_REASONS.BUS_LABEL_ABOVE_CLEARANCE,
        `label \`${envelope.label.confidentiality}\` does not flow to \`${policy.clearance}\``,
        where,
      );
    }
    const scan = scanPayload(envelope.payload, policy.dlp);
    if (scan.findings.length > 0 && policy.dlp === 'block') {
      const kinds = [...new Set(scan.findings.map((finding) => finding.kind))];
      return busFail(BUS_REASONS.BUS_DLP_BLOCKED, `payload holds ${kinds.join(', ')}`, { ...where, kinds });
    }
    // INVARIANT: a redacted payload replaces the original everywhere the handler can look.
    const delivered = scan.findings.length === 0 ? envelope : { ...envelope, payload: scan.value };
    return ok({ recipient, envelope: delivered, payload: scan.value, findings: scan.findings });
  }

  #checkSignature(envelope: Envelope): Result<void, KernelError> {
    const where = { id: envelope.id, from: envelope.from, keyId: envelope.keyId };
    const key = this.#options.keys.publicKey(envelope.keyId);
    if (key === undefined)
      return busFail(BUS_REASONS.BUS_KEY_UNKNOWN, `key \`${envelope.keyId}\` is unknown`, where);
    if (key.retired)
      return busFail(BUS_REASONS.BUS_KEY_RETIRED, `key \`${envelope.keyId}\` is retired`, where);
    if (key.sender !== envelope.from) {
      return busFail(
        BUS_REASONS.BUS_KEY_MISMATCH,
        `key \`${envelope.keyId}\` is not \`${envelope.from}\`'s`,
        where,
      );
    }
    if (envelope.proof !== null) return this.#checkBatchSignature(envelope, envelope.proof, key, where);
    if (!verifySignature(key.key, signingInput(envelope), Buffer.from(envelope.sig, 'base64url'))) {
      return busFail(BUS_REASONS.BUS_SIGNATURE_INVALID, 'envelope signature does not verify', where);
    }
    return ok(undefined);
  }

  /**
   * A batch member (decision 0010): its leaf and proof must lead to a root whose batch signature
   * verifies. A verified signature is remembered for exactly its key id, batch size and signature
   * under the same key object, with its root; a later member counts as verified only when its own
   * leaf and path lead to that same root (checked from where its path meets the last verified
   * member's, merkle.ts `meetClimb`). The key checks above always run first, so a retired key is
   * refused whatever was verified before.
   */
  #checkBatchSignature(
    envelope: Envelope,
    proof: MerkleProof,
    key: BusPublicKey,
    where: Record<string, unknown>,
  ): Result<void, KernelError> {
    const leaf = leafHash(leafText(envelope));
    const id = VerifiedBatches.idOf(envelope.keyId, proof.n, envelope.sig);
    const known = this.#batches.get(id, key.key);
    const quick = known === undefined ? undefined : meetClimb(leaf, proof.n, proof.i, proof.path, known.last);
    if (known !== undefined && quick !== undefined) {
      known.last = quick;
      return ok(undefined);
    }
    const full = climb(leaf, proof.n, proof.i, proof.path);
    const root = full?.nodes.at(-1);
    if (full === undefined || root === undefined) {
      return busFail(BUS_REASONS.BUS_MALFORMED, 'envelope `proof` does not fit its batch size', where);
    }
    if (known !== undefined && known.root === root) {
      known.last = full;
      return ok(undefined);
    }
    const input = batchSigningInput(envelope.keyId, proof.n, Buffer.from(root, 'base64url'));
    if (!verifySignature(key.key, input, Buffer.from(envelope.sig, 'base64url'))) {
      return busFail(BUS_REASONS.BUS_SIGNATURE_INVALID, 'batch signature does not verify', where);
    }
    if (known === undefined) this.#batches.add(id, { key: key.key, root, last: full });
    return ok(undefined);
  }

  #checkReplay(
    state: SenderState,
    envelope: Envelope,
    where: Record<string, unknown>,
  ): Result<void, KernelError> {
    const skewMs = envelope.ts - this.#options.clock.wallMs();
    if (Math.abs(skewMs) > this.#skewMsMax) {
      return busFail(
        BUS_REASONS.BUS_CLOCK_SKEW,
        `envelope time is ${Math.round(skewMs / 1000)} s off`,
        where,
      );
    }
    const problem = state.replay.problem(envelope.seq, envelope.id, envelope.nonce);
    if (problem !== undefined) {
      const message =
        problem === BUS_REASONS.BUS_SEQ_TOO_OLD
          ? `sequence ${envelope.seq} is behind the replay window`
          : `message \`${envelope.id}\` was already received`;
      return busFail(problem, message, where);
    }
    state.replay.accept(envelope.seq, envelope.id, envelope.nonce);
    return ok(undefined);
  }

  #senderState(recipient: string, sender: string): SenderState {
    let senders = this.#state.get(recipient);
    if (senders === undefined) {
      senders = new Map();
      this.#state.set(recipient, senders);
    }
    let state = senders.get(sender);
    if (state === undefined) {
      state = { replay: new ReplayWindow(this.#window), tokens: Number.NaN, refilledAtMs: 0 };
      senders.set(sender, state);
    }
    return state;
  }

  #takeToken(state: SenderState, policy: ReceivePolicy): boolean {
    const nowMs = this.#options.clock.monotonicMs();
    const { perSecond, burst } = policy.rate;
    state.tokens = Number.isNaN(state.tokens)
      ? burst
      : Math.min(burst, state.tokens + ((nowMs - state.refilledAtMs) * perSecond) / 1000);
    state.refilledAtMs = nowMs;
    if (state.tokens < 1) return false;
    state.tokens -= 1;
    return true;
  }

  #allowlist(policy: ReceivePolicy): ReadonlySet<string> {
    let set = this.#allowlists.get(policy);
    if (set === undefined) {
      set = new Set(policy.senders);
      this.#allowlists.set(policy, set);
    }
    return set;
  }
}
