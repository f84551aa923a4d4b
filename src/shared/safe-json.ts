// Strict parsing of untrusted JSON at the kernel boundary: valid UTF-8, bounded size and depth,
// and no `__proto__` / `constructor` / `prototype` keys anywhere (prototype-pollution vectors).

import type { KernelError } from './errors.ts';
import { ERROR_CODES, type ErrorCode } from './errors.ts';
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
    // WHY: bytes lose a leading byte-order mark in decoding; text must behave the same.
    text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
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
  return checkJsonValue(value, limits);
}

/**
 * Walks a value that claims to be JSON: only null, booleans, finite numbers, well-formed strings,
 * arrays and plain objects; no forbidden keys; within the depth and (estimated UTF-8) size bounds.
 * Iterative, and every array's length is charged before it is walked, so neither hostile depth nor
 * a sparse array of a billion holes can stall or overflow it. Errors name the offending path.
 */
export function checkJsonValue(value: unknown, limits: SafeJsonLimits): Result<JsonValue, KernelError> {
  const stack: Pending[] = [{ node: value, depth: 0, key: undefined, parent: undefined }];
  const used = { bytes: 0 };
  while (stack.length > 0) {
    const item = stack.pop();
    if (item === undefined) break;
    const { node, depth } = item;
    used.bytes += 1;
    if (typeof node === 'string') {
      if (!node.isWellFormed()) return bad(ERROR_CODES.INVALID_UTF8, 'input contains lone surrogates', item);
      used.bytes += node.length;
    } else if (typeof node === 'number') {
      if (!Number.isFinite(node))
        return bad(ERROR_CODES.INVALID_INPUT, notJson('a number that is not finite'), item);
    } else if (node !== null && typeof node === 'object') {
      if (depth >= limits.depthMax) {
        return bad(ERROR_CODES.OVERSIZED_INPUT, `input nests deeper than ${limits.depthMax} levels`, item);
      }
      const problem = pushChildren(item, stack, used, limits.bytesMax);
      if (problem !== undefined) return problem;
    } else if (node !== null && typeof node !== 'boolean') {
      return bad(ERROR_CODES.INVALID_INPUT, notJson(`a value of type ${typeof node}`), item);
    }
    // WHY: string length counts UTF-16 units; a unit is at most 3 UTF-8 bytes, so this bound is exact
    // for ASCII and never more than 3x generous.
    if (used.bytes > limits.bytesMax) return oversized(limits.bytesMax);
  }
  return ok(value as JsonValue);
}

type Pending = {
  readonly node: unknown;
  readonly depth: number;
  readonly key: string | number | undefined;
  readonly parent: Pending | undefined;
};

function pushChildren(
  item: Pending,
  stack: Pending[],
  used: { bytes: number },
  bytesMax: number,
): Result<never, KernelError> | undefined {
  const node = item.node as object;
  const depth = item.depth + 1;
  if (Array.isArray(node)) {
    if (Object.getPrototypeOf(node) !== Array.prototype)
      return bad(ERROR_CODES.INVALID_INPUT, notJson('an array subclass'), item);
    if (used.bytes + node.length > bytesMax) return oversized(bytesMax);
    for (let i = 0; i < node.length; i++) {
      if (!Object.hasOwn(node, i))
        return bad(ERROR_CODES.INVALID_INPUT, notJson('an array with holes'), item);
      stack.push({ node: node[i], depth, key: i, parent: item });
    }
    return undefined;
  }
  const proto = Object.getPrototypeOf(node);
  // WHY: boxed strings, objects with toJSON, Maps and class instances serialize differently from how
  // the checks read them; only plain data may reach the kernel.
  if (proto !== Object.prototype && proto !== null) {
    return bad(ERROR_CODES.INVALID_INPUT, notJson('an object that is not plain data'), item);
  }
  if (Object.getOwnPropertySymbols(node).length > 0) {
    return bad(ERROR_CODES.INVALID_INPUT, notJson('an object with symbol keys'), item);
  }
  for (const key of Object.keys(node)) {
    const child: Pending = { node: undefined, depth, key, parent: item };
    if (FORBIDDEN_KEYS.has(key))
      return bad(ERROR_CODES.FORBIDDEN_KEY, `key \`${key}\` is not allowed`, child);
    const descriptor = Object.getOwnPropertyDescriptor(node, key);
    if (descriptor === undefined || !('value' in descriptor)) {
      return bad(ERROR_CODES.INVALID_INPUT, notJson('an object with accessors'), child);
    }
    // WHY: an absent optional field written as `undefined` by a JavaScript caller, as JSON.stringify drops it.
    if (descriptor.value === undefined) continue;
    if (!key.isWellFormed()) return bad(ERROR_CODES.INVALID_UTF8, 'input contains lone surrogates', child);
    used.bytes += key.length + 1;
    if (used.bytes > bytesMax) return oversized(bytesMax);
    stack.push({ node: descriptor.value, depth, key, parent: item });
  }
  return undefined;
}

function notJson(what: string): string {
  return `input holds ${what}, which is not json`;
}

/** An error whose details name the path of the offending value, outermost key first. */
function bad(code: ErrorCode, message: string, at: Pending): Result<never, KernelError> {
  const path: string[] = [];
  for (let p: Pending | undefined = at; p !== undefined; p = p.parent)
    if (p.key !== undefined) path.unshift(String(p.key));
  const where = path.length === 0 ? '' : ` at \`${path.join('.')}\``;
  return fail(code, `${message}${where}`, { path });
}

function oversized(bytesMax: number): Result<never, KernelError> {
  return fail(ERROR_CODES.OVERSIZED_INPUT, `input exceeds ${bytesMax} bytes`);
}
