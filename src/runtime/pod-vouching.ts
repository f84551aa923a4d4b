// Vouching and slashing between pods (issue 5, decision 0011). An agent bonds part of its trust
// behind another agent's messages about a subject (`maos.vouch(agent, subject)`); the ledger signs
// the bond as an attestation, and the host attaches the chain (direct vouchers, and their vouchers
// for the same subject: depth ≤ 2) to every message the vouchee sends about that subject. A
// receiver counts a chain only when every link verifies against the kernel's trust key; then the
// sender's effective score is min(1, own + ω·Σ bonds). When an agent has an anomaly shortly after a
// message was delivered to it, the message's sender is slashed, and the ledger cascades the slash
// to its vouchers for that subject.

import type { Envelope, VouchEntry } from '../bus/index.ts';
import type { ImmuneEvent } from '../immune/index.ts';
import type { SideEffectClass } from '../kernel/index.ts';
import {
  type Clock,
  ERROR_CODES,
  type JsonValue,
  type KernelError,
  ok,
  type Result,
  touchBounded,
} from '../shared/index.ts';
import {
  type Attestation,
  type AttestationKeys,
  TRUST_PARAMS,
  type TrustLedger,
  type VouchStatement,
  verifyVouchChain,
} from '../trust/index.ts';

/** Every pod bond lives in this session: a voucher's active bonds here sum to at most 80 % of its score. */
export const POD_VOUCH_SESSION = 'pods';
/** An anomaly this soon after a delivered message is traced back to that message's sender. */
export const SLASH_ATTRIBUTION_MS = 60_000;
/** An anomaly of weight w slashes with severity min(1, w / this). */
const SEVERITY_PER_WEIGHT = 10;
/** Chains kept (vouchee × subject); the oldest are forgotten first. */
const CHAINS_MAX = 10_000;

type Delivered = {
  readonly from: string;
  readonly subject: string;
  readonly id: string;
  readonly atMs: number;
};

export type PodVouchingOptions = {
  readonly ledger: TrustLedger;
  /** The kernel's trust key(s): the only signer whose vouch attestations count. */
  readonly keys: AttestationKeys;
  readonly clock: Clock;
  /** The ledger's cached score of an agent (undefined: never seen here). */
  readonly scoreOf: (agent: string) => number | undefined;
  /** Re-reads slashed agents' scores into the cache. */
  readonly refresh: (agent: string) => Promise<void>;
  readonly record: (type: string, data: { readonly [key: string]: JsonValue }) => Promise<number>;
};

export class PodVouching {
  readonly #o: PodVouchingOptions;
  /** `vouchee \0 subject` → the vouch attestations granted for it, newest last. */
  readonly #chains = new Map<string, Attestation<VouchStatement>[]>();
  /** recipient → the last message handed to it. */
  readonly #delivered = new Map<string, Delivered>();
  /** Bonds a slash forfeited: a chain naming one no longer counts, though its signature still verifies. */
  readonly #forfeited = new Map<string, true>();

  constructor(options: PodVouchingOptions) {
    this.#o = options;
  }

  /** `voucher` bonds part of its score behind `vouchee`'s messages about `subject`. */
  async vouch(voucher: string, vouchee: string, subject: string): Promise<Result<JsonValue, KernelError>> {
    const nowMs = this.#o.clock.wallMs();
    const outcome = await this.#o.ledger.vouch({
      voucher,
      vouchee,
      session: POD_VOUCH_SESSION,
      subject,
      expiresAtMs: nowMs + TRUST_PARAMS.ATTESTATION_TTL_MS,
    });
    if (!outcome.ok) return outcome;
    if (!outcome.value.granted) {
      const { reason, message } = outcome.value;
      await this.#journal('trust.vouch-refused', { voucher, vouchee, subject, reason, message });
      // WHY: a refusal is the ledger's rule at work (cap, cycle, minimum score), not misbehaviour:
      // data for the agent, never a blocked call the immune system would count.
      return ok({ granted: false, reason, message });
    }
    const { bond, attestation } = outcome.value;
    this.#keep(vouchee, subject, attestation);
    await this.#journal('trust.vouch', { voucher, vouchee, subject, bond: bond.amount, bondId: bond.id });
    return ok({ granted: true, bond: bond.amount, expiresAtMs: bond.expiresAtMs });
  }

  /** The chain `vouchee`'s message about `subject` carries: its vouchers, then theirs (depth ≤ 2). */
  chainOf(vouchee: string, subject: string): readonly VouchEntry[] {
    const nowMs = this.#o.clock.wallMs();
    const direct = this.#live(vouchee, subject, nowMs);
    const links: Attestation<VouchStatement>[] = [...direct];
    const vouchers = new Set(direct.map((link) => link.statement.voucher));
    for (const voucher of vouchers)
      for (const link of this.#live(voucher, subject, nowMs)) {
        // WHY: a link back to the vouchee would make a cycle the receiver refuses, losing the whole chain.
        if (link.statement.voucher !== vouchee) links.push(link);
      }
    return links.slice(0, TRUST_PARAMS.VOUCH_CHAIN_LINKS_MAX) as unknown as VouchEntry[];
  }

  /**
   * The sender's effective score for a receiver acting with `trustFor`: its own cached score, plus
   * ω·Σ direct bonds when the envelope's chain verifies and is about this sender in the pods'
   * session. A chain that does not verify counts for nothing (fail closed), never for less.
   */
  effective(sender: string, envelope: Envelope, trustFor: SideEffectClass): number | undefined {
    const own = this.#o.scoreOf(sender);
    if (own === undefined || envelope.vouch.length === 0) return own;
    const chain = verifyVouchChain(envelope.vouch, this.#o.keys, this.#o.clock.wallMs(), {
      agent: sender,
      session: POD_VOUCH_SESSION,
    });
    if (!chain.ok || chain.value.links.some((link) => this.#forfeited.has(link.statement.bondId))) return own;
    return Math.min(1, own + TRUST_PARAMS.OMEGA[trustFor] * chain.value.bondsTotal);
  }

  /** A message reached `recipient`'s pod: an anomaly there soon after is traced back to it. */
  delivered(recipient: string, envelope: Envelope): void {
    const first = envelope.vouch[0] as { statement?: { subject?: unknown } } | undefined;
    const subject = typeof first?.statement?.subject === 'string' ? first.statement.subject : envelope.id;
    const atMs = this.#o.clock.wallMs();
    touchBounded(
      this.#delivered,
      recipient,
      { from: envelope.from, subject, id: envelope.id, atMs },
      CHAINS_MAX,
    );
  }

  /** The pod refused the message (inbox full, pod gone): nothing it did afterwards is the sender's doing. */
  undelivered(recipient: string, id: string): void {
    if (this.#delivered.get(recipient)?.id === id) this.#delivered.delete(recipient);
  }

  /**
   * A counted anomaly soon after a delivered message slashes that message's sender and its
   * vouchers, once per message: the entry is consumed and the cause is the message, so a hostile
   * recipient cannot slash one sender again and again with anomalies of its own making.
   */
  observe(event: ImmuneEvent): void {
    if (event.type !== 'immune.anomaly' || !event.counted) return;
    const cause = this.#delivered.get(event.agent);
    if (cause === undefined || cause.from === event.agent) return;
    const sinceMs = event.atMs - cause.atMs;
    if (sinceMs < 0 || sinceMs > SLASH_ATTRIBUTION_MS) return;
    this.#delivered.delete(event.agent);
    this.#slash(event.agent, event.kind, event.weight, cause).catch((error: unknown) =>
      this.#slashFailed(cause, ERROR_CODES.STORAGE, error instanceof Error ? error.message : String(error)),
    );
  }

  async #slash(agent: string, kind: string, weight: number, cause: Delivered): Promise<void> {
    const slashed = await this.#o.ledger.slash({
      agent: cause.from,
      session: POD_VOUCH_SESSION,
      subject: cause.subject,
      severity: Math.min(1, Math.max(weight, 1) / SEVERITY_PER_WEIGHT),
      cause: `message:${cause.id}`,
    });
    if (!slashed.ok) return this.#slashFailed(cause, slashed.error.code, slashed.error.message);
    this.#forfeit(cause.from, cause.subject);
    if (slashed.value.duplicate) return;
    for (const item of slashed.value.slashes) await this.#o.refresh(item.agent);
    void this.#journal('trust.slash', {
      cause: `${agent}:${kind}`,
      message: cause.id,
      subject: cause.subject,
      slashed: slashed.value.slashes.map((item) => ({
        agent: item.agent,
        depth: item.depth,
        amount: item.amount,
        score: item.score,
      })),
    });
  }

  // WHY: fail closed: the ledger may have forfeited the bonds before a later step failed, so
  // whatever broke, the subject's bonds stop counting here.
  #slashFailed(cause: Delivered, code: string, message: string): void {
    this.#forfeit(cause.from, cause.subject);
    void this.#journal('trust.slash-failed', { agent: cause.from, code, message });
  }

  // WHY: the ledger forfeits the subject's bonds, but their attestations stay valid until they
  // expire; dropping the chain and remembering its bonds keeps them from counting in the meantime.
  #forfeit(vouchee: string, subject: string): void {
    const key = chainKey(vouchee, subject);
    for (const link of this.#chains.get(key) ?? [])
      touchBounded(this.#forfeited, link.statement.bondId, true, CHAINS_MAX);
    this.#chains.delete(key);
  }

  #live(vouchee: string, subject: string, nowMs: number): Attestation<VouchStatement>[] {
    const key = chainKey(vouchee, subject);
    const links = this.#chains.get(key);
    if (links === undefined) return [];
    const live = links.filter((link) => link.statement.expires > nowMs);
    if (live.length === 0) this.#chains.delete(key);
    else if (live.length !== links.length) this.#chains.set(key, live);
    return live;
  }

  #keep(vouchee: string, subject: string, attestation: Attestation<VouchStatement>): void {
    const key = chainKey(vouchee, subject);
    const links = (this.#chains.get(key) ?? []).filter(
      (link) => link.statement.voucher !== attestation.statement.voucher,
    );
    links.push(attestation);
    touchBounded(this.#chains, key, links.slice(-TRUST_PARAMS.VOUCH_CHAIN_LINKS_MAX), CHAINS_MAX);
  }

  async #journal(type: string, data: { readonly [key: string]: JsonValue }): Promise<void> {
    await this.#o.record(type, data).catch(() => {});
  }
}

function chainKey(vouchee: string, subject: string): string {
  return `${vouchee}\u0000${subject}`;
}
