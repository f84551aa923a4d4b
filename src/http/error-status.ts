// The one table from error codes to HTTP status for the API, and the error body every failure
// carries: `{ error: { code, message } }`. Wire codes are assigned here and nowhere else.

import type { FastifyReply } from 'fastify';
import type { ErrorCode, KernelError, Result } from '../shared/index.ts';

/** Wire-only code for failures that are not a `KernelError` (a bug): the body never says more. */
export const INTERNAL_CODE = 'INTERNAL';

export type ErrorBody = { readonly error: { readonly code: string; readonly message: string } };

const STATUS: Partial<Readonly<Record<ErrorCode, number>>> = {
  INVALID_INPUT: 400,
  INVALID_JSON: 400,
  INVALID_UTF8: 400,
  FORBIDDEN_KEY: 400,
  SAGA_INVALID: 400,
  QUARANTINE_REF_UNKNOWN: 400,
  MANIFEST_INVALID: 400,
  QUARANTINE_STAGE_INVALID: 400,
  UNAUTHORIZED: 401,
  QUARANTINE_APPROVAL_REQUIRED: 403,
  GATEWAY_DENIED: 403,
  NOT_FOUND: 404,
  INTENT_NOT_FOUND: 404,
  SESSION_UNKNOWN: 404,
  SESSION_EXISTS: 409,
  APPROVAL_NOT_FOUND: 404,
  AGENT_UNKNOWN: 404,
  SESSION_MISMATCH: 409,
  APPROVAL_DECIDED: 409,
  STORAGE_CONFLICT: 409,
  CONCURRENCY_CONFLICT: 409,
  SAGA_FINISHED: 409,
  AGENT_RUNNING: 409,
  AGENT_NOT_RUNNING: 409,
  POD_TERMINATED: 409,
  INTERRUPTED: 409,
  APPROVAL_EXPIRED: 410,
  UNDO_EXPIRED: 410,
  OVERSIZED_INPUT: 413,
  UNDO_IMPOSSIBLE: 422,
  APPROVAL_MISMATCH: 422,
  SANDBOX_UNAVAILABLE: 422,
  SANDBOX_START_FAILED: 422,
  POD_BUSY: 429,
  TASK_FAILED: 502,
  COMMIT_FROZEN: 503,
  JOURNAL_FAILED: 503,
  JOURNAL_BROKEN: 503,
  DISK_FULL: 503,
  READ_ONLY: 503,
  STORAGE_CLOSED: 503,
  TASK_TIMEOUT: 504,
};

/**
 * The HTTP status for an error code. Codes not in the table follow their family (`INVALID_*` 400,
 * `*_NOT_FOUND` 404, `TOKEN_*` 400: a token the caller sent is bad); anything else is 500.
 */
export function statusForCode(code: string): number {
  const listed = (STATUS as Readonly<Record<string, number | undefined>>)[code];
  if (listed !== undefined) return listed;
  if (code.startsWith('INVALID_') || code.startsWith('TOKEN_')) return 400;
  if (code.endsWith('_NOT_FOUND')) return 404;
  return 500;
}

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

/** Sends a result: its value with `status`, or its error as the error body with the code's status. */
export function respond(
  reply: FastifyReply,
  result: Result<unknown, KernelError>,
  status = 200,
): FastifyReply {
  if (result.ok) return reply.code(status).send(result.value);
  const { code, message } = result.error;
  return reply.code(statusForCode(code)).send(errorBody(code, message));
}
