// Host-side cache of the SES shim the agent bootstrap loads: its path (read by a process sandbox),
// its source and a V8 code cache (handed to each worker sandbox, so a worker compiles SES from the
// cache instead of parsing half a megabyte per start). Read and compiled once per host process.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createContext, Script } from 'node:vm';

export type SesShim = {
  readonly path: string;
  readonly source: string;
  /** V8 code cache for `source`, or undefined when V8 would not make one. */
  readonly cache: Uint8Array | undefined;
};

/** The lockdown options the bootstrap uses, also used to warm the code cache. */
export const LOCKDOWN_OPTIONS = {
  errorTaming: 'safe',
  consoleTaming: 'safe',
  overrideTaming: 'moderate',
  stackFiltering: 'concise',
  evalTaming: 'safe-eval',
  errorTrapping: 'none',
  unhandledRejectionTrapping: 'none',
} as const;

let shim: SesShim | undefined;

/** Path of the self-contained SES shim (`ses/dist/ses.umd.js`) as installed. */
export function sesShimPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('ses/package.json')), 'dist', 'ses.umd.js');
}

/**
 * The shim with a warmed code cache. WHY a throwaway vm context: running lockdown once there
 * compiles the functions a worker will run, so the cache covers them; the context is discarded and
 * the host's own realm is never locked down.
 */
export function sesShim(): SesShim {
  if (shim !== undefined) return shim;
  const path = sesShimPath();
  const source = readFileSync(path, 'utf8');
  const script = new Script(source, { filename: 'ses.umd.js' });
  let cache: Uint8Array | undefined;
  try {
    const context = createContext({});
    script.runInContext(context);
    new Script(`lockdown(${JSON.stringify(LOCKDOWN_OPTIONS)})`).runInContext(context);
    cache = script.createCachedData();
  } catch {
    cache = undefined;
  }
  shim = { path, source, cache };
  return shim;
}
