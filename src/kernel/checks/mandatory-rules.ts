// DSC check 5 (§10, §15.3): every Mandatory Rule that can be judged at decision time, plus the
// policy's own approval rule. Any MR violation denies; a rule that needs a human escalates.

import { type CheckOutcome, REASON_CODES as R } from '../decision.ts';
import type { CheckInput } from '../decision-context.ts';
import { MANDATORY_RULES } from '../mandatory-rules.ts';
import { deny, escalate, pass } from './outcome.ts';

const CHECK = 'mandatory-rules';

export function checkMandatoryRules(input: CheckInput): CheckOutcome {
  // WHY: the common case judges all rules and finds nothing; allocate only when a rule speaks.
  let denied: string[] | undefined;
  let escalated: string[] | undefined;
  let messages: string[] | undefined;
  for (const rule of MANDATORY_RULES) {
    const judgement = rule.judge?.(input);
    if (judgement === undefined) continue;
    if (judgement.verdict === 'deny') (denied ??= []).push(rule.id);
    else (escalated ??= []).push(rule.id);
    (messages ??= []).push(`${rule.id}: ${judgement.message}`);
  }
  if (denied !== undefined)
    return deny(CHECK, R.MR_VIOLATION, (messages ?? []).join('; '), { rules: denied });
  if (input.action.approval) {
    (escalated ??= []).push('policy-approval');
    (messages ??= []).push(`\`${input.action.name}\` requires human approval by policy`);
  }
  if (escalated !== undefined) {
    return escalate(CHECK, R.APPROVAL_REQUIRED, (messages ?? []).join('; '), { rules: escalated });
  }
  return pass(CHECK);
}
