// Every number the trust ledger uses (docs/decisions/0011-trust.md explains each). The formula is
// in score.ts, the vouching rules in bonds.ts, the cascade in cascade.ts.

import type { SideEffectClass } from '../kernel/index.ts';

/** Where a new agent starts, and where every score drifts back to when nothing happens. */
export const TRUST_PRIOR = 0.5;
/** Decay toward the prior: half of the distance to the prior is gone after this long. */
export const DECAY_HALF_LIFE_MS = 7 * 24 * 60 * 60_000;
/** A clean commit closes this fraction of the gap to 1 (trust is earned slowly). */
export const CLEAN_COMMIT_GAIN = 0.05;
/** A denial removes this fraction of the score (a DSC denial weighs 4 as an anomaly, too). */
export const DENIAL_LOSS = 0.04;
/** An anomaly of weight `w` removes `min(w, ANOMALY_WEIGHT_MAX) × ANOMALY_LOSS_PER_WEIGHT` of the score. */
export const ANOMALY_LOSS_PER_WEIGHT = 0.01;
export const ANOMALY_WEIGHT_MAX = 50;
/** What is left of the score when the immune system moves the agent to a quarantine stage (0–5). */
export const QUARANTINE_FACTORS: readonly number[] = [1, 0.9, 0.7, 0.4, 0, 1];

/** A bond is this fraction of the voucher's current score. */
export const BOND_FRACTION = 0.2;
/** A voucher's active bonds in one session sum to at most this fraction of its current score. */
export const SESSION_BOND_FRACTION_MAX = 0.8;
/** Below this score an agent may not vouch (a newcomer at the prior must earn trust first). */
export const VOUCH_SCORE_MIN = 0.6;
/** How much of the bonds a vouchee may count, by the reversibility of the action (ω). */
export const OMEGA: Readonly<Record<SideEffectClass, number>> = {
  read: 1,
  write: 0.5,
  destructive: 0.25,
  irreversible: 0,
};

/** The vouchee whose message or task caused a denial or anomaly loses up to this × severity. */
export const SLASH_VOUCHEE_MAX = 0.3;
/** Each level of vouchers above the first loses this fraction of what the level below would. */
export const SLASH_ATTENUATION = 0.5;
/** Vouchers are slashed to this depth and never beyond (1 = direct vouchers). */
export const SLASH_DEPTH_MAX = 2;

/** Bounds on what one session document and one vouch chain may hold. */
export const BONDS_PER_SESSION_MAX = 256;
export const SLASH_CAUSES_PER_SESSION_MAX = 256;
export const VOUCH_CHAIN_LINKS_MAX = 16;
/** Ids (agents, sessions, subjects, causes) are short printable strings. */
export const ID_CHARS_MAX = 256;

/** Attestations live this long unless asked otherwise, and never longer than the maximum. */
export const ATTESTATION_TTL_MS = 5 * 60_000;
export const ATTESTATION_TTL_MS_MAX = 24 * 60 * 60_000;
/** Tolerated clock skew between the signer and a verifier for `at` in the future. */
export const ATTESTATION_SKEW_MS = 30_000;

/** Compare-and-set attempts before a contended update gives up with STORAGE_CONFLICT. */
export const UPDATE_ATTEMPTS_MAX = 32;
/** The storage namespace of the ledger. */
export const TRUST_NAMESPACE = 'trust';
/** Bounds on stored documents and attestations read back as JSON. */
export const STORED_JSON_LIMITS = { bytesMax: 1_000_000, depthMax: 16 } as const;
