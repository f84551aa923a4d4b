// Options every command that needs a kernel shares, and opening the runtime from them.

import { resolve } from 'node:path';
import { openRuntime, type Runtime } from '../../runtime/index.ts';
import type { KernelError, Result } from '../../shared/index.ts';

export const RUNTIME_OPTIONS = {
  config: { type: 'string', short: 'c', default: 'maos.yaml' },
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export type RuntimeFlags = { readonly config: string; readonly 'data-dir'?: string | undefined };

/** The config file and, when `--data-dir` is given, the data directory, as absolute paths. */
export function runtimeLocation(flags: RuntimeFlags): { configPath: string; dataDir?: string } {
  const dataDir = flags['data-dir'];
  return {
    configPath: resolve(flags.config),
    ...(dataDir === undefined ? {} : { dataDir: resolve(dataDir) }),
  };
}

export function openFromFlags(flags: RuntimeFlags): Promise<Result<Runtime, KernelError>> {
  return openRuntime(runtimeLocation(flags));
}
