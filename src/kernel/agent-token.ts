// The capability token a host presents for an agent it fronts (the MCP gateway for its client, a
// pod for its agent): minted from the agent's grants in `maos.yaml` (or a requested subset of
// them), verified once, then cited by digest (`tok:…`) so a call pays no signature check. It is
// minted again before it expires, and can be revoked at once (SIGKILL, quarantine).

import { type Clock, type KernelError, ok, type Result } from '../shared/index.ts';
import type { Kernel } from './kernel.ts';
import type { Scope } from './token/claims.ts';

/** Re-mint when this share of the lifetime has passed. */
const RENEW_AT = 0.8;

export class AgentToken {
  readonly #kernel: Kernel;
  readonly #agent: string;
  readonly #clock: Clock;
  readonly #scopes: readonly Scope[] | undefined;
  #ref: string;
  #jti: string;
  #renewAtMs: number;
  #renewing: Promise<void> | undefined;

  private constructor(
    kernel: Kernel,
    agent: string,
    clock: Clock,
    scopes: readonly Scope[] | undefined,
    minted: Minted,
  ) {
    this.#kernel = kernel;
    this.#agent = agent;
    this.#clock = clock;
    this.#scopes = scopes;
    this.#ref = minted.ref;
    this.#jti = minted.jti;
    this.#renewAtMs = minted.renewAtMs;
  }

  /** Mints for `agent` with all its grants, or with `scopes` (each must lie within a grant). */
  static async mint(
    kernel: Kernel,
    agent: string,
    clock: Clock,
    scopes?: readonly Scope[],
  ): Promise<Result<AgentToken, KernelError>> {
    const minted = await mintRef(kernel, agent, clock, scopes);
    if (!minted.ok) return minted;
    return ok(new AgentToken(kernel, agent, clock, scopes, minted.value));
  }

  /** The current token's id, for revocation. */
  get jti(): string {
    return this.#jti;
  }

  /** Revokes the current token: the very next call citing it is denied (DR-T6); no renewal follows. */
  revoke(reason: string): void {
    this.#renewAtMs = Number.POSITIVE_INFINITY;
    this.#kernel.revoke(this.#jti, reason);
  }

  /** The `tok:` reference to cite in an intent, renewed first when it is due. */
  async ref(): Promise<string> {
    if (this.#clock.wallMs() >= this.#renewAtMs) {
      this.#renewing ??= this.#renew().finally(() => {
        this.#renewing = undefined;
      });
      await this.#renewing;
    }
    return this.#ref;
  }

  async #renew(): Promise<void> {
    const minted = await mintRef(this.#kernel, this.#agent, this.#clock, this.#scopes);
    // WHY: a failed renewal keeps the old reference; once it expires, check 1 denies with its reason.
    if (!minted.ok) return;
    this.#ref = minted.value.ref;
    this.#jti = minted.value.jti;
    this.#renewAtMs = minted.value.renewAtMs;
  }
}

type Minted = { readonly ref: string; readonly jti: string; readonly renewAtMs: number };

async function mintRef(
  kernel: Kernel,
  agent: string,
  clock: Clock,
  scopes: readonly Scope[] | undefined,
): Promise<Result<Minted, KernelError>> {
  const grants = scopes ?? kernel.policy.agents.get(agent)?.grants ?? [];
  const minted = await kernel.mint({ sub: agent, scopes: grants });
  if (!minted.ok) return minted;
  const admitted = await kernel.admitToken(minted.value.token);
  if (!admitted.ok) return admitted;
  const { nbf, exp, jti } = minted.value.claims;
  const now = clock.wallMs();
  return ok({ ref: admitted.value.digest, jti, renewAtMs: now + (exp - nbf) * RENEW_AT });
}
