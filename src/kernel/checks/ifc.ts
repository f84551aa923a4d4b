// DSC check 4 (§11, §15.3): no read-up, no write-down, and data tainted EXTERNAL_UNTRUSTED that is
// CONFIDENTIAL or higher may not leave the system (DR-I1, DR-I4).

import { confidentialityRank, flowsTo } from '../../ifc/index.ts';
import { type CheckOutcome, REASON_CODES as R } from '../decision.ts';
import type { CheckInput } from '../decision-context.ts';
import { deny, pass } from './outcome.ts';

const CHECK = 'ifc';
const CONFIDENTIAL_RANK = confidentialityRank('CONFIDENTIAL');

export function checkIfc(input: CheckInput): CheckOutcome {
  const { agent, action, intent, sideEffect } = input;
  // WHY: without a registered agent there is no clearance; check 1 reports the agent, this check denies too.
  if (agent === undefined)
    return deny(CHECK, R.IFC_ABOVE_CLEARANCE, 'no clearance for an unregistered agent');
  const clearance = agent.clearance;
  // WHY: an unlabelled payload may hold anything the agent could read, and nothing vouches for it.
  const carried = intent.labels?.confidentiality ?? clearance;
  const integrity = intent.labels?.integrity ?? 'UNTRUSTED';
  if (!flowsTo(carried, clearance)) {
    return deny(
      CHECK,
      R.IFC_ABOVE_CLEARANCE,
      `payload labelled ${carried} exceeds the agent's clearance ${clearance}`,
    );
  }
  if (!flowsTo(action.output.confidentiality, clearance)) {
    return deny(
      CHECK,
      R.IFC_READ_UP,
      `\`${action.name}\` returns ${action.output.confidentiality} data above clearance ${clearance}`,
    );
  }
  const sends = sideEffect !== 'read' || action.external;
  if (sends && !flowsTo(carried, action.destination)) {
    return deny(
      CHECK,
      R.IFC_WRITE_DOWN,
      `${carried} data may not flow to a destination cleared for ${action.destination}`,
    );
  }
  if (
    action.external &&
    integrity === 'EXTERNAL_UNTRUSTED' &&
    confidentialityRank(carried) >= CONFIDENTIAL_RANK
  ) {
    return deny(
      CHECK,
      R.IFC_UNTRUSTED_EXFILTRATION,
      `${carried} data mixed with external untrusted input may not leave`,
    );
  }
  return pass(CHECK);
}
