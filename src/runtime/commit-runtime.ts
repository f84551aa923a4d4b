// Composition root of a running MAOS: config, keys, storage, journal (verified at start), kernel,
// connectors, commit layer, approvals and sagas, then crash recovery. A broken journal chain puts
// the kernel in emergency mode (MR-3); a failing journal write puts it in commit freeze (MR-8).

import { mkdir } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { createFsConnector } from '../connectors/fs.ts';
import { sweepTempFiles } from '../connectors/fs-sweep.ts';
import { createHttpConnector, type HttpCompensation } from '../connectors/http.ts';
import { createKvConnector } from '../connectors/kv.ts';
import type { Connector } from '../connectors/port.ts';
import { Declassifier, type Gate2Evaluator } from '../ifc/declassify/index.ts';
import {
  CommitLayer,
  type CommitStage,
  Journal,
  journalSignerOf,
  Kernel,
  type KernelEvent,
  type RecoveryReport,
  recover,
  releaseExpired,
  type VerifyReport,
  verifyJournal,
} from '../kernel/index.ts';
import type { IssuerKeys } from '../kernel/token/issuer-keys.ts';
import { ApprovalQueue } from '../oversight/approval-queue.ts';
import { resumeSagas } from '../saga/saga.ts';
import {
  type Clock,
  type KernelError,
  ok,
  type Random,
  type Result,
  systemClock,
  systemRandom,
} from '../shared/index.ts';
import type { Storage } from '../storage/port.ts';
import { type LoadedConfig, loadConfigFor } from './config.ts';
import { parseWindowMs } from './config-schema.ts';
import { acquireDaemonLock, type DaemonLock } from './daemon-lock.ts';
import { storageHeldTokens } from './held-tokens.ts';
import { loadOrCreateIssuerKeys } from './key-store.ts';
import { loadRevocations } from './revocation-store.ts';
import { openConfiguredStorage } from './storage-open.ts';

export type CommitRuntimeOptions = {
  readonly configPath: string;
  readonly configText?: string;
  readonly dataDir?: string;
  readonly clock?: Clock;
  readonly random?: Random;
  /** Take the data directory's daemon lock (default true): one writer per data directory. */
  readonly exclusive?: boolean;
  /** Connectors besides the configured ones (tests, benchmarks, embedders). */
  readonly connectors?: readonly Connector[];
  /** Overrides the configured storage (tests). */
  readonly storage?: Storage;
  readonly lockTimeoutMs?: number;
  readonly faults?: { atStage(stage: CommitStage, intentId: string): void };
  /** Gate-2 evaluators of the declassification protocol (§11.3); fewer than two models: gate 3 decides. */
  readonly declassifyEvaluators?: readonly Gate2Evaluator[];
};

export type CommitRuntime = {
  readonly config: LoadedConfig;
  readonly dataDir: string;
  readonly kernel: Kernel;
  readonly journal: Journal;
  readonly storage: Storage;
  readonly commits: CommitLayer;
  readonly approvals: ApprovalQueue;
  readonly keys: IssuerKeys;
  readonly clock: Clock;
  readonly random: Random;
  /** What the start-up chain check found. */
  readonly verified: VerifyReport;
  /** What recovery did; undefined when the kernel started in emergency mode. */
  readonly recovery: RecoveryReport | undefined;
  readonly sagasCompensated: readonly string[];
  readonly startedMs: number;
  /** The one declassification protocol of this runtime, with its per-agent window (§11.3, §49.11). */
  readonly declassifier: Declassifier;
  close(): Promise<void>;
};

const HOUSEKEEPING_MS = 60_000;

export async function openCommitRuntime(
  options: CommitRuntimeOptions,
): Promise<Result<CommitRuntime, KernelError>> {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? systemRandom;
  const config = await loadConfigFor(options);
  if (!config.ok) return config;
  const dataDir = options.dataDir ?? config.value.dataDir;
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  let lock: DaemonLock | undefined;
  if (options.exclusive ?? true) {
    const taken = await acquireDaemonLock(dataDir);
    if (!taken.ok) return taken;
    lock = taken.value;
  }
  const opened = await compose(options, config.value, dataDir, clock, random);
  if (!opened.ok) await lock?.release();
  if (!opened.ok) return opened;
  const runtime = opened.value;
  return ok({
    ...runtime,
    close: async () => {
      await runtime.close();
      await lock?.release();
    },
  });
}

async function compose(
  options: CommitRuntimeOptions,
  config: LoadedConfig,
  dataDir: string,
  clock: Clock,
  random: Random,
): Promise<Result<CommitRuntime, KernelError>> {
  const keys = await loadOrCreateIssuerKeys(dataDir, clock, random);
  if (!keys.ok) return keys;
  const revocations = await loadRevocations(dataDir);
  if (!revocations.ok) return revocations;
  const opened =
    options.storage === undefined ? await openConfiguredStorage(config, dataDir) : ok(options.storage);
  if (!opened.ok) return opened;
  const store = opened.value;
  const journalConfig = config.config.journal;
  const journal = await Journal.open(store, {
    nodeId: config.policy.nodeId,
    clock,
    signer: journalSignerOf(keys.value.current),
    checkpointEveryRecords: journalConfig.checkpointEveryRecords,
    checkpointEveryMs: parseWindowMs(journalConfig.checkpointEvery) ?? 10_000,
  });
  if (!journal.ok) {
    await store.close();
    return journal;
  }
  const verified = await verifyJournal(store, { publicKeys: keys.value.publicKeys });
  const kernel = new Kernel({
    policy: config.policy,
    publicKeys: keys.value.publicKeys,
    issuer: keys.value.current,
    revocations: revocations.value,
    clock,
    random,
    events: journalEvents(journal.value),
  });
  const fsRoot = config.config.connectors.fs.enabled ? fsRootOf(config) : undefined;
  const commits = new CommitLayer({
    kernel,
    journal: journal.value,
    connectors: [...configuredConnectors(config, dataDir, store), ...(options.connectors ?? [])],
    clock,
    heldTokens: storageHeldTokens(store),
    ...(options.lockTimeoutMs === undefined ? {} : { lockTimeoutMs: options.lockTimeoutMs }),
    ...(options.faults === undefined ? {} : { faults: options.faults }),
  });
  journal.value.onFailure(() => kernel.enterMode('commit-freeze'));
  let recovery: RecoveryReport | undefined;
  let sagasCompensated: string[] = [];
  if (verified.ok) {
    if (fsRoot !== undefined) await sweepTempFiles(fsRoot);
    recovery = await recover(commits);
    sagasCompensated = await resumeSagas(commits);
    kernel.enterMode('operational');
  } else {
    // INVARIANT: a broken chain means nothing commits (MR-3); an operator must investigate.
    kernel.enterMode('emergency');
  }
  const timer = setInterval(() => void housekeeping(commits), HOUSEKEEPING_MS);
  timer.unref();
  return ok({
    config,
    dataDir,
    kernel,
    journal: journal.value,
    storage: store,
    commits,
    approvals: new ApprovalQueue(commits),
    keys: keys.value,
    clock,
    random,
    verified,
    recovery,
    sagasCompensated,
    startedMs: clock.wallMs(),
    declassifier: new Declassifier({
      profile: config.policy.profile,
      clock,
      evaluators: options.declassifyEvaluators ?? [],
      ...config.policy.declassification,
    }),
    close: async () => {
      clearInterval(timer);
      await journal.value.checkpoint().catch(() => undefined);
      await journal.value.close();
      await store.close();
    },
  });
}

async function housekeeping(commits: CommitLayer): Promise<void> {
  if (commits.kernel.mode !== 'operational') return;
  try {
    await commits.journal.checkpoint();
    await releaseExpired(commits);
  } catch {
    // WHY: a failing journal already froze commits through onFailure; nothing else to do here.
  }
}

/** Kernel events other than decisions go to the journal (decisions are journaled with their intent). */
function journalEvents(journal: Journal): { emit(event: KernelEvent): void } {
  return {
    emit(event) {
      if (event.type === 'decision' || event.type === 'intent.settled') return;
      const { type, ...rest } = event;
      const data = JSON.parse(JSON.stringify(rest)) as Record<string, never>;
      journal.append(`kernel.${type}`, data).catch(() => undefined);
    },
  };
}

/** Like `dataDir`, a relative root is relative to the config file, not the working directory. */
function fsRootOf(config: LoadedConfig): string {
  const root = config.config.connectors.fs.root;
  return isAbsolute(root) ? root : resolve(dirname(resolve(config.file)), root);
}

function configuredConnectors(config: LoadedConfig, dataDir: string, storage: Storage): Connector[] {
  const settings = config.config.connectors;
  const out: Connector[] = [];
  if (settings.fs.enabled) {
    // WHY: like `dataDir`, a relative root is relative to the config file, not the working directory.
    const root = isAbsolute(settings.fs.root)
      ? settings.fs.root
      : resolve(dirname(resolve(config.file)), settings.fs.root);
    out.push(createFsConnector({ root, snapshotDir: join(dataDir, 'rollback', 'fs') }));
  }
  if (settings.http.enabled) {
    const compensations: Record<string, HttpCompensation> = {};
    for (const [name, action] of Object.entries(config.config.actions)) {
      if (action.compensation !== undefined) compensations[name] = action.compensation as HttpCompensation;
    }
    out.push(
      createHttpConnector({ compensations, timeoutMs: parseWindowMs(settings.http.timeout) ?? 30_000 }),
    );
  }
  if (settings.kv.enabled) out.push(createKvConnector(storage));
  return out;
}
