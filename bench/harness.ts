// Benchmark harness: times one operation many times and prints one JSON line per case with
// p50/p99 in microseconds and operations per second. Timings are measured here, never asserted.

import { cpus } from 'node:os';

export type BenchCase = {
  readonly name: string;
  /**
   * One operation. May return a promise; it is awaited. Return its result: the harness counts the
   * runs that returned something other than `undefined` or `false` (`returned` in the output), which
   * keeps the work from being optimized away and shows it succeeded every time.
   */
  readonly run: () => unknown;
  /** Measured operations (after warm-up). */
  readonly iterations?: number;
  readonly warmup?: number;
  /** Extra fields for the JSON line (sizes, counts). */
  readonly meta?: Readonly<Record<string, unknown>>;
};

export type BenchResult = {
  name: string;
  iterations: number;
  p50_us: number;
  p99_us: number;
  mean_us: number;
  ops_per_s: number;
  returned: number;
  [key: string]: unknown;
};

/** A figure that is not a timing (memory per pod, say): a name and its fields, printed as they are. */
export type BenchFigure = { name: string; [key: string]: unknown };

/** Runs a case: warm-up, then `iterations` individually timed calls. */
export async function measure(bench: BenchCase): Promise<BenchResult> {
  const iterations = bench.iterations ?? 20_000;
  const warmup = bench.warmup ?? Math.min(5_000, iterations);
  for (let i = 0; i < warmup; i++) await bench.run();
  const samples = new Float64Array(iterations);
  let returned = 0;
  const started = performance.now();
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    let out = bench.run();
    if (out instanceof Promise) out = await out;
    samples[i] = performance.now() - t0;
    if (out !== undefined && out !== false) returned += 1;
  }
  const totalMs = performance.now() - started;
  samples.sort();
  const at = (q: number): number =>
    samples[Math.min(iterations - 1, Math.floor(q * iterations))] ?? Number.NaN;
  return {
    name: bench.name,
    iterations,
    p50_us: round(at(0.5) * 1000),
    p99_us: round(at(0.99) * 1000),
    mean_us: round((totalMs * 1000) / iterations),
    ops_per_s: Math.round(iterations / (totalMs / 1000)),
    returned,
    ...bench.meta,
  };
}

export function machine(): Record<string, unknown> {
  const cpu = cpus();
  return {
    node: process.version,
    cpu: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    platform: process.platform,
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/**
 * Runs `total` operations with `concurrency` in flight at once (a closed loop: each worker starts
 * its next operation when the last one ends). Latency is per operation; `ops_per_s` is the total
 * over the wall time of the whole run.
 */
export async function measureConcurrent(
  name: string,
  options: { readonly concurrency: number; readonly total: number; readonly warmup?: number },
  run: () => Promise<unknown>,
  meta: Readonly<Record<string, unknown>> = {},
): Promise<BenchResult> {
  const warmup = options.warmup ?? Math.min(500, options.total);
  await pool(options.concurrency, warmup, run, undefined);
  const samples = new Float64Array(options.total);
  const started = performance.now();
  const returned = await pool(options.concurrency, options.total, run, samples);
  const totalMs = performance.now() - started;
  samples.sort();
  const at = (q: number): number =>
    samples[Math.min(options.total - 1, Math.floor(q * options.total))] ?? Number.NaN;
  return {
    name,
    iterations: options.total,
    concurrency: options.concurrency,
    p50_us: round(at(0.5) * 1000),
    p99_us: round(at(0.99) * 1000),
    mean_us: round((totalMs * 1000) / options.total),
    ops_per_s: Math.round(options.total / (totalMs / 1000)),
    returned,
    ...meta,
  };
}

async function pool(
  concurrency: number,
  total: number,
  run: () => Promise<unknown>,
  samples: Float64Array | undefined,
): Promise<number> {
  let next = 0;
  let returned = 0;
  const worker = async () => {
    for (let i = next++; i < total; i = next++) {
      const t0 = performance.now();
      const out = await run();
      if (samples !== undefined) samples[i] = performance.now() - t0;
      if (out !== undefined && out !== false) returned += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return returned;
}
