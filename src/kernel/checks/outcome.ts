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
  return refusal('deny', check, code, message, detail);
}

export function escalate(
  check: CheckId,
  code: ReasonCode,
  message: string,
  detail?: Record<string, unknown>,
): CheckOutcome {
  return refusal('escalate', check, code, message, detail);
}

function refusal(
  verdict: 'deny' | 'escalate',
  check: CheckId,
  code: ReasonCode,
  message: string,
  detail: Record<string, unknown> | undefined,
): CheckOutcome {
  // WHY: with exactOptionalPropertyTypes an absent detail must be absent, not `undefined`.
  return detail === undefined ? { check, verdict, code, message } : { check, verdict, code, message, detail };
}
