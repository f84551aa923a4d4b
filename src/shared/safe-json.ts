// Strict parsing of untrusted JSON at the kernel boundary: valid UTF-8, bounded size and depth,
// and no `__proto__` / `constructor` / `prototype` keys anywhere (prototype-pollution vectors).

import type { KernelError } from './errors.ts';
import { ERROR_CODES } from './errors.ts';
import { fail, ok, type Result } from './result.ts';

export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export type SafeJsonLimits = { bytesMax: number; depthMax: number };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Decodes bytes as UTF-8, refusing invalid sequences. */
export function decodeUtf8(bytes: Uint8Array): Result<string, KernelError> {
  try {
    return ok(utf8.decode(bytes));
  } catch {
    return fail(ERROR_CODES.INVALID_UTF8, 'input is not valid utf-8');
  }
}

/** Parses `input` as JSON within `limits`; returns a stable error code for every kind of bad input. */
export function parseJsonStrict(
  input: string | Uint8Array,
  limits: SafeJsonLimits,
): Result<JsonValue, KernelError> {
  let text: string;
  if (typeof input === 'string') {
    text = input;
    if (Buffer.byteLength(text, 'utf8') > limits.bytesMax) return oversized(limits.bytesMax);
    if (!text.isWellFormed()) return fail(ERROR_CODES.INVALID_UTF8, 'input contains lone surrogates');
  } else {
    if (input.byteLength > limits.bytesMax) return oversized(limits.bytesMax);
    const decoded = decodeUtf8(input);
    if (!decoded.ok) return decoded;
    text = decoded.value;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return fail(ERROR_CODES.INVALID_JSON, `input is not valid json: ${(error as Error).message}`);
  }
  return checkJsonValue(value, limits.depthMax);
}

/** Walks an already-parsed value: forbidden keys and depth. Iterative, so hostile depth cannot overflow the stack. */
export function checkJsonValue(value: unknown, depthMax: number): Result<JsonValue, KernelError> {
  const stack: Array<{ node: unknown; depth: number }> = [{ node: value, depth: 0 }];
  while (stack.length > 0) {
    const item = stack.pop();
    if (item === undefined) break;
    const { node, depth } = item;
    if (node === null || typeof node !== 'object') continue;
    if (depth >= depthMax)
      return fail(ERROR_CODES.OVERSIZED_INPUT, `input nests deeper than ${depthMax} levels`);
    if (Array.isArray(node)) {
      for (const child of node) stack.push({ node: child, depth: depth + 1 });
      continue;
    }
    for (const key of Object.keys(node)) {
      if (FORBIDDEN_KEYS.has(key)) return fail(ERROR_CODES.FORBIDDEN_KEY, `key \`${key}\` is not allowed`);
      stack.push({ node: (node as Record<string, unknown>)[key], depth: depth + 1 });
    }
  }
  return ok(value as JsonValue);
}

function oversized(bytesMax: number): Result<never, KernelError> {
  return fail(ERROR_CODES.OVERSIZED_INPUT, `input exceeds ${bytesMax} bytes`);
}
