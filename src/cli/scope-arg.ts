// Parses `--scope` values: `ACTION=RESOURCE` (split at the first `=`; actions hold no `=`) or a
// JSON object `{"action":…,"resource":…,"constraint":[…]}`.

import type { Scope } from '../runtime/index.ts';
import { UsageError } from './io.ts';

export function parseScopeArg(text: string): Scope {
  if (text.trimStart().startsWith('{')) return parseJsonScope(text);
  const at = text.indexOf('=');
  if (at <= 0 || at === text.length - 1) {
    throw new UsageError(`scope \`${text}\` must look like ACTION=RESOURCE, e.g. fs.read=/workspace/**`);
  }
  return { action: text.slice(0, at), resource: text.slice(at + 1) };
}

function parseJsonScope(text: string): Scope {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UsageError(`scope \`${text}\` is not valid json`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new UsageError(`scope \`${text}\` must be a json object`);
  }
  const { action, resource, constraint, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length > 0)
    throw new UsageError(`scope has unknown keys \`${Object.keys(rest).join(', ')}\``);
  if (typeof action !== 'string' || typeof resource !== 'string') {
    throw new UsageError('a json scope needs string `action` and `resource`');
  }
  if (constraint === undefined) return { action, resource };
  const list = typeof constraint === 'string' ? [constraint] : constraint;
  if (!Array.isArray(list) || !list.every((c) => typeof c === 'string')) {
    throw new UsageError('`constraint` must be a string or a list of strings');
  }
  return { action, resource, constraint: list as string[] };
}
