// The kernel facade: owns the DSC's state (verified tokens, revocations, ledger, rings, mode) and
// is the boundary where untrusted input arrives. Nothing throws past it (INV-7).

import { FlowStore } from '../ifc/index.ts';
import {
  assert,
  type Clock,
  ERROR_CODES,
  fail,
  type KernelError,
  ok,
  type Random,
  type Result,
  systemClock,
  systemRandom,
} from '../shared/index.ts';
import { prefilterVerdict } from './checks/prefilter.ts';
import { decide } from './decide.ts';
import type { Decision, Verdict } from './decision.ts';
import type { DecisionContext, KernelMode } from './decision-context.ts';
import { type KernelEventSink, NO_EVENTS } from './events.ts';
import { resolveIntentRefs } from './flow-record.ts';
import { type Intent, parseIntent } from './intent.ts';
import { Ledger, type Reservation } from './ledger.ts';
import type { AgentPolicy, Policy } from './policy.ts';
import {
  compilePrefilter,
  type Prefilter,
  type PrefilterFinding,
  type PrefilterTarget,
} from './prefilter/index.ts';
import { type AgentRing, changeRing } from './rings.ts';
import type { StandingLookup } from './standing-port.ts';
import {
  type AttenuationRequest,
  attenuateToken,
  type IssuerKeyPair,
  type IssuerPublicKeys,
  type MintedToken,
  type MintRequest,
  mintToken,
  RevocationList,
  TokenCache,
  type TokenDefect,
  tokenDefect,
} from './token/index.ts';
import { TOKEN_REF_PREFIX, type VerifiedToken } from './token/verified-token.ts';

export type KernelOptions = {
  readonly policy: Policy;
  readonly publicKeys: IssuerPublicKeys;
  /** Needed only to mint; a verify-only kernel has none. */
  readonly issuer?: IssuerKeyPair;
  readonly revocations?: RevocationList;
  readonly clock?: Clock;
  readonly random?: Random;
  readonly events?: KernelEventSink;
  readonly prefilter?: Prefilter;
};

/** What `submit` returns: a decision, or an input error for intents too malformed to decide. */
export type SubmitResult = Result<Decision, KernelError>;

/** A validated intent (its token replaced by a `tok:` reference once admitted) and its decision. */
export type Decided = { readonly intent: Intent; readonly decision: Decision };

/** What `screen` found: the verdict check 7 would give, the score and the findings behind it. */
export type Screening = {
  readonly verdict: Verdict;
  readonly score: number;
  readonly findings: readonly PrefilterFinding[];
};

/** Mint requests name an agent the policy knows; audience, trust and grants come from the policy. */
export type KernelMintRequest = Omit<MintRequest, 'aud' | 'trust' | 'ring'> & { readonly ring?: AgentRing };

export class Kernel {
  readonly policy: Policy;
  readonly tokens = new TokenCache();
  readonly ledger = new Ledger();
  /** Sessions: what each has read, with labels and provenance (issue 7). */
  readonly flows = new FlowStore();
  readonly revocations: RevocationList;
  readonly #publicKeys: IssuerPublicKeys;
  readonly #issuer: IssuerKeyPair | undefined;
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #events: KernelEventSink;
  readonly #rings = new Map<string, AgentRing>();
  /** Decisions this kernel made: the commit layer accepts no other (MR-6). */
  readonly #issued = new WeakSet<Decision>();
  #ctx: DecisionContext;

  constructor(options: KernelOptions) {
    assert(Object.isFrozen(options.policy), 'the kernel needs a frozen policy (mr-1)');
    this.policy = options.policy;
    this.revocations = options.revocations ?? new RevocationList();
    this.#publicKeys = options.publicKeys;
    this.#issuer = options.issuer;
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? systemRandom;
    this.#events = options.events ?? NO_EVENTS;
    this.#ctx = {
      policy: this.policy,
      bootPolicyHash: this.policy.hash,
      tokens: this.tokens,
      revocations: this.revocations,
      epochAuthoritative: this.revocations.epoch,
      ledger: this.ledger,
      flows: this.flows,
      prefilter: options.prefilter ?? compilePrefilter(this.policy.prefilter),
      mode: 'operational',
      heartbeatOk: true,
      agentRings: this.#rings,
      clock: this.#clock,
    };
  }

  /** Wires the immune system's standing (fever, aggregate thresholds, immune memory) into checks 2 and 7. */
  useStanding(standing: StandingLookup | undefined): void {
    this.#ctx = standing === undefined ? withoutStanding(this.#ctx) : { ...this.#ctx, standing };
  }

  get mode(): KernelMode {
    return this.#ctx.mode;
  }

  get context(): DecisionContext {
    return this.#ctx;
  }

  /** Decides a validated intent whose token is already verified (or cited by `tok:` reference). Synchronous. */
  decide(intent: Intent): Decision {
    return this.#record(decide(intent, this.#ctx));
  }

  /**
   * Scores content that reaches agents outside an intent (a tool's description, a tool's output)
   * with check 7's scanner and the policy's thresholds. A disabled pre-filter allows everything.
   */
  screen(target: PrefilterTarget): Screening {
    const policy = this.policy.prefilter;
    if (!policy.enabled) return { verdict: 'allow', score: 0, findings: [] };
    const { score, findings } = this.#ctx.prefilter.scan(target);
    return { verdict: prefilterVerdict(score, policy), score, findings };
  }

  /** Whether `decision` is one this kernel made (not a look-alike object built elsewhere). */
  issued(decision: Decision): boolean {
    return this.#issued.has(decision);
  }

  #record(decision: Decision): Decision {
    this.#issued.add(decision);
    this.#events.emit({ type: 'decision', decision });
    return decision;
  }

  /**
   * The untrusted front door: validates the input, verifies a presented token once (then cached by
   * digest), and decides. Malformed input returns an error with a stable code; nothing throws.
   */
  async submit(input: unknown): Promise<SubmitResult> {
    const decided = await this.submitIntent(input);
    return decided.ok ? ok(decided.value.decision) : decided;
  }

  /** As `submit`, also returning the validated intent (what the commit layer journals and runs). */
  async submitIntent(input: unknown): Promise<Result<Decided, KernelError>> {
    try {
      const parsed = parseIntent(input);
      if (!parsed.ok) return parsed;
      const resolved = resolveIntentRefs(this.flows, parsed.value);
      if (!resolved.ok) return resolved;
      const intent = resolved.value;
      if (intent.token.startsWith(TOKEN_REF_PREFIX)) return ok({ intent, decision: this.decide(intent) });
      const admitted = await this.admitToken(intent.token);
      if (admitted.ok) {
        // WHY: cite the admitted token by its digest, so deciding does not hash the whole token again.
        const cited = { ...intent, token: admitted.value.digest };
        return ok({ intent: cited, decision: this.decide(cited) });
      }
      const tokenError = { code: admitted.error.code, message: admitted.error.message };
      const decision = this.#record(decide(intent, { ...this.#ctx, tokenError }));
      return ok({ intent, decision });
    } catch (error) {
      return fail(ERROR_CODES.INVALID_INPUT, `intent could not be decided: ${(error as Error).message}`);
    }
  }

  /** Verifies a serialized token once and caches it by digest; later intents may cite `tok:<digest>`. */
  admitToken(serialized: string): Promise<Result<VerifiedToken>> {
    return this.tokens.admit(serialized, this.#publicKeys);
  }

  /** Whether an admitted token is in force now: the same judgement check 1 makes. */
  tokenDefect(token: VerifiedToken): TokenDefect | undefined {
    return tokenDefect(token, this.revocations, this.#clock.wallMs());
  }

  reserve(decision: Decision): Result<Reservation> {
    return this.ledger.reserve(decision, this.#clock.monotonicMs());
  }

  commit(reservation: Reservation, actual?: Intent['cost']): Result<void> {
    return this.ledger.commit(reservation, actual);
  }

  release(reservation: Reservation): Result<void> {
    return this.ledger.release(reservation);
  }

  /** Mints a token for a registered agent within the authority the policy grants it. */
  async mint(request: KernelMintRequest): Promise<Result<MintedToken>> {
    const agent = this.policy.agents.get(request.sub);
    if (agent === undefined)
      return fail(ERROR_CODES.TOKEN_GRANT_EXCEEDED, `agent \`${request.sub}\` is not registered`);
    if (this.#issuer === undefined) return fail(ERROR_CODES.KEY_STORE, 'this kernel holds no issuer key');
    const current = this.#currentRing(agent);
    const ring = request.ring ?? current;
    if (ring < current) {
      return fail(
        ERROR_CODES.RING_PROMOTION_REFUSED,
        `agent \`${agent.id}\` is in ring ${current}; ring ${ring} is refused`,
      );
    }
    const minted = await mintToken(
      { ...request, aud: this.policy.nodeId, trust: agent.trust, ring },
      this.#issuer,
      {
        clock: this.#clock,
        random: this.#random,
        epoch: this.revocations.epoch,
        grants: agent.grants,
      },
    );
    if (minted.ok) this.#events.emit({ type: 'token.minted', claims: minted.value.claims });
    return minted;
  }

  /** Mints a child of an admitted token with a subset of its authority (DR-T5). */
  async attenuate(parent: string, request: AttenuationRequest): Promise<Result<MintedToken>> {
    if (this.#issuer === undefined) return fail(ERROR_CODES.KEY_STORE, 'this kernel holds no issuer key');
    const verified = parent.startsWith(TOKEN_REF_PREFIX)
      ? this.tokens.get(parent)
      : await this.admitToken(parent).then((r) => (r.ok ? r.value : undefined));
    if (verified === undefined) return fail(ERROR_CODES.TOKEN_NOT_FOUND, 'parent token is not verified');
    if (verified.chainIds.some((jti) => this.revocations.isRevoked(jti))) {
      return fail(ERROR_CODES.TOKEN_REVOKED, 'parent token is revoked');
    }
    const minted = await attenuateToken(verified, request, this.#issuer, {
      clock: this.#clock,
      random: this.#random,
      epoch: this.revocations.epoch,
    });
    if (minted.ok) this.#events.emit({ type: 'token.minted', claims: minted.value.claims });
    return minted;
  }

  /** Revokes a token and, through the chain check, every token attenuated from it (DR-T6). */
  revoke(jti: string, reason = 'revoked'): number {
    const epoch = this.revocations.revoke(jti, reason);
    this.#ctx = { ...this.#ctx, epochAuthoritative: Math.max(this.#ctx.epochAuthoritative, epoch) };
    this.#events.emit({ type: 'token.revoked', jti, epoch, reason });
    return epoch;
  }

  /**
   * Takes in revocations made elsewhere (another process, the cluster's authority). They were
   * announced where they were made, so no event is emitted here. Returns this node's new epoch.
   */
  adoptRevocations(other: RevocationList): number {
    for (const { jti, reason } of other.toJSON().revoked) {
      if (!this.revocations.isRevoked(jti)) this.revocations.revoke(jti, reason ?? 'revoked elsewhere');
    }
    this.observeAuthoritativeEpoch(this.revocations.epoch);
    return this.revocations.epoch;
  }

  /** Demotes an agent; promotion is refused (MR-4, DR-R1, DR-R2). */
  changeRing(agentId: string, target: AgentRing): Result<AgentRing> {
    const agent = this.policy.agents.get(agentId);
    if (agent === undefined) return fail(ERROR_CODES.INVALID_INPUT, `agent \`${agentId}\` is not registered`);
    const current = this.#currentRing(agent);
    const changed = changeRing(current, target);
    if (changed.ok && changed.value !== current) {
      this.#rings.set(agentId, changed.value);
      this.#events.emit({ type: 'ring.demoted', agent: agentId, from: current, to: changed.value });
    }
    return changed;
  }

  /** The agent's ring after run-time demotions. */
  #currentRing(agent: AgentPolicy): AgentRing {
    return this.#rings.get(agent.id) ?? agent.ring;
  }

  enterMode(mode: KernelMode): void {
    const from = this.#ctx.mode;
    if (from === mode) return;
    this.#ctx = { ...this.#ctx, mode };
    this.#events.emit({ type: 'mode.changed', from, to: mode });
  }

  setHeartbeat(ok: boolean): void {
    this.#ctx = { ...this.#ctx, heartbeatOk: ok };
  }

  /** Records the authoritative epoch seen from the cluster; it never goes backwards. */
  observeAuthoritativeEpoch(epoch: number): void {
    this.#ctx = { ...this.#ctx, epochAuthoritative: Math.max(this.#ctx.epochAuthoritative, epoch) };
  }
}

function withoutStanding(ctx: DecisionContext): DecisionContext {
  const { standing: _dropped, ...rest } = ctx;
  return rest;
}
