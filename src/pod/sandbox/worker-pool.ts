// Spare agent workers: a worker thread costs tens of milliseconds to create and SES's lockdown
// another twenty or so, both before any agent is known. So the host keeps a few workers booted
// and locked down, waiting for their `boot` message, and a worker sandbox takes one at start.
// Spares exist only for heap sizes already asked for, never keep the host alive (unref), and are
// replaced in the background when taken.

import { Worker } from 'node:worker_threads';
import { bootstrapBundle } from './bootstrap-bundle.ts';
import { sesShim } from './ses-shim.ts';

/** Young generation and stack of an agent worker, in MB: small, agents are not compute jobs. */
const WORKER_YOUNG_GENERATION_MB = 4;
const WORKER_STACK_MB = 2;
/** Spares kept per heap size; 0 turns the pool off. */
export const WORKER_SPARES_DEFAULT = 1;
const WORKER_SPARES_MAX = 8;

let sparesPerSize = WORKER_SPARES_DEFAULT;
const spares = new Map<number, Worker[]>();

/** Creates a worker running the agent bootstrap with a heap of `memoryMb`, sharing nothing. */
function spawnAgentWorker(memoryMb: number): Worker {
  const shim = sesShim();
  return new Worker(bootstrapBundle().url, {
    name: 'maos-agent',
    workerData: { sesSource: shim.source, sesCache: shim.cache },
    env: {},
    argv: [],
    execArgv: [],
    stdout: true,
    stderr: true,
    trackUnmanagedFds: true,
    resourceLimits: {
      maxOldGenerationSizeMb: memoryMb,
      maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB,
      stackSizeMb: WORKER_STACK_MB,
    },
  });
}

function refill(memoryMb: number): void {
  const list = spares.get(memoryMb) ?? [];
  spares.set(memoryMb, list);
  while (list.length < sparesPerSize) {
    const worker = spawnAgentWorker(memoryMb);
    worker.unref();
    // A spare that dies before it is taken leaves the pool.
    worker.once('exit', () => {
      const at = list.indexOf(worker);
      if (at !== -1) list.splice(at, 1);
    });
    list.push(worker);
  }
}

/**
 * A worker for a new sandbox: a booted spare when one is ready, else a fresh one. Either way a
 * replacement spare is started afterwards, off the caller's path.
 */
export function takeAgentWorker(memoryMb: number): Worker {
  const worker = spares.get(memoryMb)?.shift();
  if (sparesPerSize > 0) setImmediate(() => refill(memoryMb));
  if (worker === undefined) return spawnAgentWorker(memoryMb);
  worker.ref();
  return worker;
}

/** Sets how many spares to keep per heap size (0 to 8) and ends spares beyond that. */
export function setWorkerSpares(count: number): void {
  sparesPerSize = Math.max(0, Math.min(WORKER_SPARES_MAX, Math.trunc(count)));
  for (const list of spares.values()) {
    for (const worker of list.splice(sparesPerSize)) void worker.terminate();
  }
}
