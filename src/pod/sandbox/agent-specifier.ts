// Module specifiers inside an agent's directory: the one rule shared by the host, which loads the
// agent's module graph, and the agent side, whose compartment resolves imports. Only relative
// specifiers that stay inside the agent directory resolve; bare specifiers (`node:fs`, `lodash`)
// and paths that climb out are refused. Pure string work: no `node:path`, so it runs after lockdown.

/** Longest specifier either side accepts, in characters. */
export const AGENT_SPECIFIER_CHARS_MAX = 512;

export type SpecifierResolution =
  | { readonly ok: true; readonly specifier: string }
  | { readonly ok: false; readonly reason: string };

/**
 * Resolves `request` imported from the module `referrer` (both agent-relative, like `lib/util.js`)
 * to an agent-relative specifier, or says why the import is refused.
 */
export function resolveAgentSpecifier(request: string, referrer: string): SpecifierResolution {
  if (request.length > AGENT_SPECIFIER_CHARS_MAX) {
    return { ok: false, reason: 'import specifier is too long' };
  }
  if (!request.startsWith('./') && !request.startsWith('../')) {
    return {
      ok: false,
      reason: `import of \`${request}\` is refused: only relative imports inside the agent directory are allowed`,
    };
  }
  if (request.includes('\\') || request.includes('\0') || request.includes('?') || request.includes('#')) {
    return { ok: false, reason: `import of \`${request}\` is refused: unsupported characters in specifier` };
  }
  const cut = referrer.lastIndexOf('/');
  const parts = cut === -1 ? [] : referrer.slice(0, cut).split('/');
  for (const segment of request.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (parts.length === 0) {
        return { ok: false, reason: `import of \`${request}\` is refused: it leaves the agent directory` };
      }
      parts.pop();
      continue;
    }
    parts.push(segment);
  }
  if (parts.length === 0) return { ok: false, reason: `import of \`${request}\` names no module` };
  return { ok: true, specifier: parts.join('/') };
}
