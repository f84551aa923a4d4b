// Standing port: what the immune system (§37, §49.11) tells the DSC about an agent, read during a
// decision like any other context. The kernel defines it and never imports the immune system;
// the runtime wires one in. Everything here can only make a decision stricter.

import type { Intent } from './intent.ts';
import type { SideEffectClass } from './side-effect.ts';

export type StandingRestriction = {
  /** A stable reason code, e.g. `AGGREGATE_THRESHOLD`. */
  readonly code: string;
  readonly reason: string;
  readonly detail?: Readonly<Record<string, unknown>>;
};

export type Standing = {
  /** Multiplies every rate-limit capacity for this intent (fever mode: 0.5, §37.11.1). 1 = none. */
  readonly rateFactor: number;
  /** An aggregate threshold this intent's type has crossed (§49.11): the intent goes to a human. */
  readonly escalate?: StandingRestriction;
};

export interface StandingLookup {
  /** Read-only and fast: called on every decision (check 2). */
  standingOf(intent: Intent, sideEffect: SideEffectClass): Standing;
  /**
   * Immune memory (§37.8.3): a learned threat pattern found in the intent's content, if any
   * (check 7 escalates on it). Read-only and fast.
   */
  recognize(intent: Intent): StandingRestriction | undefined;
}

export const NORMAL_STANDING: Standing = { rateFactor: 1 };
