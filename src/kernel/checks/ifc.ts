// DSC check 4 (§11, §15.3): no read-up, no write-down, and data tainted EXTERNAL_UNTRUSTED that is
// CONFIDENTIAL or higher may not leave the system (DR-I1, DR-I4). Inside a session it also judges
// the sink policy: argument provenance and context rules (issue 7).

import {
  type Confidentiality,
  clearedDestination,
  confidentialityRank,
  type FlowSessionView,
  flowsTo,
  judgeSink,
} from '../../ifc/index.ts';
import type { JsonValue } from '../../shared/index.ts';
import { type CheckOutcome, REASON_CODES as R, type ReasonCode } from '../decision.ts';
import type { CheckInput } from '../decision-context.ts';
import { sessionOf } from '../flow-record.ts';
import { type ReleasedArgument, releasedArguments } from './ifc-released.ts';
import { deny, escalate, pass } from './outcome.ts';

const CHECK = 'ifc';
const CONFIDENTIAL_RANK = confidentialityRank('CONFIDENTIAL');

type Finding = { readonly verdict: 'deny' | 'escalate'; readonly code: ReasonCode; readonly message: string };

export function checkIfc(input: CheckInput): CheckOutcome {
  const { agent, action, intent, sideEffect, ctx } = input;
  // WHY: without a registered agent there is no clearance; check 1 reports the agent, this check denies too.
  if (agent === undefined)
    return deny(CHECK, R.IFC_ABOVE_CLEARANCE, 'no clearance for an unregistered agent');
  let session: FlowSessionView | undefined;
  if (intent.session !== undefined && ctx.flows !== undefined) {
    session = sessionOf(ctx.flows, intent);
    // INVARIANT: a session is opened by whoever drives the loop; an intent cannot invent one to shed its taint.
    if (session === undefined) {
      return deny(
        CHECK,
        R.IFC_SESSION_UNKNOWN,
        `session \`${intent.session}\` is not open for agent \`${intent.agent}\``,
      );
    }
  }
  const clearance = agent.clearance;
  // WHY: an unlabelled payload outside a session may hold anything the agent could read, and nothing vouches for it.
  const declared = intent.labels?.confidentiality ?? (session === undefined ? clearance : undefined);
  const declaredIntegrity = intent.labels?.integrity ?? (session === undefined ? 'UNTRUSTED' : undefined);
  const findings: Finding[] = [];
  if (declared !== undefined && !flowsTo(declared, clearance)) {
    findings.push({
      verdict: 'deny',
      code: R.IFC_ABOVE_CLEARANCE,
      message: `payload labelled ${declared} exceeds the agent's clearance ${clearance}`,
    });
  }
  if (!flowsTo(action.output.confidentiality, clearance)) {
    findings.push({
      verdict: 'deny',
      code: R.IFC_READ_UP,
      message: `\`${action.name}\` returns ${action.output.confidentiality} data above clearance ${clearance}`,
    });
  }
  const sends = sideEffect !== 'read' || action.external;
  const args = intent.args as Record<string, JsonValue>;
  // WHY: who receives decides what the destination is cleared for (mail that stays in the company).
  const destination = clearedDestination(action.sink, action.destination, args);
  let released: readonly ReleasedArgument[] | undefined;
  if (sends) {
    writeDown(findings, 'deny', declared, destination, `${declared} data`);
    if (
      action.external &&
      declaredIntegrity === 'EXTERNAL_UNTRUSTED' &&
      declared !== undefined &&
      confidentialityRank(declared) >= CONFIDENTIAL_RANK
    ) {
      findings.push({
        verdict: 'deny',
        code: R.IFC_UNTRUSTED_EXFILTRATION,
        message: `${declared} data mixed with external untrusted input may not leave`,
      });
    }
    // WHY: the session's label is an over-approximation (it read this, not necessarily sends it), so
    // a flow only the context label forbids goes to a human instead of being refused outright. DR-I4
    // for the session label is the policy's to write as a context rule (decision 0007).
    const read = session?.label.confidentiality;
    // WHY: text a declassification released (§11.3) may go where it was released to: only this
    // escalation is waived, and only when everything sent is released or the user's own (ifc-released.ts).
    if (session !== undefined && read !== undefined && !flowsTo(read, destination)) {
      released = releasedArguments(session, args, destination);
    }
    if (released === undefined) {
      writeDown(findings, 'escalate', read, destination, `the session read ${read} data, which`);
    }
  }
  let detail: Record<string, unknown> | undefined;
  // WHY: a read can be a sink too (a URL fetched carries its query string out), so the policy decides.
  if (action.sink !== undefined) {
    const judged = judgeSink(action.sink, args, session);
    if (judged.verdict !== undefined && judged.code !== undefined) {
      findings.push({ verdict: judged.verdict, code: R[judged.code], message: judged.message ?? '' });
    }
    detail = { packet: judged.packet };
  }
  const outcome = outcomeOf(findings, detail);
  return released === undefined ? outcome : { ...outcome, detail: { ...outcome.detail, released } };
}

function writeDown(
  findings: Finding[],
  verdict: 'deny' | 'escalate',
  carried: Confidentiality | undefined,
  destination: Confidentiality,
  subject: string,
): void {
  if (carried === undefined || flowsTo(carried, destination)) return;
  findings.push({
    verdict,
    code: R.IFC_WRITE_DOWN,
    message: `${subject} may not flow to a destination cleared for ${destination}`,
  });
}

/** Deny beats escalate; the first finding of the deciding kind names the reason, all are in the detail. */
function outcomeOf(findings: readonly Finding[], detail: Record<string, unknown> | undefined): CheckOutcome {
  const first = findings.find((f) => f.verdict === 'deny') ?? findings[0];
  if (first === undefined) return pass(CHECK);
  const reasons = findings.map((f) => ({ verdict: f.verdict, code: f.code, message: f.message }));
  const all = { ...detail, ...(reasons.length > 1 ? { reasons } : {}) };
  const shown = Object.keys(all).length === 0 ? undefined : all;
  return first.verdict === 'deny'
    ? deny(CHECK, first.code, first.message, shown)
    : escalate(CHECK, first.code, first.message, shown);
}
