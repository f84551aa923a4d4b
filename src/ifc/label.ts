// Information-flow labels (spec §11): a totally ordered confidentiality lattice and an integrity
// tag. Checked by DSC check 4; later by gateways and the bus.

export const CONFIDENTIALITY = ['PUBLIC', 'INTERNAL', 'CONFIDENTIAL', 'RESTRICTED'] as const;
export type Confidentiality = (typeof CONFIDENTIALITY)[number];

/** Integrity, most trusted first. `EXTERNAL_UNTRUSTED` marks data that came from outside MAOS (§29.3). */
export const INTEGRITY = ['TRUSTED', 'UNTRUSTED', 'EXTERNAL_UNTRUSTED'] as const;
export type Integrity = (typeof INTEGRITY)[number];

export type Label = { readonly confidentiality: Confidentiality; readonly integrity: Integrity };

const CONFIDENTIALITY_RANK: Readonly<Record<Confidentiality, number>> = {
  PUBLIC: 0,
  INTERNAL: 1,
  CONFIDENTIAL: 2,
  RESTRICTED: 3,
};
const INTEGRITY_RANK: Readonly<Record<Integrity, number>> = {
  TRUSTED: 0,
  UNTRUSTED: 1,
  EXTERNAL_UNTRUSTED: 2,
};

export function confidentialityRank(level: Confidentiality): number {
  return CONFIDENTIALITY_RANK[level];
}

export function integrityRank(level: Integrity): number {
  return INTEGRITY_RANK[level];
}

/** True when data at `from` may flow to a holder or destination cleared for `to` (no write-down). */
export function flowsTo(from: Confidentiality, to: Confidentiality): boolean {
  return CONFIDENTIALITY_RANK[from] <= CONFIDENTIALITY_RANK[to];
}

/** Least upper bound of two confidentiality levels. */
export function joinConfidentiality(a: Confidentiality, b: Confidentiality): Confidentiality {
  return CONFIDENTIALITY_RANK[a] >= CONFIDENTIALITY_RANK[b] ? a : b;
}

/** The less trusted of two integrity tags (taint only ever spreads). */
export function joinIntegrity(a: Integrity, b: Integrity): Integrity {
  return INTEGRITY_RANK[a] >= INTEGRITY_RANK[b] ? a : b;
}

/** Join of two labels: the result is at least as confidential and at most as trusted as either. */
export function joinLabels(a: Label, b: Label): Label {
  return {
    confidentiality: joinConfidentiality(a.confidentiality, b.confidentiality),
    integrity: joinIntegrity(a.integrity, b.integrity),
  };
}

/** The bottom of the lattice: public data nobody but the user touched (the user's task text). */
export const TRUSTED_PUBLIC: Label = Object.freeze({ confidentiality: 'PUBLIC', integrity: 'TRUSTED' });

export function isConfidentiality(value: unknown): value is Confidentiality {
  return typeof value === 'string' && Object.hasOwn(CONFIDENTIALITY_RANK, value);
}

export function isIntegrity(value: unknown): value is Integrity {
  return typeof value === 'string' && Object.hasOwn(INTEGRITY_RANK, value);
}
