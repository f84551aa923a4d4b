// Capability-token claims (§9.1, §9.3): who may do what, where, until when, how often.
// The wire envelope is in token-envelope.ts; verification in token-verify.ts.

import type { Cost } from '../intent.ts';
import type { AgentRing } from '../rings.ts';

/**
 * One grant. `action` is exact (`fs.write`), a dotted prefix (`fs.*`) or `*`.
 * `resource` is a `/`-segmented pattern: `*` matches one segment, `**` any number (including none).
 * `constraint` is a list of CEL expressions over `args`, `resource`, `action`, `agent`; all must hold.
 */
export type Scope = {
  readonly action: string;
  readonly resource: string;
  readonly constraint?: readonly string[];
};

export type RateClaim = { readonly max: number; readonly windowMs: number };

export type TrustClass = 'internal' | 'external';

/** Recorded in the token when its lifetime exceeds 4x the default (§9.3, DR-T3). */
export type TtlAcknowledgment = { readonly by: string; readonly reason: string; readonly atMs: number };

export type TokenClaims = {
  /** Token id (UUIDv7). */
  readonly jti: string;
  /** Issuer key id; equals the `kid` of both protected headers. */
  readonly kid: string;
  readonly iss: string;
  /** Subject: the agent the token is bound to (non-transferable). */
  readonly sub: string;
  /** Audience: the MAOS node (or cluster) id that may accept it. */
  readonly aud: string;
  /** Issued-at, not-before and expiry, in milliseconds since the epoch. Valid iff nbf <= now < exp. */
  readonly iat: number;
  readonly nbf: number;
  readonly exp: number;
  /** Revocation epoch current when the token was minted (§9.3). */
  readonly epoch: number;
  readonly ring: AgentRing;
  readonly trust: TrustClass;
  readonly scopes: readonly Scope[];
  readonly maxUses?: number;
  readonly rate?: RateClaim;
  readonly budget?: Cost;
  readonly ttlAck?: TtlAcknowledgment;
  /** Claims of the parent this token was attenuated from, authenticated by this token's signatures. */
  readonly parent?: TokenClaims;
};
