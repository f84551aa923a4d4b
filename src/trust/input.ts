// Validation of what callers hand the trust ledger: ids, scores, severities, reversibility.
// Everything fails closed with INVALID_INPUT and the offending field in backticks.

import type { SideEffectClass } from '../kernel/index.ts';
import { ERROR_CODES, fail, ok, type Result } from '../shared/index.ts';
import { ID_CHARS_MAX, OMEGA } from './params.ts';

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it rejects.
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Whether `value` is a usable id: a non-empty string of printable characters, bounded. */
export function isTrustId(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length > 0 &&
    value.length <= ID_CHARS_MAX &&
    value.isWellFormed() &&
    !CONTROL.test(value)
  );
}

export function checkId(field: string, value: unknown): Result<string> {
  return isTrustId(value)
    ? ok(value)
    : fail(
        ERROR_CODES.INVALID_INPUT,
        `\`${field}\` must be a printable id of 1 to ${ID_CHARS_MAX} characters`,
      );
}

/** A number in [0, 1]; NaN and infinities are refused. */
export function isUnit(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 1;
}

export function checkReversibility(value: unknown): Result<SideEffectClass> {
  return isReversibility(value)
    ? ok(value)
    : fail(
        ERROR_CODES.INVALID_INPUT,
        '`reversibility` must be one of `read`, `write`, `destructive`, `irreversible`',
      );
}

function isReversibility(value: unknown): value is SideEffectClass {
  return typeof value === 'string' && Object.hasOwn(OMEGA, value);
}

/** A clamp that also maps NaN to 0 (fail closed: an undefined score trusts nothing). */
export function clampUnit(value: number): number {
  if (Number.isNaN(value) || value <= 0) return 0;
  return value >= 1 ? 1 : value;
}
