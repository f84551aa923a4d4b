// The approval queue (HACF, first slice): held intents wait here for a human. An approval is bound
// to the intent's digest, the policy version and an expiry; it is journaled before the commit, and
// the intent is decided afresh so a revocation since the hold still wins.

import {
  approvalProblem,
  type CommitLayer,
  expireHeld,
  INTENT_RECORDS,
  type Intent,
  intentDigest,
  parseIntent,
  TOKEN_REF_PREFIX,
  type Tracked,
} from '../kernel/index.ts';
import { ERROR_CODES, fail, type KernelError, ok, type Result } from '../shared/index.ts';

export type Decider = { readonly by: string; readonly note?: string };

export class ApprovalQueue {
  readonly #layer: CommitLayer;

  constructor(layer: CommitLayer) {
    this.#layer = layer;
  }

  /** Intents waiting for a human, oldest first; expired ones are rejected on the way. */
  async list(): Promise<Tracked[]> {
    const out: Tracked[] = [];
    for (const tracked of [...this.#layer.index.all()]) {
      if (tracked.state !== 'held') continue;
      if (this.#expired(tracked)) await expireHeld(this.#layer, tracked);
      else out.push(tracked);
    }
    return out.sort((a, b) => (a.seqs[0] ?? 0) - (b.seqs[0] ?? 0));
  }

  async approve(intentId: string, decider: Decider): Promise<Result<Tracked, KernelError>> {
    const found = await this.#pending(intentId);
    if (!found.ok) return found;
    const tracked = found.value;
    const intent = await this.#intentOf(tracked);
    if (!intent.ok) return intent;
    const policyHash = this.#layer.kernel.policy.hash;
    const bound = {
      intentId,
      digest: tracked.digest ?? '',
      policyHash: tracked.policyHash,
      expiresAtMs: tracked.heldUntilMs ?? 0,
      by: decider.by,
      seq: -1,
    };
    const problem = approvalProblem(bound, intent.value, policyHash, this.#layer.clock.wallMs());
    if (problem !== undefined) return fail(ERROR_CODES.APPROVAL_MISMATCH, problem);
    const seq = await this.#layer.record(INTENT_RECORDS.approved, {
      intentId,
      by: decider.by,
      note: decider.note ?? null,
      digest: bound.digest,
      policyHash,
      expiresAtMs: bound.expiresAtMs,
    });
    await this.#layer.heldTokens()?.delete(intentId);
    // WHY: decide again, so a token revoked or expired while the intent waited still stops it.
    const decision = this.#layer.kernel.decide(intent.value);
    if (decision.verdict === 'deny') {
      const denial = decision.checks.find((check) => check.verdict === 'deny');
      await this.#layer.record(INTENT_RECORDS.rejected, {
        intentId,
        code: denial?.code ?? 'DENIED',
        message: `approved, but the kernel now denies it: ${denial?.message ?? 'denied'}`,
      });
      return ok(tracked);
    }
    return this.#layer.commit(intent.value, decision, { ...bound, seq });
  }

  async reject(intentId: string, decider: Decider): Promise<Result<Tracked, KernelError>> {
    const found = await this.#pending(intentId);
    if (!found.ok) return found;
    await this.#layer.record(INTENT_RECORDS.rejected, {
      intentId,
      code: 'REJECTED',
      message: `rejected by \`${decider.by}\`${decider.note === undefined ? '' : `: ${decider.note}`}`,
      by: decider.by,
    });
    await this.#layer.heldTokens()?.delete(intentId);
    return ok(found.value);
  }

  async #pending(intentId: string): Promise<Result<Tracked, KernelError>> {
    const tracked = this.#layer.index.get(intentId);
    if (tracked === undefined || tracked.held === undefined) {
      return fail(ERROR_CODES.APPROVAL_NOT_FOUND, `no held intent \`${intentId}\``);
    }
    if (tracked.state !== 'held') {
      return fail(ERROR_CODES.APPROVAL_DECIDED, `intent \`${intentId}\` is already ${tracked.state}`);
    }
    if (this.#expired(tracked)) {
      await expireHeld(this.#layer, tracked);
      return fail(ERROR_CODES.APPROVAL_EXPIRED, `the approval window of \`${intentId}\` has closed`);
    }
    return ok(tracked);
  }

  #expired(tracked: Tracked): boolean {
    return tracked.heldUntilMs === undefined || this.#layer.clock.wallMs() > tracked.heldUntilMs;
  }

  /** The held intent with a usable token reference (re-admitting the stored token after a restart). */
  async #intentOf(tracked: Tracked): Promise<Result<Intent, KernelError>> {
    const held = tracked.held;
    if (held === undefined) return fail(ERROR_CODES.APPROVAL_NOT_FOUND, 'the intent is not held');
    let token = held.token;
    if (this.#layer.kernel.tokens.get(token) === undefined) {
      const raw = await this.#layer.heldTokens()?.get(tracked.intentId);
      if (raw !== undefined) {
        const admitted = await this.#layer.kernel.admitToken(raw);
        if (admitted.ok) token = admitted.value.digest;
      }
    }
    const parsed = parseIntent({ ...held.intent, token });
    if (!parsed.ok) return parsed;
    if (!token.startsWith(TOKEN_REF_PREFIX))
      return fail(ERROR_CODES.APPROVAL_MISMATCH, 'token reference lost');
    return intentDigest(parsed.value) === tracked.digest
      ? parsed
      : fail(ERROR_CODES.APPROVAL_MISMATCH, 'the held intent no longer matches its digest');
  }
}
