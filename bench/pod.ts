// `npm run bench -- pod`: agent pods on the embedded runtime, real sandboxes and tokens.
// - pod/start/worker, pod/start/process: manifest admitted, token minted, session opened,
//   workspace made, sandbox booted and the agent module loaded, until the Sentry opens. Starts
//   follow each other at once; `/spaced` leaves 500 ms between them, so each start finds the
//   sandbox's warm spare worker ready (the case of pods started now and then).
// - pod/gateway-rtt: one `maos.call` as the agent sees it — agent → Sentry → tool gateway →
//   decision (cached token) → no-op commit → back. Timed on the host between successive calls
//   of a sequential loop (call i arriving to call i+1 arriving). Journal on memory storage, so
//   the figure is the pod and kernel path; `/durable` is the same on SQLite (fsync'd records).
// - pod/sigkill: SIGKILL to terminated, agent spinning in a busy loop.
// - pod/memory: resident MB per idle worker pod (process RSS growth over 50 pods / 50).
// - pod/500: 500 worker pods running; total RSS growth and gateway-rtt p99 across them.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AgentManifest, type CreateSandbox, createSandbox, parseManifest } from '../src/pod/index.ts';
import { openPodRuntime, type PodRuntime } from '../src/runtime/pod-runtime.ts';
import { MemoryStorage } from '../src/storage/memory.ts';
import { noopConnector } from '../src/testing/test-connectors.ts';
import type { BenchFigure, BenchResult } from './harness.ts';

const AGENTS = join(import.meta.dirname, 'agents');
const POD_COUNT_MAX = 500;

function config(count: number): string {
  const ids = Array.from({ length: count }, (_, i) => `p${i}`);
  const agents = ['rtt', 'spin', ...ids]
    .map((id) => `  ${id}: { ring: 2, capabilities: [{ action: bench.noop, resource: "bench:noop/*" }] }`)
    .join('\n');
  return `version: 1\ndataDir: data\nagents:\n${agents}\nactions:\n  bench.noop: { sideEffect: write, snapshot: true }\nrateLimits: []\n`;
}

/** Host-side arrival times of each pod's `call` messages, for the round-trip figure. */
type Arrivals = Map<string, number[]>;

function timedSandboxes(arrivals: Arrivals): CreateSandbox {
  return (spec) => {
    const sandbox = createSandbox(spec);
    const onMessage = sandbox.onMessage.bind(sandbox);
    sandbox.onMessage = (handler) =>
      onMessage((message) => {
        if ((message as { kind?: string }).kind === 'call') {
          const list = arrivals.get(spec.agent) ?? [];
          list.push(performance.now());
          arrivals.set(spec.agent, list);
        }
        handler(message);
      });
    return sandbox;
  };
}

async function open(dir: string, arrivals: Arrivals, durable: boolean): Promise<PodRuntime> {
  const opened = await openPodRuntime({
    configPath: join(dir, 'maos.yaml'),
    configText: config(POD_COUNT_MAX),
    dataDir: join(dir, durable ? 'durable' : 'memory'),
    connectors: [noopConnector('bench')],
    createSandbox: timedSandboxes(arrivals),
    ...(durable ? {} : { storage: new MemoryStorage() }),
  });
  if (!opened.ok) throw opened.error;
  return opened.value;
}

async function manifestOf(agent: string, id: string, isolation?: 1 | 2): Promise<AgentManifest> {
  const dir = join(AGENTS, agent);
  let text = (await readFile(join(dir, 'maos-agent.yaml'), 'utf8')).replace(/^id: .*$/m, `id: ${id}`);
  if (isolation !== undefined) text += `isolation: ${isolation}\n`;
  const parsed = parseManifest(text, dir);
  if (!parsed.ok) throw parsed.error;
  return parsed.value;
}

function stats(name: string, samplesMs: number[], extra: Record<string, unknown> = {}): BenchResult {
  const sorted = Float64Array.from(samplesMs).sort();
  const at = (q: number): number =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  const mean = samplesMs.reduce((a, b) => a + b, 0) / Math.max(1, samplesMs.length);
  const round = (ms: number): number => Math.round(ms * 1000 * 10) / 10;
  return {
    name,
    iterations: samplesMs.length,
    p50_us: round(at(0.5)),
    p99_us: round(at(0.99)),
    mean_us: round(mean),
    ops_per_s: Math.round(1000 / mean),
    returned: samplesMs.length,
    ...extra,
  };
}

async function startTimes(rt: PodRuntime, isolation: 1 | 2, count: number, gapMs = 0): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    // WHY: with a gap, the sandbox's warm spare worker has been replaced before the next start.
    if (gapMs > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
    const manifest = await manifestOf('rtt', `p${i}`, isolation);
    const t0 = performance.now();
    const started = await rt.pods.startManifest(manifest);
    samples.push(performance.now() - t0);
    if (!started.ok) throw started.error;
    await rt.pods.signal(`p${i}`, 'SIGKILL', 'bench');
  }
  return samples;
}

/** Round trips of `calls` sequential gateway calls by `agent`, from the arrival gaps. */
async function roundTrips(
  rt: PodRuntime,
  arrivals: Arrivals,
  agent: string,
  calls: number,
): Promise<number[]> {
  arrivals.set(agent, []);
  const done = await rt.pods.task(agent, calls);
  if (!done.ok) throw done.error;
  const times = arrivals.get(agent) ?? [];
  return times.slice(1).map((t, i) => t - (times[i] as number));
}

async function gatewayRtt(rt: PodRuntime, arrivals: Arrivals, name: string): Promise<BenchResult> {
  const started = await rt.pods.startManifest(await manifestOf('rtt', 'rtt', 1));
  if (!started.ok) throw started.error;
  await roundTrips(rt, arrivals, 'rtt', 2_000);
  const samples = await roundTrips(rt, arrivals, 'rtt', 10_000);
  await rt.pods.signal('rtt', 'SIGKILL', 'bench');
  return stats(name, samples);
}

async function sigkill(rt: PodRuntime, count: number): Promise<BenchResult> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = await rt.pods.startManifest(await manifestOf('spin', 'spin', 1));
    if (!started.ok) throw started.error;
    void rt.pods.task('spin', null);
    await new Promise((resolve) => setTimeout(resolve, 30));
    const t0 = performance.now();
    await rt.pods.get('spin')?.kill();
    samples.push(performance.now() - t0);
  }
  return stats('pod/sigkill', samples);
}

function rssMb(): number {
  return process.memoryUsage().rss / 1_048_576;
}

async function crowd(
  rt: PodRuntime,
  arrivals: Arrivals,
  count: number,
): Promise<{ mb: number; rtt?: number[] }> {
  globalThis.gc?.();
  const before = rssMb();
  for (let i = 0; i < count; i++) {
    const started = await rt.pods.startManifest(await manifestOf('rtt', `p${i}`, 1));
    if (!started.ok) throw started.error;
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  const mb = rssMb() - before;
  const rtt: number[] = [];
  for (let i = 0; i < count; i += Math.max(1, Math.floor(count / 50))) {
    rtt.push(...(await roundTrips(rt, arrivals, `p${i}`, 40)));
  }
  for (let i = 0; i < count; i++) await rt.pods.get(`p${i}`)?.kill();
  return { mb, rtt };
}

export async function podResults(): Promise<Array<BenchResult | BenchFigure>> {
  const dir = await mkdtemp(join(tmpdir(), 'maos-bench-pod-'));
  const arrivals: Arrivals = new Map();
  const results: Array<BenchResult | BenchFigure> = [];
  const rt = await open(dir, arrivals, false);
  try {
    results.push(stats('pod/start/worker', await startTimes(rt, 1, 30)));
    results.push(stats('pod/start/worker/spaced', await startTimes(rt, 1, 30, 500)));
    results.push(stats('pod/start/process', await startTimes(rt, 2, 10)));
    results.push(await gatewayRtt(rt, arrivals, 'pod/gateway-rtt'));
    results.push(await sigkill(rt, 30));
    const fifty = await crowd(rt, arrivals, 50);
    results.push({ name: 'pod/memory', mb: Math.round((fifty.mb / 50) * 10) / 10, pods: 50 });
    const many = await crowd(rt, arrivals, POD_COUNT_MAX);
    results.push({ ...stats('pod/500', many.rtt ?? []), total_mb: Math.round(many.mb), pods: POD_COUNT_MAX });
  } finally {
    await rt.close();
  }
  const durable = await open(dir, arrivals, true);
  try {
    results.push(await gatewayRtt(durable, arrivals, 'pod/gateway-rtt/durable'));
  } finally {
    await durable.close();
    await rm(dir, { recursive: true, force: true });
  }
  return results;
}
