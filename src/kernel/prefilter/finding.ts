// What the structural pre-filter reports: findings (kind, JSON path, score, sample) and their
// total score, which DSC check 7 compares with the policy's escalate and block thresholds.

export type PrefilterFindingKind =
  | 'injection'
  | 'base64-instruction'
  | 'homoglyph'
  | 'invisible'
  | 'bidi'
  | 'oversized';

export type PrefilterFinding = {
  readonly kind: PrefilterFindingKind;
  /** Where: `resource`, `args.body`, `args.items[3].text`; a finding in a key has the path of its property. */
  readonly path: string;
  readonly score: number;
  /** A short excerpt, control and invisible characters written as `\u{…}`. */
  readonly sample: string;
};

export type PrefilterResult = {
  /** Sum of every finding's score, including findings left out of the list. */
  readonly score: number;
  readonly findings: readonly PrefilterFinding[];
};

/** One detector's report on one string; the scanner adds the kind and the path. */
export type Detection = { readonly score: number; readonly sample: string };

/** Scores a finding carries. A policy's default block threshold is expected to be `SCORES.block`. */
export const SCORES = {
  /** Certain enough to block alone: a signature, smuggling, a bidi control, an oversized field. */
  block: 10,
  /** Suspicious but with honest uses: a stray zero-width character, a mixed-script word. */
  suspicious: 5,
} as const;
