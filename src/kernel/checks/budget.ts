// DSC check 3 (§15.3, MR-7): enough budget remains for the intent's cost, for the agent and for
// every token in its chain. An exhausted budget denies even a zero-cost request: no grace.

import { type BudgetShortfall, budgetShortfall } from '../cost.ts';
import { type CheckOutcome, REASON_CODES as R } from '../decision.ts';
import type { CheckInput } from '../decision-context.ts';
import { deny, pass } from './outcome.ts';

const CHECK = 'budget';

export function checkBudget(input: CheckInput): CheckOutcome {
  const { charges, ctx } = input;
  if (charges.agentBudget !== undefined) {
    const short = budgetShortfall(
      charges.agentBudget,
      ctx.ledger.spent(`agent:${charges.agent}`),
      charges.cost,
    );
    if (short !== undefined) return shortOf(short, `agent \`${charges.agent}\``, false);
  }
  for (const [jti, budget] of charges.tokenBudgets) {
    const short = budgetShortfall(budget, ctx.ledger.spent(`token:${jti}`), charges.cost);
    if (short !== undefined) return shortOf(short, `token \`${jti}\``, true);
  }
  return pass(CHECK);
}

function shortOf(short: BudgetShortfall, whose: string, isToken: boolean): CheckOutcome {
  const detail = { dimension: short.dimension };
  if (short.exhausted)
    return deny(CHECK, R.BUDGET_EXHAUSTED, `${short.dimension} budget of ${whose} is exhausted`, detail);
  const code = isToken ? R.TOKEN_BUDGET_INSUFFICIENT : R.BUDGET_INSUFFICIENT;
  return deny(CHECK, code, `${short.dimension} budget of ${whose} is too small for this intent`, detail);
}
