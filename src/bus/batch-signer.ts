// The host's signing queue (decision 0010): drafts handed over within one turn of the event loop
// are coalesced per sender and signed with one Ed25519 signature per batch (batch.ts). A batch is
// signed when the turn ends (setImmediate) or at once when BATCH_MAX drafts of one sender wait.
// A lone draft is signed alone (`proof: null`). The cost is latency: up to one turn of the loop.

import { type KernelError, ok, type Result } from '../shared/index.ts';
import { signPrepared } from './batch.ts';
import { type Envelope, type EnvelopeDraft, type PreparedDraft, prepareDraft } from './envelope.ts';
import type { BusKeyRing } from './key-ring.ts';
import { BATCH_MAX } from './limits.ts';
import { BUS_REASONS, busFail } from './reasons.ts';

type Waiting = {
  readonly prepared: PreparedDraft;
  readonly resolve: (result: Result<Envelope, KernelError>) => void;
};

export type BatchSignerStats = {
  /** Envelopes signed. */
  readonly envelopes: number;
  /** Ed25519 signatures made for them (envelopes / signatures = the mean batch size). */
  readonly signatures: number;
};

export class BatchSigner {
  readonly #keys: BusKeyRing;
  readonly #batchMax: number;
  // INVARIANT: bounded: at most batchMax drafts wait per sender, and only senders with a key.
  readonly #waiting = new Map<string, Waiting[]>();
  #scheduled: ReturnType<typeof setImmediate> | undefined;
  #envelopes = 0;
  #signatures = 0;

  /** `keys` is the host's key ring; like it, the signer is never handed to agent code (MR-2). */
  constructor(keys: BusKeyRing, options: { readonly batchMax?: number } = {}) {
    this.#keys = keys;
    this.#batchMax = Math.min(BATCH_MAX, Math.max(1, Math.floor(options.batchMax ?? BATCH_MAX)));
  }

  /**
   * Signs a draft as its sender, together with the sender's other drafts of this turn. Resolves
   * with the signed envelope, or at once with BUS_MALFORMED (bad draft) or BUS_SENDER_UNKNOWN (no
   * active key; also when the key is retired or forgotten before the batch is signed). Sequence
   * numbers follow the order of the calls. The payload is copied at the call: changing the draft
   * afterwards changes nothing.
   */
  sign(draft: EnvelopeDraft): Promise<Result<Envelope, KernelError>> {
    const prepared = prepareDraft(draft, this.#keys, true);
    if (!prepared.ok) return Promise.resolve(prepared);
    const from = prepared.value.fields.from;
    if (!this.#keys.hasSigner(from)) {
      return Promise.resolve(busFail(BUS_REASONS.BUS_SENDER_UNKNOWN, `sender \`${from}\` has no bus key`));
    }
    return new Promise((resolve) => {
      let queue = this.#waiting.get(from);
      if (queue === undefined) {
        queue = [];
        this.#waiting.set(from, queue);
      }
      queue.push({ prepared: prepared.value, resolve });
      if (queue.length >= this.#batchMax) this.#flushSender(from);
      else this.#scheduled ??= setImmediate(() => this.flush());
    });
  }

  /** Signs every waiting draft now (shutdown, tests). */
  flush(): void {
    if (this.#scheduled !== undefined) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    for (const sender of [...this.#waiting.keys()]) this.#flushSender(sender);
  }

  get stats(): BatchSignerStats {
    return { envelopes: this.#envelopes, signatures: this.#signatures };
  }

  #flushSender(sender: string): void {
    const queue = this.#waiting.get(sender);
    this.#waiting.delete(sender);
    if (queue === undefined || queue.length === 0) return;
    let signed: Result<Envelope[], KernelError>;
    try {
      signed = signPrepared(
        queue.map((waiting) => waiting.prepared),
        this.#keys,
      );
    } catch (error) {
      // WHY: this runs from setImmediate, where a throw would end the process; and every caller
      // must get an answer.
      signed = busFail(BUS_REASONS.BUS_MALFORMED, `batch cannot be signed: ${(error as Error).message}`);
    }
    if (!signed.ok) {
      for (const waiting of queue) waiting.resolve(signed);
      return;
    }
    this.#envelopes += signed.value.length;
    this.#signatures += Math.ceil(signed.value.length / BATCH_MAX);
    for (const [at, waiting] of queue.entries()) {
      const envelope = signed.value[at];
      waiting.resolve(
        envelope === undefined ? busFail(BUS_REASONS.BUS_MALFORMED, 'batch lost an envelope') : ok(envelope),
      );
    }
  }
}
