// DSC check 7 (§15.3): the structural pre-filter. Scores the intent's content for known attack
// shapes (kernel/prefilter/) and maps the score onto the policy's thresholds: below
// `escalateScore` passes, up to `blockScore` goes to a human, at or above it denies. A threat
// pattern the immune memory learned (§37.8.3) sends the intent to a human as well.

import { type CheckOutcome, REASON_CODES as R, type Verdict } from '../decision.ts';
import type { Intent } from '../intent.ts';
import type { PrefilterPolicy } from '../policy.ts';
import type { Prefilter, PrefilterFinding, PrefilterFindingKind } from '../prefilter/index.ts';
import type { StandingLookup } from '../standing-port.ts';
import { deny, escalate, pass } from './outcome.ts';

const CHECK = 'prefilter';

const DESCRIPTIONS: Readonly<Record<PrefilterFindingKind, string>> = {
  injection: 'an injection signature',
  'base64-instruction': 'base64-encoded instructions',
  homoglyph: 'a word mixing lookalike letters of different scripts',
  invisible: 'invisible characters',
  bidi: 'a bidirectional control character',
  oversized: 'an oversized field',
};

/**
 * Runs the compiled pre-filter on `intent` unless the policy disables it. A pass with findings
 * below the escalation threshold keeps them in `detail` for the audit log.
 */
export function checkPrefilter(
  intent: Intent,
  prefilter: Prefilter,
  policy: PrefilterPolicy,
  standing?: StandingLookup,
): CheckOutcome {
  const outcome = scan(intent, prefilter, policy);
  if (outcome.verdict === 'deny' || standing === undefined) return outcome;
  const learned = standing.recognize(intent);
  if (learned === undefined) return outcome;
  return escalate(CHECK, R.IMMUNE_MEMORY_MATCH, learned.reason, { code: learned.code, ...learned.detail });
}

function scan(intent: Intent, prefilter: Prefilter, policy: PrefilterPolicy): CheckOutcome {
  if (!policy.enabled) return pass(CHECK);
  const { score, findings } = prefilter.scan({
    action: intent.action,
    resource: intent.resource,
    args: intent.args,
  });
  const detail = { score, findings };
  const verdict = prefilterVerdict(score, policy);
  if (verdict === 'deny') return deny(CHECK, R.PREFILTER_BLOCKED, describe(findings), detail);
  if (verdict === 'escalate') return escalate(CHECK, R.PREFILTER_SUSPICIOUS, describe(findings), detail);
  return findings.length === 0 ? pass(CHECK) : { check: CHECK, verdict: 'allow', detail };
}

/** The policy's thresholds applied to a score: at or above `blockScore` deny, at or above `escalateScore` escalate. */
export function prefilterVerdict(score: number, policy: PrefilterPolicy): Verdict {
  if (score >= policy.blockScore) return 'deny';
  return score >= policy.escalateScore ? 'escalate' : 'allow';
}

/** One line naming the weightiest finding, e.g. "pre-filter found an injection signature at `args.body`". */
function describe(findings: readonly PrefilterFinding[]): string {
  let top: PrefilterFinding | undefined;
  for (const finding of findings) if (top === undefined || finding.score > top.score) top = finding;
  if (top === undefined) return 'pre-filter score reached the threshold';
  const others = findings.length - 1;
  const more = others === 0 ? '' : ` and ${others} other finding${others === 1 ? '' : 's'}`;
  return `pre-filter found ${DESCRIPTIONS[top.kind]} at \`${top.path}\`${more}`;
}
