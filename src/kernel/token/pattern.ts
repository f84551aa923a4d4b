// Action and resource patterns of token scopes: validation, matching, and the containment test
// attenuation uses to prove a child scope never reaches beyond its parent (INV-4, DR-T5).

import { LIMITS } from '../limits.ts';

const ACTION_PATTERN = /^(?:\*|[A-Za-z0-9_:-]+(?:\.[A-Za-z0-9_:-]+)*(?:\.\*)?)$/;

/** Returns why `pattern` is not a valid action pattern, or undefined when it is. */
export function actionPatternProblem(pattern: string): string | undefined {
  if (pattern.length === 0) return 'action pattern is empty';
  if (pattern.length > LIMITS.idLengthMax) return `action pattern is longer than ${LIMITS.idLengthMax}`;
  if (!ACTION_PATTERN.test(pattern)) return `action pattern \`${pattern}\` is not \`a.b\`, \`a.*\` or \`*\``;
  return undefined;
}

/** Returns why `pattern` is not a valid resource pattern, or undefined when it is. */
export function resourcePatternProblem(pattern: string): string | undefined {
  if (pattern.length === 0) return 'resource pattern is empty';
  if (pattern.length > LIMITS.resourceLengthMax) {
    return `resource pattern is longer than ${LIMITS.resourceLengthMax}`;
  }
  if (segmentsOf(pattern).length > LIMITS.patternSegmentsMax) {
    return `resource pattern has more than ${LIMITS.patternSegmentsMax} segments`;
  }
  return pathProblem(pattern, 'resource pattern');
}

/** Returns why a concrete `resource` of an intent cannot be matched safely, or undefined when it can. */
export function resourceProblem(resource: string): string | undefined {
  if (resource.length === 0) return 'resource is empty';
  if (resource.length > LIMITS.resourceLengthMax)
    return `resource is longer than ${LIMITS.resourceLengthMax}`;
  return pathProblem(resource, 'resource');
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * INVARIANT: patterns match resources segment by segment, so a resource must not be able to climb
 * out of the folder a pattern names (INV-4). Refused: `.` and `..` segments, the same spelled with
 * percent escapes (`%2e%2e`), escaped separators (`%2f`, `%5c`) in the path part, backslashes
 * (a separator on some systems) and control characters (NUL truncates paths in C libraries).
 * Everything after the first `?` or `#` is a query or fragment, not a path, and only the character
 * rules apply to it.
 */
function pathProblem(text: string, what: string): string | undefined {
  if (CONTROL.test(text)) return `${what} contains a control character`;
  if (text.includes('\\')) return `${what} contains a backslash`;
  // WHY: the hot path. A dot segment starts the text or follows a `/`; an escape needs a `%`.
  if (text.charCodeAt(0) !== 0x2e && !text.includes('/.') && !text.includes('%')) return undefined;
  const end = text.search(/[?#]/);
  const path = end === -1 ? text : text.slice(0, end);
  for (const segment of path.split('/')) {
    if (segment === '.' || segment === '..') return `${what} has a \`${segment}\` segment`;
    if (!segment.includes('%')) continue;
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return `${what} has malformed percent escapes`;
    }
    if (decoded === '.' || decoded === '..' || /[/\\]/.test(decoded) || CONTROL.test(decoded)) {
      return `${what} hides a separator or a dot segment in percent escapes`;
    }
  }
  return undefined;
}

/** `fs.write` matches itself only; `fs.*` matches `fs.write` and `fs.x.y` but not `fs`; `*` matches all. */
export function actionMatches(pattern: string, action: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) {
    const prefix = pattern.slice(0, -1);
    return action.length > prefix.length && action.startsWith(prefix);
  }
  return pattern === action;
}

/** True when every action `child` matches is also matched by `parent`. */
export function actionContains(parent: string, child: string): boolean {
  if (parent === '*') return true;
  if (child === '*') return false;
  if (!child.endsWith('.*')) return actionMatches(parent, child);
  if (!parent.endsWith('.*')) return false;
  // WHY: `q.*` matches `q.x` for any x, so it fits in `p.*` exactly when `q.` starts with `p.`.
  return child.slice(0, -1).startsWith(parent.slice(0, -1));
}

export function segmentsOf(path: string): string[] {
  return path.split('/');
}

/** Segment glob: `*` is exactly one segment, `**` zero or more, anything else literal and case-sensitive. */
export function resourceMatches(pattern: string, resource: string): boolean {
  return segmentsMatch(segmentsOf(pattern), segmentsOf(resource));
}

/**
 * Glob matching with backtracking to the last `**` only: O(pattern x path) at worst, no exponential
 * blow-up however many `**` the pattern holds.
 */
export function segmentsMatch(pattern: readonly string[], path: readonly string[]): boolean {
  let p = 0;
  let s = 0;
  let starP = -1;
  let starS = 0;
  while (s < path.length) {
    const head = pattern[p];
    if (head === '**') {
      starP = p;
      starS = s;
      p += 1;
    } else if (head !== undefined && (head === '*' || head === path[s])) {
      p += 1;
      s += 1;
    } else if (starP >= 0) {
      p = starP + 1;
      starS += 1;
      s = starS;
    } else {
      return false;
    }
  }
  while (pattern[p] === '**') p += 1;
  return p === pattern.length;
}

/**
 * True when every resource `childPattern` matches is also matched by `parentPattern`.
 * Sound, and exact when the child has no `**`. It is conservative otherwise: a child `**` is
 * contained only by a parent `**`, so a few equal languages written differently are refused.
 */
export function resourceContains(parentPattern: string, childPattern: string): boolean {
  const parent = segmentsOf(parentPattern);
  const child = segmentsOf(childPattern);
  const memo = new Map<number, boolean>();
  const width = parent.length + 1;
  // contained(i, j): the child's segments from i on fit in the parent's segments from j on.
  const contained = (i: number, j: number): boolean => {
    const key = i * width + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const result = containedStep(i, j);
    memo.set(key, result);
    return result;
  };
  const containedStep = (i: number, j: number): boolean => {
    const c = child[i];
    const p = parent[j];
    if (c === undefined) return parent.slice(j).every((segment) => segment === '**');
    if (p === undefined) return false;
    if (p === '**') return contained(i + 1, j) || (c !== '**' && contained(i, j + 1));
    if (c === '**') return false;
    if (p === '*') return contained(i + 1, j + 1);
    return c !== '*' && c === p && contained(i + 1, j + 1);
  };
  return contained(0, 0);
}
