// Sink policy (§11, issue 7): which arguments of a side effect are critical, what provenance each
// needs, and context rules on what the session has read. Compiled from `maos.yaml`'s `sink`.

import type { Confidentiality, Integrity } from './label.ts';

/** `trusted`: seen in a trusted source; `untainted`: never from untrusted data; `any`: unconstrained. */
export type ProvenanceRequirement = 'trusted' | 'untainted' | 'any';
export type SinkVerdict = 'escalate' | 'deny';

/**
 * What one argument's value must be for a condition to hold: every string in it matches one of the
 * glob `patterns`, or it is a number within `min`…`max` (inclusive).
 */
export type ValueCondition =
  | { readonly patterns: readonly string[] }
  | { readonly min: number | undefined; readonly max: number | undefined };

/** Holds when every listed argument's value meets its condition. */
export type Condition = ReadonlyArray<readonly [argument: string, condition: ValueCondition]>;

export type ArgumentRule = {
  readonly argument: string;
  readonly requires: ProvenanceRequirement;
  readonly otherwise: SinkVerdict;
  /** `whole`: the value itself; `links`: each link (URL) inside its text, the way a phishing link hides in a message. */
  readonly part: 'whole' | 'links';
  /**
   * Values the user names as fine wherever the agent read them: glob patterns matched against the
   * value (`whole`) or against each link's host name (`links`). A value that matches meets the rule.
   */
  readonly allow: readonly string[];
  /** When this condition on the call's arguments holds, the rule is waived. Empty: never waived. */
  readonly unless: Condition;
};

export type ContextRule = {
  /** Applies once the session has read data at least this untrusted. */
  readonly read: Integrity | undefined;
  /** Applies once the session holds data at least this confidential. */
  readonly holds: Confidentiality | undefined;
  /** When this condition on the call's arguments holds, the rule is skipped. Empty: never skipped. */
  readonly unless: Condition;
  /** What happens when the rule applies (`then` in maos.yaml). */
  readonly verdict: SinkVerdict;
  readonly reason: string | undefined;
};

/** The destination is cleared for `level` when `when` holds and names someone (e.g. mail that stays in the company). */
export type ClearanceRule = { readonly level: Confidentiality; readonly when: Condition };

export type SinkPolicy = {
  readonly arguments: readonly ArgumentRule[];
  readonly rules: readonly ContextRule[];
  readonly cleared: readonly ClearanceRule[];
};

/** The stricter of two outcomes: deny beats escalate beats nothing. */
export function stricter(a: SinkVerdict | undefined, b: SinkVerdict | undefined): SinkVerdict | undefined {
  if (a === 'deny' || b === 'deny') return 'deny';
  return a ?? b;
}
