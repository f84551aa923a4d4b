// DSC check 5 (§10, §15.3): every Mandatory Rule that can be judged at decision time, plus the
// policy's own approval rule. Any MR violation denies; a rule that needs a human escalates.

import { type CheckOutcome, REASON_CODES as R } from '../decision.ts';
import type { CheckInput } from '../decision-context.ts';
import { MANDATORY_RULES } from '../mandatory-rules.ts';
import { deny, escalate, pass } from './outcome.ts';

const CHECK = 'mandatory-rules';

type Spoken = { readonly id: string; readonly verdict: 'deny' | 'escalate'; readonly message: string };

export function checkMandatoryRules(input: CheckInput): CheckOutcome {
  // WHY: the common case judges every rule and finds nothing; allocate only when a rule speaks.
  let spoken: Spoken[] | undefined;
  for (const rule of MANDATORY_RULES) {
    const judgement = rule.judge?.(input);
    if (judgement === undefined) continue;
    spoken = spoken ?? [];
    spoken.push({ id: rule.id, verdict: judgement.verdict, message: `${rule.id}: ${judgement.message}` });
  }
  const denied = spoken?.filter((s) => s.verdict === 'deny');
  if (denied !== undefined && denied.length > 0) {
    return deny(CHECK, R.MR_VIOLATION, describe(denied), { rules: denied.map((s) => s.id) });
  }
  if (input.action.approval) {
    spoken = spoken ?? [];
    const message = `\`${input.action.name}\` requires human approval by policy`;
    spoken.push({ id: 'policy-approval', verdict: 'escalate', message });
  }
  if (spoken === undefined) return pass(CHECK);
  return escalate(CHECK, R.APPROVAL_REQUIRED, describe(spoken), { rules: spoken.map((s) => s.id) });
}

function describe(spoken: readonly Spoken[]): string {
  return spoken.map((s) => s.message).join('; ');
}
