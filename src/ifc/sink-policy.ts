// Sink policy (§11, issue 7): which arguments of a side effect are critical, what provenance each
// needs, and context rules on what the session has read. Compiled from `maos.yaml`'s `sink`.

import type { Confidentiality, Integrity } from './label.ts';

/** `trusted`: seen in a trusted source; `untainted`: never from untrusted data; `any`: unconstrained. */
export type ProvenanceRequirement = 'trusted' | 'untainted' | 'any';
export type SinkVerdict = 'escalate' | 'deny';

export type ArgumentRule = {
  readonly argument: string;
  readonly requires: ProvenanceRequirement;
  readonly otherwise: SinkVerdict;
  /** `whole`: the value itself; `links`: each link (URL) inside its text, the way a phishing link hides in a message. */
  readonly part: 'whole' | 'links';
};

export type ContextRule = {
  /** Applies once the session has read data at least this untrusted. */
  readonly read: Integrity | undefined;
  /** Applies once the session holds data at least this confidential. */
  readonly holds: Confidentiality | undefined;
  /** Argument → glob patterns: when every value of every listed argument matches one, the rule is skipped. */
  readonly unless: ReadonlyArray<readonly [argument: string, patterns: readonly string[]]>;
  /** What happens when the rule applies (`then` in maos.yaml). */
  readonly verdict: SinkVerdict;
  readonly reason: string | undefined;
};

export type SinkPolicy = {
  readonly arguments: readonly ArgumentRule[];
  readonly rules: readonly ContextRule[];
};

/** The stricter of two outcomes: deny beats escalate beats nothing. */
export function stricter(a: SinkVerdict | undefined, b: SinkVerdict | undefined): SinkVerdict | undefined {
  if (a === 'deny' || b === 'deny') return 'deny';
  return a ?? b;
}
