// Maps Node file-system errors to KernelError codes for the fs connector. Messages name the
// agent's virtual path only: host paths (the root, the snapshot folder) never reach an agent.

import { ERROR_CODES, type ErrorCode, isKernelError, KernelError } from '../shared/index.ts';

const BY_ERRNO: Readonly<Record<string, { readonly code: ErrorCode; readonly reason: string }>> = {
  ENOENT: { code: ERROR_CODES.NOT_FOUND, reason: 'no such file or directory' },
  ENOTDIR: { code: ERROR_CODES.NOT_FOUND, reason: 'a parent is not a directory' },
  ENOSPC: { code: ERROR_CODES.DISK_FULL, reason: 'no space left on the device' },
  EDQUOT: { code: ERROR_CODES.DISK_FULL, reason: 'disk quota exceeded' },
  EROFS: { code: ERROR_CODES.READ_ONLY, reason: 'the file system is read-only' },
  EACCES: { code: ERROR_CODES.READ_ONLY, reason: 'permission denied' },
  EPERM: { code: ERROR_CODES.READ_ONLY, reason: 'operation not permitted' },
  // WHY: `O_NOFOLLOW` on a symlink fails with ELOOP; a symlink that appeared after the lstat walk.
  ELOOP: { code: ERROR_CODES.INVALID_INPUT, reason: 'the path is a symlink, which is not allowed' },
  EISDIR: { code: ERROR_CODES.INVALID_INPUT, reason: 'the path is a directory' },
};

/**
 * Turns an fs error (one with an errno `code`) into a KernelError. KernelErrors pass through, and
 * so does anything else: a TypeError or an assertion is a bug in MAOS and must surface as one.
 */
export function fsError(error: unknown, verb: string, virtualPath: string): unknown {
  if (isKernelError(error)) return error;
  const errno = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof errno !== 'string') return error;
  const known = BY_ERRNO[errno];
  return new KernelError(
    known?.code ?? ERROR_CODES.CONNECTOR_FAILED,
    `could not ${verb} \`${virtualPath}\`: ${known?.reason ?? `unexpected error ${errno}`}`,
    { errno },
  );
}

/** The error for an effect stopped by its signal (the commit's lock timeout) before it changed anything. */
export function abortedError(action: string, virtualPath: string): KernelError {
  return new KernelError(
    ERROR_CODES.CONNECTOR_FAILED,
    `\`${action}\` on \`${virtualPath}\` was aborted before it changed anything`,
    { aborted: true },
  );
}
