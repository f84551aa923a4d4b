// DSC check 6 (§9.3, §15.3): this node's revocation epoch is current. A lag of one is tolerated;
// more denies, and a token minted at an epoch this node has not reached means this node is stale (DR-T4).

import { type CheckOutcome, REASON_CODES as R } from '../decision.ts';
import type { CheckInput } from '../decision-context.ts';
import { LIMITS } from '../limits.ts';
import { deny, pass } from './outcome.ts';

const CHECK = 'revocation-epoch';

export function checkRevocationEpoch(input: CheckInput): CheckOutcome {
  const local = input.ctx.revocations.epoch;
  const lag = input.ctx.epochAuthoritative - local;
  if (lag > LIMITS.epochLagMax) {
    return deny(
      CHECK,
      R.EPOCH_STALE,
      `revocation epoch ${local} lags the authoritative ${input.ctx.epochAuthoritative}`,
      {
        local,
        authoritative: input.ctx.epochAuthoritative,
      },
    );
  }
  const tokenEpoch = input.token?.claims.epoch;
  if (tokenEpoch !== undefined && tokenEpoch - local > LIMITS.epochLagMax) {
    return deny(
      CHECK,
      R.TOKEN_EPOCH_AHEAD,
      `token was minted at epoch ${tokenEpoch}, this node is at ${local}`,
    );
  }
  return pass(CHECK);
}
