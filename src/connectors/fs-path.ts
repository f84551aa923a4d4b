// Virtual paths of the fs connector: an agent names `/notes/a.md`; this file checks the name is
// canonical and resolves it under the root with no symlink anywhere on the way (the fs jail).

import type { Stats } from 'node:fs';
import { lstat, realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { ERROR_CODES, KernelError } from '../shared/index.ts';
import { fsError } from './fs-error.ts';

export const FS_PATH_BYTES_MAX = 4096;
const SEGMENT_BYTES_MAX = 255;
// WHY: control characters (NUL included) and backslashes have no place in a portable file name and
// are classic smuggling tricks (NUL truncation, `\` as a separator on other systems).
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const FORBIDDEN_CHARACTER = /[\u0000-\u001f\u007f\\]/;

/** What is at a resolved path now: a regular file, a directory, something else, or nothing. */
export type PathKind = 'file' | 'directory' | 'other' | 'absent';

export type ResolvedPath = {
  /** The canonical virtual path the agent named. */
  readonly virtual: string;
  /** The host path under the real root; never leaves it. */
  readonly real: string;
  readonly kind: PathKind;
};

function invalid(path: string, why: string): KernelError {
  return new KernelError(ERROR_CODES.INVALID_INPUT, `path \`${path}\` ${why}`);
}

/**
 * Splits a virtual path into its segments (`/` is the root, no segments). Only the canonical
 * spelling is accepted: absolute, no empty, `.` or `..` segment, no trailing slash, no control
 * character or backslash. WHY: the commit layer locks and policies match by resource string, so one
 * file must have exactly one name; an alias like `/a//b` or `/a/./b` would dodge both.
 */
export function parseVirtualPath(path: unknown): string[] {
  if (typeof path !== 'string') throw new KernelError(ERROR_CODES.INVALID_INPUT, 'path is not a string');
  if (!path.startsWith('/')) throw invalid(path, 'is not absolute');
  if (!path.isWellFormed()) throw invalid(path, 'contains lone surrogates');
  if (Buffer.byteLength(path, 'utf8') > FS_PATH_BYTES_MAX) {
    throw invalid(path.slice(0, 64), `is longer than ${FS_PATH_BYTES_MAX} bytes`);
  }
  if (FORBIDDEN_CHARACTER.test(path)) throw invalid(path, 'contains a control character or backslash');
  if (path === '/') return [];
  const segments = path.slice(1).split('/');
  for (const segment of segments) {
    if (segment === '' || segment === '.' || segment === '..') {
      throw invalid(path, 'is not canonical: empty, `.` and `..` segments are not allowed');
    }
    if (segment.includes('%') && hidesDotOrSeparator(segment)) {
      throw invalid(path, 'hides a separator or a dot segment in percent escapes');
    }
    if (Buffer.byteLength(segment, 'utf8') > SEGMENT_BYTES_MAX) {
      throw invalid(path, `has a segment longer than ${SEGMENT_BYTES_MAX} bytes`);
    }
  }
  return segments;
}

// WHY: a file may well be named `%2e%2e` here, but policies match resources the way the kernel's
// token patterns do, and those refuse dot segments and separators spelled with percent escapes.
function hidesDotOrSeparator(segment: string): boolean {
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    return false;
  }
  return decoded === '.' || decoded === '..' || /[/\\]/.test(decoded) || FORBIDDEN_CHARACTER.test(decoded);
}

function isInside(rootReal: string, candidate: string): boolean {
  return candidate === rootReal || candidate.startsWith(rootReal.endsWith(sep) ? rootReal : rootReal + sep);
}

/**
 * Resolves `virtual` under `root`. Every existing component is checked with `lstat` and a symlink
 * anywhere is refused; a non-directory in the middle is refused; the deepest existing component
 * must still be inside the root after `realpath`. Missing trailing components are fine (a write
 * creates them). Callers open the final file with `O_NOFOLLOW` as well.
 */
export async function resolveUnderRoot(root: string, virtual: unknown): Promise<ResolvedPath> {
  const segments = parseVirtualPath(virtual);
  const name = virtual as string;
  let rootReal: string;
  try {
    rootReal = await realpath(root);
  } catch (error) {
    throw fsError(error, 'resolve the root for', name);
  }
  let current = rootReal;
  let existing = rootReal;
  let kind: PathKind = 'directory';
  for (let i = 0; i < segments.length; i++) {
    if (kind !== 'directory') {
      throw invalid(name, `goes through \`/${segments.slice(0, i).join('/')}\`, which is not a directory`);
    }
    current = join(current, segments[i] ?? '');
    kind = await kindOf(current, name);
    if (kind === 'absent') {
      current = join(current, ...segments.slice(i + 1));
      break;
    }
    existing = current;
  }
  // INVARIANT: no component was a symlink, so realpath cannot move; checked again all the same.
  const existingReal = await realpath(existing).catch((error: unknown) => {
    throw fsError(error, 'resolve', name);
  });
  if (!isInside(rootReal, existingReal)) throw invalid(name, 'resolves outside the root');
  return { virtual: name, real: current, kind };
}

async function kindOf(real: string, virtual: string): Promise<PathKind> {
  let stats: Stats;
  try {
    stats = await lstat(real);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw fsError(error, 'inspect', virtual);
  }
  if (stats.isSymbolicLink()) throw invalid(virtual, 'goes through a symlink, which is not allowed');
  if (stats.isFile()) return 'file';
  return stats.isDirectory() ? 'directory' : 'other';
}

/** True when `inner` is `outer` or lies beneath it (plain path comparison, for configuration checks). */
export function pathContains(outer: string, inner: string): boolean {
  return isInside(outer, inner);
}
