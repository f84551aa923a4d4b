// The capability token the gateway presents for its client's agent: minted from the agent's grants
// in `maos.yaml`, verified once, then cited by digest (`tok:…`) so a call pays no signature check.
// It is minted again before it expires.

import type { Kernel } from '../kernel/index.ts';
import { type Clock, type KernelError, ok, type Result } from '../shared/index.ts';

/** Re-mint when this share of the lifetime has passed. */
const RENEW_AT = 0.8;

export class AgentToken {
  readonly #kernel: Kernel;
  readonly #agent: string;
  readonly #clock: Clock;
  #ref: string;
  #renewAtMs: number;
  #renewing: Promise<void> | undefined;

  private constructor(kernel: Kernel, agent: string, clock: Clock, ref: string, renewAtMs: number) {
    this.#kernel = kernel;
    this.#agent = agent;
    this.#clock = clock;
    this.#ref = ref;
    this.#renewAtMs = renewAtMs;
  }

  static async mint(kernel: Kernel, agent: string, clock: Clock): Promise<Result<AgentToken, KernelError>> {
    const minted = await mintRef(kernel, agent, clock);
    if (!minted.ok) return minted;
    return ok(new AgentToken(kernel, agent, clock, minted.value.ref, minted.value.renewAtMs));
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
    const minted = await mintRef(this.#kernel, this.#agent, this.#clock);
    // WHY: a failed renewal keeps the old reference; once it expires, check 1 denies with its reason.
    if (!minted.ok) return;
    this.#ref = minted.value.ref;
    this.#renewAtMs = minted.value.renewAtMs;
  }
}

async function mintRef(
  kernel: Kernel,
  agent: string,
  clock: Clock,
): Promise<Result<{ ref: string; renewAtMs: number }, KernelError>> {
  const grants = kernel.policy.agents.get(agent)?.grants ?? [];
  const minted = await kernel.mint({ sub: agent, scopes: grants });
  if (!minted.ok) return minted;
  const admitted = await kernel.admitToken(minted.value.token);
  if (!admitted.ok) return admitted;
  const { nbf, exp } = minted.value.claims;
  const now = clock.wallMs();
  return ok({ ref: admitted.value.digest, renewAtMs: now + (exp - nbf) * RENEW_AT });
}
