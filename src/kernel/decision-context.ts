// What `decide` reads besides the intent: policy, verified tokens, revocations, ledger, mode and
// the clock reading. Everything here is read-only to the DSC (§15: deterministic and pure).

import type { FlowLookup } from '../ifc/index.ts';
import type { Clock } from '../shared/index.ts';
import type { Charges } from './decision.ts';
import type { Intent } from './intent.ts';
import type { LedgerView } from './ledger.ts';
import type { ActionPolicy, AgentPolicy, Policy } from './policy.ts';
import type { Prefilter } from './prefilter/index.ts';
import type { AgentRing } from './rings.ts';
import type { SideEffectClass } from './side-effect.ts';
import type { Standing, StandingLookup } from './standing-port.ts';
import type { RevocationView, TokenCacheView, VerifiedToken } from './token/verified-token.ts';

/** Kernel modes that restrict what may commit (§15.5, §38.8, §38.11). */
export const KERNEL_MODES = ['operational', 'emergency', 'commit-freeze', 'recovery-hold'] as const;
export type KernelMode = (typeof KERNEL_MODES)[number];

export type DecisionContext = {
  readonly policy: Policy;
  /** The policy hash fixed at boot: a different live hash means the policy changed at run time (MR-1). */
  readonly bootPolicyHash: string;
  readonly tokens: TokenCacheView;
  readonly revocations: RevocationView;
  /** The authoritative revocation epoch (the Sovereign's; equal to the local one when embedded). */
  readonly epochAuthoritative: number;
  readonly ledger: LedgerView;
  /** The kernel's sessions: context labels and provenance of what each has read (check 4). */
  readonly flows?: FlowLookup;
  readonly prefilter: Prefilter;
  /** The immune system's view of agents: fever rate factor, aggregate thresholds, immune memory. */
  readonly standing?: StandingLookup;
  readonly mode: KernelMode;
  /** False when a kernel heartbeat was missed (MR-10): agents may think but not commit. */
  readonly heartbeatOk: boolean;
  /** Rings after run-time demotions; agents not listed hold their policy ring. */
  readonly agentRings: ReadonlyMap<string, AgentRing>;
  readonly clock: Clock;
  /** Why a token presented with this intent failed verification, if it did (set by the kernel facade). */
  readonly tokenError?: { readonly code: string; readonly message: string };
};

/** Facts every check needs, looked up once per decision. */
export type CheckInput = {
  readonly intent: Intent;
  readonly ctx: DecisionContext;
  readonly wallMs: number;
  readonly monotonicMs: number;
  readonly agent: AgentPolicy | undefined;
  readonly agentRing: AgentRing | undefined;
  readonly action: ActionPolicy;
  /** The stricter of the intent's declared class and the action policy's (DR-C10). */
  readonly sideEffect: SideEffectClass;
  readonly token: VerifiedToken | undefined;
  /** What an allow would take from the ledger: rate buckets (scaled in fever mode), token uses, budgets. */
  readonly charges: Charges;
  /** The immune system's standing of the agent for this intent (normal when none is wired). */
  readonly standing: Standing;
};
