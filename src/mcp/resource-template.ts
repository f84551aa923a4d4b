// The resource an MCP tool call acts on: a template from `mcp.servers.<name>.resources` filled
// with the call's arguments (`'{path}'` → `/home/me/notes.md`), so capability scopes can name
// folders and hosts. A tool without a template acts on `mcp:/<server>/<tool>`.

import { ERROR_CODES, fail, type KernelError, ok, type Result } from '../shared/index.ts';

const PLACEHOLDER = /\{([A-Za-z0-9_.-]{1,128})\}/g;

export function defaultToolResource(server: string, tool: string): string {
  return `mcp:/${server}/${tool}`;
}

/**
 * Fills `{name}` with the top-level argument `name`, which must be a string or a finite number.
 * A missing or structured argument fails closed: the call is refused, never decided on a guess.
 */
export function fillResource(
  template: string,
  args: Readonly<Record<string, unknown>>,
): Result<string, KernelError> {
  let problem: string | undefined;
  const filled = template.replace(PLACEHOLDER, (_whole, name: string) => {
    const value = Object.hasOwn(args, name) ? args[name] : undefined;
    if (typeof value === 'string' && value.length > 0) return value;
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    problem ??= `the resource template needs the argument \`${name}\` as a non-empty string or a number`;
    return '';
  });
  if (problem !== undefined) return fail(ERROR_CODES.MCP_RESOURCE_UNRESOLVED, problem);
  return ok(filled);
}
