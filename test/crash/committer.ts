// Crash-test child: opens a commit runtime on a data directory (recovery runs inside), optionally
// checks the recovered state, then commits a seeded mix of intents until it is killed. An ack line
// on stdout means the commit returned `committed`; see campaign.ts for the parent.

import { existsSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { openCommitRuntime } from '../../src/runtime/commit-runtime.ts';
import type { JsonValue } from '../../src/shared/index.ts';
import { hashHex, systemClock, systemRandom, uuidv7 } from '../../src/shared/index.ts';
import { SeededRandom } from '../../src/testing/seeded-random.ts';
import { appendLogConnector } from '../../src/testing/test-connectors.ts';

export const CRASH_AGENT = 'crash-agent';
/** Where a stage hook may kill the child: after each durable step of the pipeline. */
export const CRASH_STAGES = ['written', 'locked', 'prepared', 'executing', 'executed', 'committed'] as const;
export type CrashStage = (typeof CRASH_STAGES)[number];

export const FS_PATHS: readonly string[] = Array.from(
  { length: 16 },
  (_, i) => `/crash/${i % 4 === 0 ? 'deep/er/' : ''}f${String(i).padStart(2, '0')}.txt`,
);
export const KV_KEYS: readonly string[] = Array.from(
  { length: 16 },
  (_, i) => `kv:/crash/k${String(i).padStart(2, '0')}`,
);
export const LOG_RESOURCE = 'log:/crash';
export const CRASH_SCOPES = [
  { action: 'fs.*', resource: '/**' },
  { action: 'kv.*', resource: 'kv:/**' },
  { action: 'log.*', resource: '**' },
] as const;
export const CONFIG_FILE = 'maos.yaml';

/** Intents in flight at once. */
const IN_FLIGHT = 8;
/** Repeats of the 36-character id: at most 61,200 bytes, under the 64 KiB field limit. */
const REPEATS_MAX = 1700;

/**
 * The bytes an `fs.write` of this intent writes: a pure function of the id, so the checker knows
 * what each file must hold. Most are small; one in 25 is large (up to ~60 KiB).
 */
export function contentFor(intentId: string): string {
  const h = Number.parseInt(hashHex(intentId).slice(0, 8), 16);
  const repeats = h % 25 === 0 ? 1 + (h % REPEATS_MAX) : 1 + (h % 8);
  return intentId.repeat(repeats);
}

/** The value a `kv.put` of this intent stores. */
export function kvValueFor(intentId: string): JsonValue {
  return { by: intentId, n: Number.parseInt(intentId.slice(-4), 16) };
}

/** The crash test's maos.yaml (JSON is YAML): one agent, the four actions, small checkpoint cadence. */
export function crashConfig(dataDir: string, workspaceDir: string): string {
  const config = {
    version: 1,
    node: { id: 'maos-crash' },
    dataDir,
    agents: {
      [CRASH_AGENT]: {
        ring: 2,
        capabilities: CRASH_SCOPES,
      },
    },
    actions: {
      'fs.write': { sideEffect: 'write' },
      'fs.delete': { sideEffect: 'destructive', snapshot: true },
      'kv.put': { sideEffect: 'write' },
      'log.append': { sideEffect: 'write' },
    },
    storage: { kind: 'sqlite' },
    connectors: {
      fs: { enabled: true, root: workspaceDir },
      http: { enabled: false },
      kv: { enabled: true },
    },
    journal: { checkpointEveryRecords: 50, checkpointEvery: '10s' },
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** Writes `<dataDir>/maos.yaml` unless it exists; returns its path. */
export function ensureConfig(dataDir: string, workspaceDir: string): string {
  const path = join(dataDir, CONFIG_FILE);
  if (!existsSync(path)) writeFileSync(path, crashConfig(dataDir, workspaceDir));
  return path;
}

/** One intent of the crash workload; its arguments are pure functions of its fresh uuidv7 id. */
export function crashIntent(token: string, action: string, resource: string): Record<string, JsonValue> {
  const id = uuidv7(systemClock, systemRandom);
  const args =
    action === 'fs.write'
      ? { content: contentFor(id) }
      : action === 'kv.put'
        ? { value: kvValueFor(id) }
        : {};
  return { id, agent: CRASH_AGENT, token, action, resource, args };
}

/** Draws the next intent of the seeded mix: 30% log.append, 35% fs.write, 25% kv.put, 10% fs.delete. */
export function intentMaker(seed: number, token: string): () => Record<string, JsonValue> {
  const random = new SeededRandom(seed);
  const below = (n: number): number => {
    const bytes = random.bytes(4);
    return (((bytes[0] ?? 0) | ((bytes[1] ?? 0) << 8) | ((bytes[2] ?? 0) << 16)) >>> 0) % n;
  };
  const path = (): string => FS_PATHS[below(FS_PATHS.length)] ?? '/crash/f00.txt';
  return () => {
    const roll = below(100);
    if (roll < 30) return crashIntent(token, 'log.append', LOG_RESOURCE);
    if (roll < 65) return crashIntent(token, 'fs.write', path());
    if (roll < 90) return crashIntent(token, 'kv.put', KV_KEYS[below(KV_KEYS.length)] ?? 'kv:/crash/k00');
    return crashIntent(token, 'fs.delete', path());
  };
}

function line(value: unknown): void {
  // WHY: synchronous, so a printed ack means the commit had returned before any kill.
  writeSync(1, `${JSON.stringify(value)}\n`);
}

/** The stage hook from MAOS_CRASH_STAGE / MAOS_CRASH_AFTER: SIGKILL when the n-th intent reaches it. */
function stageHook(): { atStage(stage: string, intentId: string): void } | undefined {
  const stage = process.env.MAOS_CRASH_STAGE;
  if (stage === undefined || stage === '') return undefined;
  if (!(CRASH_STAGES as readonly string[]).includes(stage)) throw new Error(`unknown stage \`${stage}\``);
  const after = Number(process.env.MAOS_CRASH_AFTER ?? '1');
  let reached = 0;
  return {
    atStage: (at) => {
      if (at === stage && ++reached >= after) process.kill(process.pid, 'SIGKILL');
    },
  };
}

/** Resolves at the first line on stdin (the parent starts children early and releases them with it). */
function goSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.stdin.once('data', () => {
      process.stdin.pause();
      resolve();
    });
  });
}

async function main(): Promise<void> {
  const [dataDir, workspaceDir, logPath, seedText] = process.argv.slice(2);
  if (dataDir === undefined || workspaceDir === undefined || logPath === undefined) {
    throw new Error('usage: committer.ts <dataDir> <workspaceDir> <logPath> [seed]');
  }
  // WHY: imported here, not at the top, because check-state.ts imports this file's workload model.
  const { checkState, readAcks } = await import('./check-state.ts');
  const faults = stageHook();
  if (process.env.MAOS_CRASH_WAIT === '1') await goSignal();
  const configPath = ensureConfig(dataDir, workspaceDir);
  const opened = await openCommitRuntime({
    configPath,
    connectors: [appendLogConnector(logPath)],
    ...(faults === undefined ? {} : { faults }),
  });
  if (!opened.ok) throw new Error(`runtime did not open: ${opened.error.message}`);
  const runtime = opened.value;
  const acksPath = process.env.MAOS_CRASH_ACKS;
  const check =
    acksPath === undefined
      ? undefined
      : await checkState(runtime, { workspaceDir, logPath }, readAcks(acksPath));
  const minted = await runtime.kernel.mint({ sub: CRASH_AGENT, scopes: [...CRASH_SCOPES] });
  if (!minted.ok) throw new Error(`token did not mint: ${minted.error.message}`);
  line({
    ready: true,
    mode: runtime.kernel.mode,
    verified: runtime.verified,
    recovery: runtime.recovery,
    check,
  });
  const next = intentMaker(Number(seedText ?? '1'), minted.value.token);
  const worker = async (): Promise<void> => {
    for (;;) {
      const intent = next();
      const result = await runtime.commits.submit(intent);
      const { id, action, resource } = intent;
      if (result.ok && result.value.state === 'committed') line({ ack: id, action, resource });
      else line({ other: id, action, resource, outcome: result.ok ? result.value.state : result.error.code });
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
}

if (import.meta.main) {
  main().catch((error: unknown) => {
    process.stderr.write(
      `committer: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(2);
  });
}
