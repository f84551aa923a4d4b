// DSC check 1 (§15.3): a valid, unexpired, unrevoked, hybrid-signed token bound to this agent and
// node covers this exact action, resource and arguments (DR-T1, DR-T6, INV-4).

import { type CheckOutcome, REASON_CODES as R } from '../decision.ts';
import type { CheckInput } from '../decision-context.ts';
import { resourceProblem } from '../token/pattern.ts';
import { tokenDefect } from '../token/standing.ts';
import { deny, pass } from './outcome.ts';

const CHECK = 'capability';

export function checkCapability(input: CheckInput): CheckOutcome {
  const { intent, ctx, token, wallMs } = input;
  if (input.agent === undefined)
    return deny(CHECK, R.UNKNOWN_AGENT, `agent \`${intent.agent}\` is not registered`);
  if (ctx.tokenError !== undefined) {
    return deny(CHECK, R.TOKEN_INVALID, `token rejected: ${ctx.tokenError.message}`, {
      error: ctx.tokenError.code,
    });
  }
  if (token === undefined) {
    return deny(CHECK, R.TOKEN_NOT_VERIFIED, 'token is not known to this kernel; present the token itself');
  }
  const { claims } = token;
  if (claims.sub !== intent.agent) {
    return deny(
      CHECK,
      R.TOKEN_SUBJECT_MISMATCH,
      `token is bound to \`${claims.sub}\`, not \`${intent.agent}\``,
    );
  }
  if (claims.aud !== ctx.policy.nodeId) {
    return deny(CHECK, R.TOKEN_AUDIENCE_MISMATCH, `token is for \`${claims.aud}\`, not this node`);
  }
  const defect = tokenDefect(token, ctx.revocations, wallMs);
  if (defect !== undefined) {
    return deny(
      CHECK,
      R[defect.code],
      defect.message,
      defect.jti === undefined ? undefined : { jti: defect.jti },
    );
  }
  // WHY: the intent boundary already refuses these; deciding a hand-built intent must not trust that.
  const resourceInvalid = resourceProblem(intent.resource);
  if (resourceInvalid !== undefined) return deny(CHECK, R.RESOURCE_INVALID, resourceInvalid);
  const vars = { args: intent.args, resource: intent.resource, action: intent.action, agent: intent.agent };
  const match = token.match(intent.action, intent.resource, vars);
  switch (match.kind) {
    case 'covered':
      return pass(CHECK);
    case 'not-covered':
      return deny(
        CHECK,
        R.SCOPE_NOT_COVERED,
        `no scope grants \`${intent.action}\` on \`${intent.resource}\``,
        {
          missing: { action: intent.action, resource: intent.resource },
        },
      );
    case 'constraint-failed':
      return deny(CHECK, R.CONSTRAINT_FAILED, `constraint \`${match.expression}\` does not hold`);
    case 'constraint-error':
      return deny(CHECK, R.CONSTRAINT_ERROR, `constraint \`${match.expression}\` failed: ${match.message}`);
  }
}
