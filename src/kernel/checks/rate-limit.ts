// DSC check 2 (§15.3): the agent has not exceeded the rate of any matching rule, nor its token's
// rate or use count (DR-T2). Only reads the ledger; reservation takes the units. The immune
// system's standing tightens it: fever mode scales every capacity down (§37.11.1), and an
// aggregate threshold the agent crossed sends this type of action to a human (§49.11).

import { type CheckOutcome, REASON_CODES as R } from '../decision.ts';
import type { CheckInput } from '../decision-context.ts';
import { deny, escalate, pass } from './outcome.ts';

const CHECK = 'rate-limit';

export function checkRateLimit(input: CheckInput): CheckOutcome {
  const { ledger } = input.ctx;
  // The capacities in `charges` are already scaled in fever mode (decide.ts, scaleRates).
  for (const [key, capacity, windowMs] of input.charges.rateBuckets) {
    if (ledger.rateAvailable(key, capacity, windowMs, input.monotonicMs) >= 1) continue;
    const code = key.startsWith('token:') ? R.TOKEN_RATE_LIMITED : R.RATE_LIMITED;
    return deny(CHECK, code, `rate limit of ${capacity} per ${windowMs} ms reached`, { bucket: key });
  }
  for (const [jti, usesMax] of input.charges.tokenUses) {
    if (ledger.usesSpent(jti) < usesMax) continue;
    return deny(CHECK, R.TOKEN_USES_EXHAUSTED, `token \`${jti}\` has used all ${usesMax} of its uses`, {
      jti,
    });
  }
  const crossed = input.standing.escalate;
  if (crossed !== undefined) {
    return escalate(CHECK, R.AGGREGATE_THRESHOLD, crossed.reason, { code: crossed.code, ...crossed.detail });
  }
  return pass(CHECK);
}
