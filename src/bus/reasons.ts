// Stable reasons for every way the bus refuses, drops or fails a message. Each reason maps to the
// closest shared `ERROR_CODES` entry; the reason itself travels in `KernelError.details.reason`.

import { ERROR_CODES, type Err, type ErrorCode, fail, type KernelError } from '../shared/index.ts';

export const BUS_REASONS = {
  /** The wire form is larger than the envelope size limit. */
  BUS_OVERSIZED: 'BUS_OVERSIZED',
  /** Not JSON, not an envelope, an unknown or missing field, or a field of the wrong type. */
  BUS_MALFORMED: 'BUS_MALFORMED',
  BUS_KEY_UNKNOWN: 'BUS_KEY_UNKNOWN',
  BUS_KEY_RETIRED: 'BUS_KEY_RETIRED',
  /** The key exists but belongs to another sender than `from`. */
  BUS_KEY_MISMATCH: 'BUS_KEY_MISMATCH',
  BUS_SIGNATURE_INVALID: 'BUS_SIGNATURE_INVALID',
  /** A sequence number, id or nonce this recipient already accepted from the sender. */
  BUS_REPLAY: 'BUS_REPLAY',
  /** A sequence number more than the replay window behind the highest one seen. */
  BUS_SEQ_TOO_OLD: 'BUS_SEQ_TOO_OLD',
  BUS_CLOCK_SKEW: 'BUS_CLOCK_SKEW',
  /** The recipient has no receive policy (default deny). */
  BUS_RECIPIENT_UNKNOWN: 'BUS_RECIPIENT_UNKNOWN',
  /** The message reached a recipient that is not in its `to` list. */
  BUS_NOT_ADDRESSED: 'BUS_NOT_ADDRESSED',
  BUS_SENDER_NOT_ALLOWED: 'BUS_SENDER_NOT_ALLOWED',
  /** The sender's trust score is below the recipient's threshold (issue 5, decision 0011). */
  BUS_TRUST_BELOW_THRESHOLD: 'BUS_TRUST_BELOW_THRESHOLD',
  BUS_SCHEMA_UNKNOWN: 'BUS_SCHEMA_UNKNOWN',
  BUS_SCHEMA_INVALID: 'BUS_SCHEMA_INVALID',
  BUS_RATE_LIMITED: 'BUS_RATE_LIMITED',
  /** IFC no-write-down: the label does not flow to the recipient's clearance. */
  BUS_LABEL_ABOVE_CLEARANCE: 'BUS_LABEL_ABOVE_CLEARANCE',
  BUS_DLP_BLOCKED: 'BUS_DLP_BLOCKED',
  /** Back-pressure: the recipient's bounded queue is full; the publisher should retry later. */
  BUS_QUEUE_FULL: 'BUS_QUEUE_FULL',
  /** The recipient is blocked (quarantined or killed): nothing is delivered to it. */
  BUS_RECIPIENT_BLOCKED: 'BUS_RECIPIENT_BLOCKED',
  BUS_HANDLER_FAILED: 'BUS_HANDLER_FAILED',
  BUS_SENDER_UNKNOWN: 'BUS_SENDER_UNKNOWN',
  /** The recipient already has a subscriber (one per recipient keeps its order). */
  BUS_SUBSCRIBED: 'BUS_SUBSCRIBED',
  BUS_CLOSED: 'BUS_CLOSED',
  BUS_TRANSPORT: 'BUS_TRANSPORT',
} as const;

export type BusReason = (typeof BUS_REASONS)[keyof typeof BUS_REASONS];

const CODE_OF: Readonly<Record<BusReason, ErrorCode>> = {
  BUS_OVERSIZED: ERROR_CODES.OVERSIZED_INPUT,
  BUS_MALFORMED: ERROR_CODES.INVALID_INPUT,
  BUS_KEY_UNKNOWN: ERROR_CODES.MESSAGE_DENIED,
  BUS_KEY_RETIRED: ERROR_CODES.MESSAGE_DENIED,
  BUS_KEY_MISMATCH: ERROR_CODES.MESSAGE_DENIED,
  BUS_SIGNATURE_INVALID: ERROR_CODES.MESSAGE_DENIED,
  BUS_REPLAY: ERROR_CODES.MESSAGE_DENIED,
  BUS_SEQ_TOO_OLD: ERROR_CODES.MESSAGE_DENIED,
  BUS_CLOCK_SKEW: ERROR_CODES.MESSAGE_DENIED,
  BUS_RECIPIENT_UNKNOWN: ERROR_CODES.MESSAGE_DENIED,
  BUS_NOT_ADDRESSED: ERROR_CODES.MESSAGE_DENIED,
  BUS_SENDER_NOT_ALLOWED: ERROR_CODES.MESSAGE_DENIED,
  BUS_TRUST_BELOW_THRESHOLD: ERROR_CODES.MESSAGE_DENIED,
  BUS_SCHEMA_UNKNOWN: ERROR_CODES.MESSAGE_DENIED,
  BUS_SCHEMA_INVALID: ERROR_CODES.MESSAGE_DENIED,
  BUS_RATE_LIMITED: ERROR_CODES.GATEWAY_RATE_LIMITED,
  BUS_LABEL_ABOVE_CLEARANCE: ERROR_CODES.MESSAGE_DENIED,
  BUS_DLP_BLOCKED: ERROR_CODES.MESSAGE_DENIED,
  BUS_QUEUE_FULL: ERROR_CODES.POD_BUSY,
  BUS_RECIPIENT_BLOCKED: ERROR_CODES.AGENT_NOT_RUNNING,
  BUS_HANDLER_FAILED: ERROR_CODES.TASK_FAILED,
  BUS_SENDER_UNKNOWN: ERROR_CODES.AGENT_UNKNOWN,
  BUS_SUBSCRIBED: ERROR_CODES.INVALID_INPUT,
  BUS_CLOSED: ERROR_CODES.GATEWAY_CLOSED,
  BUS_TRANSPORT: ERROR_CODES.IO,
};

/** The shared error code a bus reason is reported under. */
export function codeOfReason(reason: BusReason): ErrorCode {
  return CODE_OF[reason];
}

/** A failed result whose error carries `reason` in `details.reason`. */
export function busFail(
  reason: BusReason,
  message: string,
  details: Record<string, unknown> = {},
): Err<KernelError> {
  return fail(CODE_OF[reason], message, { ...details, reason });
}

/** The bus reason of an error, or undefined when it did not come from the bus. */
export function reasonOf(error: KernelError): BusReason | undefined {
  const reason = error.details?.reason;
  return typeof reason === 'string' && Object.hasOwn(CODE_OF, reason) ? (reason as BusReason) : undefined;
}
