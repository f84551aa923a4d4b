// A declassification asked for inside a session (§11.3, issue 7): the session supplies `from` (its
// label) and the original (what it read above the target level); the Declassifier decides; only an
// allow is granted, and only if the session read nothing more in the meantime. Used by the runtime's
// API and by replay.

import { hashHex } from '../../shared/index.ts';
import type { FlowSession } from '../flow-session.ts';
import { type Confidentiality, isConfidentiality } from '../label.ts';
import { DECLASSIFY_CODES, type Declassifier, type DeclassifyOutcome } from './protocol.ts';

/** What an agent asks for: release `text` to level `to`, saying why. */
export type ReleaseInput = {
  readonly text: string;
  readonly to: Confidentiality;
  readonly justification: string;
};

/** A decided request, ready to be audited and (on allow) granted. Audit records leave out `text`. */
export type ReleaseDecision = {
  readonly text: string;
  readonly agent: string;
  readonly session: string;
  readonly from: Confidentiality;
  readonly to: Confidentiality;
  /** SHA-256 (hex) of the text as sent: the audit names the text without holding it. */
  readonly textSha256: string;
  readonly outcome: DeclassifyOutcome;
  /** How many sources the session had read when the gates ran. */
  readonly sources: number;
};

/** A justification longer than this is refused before any gate runs (the API and replay share it). */
export const JUSTIFICATION_CHARS_MAX = 4096;

/** Runs the three gates for `input` in `session`; never throws (the Declassifier denies on failure). */
export async function decideRelease(
  declassifier: Declassifier,
  session: FlowSession,
  input: ReleaseInput,
): Promise<ReleaseDecision> {
  const from = session.label.confidentiality;
  const sources = session.sources;
  const text = typeof input.text === 'string' ? input.text : '';
  const justification = typeof input.justification === 'string' ? input.justification : '';
  const outcome: DeclassifyOutcome =
    justification.length > JUSTIFICATION_CHARS_MAX
      ? {
          verdict: 'deny',
          gates: [],
          code: DECLASSIFY_CODES.INVALID,
          reason: `the justification is longer than ${JUSTIFICATION_CHARS_MAX} characters`,
        }
      : await declassifier.request({
          agent: session.agent,
          session: session.id,
          from,
          to: input.to,
          original: isConfidentiality(input.to) ? session.sourceText(input.to) : '',
          proposed: text,
          justification,
        });
  const { agent, id } = session;
  return { text, agent, session: id, from, to: input.to, textSha256: hashHex(text), outcome, sources };
}

/** Why an allowed decision may not be granted in `session` now; undefined when it may. */
export function releaseRefusal(session: FlowSession, decision: ReleaseDecision): string | undefined {
  if (decision.outcome.verdict !== 'allow') return `the verdict is ${decision.outcome.verdict}`;
  if (session.id !== decision.session) return 'the decision is for another session';
  // INVARIANT: the gates judged the text against what the session had read; a source read since
  // was not part of that judgement, so nothing is granted.
  if (session.sources !== decision.sources) return 'the session read more while the request was decided';
  return undefined;
}

/** Grants an allowed decision (`text` released to `to`); returns why not, or undefined when granted. */
export function grantRelease(session: FlowSession, decision: ReleaseDecision): string | undefined {
  const refused = releaseRefusal(session, decision);
  if (refused === undefined) session.release(decision.text, decision.to);
  return refused;
}
