// Persists the revocation list and epoch in `<dataDir>/revocations.json`, written atomically
// (temporary file, then rename) so a crash leaves the old or the new list, never half of one.

import { open, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { RevocationList } from '../kernel/token/index.ts';
import {
  ERROR_CODES,
  fail,
  isKernelError,
  type KernelError,
  ok,
  parseJsonStrict,
  type Result,
} from '../shared/index.ts';

export const REVOCATIONS_FILE = 'revocations.json';
const LOCK_FILE = 'revocations.lock';
const LOCK_WAIT_MS_MAX = 10_000;
const LOCK_STALE_MS = 30_000;
const FILE_BYTES_MAX = 64 * 1024 * 1024;

export async function loadRevocations(dataDir: string): Promise<Result<RevocationList, KernelError>> {
  const file = join(dataDir, REVOCATIONS_FILE);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return ok(new RevocationList());
    return fail(ERROR_CODES.IO, `cannot read \`${file}\`: ${(error as Error).message}`);
  }
  const parsed = parseJsonStrict(bytes, { bytesMax: FILE_BYTES_MAX, depthMax: 8 });
  if (!parsed.ok) return fail(parsed.error.code, `\`${file}\`: ${parsed.error.message}`);
  try {
    return ok(RevocationList.fromJSON(parsed.value));
  } catch (error) {
    if (isKernelError(error)) return fail(error.code, `\`${file}\`: ${error.message}`);
    throw error;
  }
}

export async function saveRevocations(
  dataDir: string,
  list: RevocationList,
): Promise<Result<void, KernelError>> {
  const file = join(dataDir, REVOCATIONS_FILE);
  const staging = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(staging, `${JSON.stringify(list.toJSON())}\n`, { mode: 0o600 });
    await rename(staging, file);
    return ok(undefined);
  } catch (error) {
    return fail(ERROR_CODES.IO, `cannot write \`${file}\`: ${(error as Error).message}`);
  }
}

/**
 * Runs `update` while holding `<dataDir>/revocations.lock` (created exclusively), so processes that
 * revoke at the same time serialize instead of overwriting each other's lists. A lock older than
 * 30 s is taken to belong to a crashed process and is broken.
 */
export async function withRevocationsLock<T>(
  dataDir: string,
  update: () => Promise<Result<T, KernelError>>,
): Promise<Result<T, KernelError>> {
  const lock = join(dataDir, LOCK_FILE);
  const deadline = Date.now() + LOCK_WAIT_MS_MAX;
  for (let waitMs = 5; ; waitMs = Math.min(waitMs * 2, 200)) {
    try {
      const handle = await open(lock, 'wx', 0o600);
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        return fail(ERROR_CODES.IO, `cannot lock \`${lock}\`: ${(error as Error).message}`);
      }
      if (await isStale(lock)) await unlink(lock).catch(() => undefined);
      else if (Date.now() > deadline) return fail(ERROR_CODES.IO, `\`${lock}\` is held by another process`);
      else await sleep(waitMs);
    }
  }
  try {
    return await update();
  } finally {
    await unlink(lock).catch(() => undefined);
  }
}

async function isStale(lock: string): Promise<boolean> {
  try {
    return Date.now() - (await stat(lock)).mtimeMs > LOCK_STALE_MS;
  } catch {
    return false;
  }
}
