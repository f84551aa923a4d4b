// Opens the storage `maos.yaml` names: SQLite in the data directory (the embedded default),
// PostgreSQL for a cluster, or memory (nothing survives the process; for tests and trials).

import { join } from 'node:path';
import { ERROR_CODES, fail, isKernelError, type KernelError, ok, type Result } from '../shared/index.ts';
import { MemoryStorage } from '../storage/memory.ts';
import type { Storage } from '../storage/port.ts';
import { openPostgresStorage } from '../storage/postgres.ts';
import { openSqliteStorage } from '../storage/sqlite.ts';
import type { LoadedConfig } from './config.ts';

export const SQLITE_FILE = 'maos.db';

export async function openConfiguredStorage(
  config: LoadedConfig,
  dataDir: string,
  options: { readonly readOnly?: boolean } = {},
): Promise<Result<Storage, KernelError>> {
  const settings = config.config.storage;
  try {
    switch (settings.kind) {
      case 'memory':
        return ok(new MemoryStorage());
      case 'postgres':
        return ok(
          await openPostgresStorage({ connectionString: settings.url ?? '', schema: settings.schema }),
        );
      default:
        return ok(
          await openSqliteStorage(join(dataDir, SQLITE_FILE), { readOnly: options.readOnly ?? false }),
        );
    }
  } catch (error) {
    if (isKernelError(error))
      return fail(error.code, error.message, error.details ? { ...error.details } : undefined);
    return fail(ERROR_CODES.STORAGE, `storage could not be opened: ${(error as Error).message}`);
  }
}
