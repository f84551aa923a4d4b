// Declassification for a live kernel session (§11.3, issue 7): the runtime's one Declassifier
// decides, the decision is journaled as `ifc.declassify` (text hashed, never stored), and only then
// is an allow granted in the session, so check 4 lets the released text through.

import {
  decideRelease,
  GATE1_TEXT_BYTES_MAX,
  JUSTIFICATION_CHARS_MAX,
  type ReleaseDecision,
  releaseRefusal,
} from '../ifc/declassify/index.ts';
import { isConfidentiality } from '../ifc/index.ts';
import type { JsonObject } from '../kernel/index.ts';
import { ERROR_CODES, fail, type KernelError, ok, type Result } from '../shared/index.ts';
import type { CommitRuntime } from './commit-runtime.ts';
import type { DeclassifyInput, DeclassifyView } from './service.ts';

/** A text to declassify longer than this (UTF-8) fails gate 1 unexamined; the API refuses it up front. */
export const DECLASSIFY_TEXT_BYTES_MAX = GATE1_TEXT_BYTES_MAX;
export const DECLASSIFY_JUSTIFICATION_CHARS_MAX = JUSTIFICATION_CHARS_MAX;
/** The journal record type of every declassification request, whatever its verdict. */
export const DECLASSIFY_RECORD = 'ifc.declassify';
/** Justifications are journaled cut to this many characters. */
const JUSTIFICATION_JOURNALED_MAX = 1000;
const NO_HUMAN_PATH = 'no human approval path for declassification exists yet: nothing is released';

/** Decides, journals and (on allow) grants a declassification of `input.text` in session `id`. */
export async function declassifySession(
  rt: CommitRuntime,
  id: string,
  input: DeclassifyInput,
): Promise<Result<DeclassifyView, KernelError>> {
  const session = rt.kernel.flows.get(id);
  if (session === undefined) return fail(ERROR_CODES.SESSION_UNKNOWN, `no session \`${id}\``);
  if (!isConfidentiality(input.to)) {
    return fail(ERROR_CODES.INVALID_INPUT, `\`to\` must be PUBLIC, INTERNAL, CONFIDENTIAL or RESTRICTED`);
  }
  // INVARIANT: a kernel that cannot commit (emergency, freeze, recovery) grants no declassification either.
  if (rt.kernel.mode !== 'operational') {
    return fail(ERROR_CODES.COMMIT_FROZEN, `the kernel is in ${rt.kernel.mode} mode: no declassification`);
  }
  const decision = await decideRelease(rt.declassifier, session, input);
  const refused = decision.outcome.verdict === 'allow' ? releaseRefusal(session, decision) : undefined;
  // WHY: a grant with no audit record must not exist (§11.3: every declassification audited), so the
  // record is written first and a failed write grants nothing. Whether it grants is settled before
  // the write, so the record says what happens.
  const granted = decision.outcome.verdict === 'allow' && refused === undefined;
  let seq: number;
  try {
    seq = (await rt.journal.append(DECLASSIFY_RECORD, record(decision, input, granted))).seq;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return fail(ERROR_CODES.JOURNAL_FAILED, `cannot journal the declassification: ${message}`);
  }
  if (granted) session.release(decision.text, decision.to);
  return ok(view(decision, granted, refused, seq));
}

function record(decision: ReleaseDecision, input: DeclassifyInput, granted: boolean): JsonObject {
  const { outcome } = decision;
  const data = {
    agent: decision.agent,
    session: decision.session,
    from: decision.from,
    to: decision.to,
    verdict: outcome.verdict,
    ...(outcome.verdict === 'deny' ? { code: outcome.code } : {}),
    reason: reasonOf(decision),
    gates: outcome.gates,
    textSha256: decision.textSha256,
    textChars: decision.text.length,
    justification: String(input.justification ?? '').slice(0, JUSTIFICATION_JOURNALED_MAX),
    granted,
  };
  // WHY: gate details are plain data, but the journal takes JSON only; a round trip guarantees it.
  return JSON.parse(JSON.stringify(data)) as JsonObject;
}

function reasonOf(decision: ReleaseDecision): string {
  const { outcome } = decision;
  if (outcome.verdict === 'allow') return `released to ${decision.to}`;
  if (outcome.verdict === 'deny') return `${outcome.code}: ${outcome.reason}`;
  return `${outcome.reason}; ${NO_HUMAN_PATH}`;
}

function view(
  decision: ReleaseDecision,
  granted: boolean,
  refused: string | undefined,
  seq: number,
): DeclassifyView {
  const { outcome } = decision;
  const reason = reasonOf(decision);
  return {
    session: decision.session,
    agent: decision.agent,
    from: decision.from,
    to: decision.to,
    verdict: outcome.verdict,
    ...(outcome.verdict === 'deny' ? { code: outcome.code } : {}),
    reason:
      outcome.verdict === 'allow' && refused !== undefined ? `allowed, not granted: ${refused}` : reason,
    gates: outcome.gates,
    granted,
    textSha256: decision.textSha256,
    journalSeq: seq,
  };
}
