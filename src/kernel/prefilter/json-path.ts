// JSON paths of scanned values (`args.body`, `args.items[3].text`), built lazily: the walker keeps
// a parent chain and only a finding renders it, so clean intents allocate no path strings.

import { escapeForDisplay } from './sample.ts';
import { SCAN_LIMITS } from './scan-limits.ts';

export type PathNode = { readonly parent: PathNode | undefined; readonly key: string | number };

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function rootPath(name: string): PathNode {
  return { parent: undefined, key: name };
}

export function childPath(parent: PathNode, key: string | number): PathNode {
  return { parent, key };
}

/**
 * Renders a path for people: identifier keys as `.key`, other keys as `["…"]` with unsafe
 * characters escaped, long keys truncated, quotes and backticks escaped (messages quote paths in them).
 */
export function renderPath(node: PathNode): string {
  const segments: string[] = [];
  let cursor: PathNode | undefined = node;
  while (cursor !== undefined) {
    segments.push(renderSegment(cursor));
    cursor = cursor.parent;
  }
  return segments.reverse().join('');
}

function renderSegment(node: PathNode): string {
  const { key } = node;
  if (node.parent === undefined) return String(key);
  if (typeof key === 'number') return `[${key}]`;
  if (IDENTIFIER.test(key) && key.length <= SCAN_LIMITS.pathKeyCharsMax) return `.${key}`;
  // WHY: paths are for reading, not parsing, so backslashes stay as they are; quotes and backticks
  // are escaped because the path is shown inside `["…"]` and inside backticks in messages.
  const shown = escapeForDisplay(key, SCAN_LIMITS.pathKeyCharsMax)
    .replaceAll('"', '\\"')
    .replaceAll('`', '\\u{0060}');
  return `["${shown}"]`;
}
