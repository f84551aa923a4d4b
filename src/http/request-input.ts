// Validation of what arrives in a request besides the intent itself (the kernel checks that): path
// ids, the journal query string and the `{ by, note }` body of approve, reject and undo.

import { LIMITS } from '../runtime/index.ts';
import type { Decider, JournalQuery } from '../runtime/service.ts';
import { ERROR_CODES, fail, type KernelError, ok, type Result } from '../shared/index.ts';

export const JOURNAL_LIMIT_DEFAULT = 100;
export const JOURNAL_LIMIT_MAX = 1000;
/** Record types one journal query may filter on. */
export const JOURNAL_TYPES_MAX = 32;
/** Free text attached to a human decision. */
export const NOTE_LENGTH_MAX = 4096;
/** Body of approve, reject and undo: two short strings. */
export const DECIDER_BYTES_MAX = 16 * 1024;
/** Who decided, when the request does not say. */
export const DECIDER_DEFAULT = 'api';

const JOURNAL_KEYS = new Set(['from', 'limit', 'type', 'agent', 'intent']);

export function parseId(value: unknown, what: string): Result<string, KernelError> {
  if (typeof value !== 'string' || value.length === 0 || value.length > LIMITS.idLengthMax) {
    return invalid(`${what} must be 1 to ${LIMITS.idLengthMax} characters`);
  }
  return ok(value);
}

/** `?from=&limit=&type=a,b&agent=&intent=`; every value given at most once. */
export function parseJournalQuery(query: unknown): Result<JournalQuery, KernelError> {
  const params = (query ?? {}) as Readonly<Record<string, unknown>>;
  for (const [key, value] of Object.entries(params)) {
    if (!JOURNAL_KEYS.has(key)) return invalid(`unknown query parameter \`${key}\``);
    if (typeof value !== 'string') return invalid(`query parameter \`${key}\` must be given once`);
  }
  const { from, limit, type, agent, intent } = params as Readonly<Record<string, string | undefined>>;
  if (from !== undefined && (!/^-?\d{1,15}$/.test(from) || from === '-0')) {
    return invalid(
      `\`from\` must be a whole number (negative counts back from the head), not \`${clip(from)}\``,
    );
  }
  const limitValue = limit === undefined ? JOURNAL_LIMIT_DEFAULT : Number(limit);
  if (limit !== undefined && (!/^\d{1,4}$/.test(limit) || limitValue < 1 || limitValue > JOURNAL_LIMIT_MAX)) {
    return invalid(`\`limit\` must be a whole number from 1 to ${JOURNAL_LIMIT_MAX}, not \`${clip(limit)}\``);
  }
  const types = type === undefined ? undefined : type.split(',').map((t) => t.trim());
  if (types !== undefined && (types.length > JOURNAL_TYPES_MAX || types.some((t) => !isName(t)))) {
    return invalid(
      `\`type\` must be up to ${JOURNAL_TYPES_MAX} comma-separated record types, not \`${clip(type ?? '')}\``,
    );
  }
  for (const [key, value] of [
    ['agent', agent],
    ['intent', intent],
  ] as const) {
    if (value !== undefined && !isName(value))
      return invalid(`\`${key}\` must be 1 to ${LIMITS.idLengthMax} characters`);
  }
  return ok({
    limit: limitValue,
    ...(from === undefined ? {} : { fromSeq: Number(from) }),
    ...(types === undefined ? {} : { types }),
    ...(agent === undefined ? {} : { agent }),
    ...(intent === undefined ? {} : { intentId: intent }),
  });
}

/** The body of approve, reject and undo: absent, or an object with optional `by` and `note`. */
export function parseDecider(body: unknown): Result<Decider, KernelError> {
  if (body === undefined || body === null) return ok({ by: DECIDER_DEFAULT });
  if (typeof body !== 'object' || Array.isArray(body)) return invalid('the body must be a json object');
  const fields = body as Readonly<Record<string, unknown>>;
  for (const key of Object.keys(fields)) {
    if (key !== 'by' && key !== 'note')
      return invalid(`unknown field \`${clip(key)}\`; expected \`by\` or \`note\``);
  }
  const by = fields.by ?? DECIDER_DEFAULT;
  if (typeof by !== 'string' || !isName(by)) {
    return invalid(`\`by\` must be a string of 1 to ${LIMITS.idLengthMax} characters`);
  }
  const note = fields.note;
  if (note !== undefined && (typeof note !== 'string' || note.length > NOTE_LENGTH_MAX)) {
    return invalid(`\`note\` must be a string of at most ${NOTE_LENGTH_MAX} characters`);
  }
  return ok({ by, ...(typeof note === 'string' ? { note } : {}) });
}

function isName(value: string): boolean {
  return value.length > 0 && value.length <= LIMITS.idLengthMax && value.trim() === value;
}

/** User input quoted in a message, cut so a hostile value cannot flood the reply. */
export function clip(text: string): string {
  return text.length > 64 ? `${text.slice(0, 64)}…` : text;
}

/** An INVALID_INPUT failure with `message`. */
export function invalid(message: string): Result<never, KernelError> {
  return fail(ERROR_CODES.INVALID_INPUT, message);
}

/** A request body's fields, before each is parsed. */
export type Fields = Readonly<Record<string, unknown>>;

/** A JSON object body with no field outside `allowed`; `expected` shows the right shape. */
export function parseFields(
  body: unknown,
  allowed: readonly string[],
  expected: string,
): Result<Fields, KernelError> {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    return fail(ERROR_CODES.INVALID_INPUT, `the body must be a json object: ${expected}`);
  }
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key))
      return fail(ERROR_CODES.INVALID_INPUT, `unknown field \`${clip(key)}\`; send ${expected}`);
  }
  return ok(body as Fields);
}
