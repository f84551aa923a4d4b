// Operating errors: a `KernelError` carries a stable string code from `ERROR_CODES`.
// Denials are data (see kernel/decision.ts) and never use this type.

export const ERROR_CODES = {
  // input
  INVALID_INPUT: 'INVALID_INPUT',
  INVALID_JSON: 'INVALID_JSON',
  INVALID_UTF8: 'INVALID_UTF8',
  OVERSIZED_INPUT: 'OVERSIZED_INPUT',
  FORBIDDEN_KEY: 'FORBIDDEN_KEY',
  // configuration
  CONFIG_NOT_FOUND: 'CONFIG_NOT_FOUND',
  CONFIG_YAML: 'CONFIG_YAML',
  CONFIG_INVALID: 'CONFIG_INVALID',
  // tokens
  TOKEN_MALFORMED: 'TOKEN_MALFORMED',
  TOKEN_TRAILING_DATA: 'TOKEN_TRAILING_DATA',
  TOKEN_SIGNATURE_MISSING: 'TOKEN_SIGNATURE_MISSING',
  TOKEN_SIGNATURE_ORDER: 'TOKEN_SIGNATURE_ORDER',
  TOKEN_ALG_NONE: 'TOKEN_ALG_NONE',
  TOKEN_ALG_UNSUPPORTED: 'TOKEN_ALG_UNSUPPORTED',
  TOKEN_CRIT_UNKNOWN: 'TOKEN_CRIT_UNKNOWN',
  TOKEN_HEADER_INVALID: 'TOKEN_HEADER_INVALID',
  TOKEN_KEY_UNKNOWN: 'TOKEN_KEY_UNKNOWN',
  TOKEN_SIGNATURE_INVALID: 'TOKEN_SIGNATURE_INVALID',
  TOKEN_CLAIMS_INVALID: 'TOKEN_CLAIMS_INVALID',
  TOKEN_ATTENUATION_WIDENS: 'TOKEN_ATTENUATION_WIDENS',
  TOKEN_TTL_EXCESSIVE: 'TOKEN_TTL_EXCESSIVE',
  TOKEN_GRANT_EXCEEDED: 'TOKEN_GRANT_EXCEEDED',
  TOKEN_NOT_FOUND: 'TOKEN_NOT_FOUND',
  TOKEN_REVOKED: 'TOKEN_REVOKED',
  TOKEN_EXPIRED: 'TOKEN_EXPIRED',
  // rings
  RING_PROMOTION_REFUSED: 'RING_PROMOTION_REFUSED',
  // storage and keys
  KEY_STORE: 'KEY_STORE',
  IO: 'IO',
  // ledger
  RESERVATION_UNKNOWN: 'RESERVATION_UNKNOWN',
  RESERVATION_CONFLICT: 'RESERVATION_CONFLICT',
  // storage
  STORAGE: 'STORAGE',
  STORAGE_CONFLICT: 'STORAGE_CONFLICT',
  STORAGE_CLOSED: 'STORAGE_CLOSED',
  DISK_FULL: 'DISK_FULL',
  READ_ONLY: 'READ_ONLY',
  // journal
  JOURNAL_BROKEN: 'JOURNAL_BROKEN',
  JOURNAL_FAILED: 'JOURNAL_FAILED',
  // commit layer
  COMMIT_REFUSED: 'COMMIT_REFUSED',
  COMMIT_FROZEN: 'COMMIT_FROZEN',
  DECISION_INVALID: 'DECISION_INVALID',
  CONCURRENCY_CONFLICT: 'CONCURRENCY_CONFLICT',
  LOCK_TIMEOUT: 'LOCK_TIMEOUT',
  AGENT_PAUSED: 'AGENT_PAUSED',
  CONNECTOR_MISSING: 'CONNECTOR_MISSING',
  CONNECTOR_FAILED: 'CONNECTOR_FAILED',
  SNAPSHOT_FAILED: 'SNAPSHOT_FAILED',
  INTENT_NOT_FOUND: 'INTENT_NOT_FOUND',
  UNDO_EXPIRED: 'UNDO_EXPIRED',
  UNDO_IMPOSSIBLE: 'UNDO_IMPOSSIBLE',
  // oversight and sagas
  APPROVAL_NOT_FOUND: 'APPROVAL_NOT_FOUND',
  APPROVAL_EXPIRED: 'APPROVAL_EXPIRED',
  APPROVAL_MISMATCH: 'APPROVAL_MISMATCH',
  APPROVAL_DECIDED: 'APPROVAL_DECIDED',
  SAGA_INVALID: 'SAGA_INVALID',
  SAGA_FINISHED: 'SAGA_FINISHED',
  // daemon and API
  DAEMON_LOCKED: 'DAEMON_LOCKED',
  DAEMON_UNREACHABLE: 'DAEMON_UNREACHABLE',
  UNAUTHORIZED: 'UNAUTHORIZED',
  NOT_FOUND: 'NOT_FOUND',
} as const;

export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

/** An operating error with a stable `code`; `message` follows Cedar's rules (lowercase, one line). */
export class KernelError extends Error {
  override name = 'KernelError';
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.code = code;
    this.details = details;
  }

  toJSON(): { code: ErrorCode; message: string; details?: Readonly<Record<string, unknown>> } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export function isKernelError(value: unknown): value is KernelError {
  return value instanceof KernelError;
}
