// The Deterministic Security Core (§15): seven checks, all always run, verdict = their AND.
// Pure: the same intent, context and clock reading give the same decision; nothing is mutated.

import { chargesFor, scaleRates } from './charges.ts';
import { checkBudget } from './checks/budget.ts';
import { checkCapability } from './checks/capability.ts';
import { checkIfc } from './checks/ifc.ts';
import { checkMandatoryRules } from './checks/mandatory-rules.ts';
import { deny } from './checks/outcome.ts';
import { checkPrefilter } from './checks/prefilter.ts';
import { checkRateLimit } from './checks/rate-limit.ts';
import { checkRevocationEpoch } from './checks/revocation-epoch.ts';
import { type CheckId, type CheckOutcome, type Decision, REASON_CODES, type Verdict } from './decision.ts';
import type { CheckInput, DecisionContext } from './decision-context.ts';
import type { Intent } from './intent.ts';
import { actionPolicyOf } from './policy.ts';
import { strictestSideEffect } from './side-effect.ts';
import { NORMAL_STANDING } from './standing-port.ts';
import { tokenDigest } from './token/index.ts';
import { TOKEN_REF_PREFIX, type TokenCacheView, type VerifiedToken } from './token/verified-token.ts';

type Check = readonly [CheckId, (input: CheckInput) => CheckOutcome];

/** The seven checks in the order of §15.3. */
export const CHECKS: readonly Check[] = Object.freeze([
  ['capability', checkCapability],
  ['rate-limit', checkRateLimit],
  ['budget', checkBudget],
  ['ifc', checkIfc],
  ['mandatory-rules', checkMandatoryRules],
  ['revocation-epoch', checkRevocationEpoch],
  [
    'prefilter',
    (input: CheckInput) =>
      checkPrefilter(input.intent, input.ctx.prefilter, input.ctx.policy.prefilter, input.ctx.standing),
  ],
] as const);

/** Decides one validated intent. Never throws: a failure inside a check is that check's deny (INV-7). */
export function decide(intent: Intent, ctx: DecisionContext): Decision {
  const wallMs = ctx.clock.wallMs();
  const monotonicMs = ctx.clock.monotonicMs();
  try {
    return decideAt(intent, ctx, wallMs, monotonicMs);
  } catch (error) {
    // WHY: even the lookups before the checks must fail closed; every check reports the failure.
    const message = `decision failed closed: ${describe(error)}`;
    return {
      intentId: intent.id,
      agent: intent.agent,
      action: intent.action,
      resource: intent.resource,
      verdict: 'deny',
      checks: CHECKS.map(([id]) => deny(id, REASON_CODES.CHECK_FAILED, message)),
      tokenId: undefined,
      policyHash: ctx.policy.hash,
      epoch: ctx.revocations.epoch,
      wallMs,
      monotonicMs,
      charges: {
        agent: intent.agent,
        rateBuckets: [],
        tokenUses: [],
        cost: intent.cost,
        tokenBudgets: [],
        agentBudget: undefined,
      },
    };
  }
}

function decideAt(intent: Intent, ctx: DecisionContext, wallMs: number, monotonicMs: number): Decision {
  const agent = ctx.policy.agents.get(intent.agent);
  const action = actionPolicyOf(ctx.policy, intent.action);
  const token = resolveToken(intent.token, ctx.tokens);
  const sideEffect = strictestSideEffect(intent.sideEffect, action.sideEffect);
  const standing = ctx.standing?.standingOf(intent, sideEffect) ?? NORMAL_STANDING;
  const input: CheckInput = {
    intent,
    ctx,
    wallMs,
    monotonicMs,
    agent,
    agentRing: ctx.agentRings.get(intent.agent) ?? agent?.ring,
    action,
    sideEffect,
    token,
    charges: scaleRates(chargesFor(intent, ctx.policy, agent, token), standing.rateFactor),
    standing,
  };
  // INVARIANT: all seven checks run for every intent, also after an early failure (DR-D1).
  const checks: CheckOutcome[] = new Array(CHECKS.length);
  let verdict: Verdict = 'allow';
  for (let i = 0; i < CHECKS.length; i++) {
    const outcome = runCheck(CHECKS[i] as Check, input);
    checks[i] = outcome;
    if (outcome.verdict === 'deny') verdict = 'deny';
    else if (outcome.verdict === 'escalate' && verdict === 'allow') verdict = 'escalate';
  }
  return {
    intentId: intent.id,
    agent: intent.agent,
    action: intent.action,
    resource: intent.resource,
    verdict,
    checks,
    tokenId: token?.claims.jti,
    policyHash: ctx.policy.hash,
    epoch: ctx.revocations.epoch,
    wallMs,
    monotonicMs,
    charges: input.charges,
  };
}

function runCheck([id, check]: Check, input: CheckInput): CheckOutcome {
  try {
    const outcome = check(input);
    // WHY: a check that reports under another name is a bug; never let it pass as this check.
    return outcome.check === id
      ? outcome
      : deny(id, REASON_CODES.CHECK_FAILED, 'check reported under another name');
  } catch (error) {
    return deny(id, REASON_CODES.CHECK_FAILED, `check failed closed: ${describe(error)}`);
  }
}

/** Finds the verified token an intent cites, by `tok:` reference or by the digest of the token it carries. */
export function resolveToken(token: string, cache: TokenCacheView): VerifiedToken | undefined {
  try {
    return cache.get(token.startsWith(TOKEN_REF_PREFIX) ? token : tokenDigest(token));
  } catch {
    return undefined;
  }
}

function describe(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s+/g, ' ').slice(0, 200);
}
