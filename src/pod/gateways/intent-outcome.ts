// What an agent learns of an intent the commit layer settled: the tool and outbound gateways both
// submit intents and answer the agent from the outcome the same way. The Sentry recognizes a DSC
// denial by the `source: 'dsc'` in the error's details (an immune `dsc-denial` anomaly).

import {
  ERROR_CODES,
  type ErrorCode,
  fail,
  type JsonValue,
  KernelError,
  ok,
  type Result,
} from '../../shared/index.ts';
import type { IntentOutcome } from './port.ts';

const KNOWN_CODES = new Set<string>(Object.values(ERROR_CODES));

/**
 * Committed → the result. Denied by the DSC → `deniedCode` naming the first check that denied.
 * Escalated and waiting for a human → `{ held: true, intentId }`: a success, because the intent
 * was accepted and will run if a human approves; the agent must not retry it as if it failed.
 * Rejected by a human → `deniedCode`. Failed → the commit error.
 */
export function answerOf(outcome: IntentOutcome, deniedCode: ErrorCode): Result<JsonValue, KernelError> {
  if (outcome.state === 'committed') return ok(toJson(outcome.result));
  if (outcome.verdict === 'deny' || outcome.state === 'denied') {
    // WHY: an escalating check may come before the denying one; name the check that denied.
    const first = outcome.checks.find((c) => c.verdict === 'deny') ?? outcome.checks[0];
    const why =
      first === undefined
        ? 'the kernel denied it'
        : `check \`${first.check}\` denied it (${first.code}: ${first.reason})`;
    return fail(deniedCode, `intent \`${outcome.intentId}\` was denied: ${why}`, {
      source: 'dsc',
      intentId: outcome.intentId,
      checks: outcome.checks.map((c) => ({ check: c.check, code: c.code, reason: c.reason })),
    });
  }
  if (outcome.state === 'held' || outcome.state === 'escalated') {
    return ok({
      held: true,
      intentId: outcome.intentId,
      message: 'the intent waits for a human decision; it runs only if approved',
    });
  }
  if (outcome.state === 'rejected') {
    return fail(
      deniedCode,
      `intent \`${outcome.intentId}\` was rejected by a human or its approval expired`,
      {
        intentId: outcome.intentId,
      },
    );
  }
  if (outcome.state === 'conflict') {
    return fail(ERROR_CODES.CONCURRENCY_CONFLICT, `intent \`${outcome.intentId}\` lost a concurrent update`);
  }
  if (outcome.error !== undefined) {
    const code = KNOWN_CODES.has(outcome.error.code)
      ? (outcome.error.code as ErrorCode)
      : ERROR_CODES.CONNECTOR_FAILED;
    return fail(code, outcome.error.message, { intentId: outcome.intentId });
  }
  return fail(
    ERROR_CODES.COMMIT_REFUSED,
    `intent \`${outcome.intentId}\` ended in state \`${outcome.state}\``,
  );
}

/** True when the DSC denied the intent or a human rejected it: the gateway reports the call blocked. */
export function isRefused(outcome: IntentOutcome): boolean {
  return outcome.verdict === 'deny' || outcome.state === 'denied' || outcome.state === 'rejected';
}

/** True for the error `answerOf` gives an intent the DSC denied. */
export function isDscDenial(error: KernelError): boolean {
  return error instanceof KernelError && error.details?.source === 'dsc';
}

function toJson(value: unknown): JsonValue {
  return value === undefined ? null : (value as JsonValue);
}
