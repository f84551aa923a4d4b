// Policy: the compiled, frozen view of `maos.yaml` the DSC decides against (MR-1: immutable at
// run time). The runtime builds it from the validated config; the kernel only reads it.

import type { DeclassifyTemplate } from '../ifc/declassify/index.ts';
import type { Confidentiality, FieldLabelRule, Label, SinkPolicy } from '../ifc/index.ts';
import type { Cost } from './intent.ts';
import type { AgentRing } from './rings.ts';
import type { SideEffectClass } from './side-effect.ts';
import type { Scope, TrustClass } from './token/claims.ts';

export type SecurityProfile = 'standard' | 'hardened' | 'isolated';

export type AgentPolicy = {
  readonly id: string;
  readonly ring: AgentRing;
  readonly trust: TrustClass;
  /** Highest confidentiality the agent may read (no read-up). */
  readonly clearance: Confidentiality;
  /** Authority the issuer may put into this agent's tokens. */
  readonly grants: readonly Scope[];
  readonly budget: Cost | undefined;
};

export type ActionPolicy = {
  readonly name: string;
  readonly sideEffect: SideEffectClass;
  /** Label of what the action returns (a read's source label). */
  readonly output: Label;
  /** Labels of single fields of the output, overriding `output` (most specific path wins). */
  readonly outputFields: readonly FieldLabelRule[];
  /** Untrusted parts of the output reach the planner only as `maos:q:` references. */
  readonly quarantine: boolean;
  /** Provenance the critical arguments need and context rules; undefined: no sink policy. */
  readonly sink: SinkPolicy | undefined;
  /** Clearance of where the action writes (its destination): no write-down below this. */
  readonly destination: Confidentiality;
  /** True when the effect leaves MAOS's boundary (email, external API, upload). */
  readonly external: boolean;
  /** True when the connector can snapshot or compensate before a destructive effect (MR-5). */
  readonly snapshot: boolean;
  /** True when a human must approve every call. */
  readonly approval: boolean;
  /** How long after a commit `undo` still works (the rollback zone's hold, §35). */
  readonly holdMs: number;
};

export type RateRule = {
  /** Agent id or `*`. */
  readonly agent: string;
  /** Action pattern as in scopes (`email.*`). */
  readonly action: string;
  readonly max: number;
  readonly windowMs: number;
};

export type PrefilterPolicy = {
  readonly enabled: boolean;
  /** One string field longer than this (UTF-8 bytes) is oversized. */
  readonly fieldBytesMax: number;
  /** Score at or above which the intent is denied. */
  readonly blockScore: number;
  /** Score at or above which (and below `blockScore`) the intent goes to a human. */
  readonly escalateScore: number;
  /** Extra injection signatures (regular expressions, case-insensitive). */
  readonly signatures: readonly string[];
};

/**
 * The three-gate declassification protocol's settings (`declassification:` in maos.yaml, §11.3),
 * shaped as the Declassifier's options; the profile is `Policy.profile`.
 */
export type DeclassificationPolicy = {
  readonly templates: readonly DeclassifyTemplate[];
  /** Gate 1's classification keywords: the built-in markings plus the configured ones. */
  readonly dictionary: readonly string[];
  readonly similarityMax: number;
  readonly perAgentMax: number;
  readonly windowMs: number;
};

export type Policy = {
  /** This node's id: tokens must name it as audience. */
  readonly nodeId: string;
  readonly profile: SecurityProfile;
  readonly agents: ReadonlyMap<string, AgentPolicy>;
  readonly actions: ReadonlyMap<string, ActionPolicy>;
  readonly rateRules: readonly RateRule[];
  readonly prefilter: PrefilterPolicy;
  /** How long a held intent waits for a human before it counts as rejected. */
  readonly approvalTtlMs: number;
  /** Declassification settings; absent: the protocol's defaults (§11.3, §49.11). */
  readonly declassification?: DeclassificationPolicy;
  /** SHA-256 of the canonical config: reported in every decision and checked by MR-1. */
  readonly hash: string;
};

/**
 * The policy of `action`: its exact entry, else the longest `prefix.*` entry that covers it
 * (`mcp.files.*`, then `mcp.*`, then `*`), else the strict default for unknown actions.
 */
export function actionPolicyOf(policy: Pick<Policy, 'actions'>, action: string): ActionPolicy {
  const exact = policy.actions.get(action);
  if (exact !== undefined) return exact;
  // WHY: walk up the dotted name; the number of lookups is the depth, not the number of entries.
  for (let end = action.lastIndexOf('.'); end > 0; end = action.lastIndexOf('.', end - 1)) {
    const covering = policy.actions.get(`${action.slice(0, end)}.*`);
    if (covering !== undefined) return { ...covering, name: action };
  }
  const any = policy.actions.get('*');
  return any === undefined ? unknownActionPolicy(action) : { ...any, name: action };
}

/** How an action the policy does not name is treated: a write that may leave the system (DR-C10, INV-7). */
export function unknownActionPolicy(name: string): ActionPolicy {
  return {
    name,
    sideEffect: 'write',
    output: { confidentiality: 'RESTRICTED', integrity: 'EXTERNAL_UNTRUSTED' },
    outputFields: [],
    quarantine: false,
    sink: undefined,
    destination: 'PUBLIC',
    external: true,
    snapshot: false,
    approval: false,
    holdMs: DEFAULT_HOLD_MS,
  };
}

/** The rollback zone's default hold (§35) for actions no rule classifies. */
export const DEFAULT_HOLD_MS = 24 * 60 * 60_000;
export const DEFAULT_APPROVAL_TTL_MS = 60 * 60_000;
