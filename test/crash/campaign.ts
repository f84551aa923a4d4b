// Crash campaign driver: starts committer.ts children on one data directory after another and kills
// each with SIGKILL, at a random time or at a chosen commit stage; after every restart the child
// checks the recovered state (check-state.ts), and each data directory ends with a check here.

import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { openCommitRuntime } from '../../src/runtime/commit-runtime.ts';
import { SeededRandom } from '../../src/testing/seeded-random.ts';
import { appendLogConnector } from '../../src/testing/test-connectors.ts';
import { type Ack, type CheckReport, checkState } from './check-state.ts';
import { CRASH_STAGES, ensureConfig } from './committer.ts';

export type CampaignOptions = {
  readonly kills: number;
  readonly seed: number;
  /** Parent of the data directories; a fresh temporary directory when absent. */
  readonly baseDir?: string;
  /** Kills on one data directory before the campaign starts a fresh one (bounds journal growth). */
  readonly killsPerDataDir?: number;
  /** A time-killed child runs this long after `ready` (seeded, uniform). */
  readonly runMsMin?: number;
  readonly runMsMax?: number;
  /** Every n-th run kills itself at a commit stage instead (cycling through all six). */
  readonly stageEvery?: number;
  /** Keep data directories even when they check out. */
  readonly keep?: boolean;
  readonly onProgress?: (summary: CampaignSummary) => void;
};

export type CampaignSummary = {
  seed: number;
  kills: number;
  /** Children that killed themselves at each commit stage. */
  stageKills: Record<string, number>;
  /** Children killed before they were ready: a stage hook fired inside recovery. */
  killedBeforeReady: number;
  /** Children that got through recovery and printed `ready`, and their mean time from `go` to it. */
  restarts: number;
  readyMsMean: number;
  acked: number;
  /** Intents committed, and failed (rolled back), in the final check of each data directory. */
  committed: number;
  failed: number;
  /** Submits that returned something other than `committed`, by outcome. */
  outcomes: Record<string, number>;
  checks: number;
  lost: number;
  duplicates: number;
  corrupt: number;
  unfinished: number;
  strayTemps: number;
  chainOk: boolean;
  failures: string[];
  dataDirs: string[];
  elapsedMs: number;
};

type Exit = { readonly code: number | null; readonly signal: NodeJS.Signals | null };
type Ready = { readonly check?: CheckReport };
type Child = {
  readonly proc: ChildProcess;
  readonly epoch: Epoch;
  readonly stage: string | undefined;
  readonly acks: Ack[];
  readonly others: string[];
  readonly ready: Promise<Ready | undefined>;
  readonly exit: Promise<Exit>;
  stderr: string;
};
type Epoch = {
  readonly dir: string;
  readonly dataDir: string;
  readonly workspaceDir: string;
  readonly logPath: string;
  readonly acksPath: string;
  readonly acks: Ack[];
};

const COMMITTER = join(import.meta.dirname, 'committer.ts');
const READY_TIMEOUT_MS = 60_000;
/**
 * A stage child that has not reached its stage by then is killed from outside. WHY this long: a
 * child reaches its stage within its first 24 commits, which a loaded machine may stretch to
 * seconds, and each stage must see at least one child kill itself there.
 */
const STAGE_WAIT_MS = 10_000;
const STDERR_CHARS_MAX = 4_000;

/** Runs the campaign; resolves to its summary (check `failures` and the counters). */
export async function runCampaign(options: CampaignOptions): Promise<CampaignSummary> {
  const started = performance.now();
  const base = options.baseDir ?? mkdtempSync(join(tmpdir(), 'maos-crash-'));
  mkdirSync(base, { recursive: true });
  const random = new SeededRandom(options.seed);
  const perDir = options.killsPerDataDir ?? 250;
  const summary = emptySummary(options.seed);
  const epochs: Epoch[] = [];
  const epochOf = (run: number): Epoch => {
    const index = Math.floor(run / perDir);
    epochs[index] ??= newEpoch(join(base, `dir-${index}`));
    return epochs[index];
  };
  const cache = join(base, 'compile-cache');
  let next: Child | undefined = startChild(epochOf(0), 0, options, random, cache);
  for (let run = 0; run < options.kills && next !== undefined; run++) {
    const child = next;
    child.proc.stdin?.write('go\n');
    next =
      run + 1 < options.kills ? startChild(epochOf(run + 1), run + 1, options, random, cache) : undefined;
    await runChild(child, random, options, summary);
    const lastOfEpoch = next === undefined || next.epoch !== child.epoch;
    if (summary.failures.length === 0 && lastOfEpoch)
      await finalCheck(child.epoch, summary, options.keep === true);
    options.onProgress?.({ ...summary, elapsedMs: performance.now() - started });
    if (summary.failures.length > 0) {
      if (!summary.dataDirs.includes(child.epoch.dir)) summary.dataDirs.push(child.epoch.dir);
      break;
    }
  }
  if (next !== undefined) {
    next.proc.kill('SIGKILL');
    await next.exit;
  }
  summary.elapsedMs = performance.now() - started;
  if (summary.failures.length === 0 && options.keep !== true && options.baseDir === undefined) {
    rmSync(base, { recursive: true, force: true });
  }
  return summary;
}

function emptySummary(seed: number): CampaignSummary {
  return {
    seed,
    kills: 0,
    stageKills: {},
    killedBeforeReady: 0,
    restarts: 0,
    readyMsMean: 0,
    acked: 0,
    committed: 0,
    failed: 0,
    outcomes: {},
    checks: 0,
    lost: 0,
    duplicates: 0,
    corrupt: 0,
    unfinished: 0,
    strayTemps: 0,
    chainOk: true,
    failures: [],
    dataDirs: [],
    elapsedMs: 0,
  };
}

function newEpoch(dir: string): Epoch {
  const epoch = {
    dir,
    dataDir: join(dir, 'data'),
    workspaceDir: join(dir, 'workspace'),
    logPath: join(dir, 'effects.log'),
    acksPath: join(dir, 'acks.jsonl'),
    acks: [],
  };
  mkdirSync(epoch.dataDir, { recursive: true });
  mkdirSync(epoch.workspaceDir, { recursive: true });
  ensureConfig(epoch.dataDir, epoch.workspaceDir);
  return epoch;
}

function below(random: SeededRandom, n: number): number {
  const bytes = random.bytes(4);
  return (((bytes[0] ?? 0) | ((bytes[1] ?? 0) << 8) | ((bytes[2] ?? 0) << 16)) >>> 0) % Math.max(1, n);
}

/** Spawns a child that loads its modules now and opens the runtime when it reads `go`. */
function startChild(
  epoch: Epoch,
  run: number,
  options: CampaignOptions,
  random: SeededRandom,
  cache: string,
): Child {
  const stageEvery = options.stageEvery ?? 3;
  const staged = stageEvery > 0 && run % stageEvery === stageEvery - 1;
  const stage = staged ? CRASH_STAGES[Math.floor(run / stageEvery) % CRASH_STAGES.length] : undefined;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MAOS_CRASH_WAIT: '1',
    MAOS_CRASH_ACKS: epoch.acksPath,
    // WHY: every child loads the same modules; V8's code cache roughly halves each start.
    NODE_COMPILE_CACHE: cache,
  };
  if (stage !== undefined) {
    env.MAOS_CRASH_STAGE = stage;
    env.MAOS_CRASH_AFTER = String(1 + below(random, 24));
  }
  const seed = String(options.seed * 100_003 + run);
  const args = [
    '--disable-warning=ExperimentalWarning',
    COMMITTER,
    epoch.dataDir,
    epoch.workspaceDir,
    epoch.logPath,
    seed,
  ];
  const proc = spawn(process.execPath, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const acks: Ack[] = [];
  const others: string[] = [];
  const { promise: ready, resolve: resolveReady } = Promise.withResolvers<Ready | undefined>();
  const child: Child = { proc, epoch, stage, acks, others, ready, exit: exitOf(proc), stderr: '' };
  proc.stderr?.on('data', (chunk: Buffer) => {
    child.stderr = (child.stderr + chunk.toString()).slice(-STDERR_CHARS_MAX);
  });
  // WHY: a child killed while it waits for `go` closes its stdin; the write must not throw.
  proc.stdin?.on('error', () => undefined);
  createInterface({ input: proc.stdout ?? process.stdin }).on('line', (text) =>
    onLine(child, text, resolveReady),
  );
  void child.exit.then(() => resolveReady(undefined));
  return child;
}

type Line = {
  ready?: boolean;
  check?: CheckReport;
  ack?: string;
  outcome?: string;
  action?: string;
  resource?: string;
};

/** Books one line of the child's stdout: `ready`, an ack, or another outcome of a submit. */
function onLine(child: Child, text: string, resolveReady: (ready: Ready) => void): void {
  let message: Line;
  try {
    message = JSON.parse(text) as Line;
  } catch {
    child.others.push('unparsed output');
    child.stderr = `${child.stderr}${text}\n`.slice(-STDERR_CHARS_MAX);
    return;
  }
  if (message.ready === true) resolveReady(message.check === undefined ? {} : { check: message.check });
  else if (typeof message.ack === 'string') {
    child.acks.push({ ack: message.ack, action: String(message.action), resource: String(message.resource) });
  } else child.others.push(String(message.outcome));
}

function exitOf(proc: ChildProcess): Promise<Exit> {
  return new Promise((resolve) => proc.on('close', (code, signal) => resolve({ code, signal })));
}

/** Lets one child recover, check and run, kills it (or waits for it to kill itself), and books it. */
async function runChild(
  child: Child,
  random: SeededRandom,
  options: CampaignOptions,
  summary: CampaignSummary,
): Promise<void> {
  const goMs = performance.now();
  const ready = await within(child.ready, READY_TIMEOUT_MS);
  if (ready === 'timeout') {
    summary.failures.push(`child did not become ready within ${READY_TIMEOUT_MS} ms (stage ${child.stage})`);
  } else if (ready === undefined) {
    summary.killedBeforeReady++;
  } else {
    summary.restarts++;
    summary.readyMsMean += (performance.now() - goMs - summary.readyMsMean) / summary.restarts;
    if (ready.check !== undefined) book(summary, ready.check, 'after restart');
    const min = options.runMsMin ?? 5;
    const max = options.runMsMax ?? 120;
    const waitMs = child.stage === undefined ? min + below(random, max - min + 1) : STAGE_WAIT_MS;
    await within(child.exit, waitMs);
  }
  const killedItself = child.proc.exitCode !== null || child.proc.signalCode !== null;
  child.proc.kill('SIGKILL');
  const exit = await child.exit;
  if (exit.signal !== 'SIGKILL') {
    summary.failures.push(
      `child exited with code ${exit.code} instead of being killed: ${child.stderr.trim()}`,
    );
  } else {
    summary.kills++;
    if (killedItself && child.stage !== undefined) {
      summary.stageKills[child.stage] = (summary.stageKills[child.stage] ?? 0) + 1;
    }
  }
  for (const outcome of child.others) summary.outcomes[outcome] = (summary.outcomes[outcome] ?? 0) + 1;
  summary.acked += child.acks.length;
  child.epoch.acks.push(...child.acks);
  const text = child.acks.map((ack) => `${JSON.stringify(ack)}\n`).join('');
  if (text !== '') appendFileSync(child.epoch.acksPath, text);
}

/** `promise`'s value, or 'timeout' after `ms` (the timer is cleared either way). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

function book(summary: CampaignSummary, check: CheckReport, when: string): void {
  summary.checks++;
  summary.lost += check.lost;
  summary.duplicates += check.duplicates;
  summary.corrupt += check.corrupt;
  summary.unfinished += check.unfinished;
  summary.chainOk &&= check.chainOk;
  if (!check.ok) summary.failures.push(`check ${when} failed: ${check.problems.join('; ')}`);
}

/** Opens the data directory once more here (recovery runs), checks it, closes it. */
async function finalCheck(epoch: Epoch, summary: CampaignSummary, keep: boolean): Promise<void> {
  const configPath = ensureConfig(epoch.dataDir, epoch.workspaceDir);
  const opened = await openCommitRuntime({ configPath, connectors: [appendLogConnector(epoch.logPath)] });
  if (!opened.ok) {
    summary.failures.push(`final open failed: ${opened.error.message}`);
    return;
  }
  try {
    const check = await checkState(opened.value, epoch, epoch.acks);
    book(summary, check, 'at the end');
    summary.committed += check.committed;
    summary.failed += check.failed;
    summary.strayTemps += check.strayTemps;
  } finally {
    await opened.value.close();
  }
  if (summary.failures.length > 0 || keep) summary.dataDirs.push(epoch.dir);
  else rmSync(epoch.dir, { recursive: true, force: true });
}
