// Persists the revocation list and epoch in `<dataDir>/revocations.json`, written atomically
// (temporary file, then rename) so a crash leaves the old or the new list, never half of one.

import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
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
