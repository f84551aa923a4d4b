// Removes the temp files an interrupted atomic write leaves beside its target (a crash between
// creating `.maos-tmp-*` and the rename). Run at start, under the data directory's lock, before
// recovery, so no writer is active. The targets themselves are never half-written.

import { opendir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { TEMP_PREFIX } from './fs-file.ts';

/** Directories visited at most; a larger workspace is swept partly and says so. */
const SWEEP_DIRECTORIES_MAX = 100_000;

export type SweepReport = { readonly removed: number; readonly complete: boolean };

export async function sweepTempFiles(root: string): Promise<SweepReport> {
  const stack = [root];
  let removed = 0;
  let visited = 0;
  while (stack.length > 0 && visited < SWEEP_DIRECTORIES_MAX) {
    const dir = stack.pop();
    if (dir === undefined) break;
    visited++;
    let handle: Awaited<ReturnType<typeof opendir>>;
    try {
      handle = await opendir(dir);
    } catch {
      continue;
    }
    for await (const entry of handle) {
      const path = join(dir, entry.name);
      // WHY: symlinks are never followed (the connector refuses them anyway).
      if (entry.isDirectory()) stack.push(path);
      else if (entry.isFile() && entry.name.startsWith(TEMP_PREFIX)) {
        await unlink(path).catch(() => undefined);
        removed++;
      }
    }
  }
  return { removed, complete: stack.length === 0 };
}
