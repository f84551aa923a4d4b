// Durable file primitives for the fs connector and its snapshots: bounded reads that never follow a
// symlink, atomic replace (temp file, fsync, rename, fsync directory) and durable removal.

import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { type FileHandle, mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ERROR_CODES, KernelError } from '../shared/index.ts';

/** Files larger than this are neither read, hashed, snapshotted nor written. */
export const FS_FILE_BYTES_MAX = 16 * 1024 * 1024;

const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
const TEMP_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** Temp files start with this prefix; a crash may leave one behind, never a half-written target. */
export const TEMP_PREFIX = '.maos-tmp-';

export function oversized(what: string, bytesMax: number): KernelError {
  return new KernelError(ERROR_CODES.OVERSIZED_INPUT, `${what} is larger than ${bytesMax} bytes`, {
    bytesMax,
  });
}

/**
 * Reads a regular file whole, or returns undefined when it does not exist. Refuses a symlink at
 * the leaf (`O_NOFOLLOW`), anything that is not a regular file (a FIFO would block: `O_NONBLOCK`),
 * and files over `bytesMax`, including one that grows while it is read.
 */
export async function readFileBounded(
  real: string,
  bytesMax: number,
  what: string,
): Promise<Buffer | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(real, READ_FLAGS);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new KernelError(ERROR_CODES.INVALID_INPUT, `${what} is not a regular file`);
    if (stats.size > bytesMax) throw oversized(what, bytesMax);
    const buffer = Buffer.alloc(Math.min(stats.size + 1, bytesMax + 1));
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    if (filled > bytesMax) throw oversized(what, bytesMax);
    if (filled === buffer.length) return readRest(handle, buffer, bytesMax, what);
    return buffer.subarray(0, filled);
  } finally {
    await handle.close();
  }
}

// WHY: the file grew past its fstat size between stat and read; read on, still bounded.
async function readRest(handle: FileHandle, head: Buffer, bytesMax: number, what: string): Promise<Buffer> {
  const chunks = [head];
  let total = head.length;
  const chunk = Buffer.alloc(64 * 1024);
  for (;;) {
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, total);
    if (bytesRead === 0) return Buffer.concat(chunks, total);
    total += bytesRead;
    if (total > bytesMax) throw oversized(what, bytesMax);
    chunks.push(Buffer.from(chunk.subarray(0, bytesRead)));
  }
}

/** Fsyncs a directory so a rename or unlink inside it survives a crash. */
export async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export type AtomicWriteOptions = {
  /** File mode for a new file (before umask) or the mode to keep when replacing one. */
  readonly mode?: number;
  /** Called after the temp file is durable and before the rename, the last point of no effect. */
  readonly beforeRename?: () => void;
};

/**
 * Replaces `real` with `bytes` atomically: a temp file in the same directory is written and
 * fsynced, renamed over the target, and the directory fsynced. A crash leaves either the old file
 * or the new one (and at worst a stray temp file), never a half-written target.
 */
export async function writeFileAtomic(
  real: string,
  bytes: Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const dir = dirname(real);
  const temp = join(dir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}-${basename(real).slice(0, 32)}`);
  const handle = await open(temp, TEMP_FLAGS, options.mode ?? 0o666);
  let renamed = false;
  try {
    try {
      if (options.mode !== undefined) await handle.chmod(options.mode);
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    options.beforeRename?.();
    await rename(temp, real);
    renamed = true;
    await fsyncDirectory(dir);
  } finally {
    // WHY: cleanup only; the error that got us here is the one the caller sees.
    if (!renamed) await unlink(temp).catch(() => undefined);
  }
}

/** `mkdir -p` that also fsyncs the parent of every directory it created, so they survive a crash. */
export async function makeDirectories(dir: string, mode = 0o777): Promise<void> {
  const created = await mkdir(dir, { recursive: true, mode });
  if (created === undefined) return;
  const stop = dirname(created);
  for (let current = dir; current !== stop && current !== dirname(current); current = dirname(current)) {
    await fsyncDirectory(dirname(current));
  }
}

/** Removes a file durably; false when it was already gone. */
export async function removeFile(real: string): Promise<boolean> {
  try {
    await unlink(real);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  await fsyncDirectory(dirname(real));
  return true;
}
