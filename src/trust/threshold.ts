// The receiver's side: a payload is admitted only when its sender's effective score reaches the
// receiver's threshold. Anything not a number in [0, 1] on either side refuses (fail closed).

import { ERROR_CODES, fail, ok, type Result } from '../shared/index.ts';
import { isUnit } from './input.ts';

/** Stable reasons a receiver refuses a payload on trust. */
export const ADMISSION_REFUSALS = {
  BELOW_THRESHOLD: 'trust-below-threshold',
  INVALID: 'trust-score-invalid',
} as const;
export type AdmissionRefusal = (typeof ADMISSION_REFUSALS)[keyof typeof ADMISSION_REFUSALS];

export type Admission =
  | { readonly admitted: true; readonly effective: number; readonly threshold: number }
  | {
      readonly admitted: false;
      readonly reason: AdmissionRefusal;
      readonly message: string;
      readonly effective: number;
      readonly threshold: number;
    };

/** Whether a sender with `effectiveScore` reaches `receiverThreshold` (both in [0, 1]). */
export function admits(receiverThreshold: number, effectiveScore: number): boolean {
  return isUnit(receiverThreshold) && isUnit(effectiveScore) && effectiveScore >= receiverThreshold;
}

/** The admission decision as data, with the reason a refusal is logged under. */
export function admission(receiverThreshold: number, effectiveScore: number): Admission {
  const base = { effective: effectiveScore, threshold: receiverThreshold };
  if (!isUnit(receiverThreshold) || !isUnit(effectiveScore))
    return {
      admitted: false,
      reason: ADMISSION_REFUSALS.INVALID,
      message: 'trust threshold or score is not a number in [0, 1]',
      ...base,
    };
  if (effectiveScore < receiverThreshold)
    return {
      admitted: false,
      reason: ADMISSION_REFUSALS.BELOW_THRESHOLD,
      message: `sender trust ${round(effectiveScore)} is below the receiver's threshold ${round(receiverThreshold)}`,
      ...base,
    };
  return { admitted: true, ...base };
}

/**
 * For a receiving gateway that refuses with an error: MESSAGE_DENIED with `details.reason` set to
 * the stable refusal reason, or ok when the payload may pass.
 */
export function refuseBelowThreshold(receiverThreshold: number, effectiveScore: number): Result<void> {
  const decided = admission(receiverThreshold, effectiveScore);
  if (decided.admitted) return ok(undefined);
  return fail(ERROR_CODES.MESSAGE_DENIED, decided.message, {
    reason: decided.reason,
    effective: decided.effective,
    threshold: decided.threshold,
  });
}

function round(value: number): string {
  return Number.isFinite(value) ? value.toFixed(3) : String(value);
}
