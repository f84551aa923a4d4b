// Result unions for operations whose failure the caller must branch on.

import { type ErrorCode, KernelError } from './errors.ts';

export type Ok<T> = { readonly ok: true; readonly value: T };
export type Err<E> = { readonly ok: false; readonly error: E };
export type Result<T, E = KernelError> = Ok<T> | Err<E>;

export function ok<T>(value: T): Ok<T> {
  return { ok: true, value };
}

export function err<E>(error: E): Err<E> {
  return { ok: false, error };
}

/** Shorthand for `err(new KernelError(code, message, details))`. */
export function fail(code: ErrorCode, message: string, details?: Record<string, unknown>): Err<KernelError> {
  return err(new KernelError(code, message, details));
}

/** Returns the value or throws the error: for boundaries where a throw is the contract. */
export function unwrap<T>(result: Result<T, unknown>): T {
  if (result.ok) return result.value;
  throw result.error;
}
