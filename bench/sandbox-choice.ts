// `npm run bench:sandbox-choice`: the measurement behind decision 0008. SES in a worker thread
// (fresh, and from a warm spare) and a child process, against QuickJS (quickjs-emscripten) with one
// runtime per agent inside the host: start to ready, one API round trip from agent code to the host
// and back, memory per idle instance, kill of a busy loop, and the constructor-chain escapes.
// Prints one JSON line per measurement. Run with --expose-gc for steadier memory numbers.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newQuickJSWASMModule, type QuickJSContext, type QuickJSRuntime } from 'quickjs-emscripten';
import { createSandbox } from '../src/pod/sandbox/create-sandbox.ts';
import type { Sandbox, SandboxKind } from '../src/pod/sandbox/port.ts';
import { setWorkerSpares } from '../src/pod/sandbox/worker-pool.ts';
import { machine } from './harness.ts';

const STARTS = 20;
const ROUND_TRIPS = 2000;
const IDLE_INSTANCES = 10;
const ESCAPE_FIXTURE = join(import.meta.dirname, '..', 'test', 'pod', 'fixtures', 'escape-agent', 'main.js');
const AGENT_SOURCE = `export async function onTask(task, maos) {
  if (task.spin) for (;;) {}
  for (let i = 0; i < task.calls; i++) await maos.call('bench', 'tool://bench', { i });
  return task.calls;
}
`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const gc = () => (globalThis as { gc?: () => void }).gc?.();
const rssMb = () => process.memoryUsage().rss / 1_048_576;
const round = (value: number) => Math.round(value * 100) / 100;

function stats(samples: number[]): { median: number; p99: number; n: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { median: round(at(0.5)), p99: round(at(0.99)), n: sorted.length };
}

function print(record: Record<string, unknown>): void {
  console.log(JSON.stringify(record));
}

// --- SES in a worker or a process ------------------------------------------------------------

const agentDir = mkdtempSync(join(tmpdir(), 'maos-bench-agent-'));
writeFileSync(join(agentDir, 'main.js'), AGENT_SOURCE);
const workspace = mkdtempSync(join(tmpdir(), 'maos-bench-ws-'));

function sandbox(kind: SandboxKind, entry = join(agentDir, 'main.js')): Sandbox {
  return createSandbox({ kind, agent: 'bench', entry, workspace, memoryMb: 64, startTimeoutMs: 30_000 });
}

async function started(kind: SandboxKind, entry?: string): Promise<Sandbox> {
  const s = sandbox(kind, entry);
  const result = await s.start();
  if (!result.ok) throw result.error;
  return s;
}

async function coldStarts(kind: SandboxKind, gapMs: number, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    await sleep(gapMs);
    const s = sandbox(kind);
    const t0 = performance.now();
    const result = await s.start();
    times.push(performance.now() - t0);
    if (!result.ok) throw result.error;
    await s.kill();
  }
  return times;
}

async function roundTrips(kind: SandboxKind): Promise<number[]> {
  const s = await started(kind);
  const arrivals: number[] = [];
  s.onMessage((raw) => {
    const m = raw as { kind: string; id: number };
    if (m.kind !== 'call') return;
    arrivals.push(performance.now());
    s.send({ kind: 'reply', id: m.id, ok: true, value: null });
  });
  const done = new Promise((resolve) =>
    s.onMessage((m) => (m as { kind: string }).kind === 'task.done' && resolve(m)),
  );
  s.send({ kind: 'task', taskId: 'rt', task: { calls: ROUND_TRIPS } });
  await done;
  await s.kill();
  return arrivals.slice(1).map((t, i) => (t - (arrivals[i] ?? t)) * 1000);
}

async function idleMemory(kind: SandboxKind): Promise<{ rssPerInstanceMb: number; reportedMb: number }> {
  gc();
  await sleep(200);
  const before = rssMb();
  const list: Sandbox[] = [];
  for (let i = 0; i < IDLE_INSTANCES; i++) list.push(await started(kind));
  await sleep(500);
  gc();
  const after = rssMb();
  const reported = await Promise.all(list.map((s) => s.memoryBytes()));
  await Promise.all(list.map((s) => s.kill()));
  const mean = reported.reduce<number>((sum, b) => sum + (b ?? 0), 0) / reported.length / 1_048_576;
  return {
    rssPerInstanceMb: round(kind === 'worker' ? (after - before) / IDLE_INSTANCES : mean),
    reportedMb: round(mean),
  };
}

async function killBusy(kind: SandboxKind, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const s = await started(kind);
    s.send({ kind: 'task', taskId: 'spin', task: { spin: true } });
    await sleep(30);
    const t0 = performance.now();
    await s.kill();
    times.push(performance.now() - t0);
  }
  return times;
}

async function sesEscapes(kind: SandboxKind): Promise<{ blocked: number; attempts: number }> {
  const s = await started(kind, ESCAPE_FIXTURE);
  s.onMessage((raw) => {
    const m = raw as { kind: string; id: number };
    if (m.kind === 'call') s.send({ kind: 'reply', id: m.id, ok: true, value: null });
  });
  const done = new Promise<{ value: Record<string, string> }>((resolve) =>
    s.onMessage((m) => (m as { kind: string }).kind === 'task.done' && resolve(m as never)),
  );
  s.send({ kind: 'task', taskId: 'escape', task: null });
  const { globalNames: _names, ...attempts } = (await done).value;
  await s.kill();
  const outcomes = Object.values(attempts);
  return { blocked: outcomes.filter((o) => o === 'blocked').length, attempts: outcomes.length };
}

// --- QuickJS, one runtime per agent inside the host --------------------------------------------

const QUICKJS_AGENT = `globalThis.onTask = async (task) => {
  for (let i = 0; i < task.calls; i++) await maos.call('bench', 'tool://bench', i);
  return task.calls;
};`;
const QUICKJS_ESCAPES = [
  'typeof process',
  'typeof require',
  "maos.call.constructor('return typeof process')()",
  "(async () => {}).constructor.constructor('return typeof require')()",
  "(function* () {}).constructor('return typeof process')().next().value",
  "Object.getPrototypeOf(maos.call).constructor('return typeof globalThis.process')()",
  "Function('return typeof this.process')()",
  "eval('typeof process')",
  'typeof setTimeout',
  'typeof fetch',
];

type QuickAgent = { runtime: QuickJSRuntime; vm: QuickJSContext; arrivals: number[] };

function quickAgent(module: Awaited<ReturnType<typeof newQuickJSWASMModule>>): QuickAgent {
  const runtime = module.newRuntime();
  runtime.setMemoryLimit(64 * 1_048_576);
  runtime.setMaxStackSize(1_048_576);
  const vm = runtime.newContext();
  const arrivals: number[] = [];
  const maos = vm.newObject();
  const call = vm.newFunction('call', () => {
    arrivals.push(performance.now());
    const deferred = vm.newPromise();
    // WHY a microtask: a real gateway answers asynchronously.
    queueMicrotask(() => {
      deferred.resolve(vm.null);
      deferred.dispose();
      runtime.executePendingJobs();
    });
    return deferred.handle;
  });
  vm.setProp(maos, 'call', call);
  vm.setProp(vm.global, 'maos', maos);
  call.dispose();
  maos.dispose();
  vm.unwrapResult(vm.evalCode(QUICKJS_AGENT, 'agent.js')).dispose();
  return { runtime, vm, arrivals };
}

function disposeQuick(agent: QuickAgent): void {
  agent.vm.dispose();
  agent.runtime.dispose();
}

async function quickRoundTrips(agent: QuickAgent): Promise<number[]> {
  const { vm, runtime } = agent;
  const onTask = vm.getProp(vm.global, 'onTask');
  const task = vm.unwrapResult(vm.evalCode(`({ calls: ${ROUND_TRIPS} })`));
  const promise = vm.unwrapResult(vm.callFunction(onTask, vm.undefined, task));
  const settled = vm.resolvePromise(promise);
  runtime.executePendingJobs();
  vm.unwrapResult(await settled).dispose();
  for (const handle of [onTask, task, promise]) handle.dispose();
  return agent.arrivals.slice(1).map((t, i) => (t - (agent.arrivals[i] ?? t)) * 1000);
}

function quickEscapes(agent: QuickAgent): { blocked: number; attempts: number; reached: string[] } {
  let blocked = 0;
  const reached: string[] = [];
  for (const code of QUICKJS_ESCAPES) {
    const result = agent.vm.evalCode(code);
    if (result.error !== undefined) {
      result.error.dispose();
      blocked += 1;
      continue;
    }
    const value = agent.vm.dump(result.value);
    if (result.value.alive) result.value.dispose();
    if (value === 'undefined' || value === undefined) blocked += 1;
    else reached.push(`${code} → ${String(value)}`);
  }
  return { blocked, attempts: QUICKJS_ESCAPES.length, reached };
}

async function quickjs(): Promise<void> {
  const t0 = performance.now();
  const module = await newQuickJSWASMModule();
  print({ case: 'quickjs module load (once per host)', ms: round(performance.now() - t0) });
  const starts: number[] = [];
  for (let i = 0; i < STARTS; i++) {
    const t = performance.now();
    const agent = quickAgent(module);
    starts.push(performance.now() - t);
    disposeQuick(agent);
  }
  print({ case: 'quickjs in-process runtime: start to ready', unit: 'ms', ...stats(starts) });
  const agent = quickAgent(module);
  print({ case: 'quickjs in-process: api round trip', unit: 'µs', ...stats(await quickRoundTrips(agent)) });
  print({ case: 'quickjs constructor-chain escapes', ...quickEscapes(agent) });
  disposeQuick(agent);
  gc();
  const before = rssMb();
  const idle = Array.from({ length: IDLE_INSTANCES }, () => quickAgent(module));
  gc();
  const used = idle.map((a) => {
    const handle = a.runtime.computeMemoryUsage();
    const usage = a.vm.dump(handle) as { memory_used_size: number };
    handle.dispose();
    return usage.memory_used_size;
  });
  print({
    case: 'quickjs in-process: memory per idle instance',
    rssPerInstanceMb: round((rssMb() - before) / IDLE_INSTANCES),
    reportedMb: round(used.reduce((a, b) => a + b, 0) / used.length / 1_048_576),
  });
  idle.forEach(disposeQuick);
  const spin = quickAgent(module);
  let deadline = 0;
  spin.runtime.setInterruptHandler(() => performance.now() > deadline);
  deadline = performance.now() + 30;
  const t1 = performance.now();
  const result = spin.vm.evalCode('for (;;) {}');
  print({
    case: 'quickjs in-process: busy loop stopped by interrupt handler (host thread blocked meanwhile)',
    blockedHostMs: round(performance.now() - t1),
    interrupted: result.error !== undefined,
  });
  result.error?.dispose();
  disposeQuick(spin);
}

async function ses(): Promise<void> {
  await started('worker').then((s) => s.kill()); // Warms the host caches (SES code cache, Babel).
  setWorkerSpares(0);
  print({
    case: 'ses worker, fresh thread: start to ready',
    unit: 'ms',
    ...stats(await coldStarts('worker', 0, STARTS)),
  });
  print({ case: 'ses worker: memory per idle instance', ...(await idleMemory('worker')) });
  setWorkerSpares(1);
  await started('worker').then((s) => s.kill()); // Takes a fresh worker and leaves a spare behind.
  print({
    case: 'ses worker, warm spare: start to ready',
    unit: 'ms',
    ...stats(await coldStarts('worker', 250, STARTS)),
  });
  print({ case: 'ses process: start to ready', unit: 'ms', ...stats(await coldStarts('process', 0, 10)) });
  print({ case: 'ses process: memory per idle instance (VmRSS)', ...(await idleMemory('process')) });
  print({ case: 'ses worker: api round trip', unit: 'µs', ...stats(await roundTrips('worker')) });
  print({ case: 'ses process: api round trip', unit: 'µs', ...stats(await roundTrips('process')) });
  print({ case: 'ses worker: kill of a busy loop', unit: 'ms', ...stats(await killBusy('worker', STARTS)) });
  print({ case: 'ses process: kill of a busy loop', unit: 'ms', ...stats(await killBusy('process', 10)) });
  print({ case: 'ses worker constructor-chain escapes', ...(await sesEscapes('worker')) });
  print({ case: 'ses process constructor-chain escapes', ...(await sesEscapes('process')) });
  setWorkerSpares(0);
}

print({ machine: machine() });
if (!process.argv.includes('--quickjs-only')) await ses();
await quickjs();
