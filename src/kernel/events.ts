// The kernel's event port: it reports what happened (decisions, mints, revocations, demotions)
// to whoever listens (journal, audit, immune system) without importing any of them.

import type { Decision } from './decision.ts';
import type { KernelMode } from './decision-context.ts';
import type { AgentRing } from './rings.ts';
import type { TokenClaims } from './token/claims.ts';

export type KernelEvent =
  | { readonly type: 'decision'; readonly decision: Decision }
  | { readonly type: 'token.minted'; readonly claims: TokenClaims }
  | { readonly type: 'token.revoked'; readonly jti: string; readonly epoch: number; readonly reason: string }
  | {
      readonly type: 'ring.demoted';
      readonly agent: string;
      readonly from: AgentRing;
      readonly to: AgentRing;
    }
  | { readonly type: 'mode.changed'; readonly from: KernelMode; readonly to: KernelMode }
  /** Stage 6 of the commit pipeline: an intent reached a final state. */
  | { readonly type: 'intent.settled'; readonly intentId: string; readonly state: string };

export interface KernelEventSink {
  emit(event: KernelEvent): void;
}

export const NO_EVENTS: KernelEventSink = { emit: () => {} };
