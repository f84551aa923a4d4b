// The trust ledger: scores, vouches, slashes and attestations over the Storage port. Every change is
// a compare-and-set on one key (`score/<agent>` or `session/<id>` in namespace `trust`), so several
// ledgers on one storage never lose an update, and a slash survives a restart.

import type { SideEffectClass } from '../kernel/index.ts';
import { type Clock, ok, type Result } from '../shared/index.ts';
import type { Storage } from '../storage/port.ts';
import type {
  Attestation,
  AttestationSigner,
  SlashStatement,
  TrustScoreStatement,
  VouchStatement,
} from './attestation.ts';
import {
  type Bond,
  bondsFor,
  effectiveScoreOf,
  parseSession,
  planVouch,
  releaseSubject,
  type SessionBonds,
  type VouchRefusal,
} from './bonds.ts';
import { casUpdate, deleteKey, readKey } from './cas.ts';
import { planSlash } from './cascade.ts';
import { checkId, checkReversibility } from './input.ts';
import { ATTESTATION_TTL_MS, ATTESTATION_TTL_MS_MAX, SLASH_CAUSES_PER_SESSION_MAX } from './params.ts';
import { checkSlash, checkVouch, type SlashRequest, type VouchInput } from './requests.ts';
import {
  applyEvent,
  checkEvent,
  decayedScore,
  parseRecord,
  type TrustEvent,
  type TrustRecord,
} from './score.ts';
import { type Admission, admission } from './threshold.ts';

export type TrustLedgerOptions = {
  readonly storage: Storage;
  readonly clock: Clock;
  readonly signer: AttestationSigner;
  /** Lifetime of trust-score attestations (default ATTESTATION_TTL_MS). */
  readonly attestationTtlMs?: number;
};

export type VouchOutcome =
  | { readonly granted: true; readonly bond: Bond; readonly attestation: Attestation<VouchStatement> }
  | { readonly granted: false; readonly reason: VouchRefusal; readonly message: string };

export type SlashRecord = {
  readonly agent: string;
  readonly depth: 0 | 1 | 2;
  /** What was actually taken (the score never goes below 0). */
  readonly amount: number;
  readonly score: number;
  readonly attestation: Attestation<SlashStatement>;
};

export type SlashOutcome = {
  /** True when this cause was slashed before: nothing happened this time. */
  readonly duplicate: boolean;
  readonly slashes: readonly SlashRecord[];
};

/** What an action is and who stands behind it, for the effective score. */
export type EffectiveQuery = {
  readonly agent: string;
  readonly session: string;
  readonly subject: string;
  readonly reversibility: SideEffectClass;
};

export class TrustLedger {
  readonly #storage: Storage;
  readonly #clock: Clock;
  readonly #signer: AttestationSigner;
  readonly #ttlMs: number;

  constructor(options: TrustLedgerOptions) {
    this.#storage = options.storage;
    this.#clock = options.clock;
    this.#signer = options.signer;
    const ttlMs = options.attestationTtlMs ?? ATTESTATION_TTL_MS;
    this.#ttlMs =
      Number.isSafeInteger(ttlMs) && ttlMs > 0 ? Math.min(ttlMs, ATTESTATION_TTL_MS_MAX) : ATTESTATION_TTL_MS;
  }

  /** Applies one event to the agent's persisted score; resolves to the new score. */
  async record(event: TrustEvent): Promise<Result<number>> {
    const checked = checkEvent(event);
    if (!checked.ok) return checked;
    const updated = await this.#apply(checked.value);
    return updated.ok ? ok(updated.value.after.score) : updated;
  }

  /** The agent's score now (decayed toward the prior since its last event). */
  async score(agent: string): Promise<Result<number>> {
    const record = await this.history(agent);
    return record.ok ? ok(decayedScore(record.value, this.#clock.wallMs())) : record;
  }

  /** The agent's record: score as of its last event and the counts of its history. */
  async history(agent: string): Promise<Result<TrustRecord>> {
    const id = checkId('agent', agent);
    if (!id.ok) return id;
    const stored = await readKey(this.#storage, scoreKey(id.value));
    return stored.ok ? parseRecord(id.value, stored.value?.value, this.#clock.wallMs()) : stored;
  }

  /** A signed statement of the agent's current score, valid for the ledger's attestation lifetime. */
  async attest(agent: string): Promise<Result<Attestation<TrustScoreStatement>>> {
    const score = await this.score(agent);
    if (!score.ok) return score;
    const at = this.#clock.wallMs();
    return ok(
      this.#signer.sign({
        v: 1,
        kind: 'trust-score',
        issuer: this.#signer.keyId,
        agent,
        score: score.value,
        at,
        expires: at + this.#ttlMs,
      }),
    );
  }

  /**
   * Bonds 20 % of the voucher's current score behind the vouchee's message or task, unless a rule
   * refuses it (a refusal is an ok result with `granted: false` and a stable reason).
   */
  async vouch(input: VouchInput): Promise<Result<VouchOutcome>> {
    const nowMs = this.#clock.wallMs();
    const checked = checkVouch(input, nowMs);
    if (!checked.ok) return checked;
    const request = checked.value;
    const voucherScore = await this.score(request.voucher);
    if (!voucherScore.ok) return voucherScore;
    const planned = await casUpdate(this.#storage, sessionKey(request.session), (current) => {
      const doc = parseSession(request.session, current?.value);
      if (!doc.ok) return doc;
      const plan = planVouch(doc.value, request, voucherScore.value, nowMs);
      return ok({ text: plan.granted ? JSON.stringify(plan.doc) : undefined, out: plan });
    });
    if (!planned.ok) return planned;
    const plan = planned.value;
    if (!plan.granted) return ok(plan);
    const { bond } = plan;
    const attestation = this.#signer.sign({
      v: 1,
      kind: 'vouch',
      issuer: this.#signer.keyId,
      agent: bond.vouchee,
      voucher: bond.voucher,
      score: voucherScore.value,
      session: request.session,
      subject: bond.subject,
      bondId: bond.id,
      bond: bond.amount,
      at: nowMs,
      expires: Math.min(bond.expiresAtMs, nowMs + ATTESTATION_TTL_MS_MAX),
    });
    return ok({ granted: true, bond, attestation });
  }

  /** A clean outcome: the bonds behind `subject` are released; resolves to how many. */
  async release(session: string, subject: string): Promise<Result<number>> {
    const ids = [checkId('session', session), checkId('subject', subject)];
    for (const id of ids) if (!id.ok) return id;
    const nowMs = this.#clock.wallMs();
    return casUpdate(this.#storage, sessionKey(session), (current) => {
      const doc = parseSession(session, current?.value);
      if (!doc.ok) return doc;
      const { doc: next, released } = releaseSubject(doc.value, subject, nowMs);
      return ok({ text: released > 0 ? JSON.stringify(next) : undefined, out: released });
    });
  }

  /** The session is over: every bond in it lapses (the document is removed). */
  async endSession(session: string): Promise<Result<boolean>> {
    const id = checkId('session', session);
    if (!id.ok) return id;
    return deleteKey(this.#storage, sessionKey(id.value));
  }

  /** min(1, own + ω(reversibility) · Σ active bonds behind the agent's subject in the session). */
  async effectiveScore(query: EffectiveQuery): Promise<Result<number>> {
    const checks = [
      checkId('agent', query.agent),
      checkId('session', query.session),
      checkId('subject', query.subject),
    ];
    for (const check of checks) if (!check.ok) return check;
    const reversibility = checkReversibility(query.reversibility);
    if (!reversibility.ok) return reversibility;
    const own = await this.score(query.agent);
    if (!own.ok) return own;
    const doc = await this.#session(query.session);
    if (!doc.ok) return doc;
    const bonds = bondsFor(doc.value, query.agent, query.subject, this.#clock.wallMs());
    return ok(effectiveScoreOf(own.value, bonds, reversibility.value));
  }

  /** Whether a receiver with `threshold` admits the agent's payload, as data with a stable reason. */
  async admit(threshold: number, query: EffectiveQuery): Promise<Result<Admission>> {
    const effective = await this.effectiveScore(query);
    return effective.ok ? ok(admission(threshold, effective.value)) : effective;
  }

  /**
   * The vouchee's message or task caused a denial or anomaly (`cause`): slash it, its vouchers for
   * that subject and their vouchers (depth ≤ 2), forfeit the subject's bonds, persist every score
   * change and sign each slash. A cause already slashed in the session is not slashed again.
   */
  async slash(input: SlashRequest): Promise<Result<SlashOutcome>> {
    const nowMs = this.#clock.wallMs();
    const checked = checkSlash(input);
    if (!checked.ok) return checked;
    const { agent, session, subject, severity, cause } = checked.value;
    const planned = await casUpdate(this.#storage, sessionKey(session), (current) => {
      const doc = parseSession(session, current?.value);
      if (!doc.ok) return doc;
      if (doc.value.causes.includes(cause)) return ok({ text: undefined, out: undefined });
      const plan = planSlash(doc.value, agent, subject, severity, nowMs);
      const forfeited = new Set(plan.forfeited.map((bond) => bond.id));
      const next: SessionBonds = {
        ...doc.value,
        bonds: doc.value.bonds.filter((bond) => bond.expiresAtMs > nowMs && !forfeited.has(bond.id)),
        causes: [...doc.value.causes, cause].slice(-SLASH_CAUSES_PER_SESSION_MAX),
      };
      return ok({ text: JSON.stringify(next), out: plan });
    });
    if (!planned.ok) return planned;
    if (planned.value === undefined) return ok({ duplicate: true, slashes: [] });
    const slashes: SlashRecord[] = [];
    for (const item of planned.value.slashes) {
      const updated = await this.#apply({
        agent: item.agent,
        kind: 'slash',
        amount: Math.min(1, item.amount),
      });
      if (!updated.ok) return updated;
      const { before, after } = updated.value;
      const amount = Math.max(0, before - after.score);
      const attestation = this.#signer.sign({
        v: 1,
        kind: 'slash',
        issuer: this.#signer.keyId,
        agent: item.agent,
        score: after.score,
        session,
        cause,
        amount,
        severity,
        depth: item.depth,
        at: nowMs,
        expires: nowMs + this.#ttlMs,
      });
      slashes.push({ agent: item.agent, depth: item.depth, amount, score: after.score, attestation });
    }
    return ok({ duplicate: false, slashes });
  }

  /** Applies one event by compare-and-set; `before` is the decayed score the step started from. */
  async #apply(event: TrustEvent): Promise<Result<{ before: number; after: TrustRecord }>> {
    const nowMs = this.#clock.wallMs();
    return casUpdate(this.#storage, scoreKey(event.agent), (current) => {
      const before = parseRecord(event.agent, current?.value, nowMs);
      if (!before.ok) return before;
      const after = applyEvent(before.value, event, nowMs);
      return ok({ text: JSON.stringify(after), out: { before: decayedScore(before.value, nowMs), after } });
    });
  }

  async #session(session: string): Promise<Result<SessionBonds>> {
    const stored = await readKey(this.#storage, sessionKey(session));
    return stored.ok ? parseSession(session, stored.value?.value) : stored;
  }
}

function scoreKey(agent: string): string {
  return `score/${agent}`;
}

function sessionKey(session: string): string {
  return `session/${session}`;
}
