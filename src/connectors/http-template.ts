// URL templates of HTTP compensations: `{resource}` and `{result.<path>}` placeholders, checked when
// the connector is configured and filled in from the effect's result when `undo` runs.

import { ERROR_CODES, type JsonValue, KernelError } from '../shared/index.ts';

const PLACEHOLDER = /\{([^{}]*)\}/g;
const NAME = /^(?:resource|result(?:\.[A-Za-z0-9_-]+)+)$/;

/** Why `template` is not a valid compensation URL template, or undefined when it is. */
export function templateProblem(template: string): string | undefined {
  if (template.length === 0) return 'compensation url template is empty';
  for (const match of template.matchAll(PLACEHOLDER)) {
    if (!NAME.test(match[1] ?? '')) {
      return `compensation url placeholder \`${match[0]}\` is not \`{resource}\` or \`{result.<path>}\``;
    }
  }
  if (/[{}]/.test(template.replace(PLACEHOLDER, '')))
    return 'compensation url template has an unmatched brace';
  return undefined;
}

function lookup(value: JsonValue | undefined, path: readonly string[]): JsonValue | undefined {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    if (Array.isArray(current)) {
      current = /^(?:0|[1-9][0-9]{0,8})$/.test(key) ? current[Number(key)] : undefined;
    } else {
      current = Object.hasOwn(current, key) ? current[key] : undefined;
    }
  }
  return current;
}

/**
 * Fills in `template`. A placeholder at the very start supplies the base URL and goes in as is
 * (`{resource}/…`, `{result.headers.location}`); any later one is a path or query part and is
 * percent-encoded, so an id like `../admin` or `1?x=y` cannot re-aim the request. A placeholder that
 * names nothing, or names something other than a string or a number, fails with UNDO_IMPOSSIBLE.
 */
export function resolveTemplate(template: string, resource: string, result: JsonValue | undefined): string {
  return template.replace(PLACEHOLDER, (whole: string, name: string, offset: number) => {
    const value = name === 'resource' ? resource : lookup(result, name.split('.').slice(1));
    if (typeof value !== 'string' && (typeof value !== 'number' || !Number.isFinite(value))) {
      throw new KernelError(
        ERROR_CODES.UNDO_IMPOSSIBLE,
        `compensation placeholder \`${whole}\` does not resolve to a string or number`,
        { placeholder: name, resultKnown: result !== undefined },
      );
    }
    return offset === 0 ? String(value) : encodeURIComponent(String(value));
  });
}
