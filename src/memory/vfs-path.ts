// Path grammar of the agent VFS: absolute POSIX paths, parsed strictly and mapped to a mount.
// Anything odd is refused, never repaired: there is no decoding, no case folding, no `..`.

import type { KernelError, Result } from '../shared/index.ts';
import { ERROR_CODES, fail, ok } from '../shared/index.ts';
import { VFS_LIMITS } from './limits.ts';

/**
 * Where a path points. `rel` is the path inside the mount with `/` between segments, '' for the
 * mount's root. The virtual directories `/`, `/mem` and `/session` hold mounts, never files.
 */
export type Location =
  | { readonly kind: 'virtual'; readonly path: string; readonly children: 'root' | 'mem' | 'sessions' }
  | { readonly kind: 'working' | 'episodic'; readonly path: string; readonly rel: string }
  | { readonly kind: 'policy'; readonly path: string; readonly rel: string }
  | { readonly kind: 'session'; readonly path: string; readonly session: string; readonly rel: string };

// WHY: an allowlist of ASCII characters rejects at once every lookalike slash or dot (`∕`, `／`,
// `․`), percent-encoding, backslashes, NUL and other control characters, bidi overrides and
// zero-width characters: no name can mean something other than what it shows.
const SEGMENT = /^[A-Za-z0-9._-]+$/;
const ONLY_DOTS = /^\.+$/;

/** Whether `value` is a valid path segment; agent and session ids use the same grammar. */
export function isSegment(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length <= VFS_LIMITS.segmentLengthMax &&
    SEGMENT.test(value) &&
    !ONLY_DOTS.test(value)
  );
}

/** Shows untrusted text in a one-line message: escaped and cut short. */
export function shown(value: unknown): string {
  const text = typeof value === 'string' ? value : String(typeof value);
  const escaped = JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text).slice(1, -1);
  return escaped.replaceAll('`', '\\u0060');
}

/** Splits an absolute path into segments, refusing every malformed form. `/` is zero segments. */
function parseSegments(raw: unknown): Result<string[], KernelError> {
  if (typeof raw !== 'string') return fail(ERROR_CODES.INVALID_INPUT, 'a path must be a string');
  if (raw.length > VFS_LIMITS.pathLengthMax) {
    return fail(
      ERROR_CODES.INVALID_INPUT,
      `path \`${shown(raw)}\` is longer than ${VFS_LIMITS.pathLengthMax}`,
    );
  }
  if (!raw.startsWith('/')) return fail(ERROR_CODES.INVALID_INPUT, `path \`${shown(raw)}\` is not absolute`);
  if (raw === '/') return ok([]);
  const segments = raw.slice(1).split('/');
  if (segments.length > VFS_LIMITS.depthMax) {
    return fail(ERROR_CODES.INVALID_INPUT, `path \`${shown(raw)}\` is deeper than ${VFS_LIMITS.depthMax}`);
  }
  for (const segment of segments) {
    const problem = segmentProblem(segment);
    if (problem !== undefined) return fail(ERROR_CODES.INVALID_INPUT, `path \`${shown(raw)}\` ${problem}`);
  }
  return ok(segments);
}

function segmentProblem(segment: string): string | undefined {
  if (segment === '') return 'has an empty segment (`//` or a trailing `/`)';
  if (segment === '.' || segment === '..') return 'has a `.` or `..` segment';
  if (ONLY_DOTS.test(segment)) return 'has a segment made only of dots';
  if (segment.length > VFS_LIMITS.segmentLengthMax) {
    return `has a segment longer than ${VFS_LIMITS.segmentLengthMax}`;
  }
  if (!SEGMENT.test(segment)) return 'has a character outside letters, digits and `_ . -`';
  return undefined;
}

/** Parses a mount-relative path (`notes/a.txt`): the grammar of an absolute path without the `/`. */
export function parseRelative(raw: unknown): Result<string, KernelError> {
  if (typeof raw !== 'string' || raw === '' || raw.startsWith('/')) {
    return fail(ERROR_CODES.INVALID_INPUT, `relative path \`${shown(raw)}\` is empty or absolute`);
  }
  const parsed = parseSegments(`/${raw}`);
  return parsed.ok ? ok(parsed.value.join('/')) : parsed;
}

/** Parses `raw` and names the mount it falls in; FS_PATH_OUTSIDE when it falls in none. */
export function locate(raw: unknown): Result<Location, KernelError> {
  const parsed = parseSegments(raw);
  if (!parsed.ok) return parsed;
  const segments = parsed.value;
  const path = `/${segments.join('/')}`;
  const [top, second, ...rest] = segments;
  if (top === undefined) return ok({ kind: 'virtual', path, children: 'root' });
  if (top === 'mem') {
    if (second === undefined) return ok({ kind: 'virtual', path, children: 'mem' });
    if (second === 'working' || second === 'episodic') return ok({ kind: second, path, rel: rest.join('/') });
  }
  if (top === 'policy') return ok({ kind: 'policy', path, rel: segments.slice(1).join('/') });
  if (top === 'session') {
    if (second === undefined) return ok({ kind: 'virtual', path, children: 'sessions' });
    return ok({ kind: 'session', path, session: second, rel: rest.join('/') });
  }
  return fail(ERROR_CODES.FS_PATH_OUTSIDE, `path \`${shown(raw)}\` is outside the agent's mounts`);
}
