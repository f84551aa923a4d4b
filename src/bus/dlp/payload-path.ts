// JSON paths of scanned values (`$.body.text`, `$.items[2]`, `$["x-y"]`), built lazily: the walker
// keeps a parent chain and only a finding renders it, so clean payloads allocate no path strings.

export type PathNode = {
  readonly parent: PathNode | undefined;
  readonly key: string | number;
  rendered?: string;
};

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
/** Characters of one key shown in a path; the rest is cut and marked with `…`. */
const PATH_KEY_CHARS_MAX = 64;

export const ROOT_PATH: PathNode = { parent: undefined, key: '$' };

export function childPath(parent: PathNode, key: string | number): PathNode {
  return { parent, key };
}

/**
 * Renders `node` as a JSONPath. Keys are shown as given by the walker, which passes the
 * redacted form of a key that held a finding, so a path never repeats the data it reports.
 */
export function renderPath(node: PathNode): string {
  if (node.rendered !== undefined) return node.rendered;
  const segments: PathNode[] = [];
  let cursor: PathNode | undefined = node;
  while (cursor !== undefined && cursor.rendered === undefined) {
    segments.push(cursor);
    cursor = cursor.parent;
  }
  let out = cursor?.rendered ?? '';
  for (let k = segments.length - 1; k >= 0; k--) {
    const segment = segments[k];
    if (segment === undefined) continue;
    out += renderSegment(segment);
    segment.rendered = out;
  }
  return out;
}

function renderSegment(node: PathNode): string {
  const { key } = node;
  if (node.parent === undefined) return String(key);
  if (typeof key === 'number') return `[${key}]`;
  if (IDENTIFIER.test(key) && key.length <= PATH_KEY_CHARS_MAX) return `.${key}`;
  const shown = key.length > PATH_KEY_CHARS_MAX ? `${key.slice(0, PATH_KEY_CHARS_MAX)}…` : key;
  return `[${JSON.stringify(shown)}]`;
}
