// DSC check 2 (§15.3): the agent has not exceeded the rate of any matching rule, nor its token's
// rate or use count (DR-T2). Only reads the ledger; reservation takes the units.

import { type CheckOutcome, REASON_CODES as R } from '../decision.ts';
import type { CheckInput } from '../decision-context.ts';
import { deny, pass } from './outcome.ts';

const CHECK = 'rate-limit';

export function checkRateLimit(input: CheckInput): CheckOutcome {
  const { ledger } = input.ctx;
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
  return pass(CHECK);
}
