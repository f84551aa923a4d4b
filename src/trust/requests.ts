// Checks of the vouch and slash requests the ledger receives (from the bus, the immune system or a
// test): ids printable and bounded, severity in (0, 1], a bond's end in the future and bounded.

import { ERROR_CODES, fail, ok, type Result } from '../shared/index.ts';
import { checkId, isUnit } from './input.ts';
import { ATTESTATION_TTL_MS_MAX } from './params.ts';

export type VouchInput = {
  readonly voucher: string;
  readonly vouchee: string;
  readonly session: string;
  /** The vouchee's message or task id the bond stands behind. */
  readonly subject: string;
  /** When the task or session ends (wall-clock ms); at most a day ahead. */
  readonly expiresAtMs: number;
};

export type SlashRequest = {
  /** The vouchee whose message or task caused the denial or anomaly. */
  readonly agent: string;
  readonly session: string;
  readonly subject: string;
  /** How bad, in (0, 1]: scales every loss in the cascade. */
  readonly severity: number;
  /** The id of the denial or anomaly (a slash per cause and session, never two). */
  readonly cause: string;
};

export function checkVouch(input: VouchInput, nowMs: number): Result<VouchInput> {
  if (typeof input !== 'object' || input === null)
    return fail(ERROR_CODES.INVALID_INPUT, '`vouch` must be an object');
  for (const field of ['voucher', 'vouchee', 'session', 'subject'] as const) {
    const id = checkId(field, input[field]);
    if (!id.ok) return id;
  }
  const expiresAtMs = input.expiresAtMs;
  if (
    !Number.isSafeInteger(expiresAtMs) ||
    expiresAtMs <= nowMs ||
    expiresAtMs - nowMs > ATTESTATION_TTL_MS_MAX
  )
    return fail(ERROR_CODES.INVALID_INPUT, '`expiresAtMs` must be in the future and at most a day ahead');
  const { voucher, vouchee, session, subject } = input;
  return ok({ voucher, vouchee, session, subject, expiresAtMs });
}

export function checkSlash(input: SlashRequest): Result<SlashRequest> {
  if (typeof input !== 'object' || input === null)
    return fail(ERROR_CODES.INVALID_INPUT, '`slash` must be an object');
  for (const field of ['agent', 'session', 'subject', 'cause'] as const) {
    const id = checkId(field, input[field]);
    if (!id.ok) return id;
  }
  if (!isUnit(input.severity) || input.severity === 0)
    return fail(ERROR_CODES.INVALID_INPUT, '`severity` must be a number in (0, 1]');
  const { agent, session, subject, severity, cause } = input;
  return ok({ agent, session, subject, severity, cause });
}
