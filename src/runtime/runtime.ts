// Composition root for the embedded default: loads `maos.yaml`, the issuer keys and the
// revocation list from the data directory, and wires them into a kernel.

import { mkdir } from 'node:fs/promises';
import { Kernel } from '../kernel/kernel.ts';
import {
  type Clock,
  type KernelError,
  ok,
  type Random,
  type Result,
  systemClock,
  systemRandom,
} from '../shared/index.ts';
import { type LoadedConfig, loadConfigFor } from './config.ts';
import { fileEventSink } from './event-log.ts';
import { loadOrCreateIssuerKeys } from './key-store.ts';
import { loadRevocations, saveRevocations, withRevocationsLock } from './revocation-store.ts';

export type RuntimeOptions = {
  /** Path of `maos.yaml`. */
  readonly configPath: string;
  /** Config text to use instead of reading `configPath` (the path still names it in errors). */
  readonly configText?: string;
  /** Overrides the config's `dataDir`. */
  readonly dataDir?: string;
  readonly clock?: Clock;
  readonly random?: Random;
};

export type Runtime = {
  readonly kernel: Kernel;
  readonly config: LoadedConfig;
  readonly dataDir: string;
  /** Writes the revocation list back to the data directory. */
  saveRevocations(): Promise<Result<void, KernelError>>;
  /**
   * Revokes a token durably: under the data directory's lock it adopts revocations other processes
   * saved meanwhile, revokes `jti`, and saves, so concurrent operators never lose each other's work.
   * Returns the new epoch.
   */
  revoke(jti: string, reason: string): Promise<Result<number, KernelError>>;
};

export async function openRuntime(options: RuntimeOptions): Promise<Result<Runtime, KernelError>> {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? systemRandom;
  const config = await loadConfigFor(options);
  if (!config.ok) return config;
  const dataDir = options.dataDir ?? config.value.dataDir;
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const keys = await loadOrCreateIssuerKeys(dataDir, clock, random);
  if (!keys.ok) return keys;
  const revocations = await loadRevocations(dataDir);
  if (!revocations.ok) return revocations;
  const kernel = new Kernel({
    policy: config.value.policy,
    publicKeys: keys.value.publicKeys,
    issuer: keys.value.current,
    revocations: revocations.value,
    clock,
    random,
    events: fileEventSink(dataDir, clock),
  });
  return ok({
    kernel,
    config: config.value,
    dataDir,
    saveRevocations: () => saveRevocations(dataDir, kernel.revocations),
    revoke: (jti, reason) =>
      withRevocationsLock(dataDir, async () => {
        const onDisk = await loadRevocations(dataDir);
        if (!onDisk.ok) return onDisk;
        kernel.adoptRevocations(onDisk.value);
        const epoch = kernel.revoke(jti, reason);
        const saved = await saveRevocations(dataDir, kernel.revocations);
        return saved.ok ? ok(epoch) : saved;
      }),
  });
}
