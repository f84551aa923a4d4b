// Small constructors for check outcomes, so every check reports in the same shape.

import type { CheckId, CheckOutcome, ReasonCode } from '../decision.ts';

export function pass(check: CheckId): CheckOutcome {
  return { check, verdict: 'allow' };
}

export function deny(
  check: CheckId,
  code: ReasonCode,
  message: string,
  detail?: Record<string, unknown>,
): CheckOutcome {
  return detail === undefined
    ? { check, verdict: 'deny', code, message }
    : { check, verdict: 'deny', code, message, detail };
}

export function escalate(
  check: CheckId,
  code: ReasonCode,
  message: string,
  detail?: Record<string, unknown>,
): CheckOutcome {
  return detail === undefined
    ? { check, verdict: 'escalate', code, message }
    : { check, verdict: 'escalate', code, message, detail };
}
