// A declassification request in a replayed trace (§11.3, issue 7), decided now by the same
// three-gate protocol as a live session. Replay has no human and, unless a caller injects them, no
// gate-2 evaluators, so such a request escalates (or is denied by gate 1) and releases nothing.

import { type Declassifier, decideRelease, type GateRecord, grantRelease } from '../ifc/declassify/index.ts';
import type { FlowSession } from '../ifc/index.ts';
import type { TraceLine } from './trace-line.ts';

/** What replay prints for one `declassify` line. */
export type DeclassifyLine = {
  readonly declassify: string;
  readonly verdict: 'allow' | 'deny' | 'escalate';
  readonly reason: string;
  readonly gates: readonly GateRecord[];
};

export type DeclassifySummary = {
  readonly requests: number;
  readonly allowed: number;
  readonly escalated: number;
  readonly denied: number;
};

type Request = Extract<TraceLine, { kind: 'declassify' }>;

/** Decides `line` in `session`; an allow is granted there, so the trace's later calls may send the text. */
export async function replayDeclassify(
  declassifier: Declassifier,
  session: FlowSession,
  line: Request,
  evaluators: number,
): Promise<DeclassifyLine> {
  const decision = await decideRelease(declassifier, session, line);
  const { outcome } = decision;
  const printed = (reason: string): DeclassifyLine => ({
    declassify: line.id,
    verdict: outcome.verdict,
    reason,
    gates: outcome.gates,
  });
  if (outcome.verdict === 'deny') return printed(`${outcome.code}: ${outcome.reason}`);
  if (outcome.verdict === 'escalate') {
    const why =
      evaluators === 0
        ? 'replay runs no gate-2 evaluators, so gate 2 falls to a human, and replay has no human'
        : 'replay has no human to decide';
    return printed(`${outcome.reason}; ${why}: nothing is released`);
  }
  const refused = grantRelease(session, decision);
  return printed(
    refused === undefined
      ? `released to ${line.to} in this trace's session`
      : `allowed, not granted: ${refused}`,
  );
}
