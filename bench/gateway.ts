// `npm run bench -- gateway`: tools/call `echo` on @modelcontextprotocol/server-everything, directly
// over stdio and through `maos gateway` (stdio, SQLite journal, fsync'd), with the SDK's real
// Client on both sides. Blocks of calls alternate between the two so host noise hits both alike.
// `echo` is declared `read` (it has no effect: the observation path, two durable journal records);
// `gateway/maos/write` declares it `write` (the full commit path, three durable records).

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { BenchResult } from './harness.ts';

const ROOT = resolve(import.meta.dirname, '..');
const EVERYTHING = join(ROOT, 'node_modules', '.bin', 'mcp-server-everything');
const ROUNDS = 10;
const SEQUENTIAL_PER_ROUND = 300;
const CONCURRENT_PER_ROUND = 1_600;
const CONCURRENCY = 16;
const WARMUP = 300;

type Side = { readonly name: string; readonly client: Client; close(): Promise<void> };

export async function gatewayResults(): Promise<BenchResult[]> {
  const dir = await mkdtemp(join(tmpdir(), 'maos-bench-gateway-'));
  const sides: Side[] = [];
  try {
    const direct = await connect('direct', EVERYTHING, ['stdio']);
    sides.push(direct);
    const maos = await connect('maos', process.execPath, gatewayArgs(await config(dir, 'read', 'read')));
    sides.push(maos);
    const write = await connect(
      'maos/write',
      process.execPath,
      gatewayArgs(await config(dir, 'write', 'write')),
    );
    sides.push(write);
    for (const side of sides) await sequential(side, WARMUP);
    const samples = new Map<string, number[]>(sides.map((side) => [side.name, []]));
    const rates = new Map<string, number[]>(sides.map((side) => [side.name, []]));
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const side of sides)
        samples.get(side.name)?.push(...(await sequential(side, SEQUENTIAL_PER_ROUND)));
    }
    const concurrent = new Map<string, number[]>(sides.map((side) => [side.name, []]));
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const side of sides) {
        const started = performance.now();
        concurrent.get(side.name)?.push(...(await parallel(side, CONCURRENT_PER_ROUND, CONCURRENCY)));
        rates.get(side.name)?.push(CONCURRENT_PER_ROUND / ((performance.now() - started) / 1000));
      }
    }
    return report(samples, concurrent, rates);
  } finally {
    for (const side of sides) await side.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function report(
  samples: Map<string, number[]>,
  concurrent: Map<string, number[]>,
  rates: Map<string, number[]>,
): BenchResult[] {
  const direct = stats(samples.get('direct') ?? []);
  const directRate = median(rates.get('direct') ?? []);
  const out: BenchResult[] = [];
  for (const [name, values] of samples) {
    const s = stats(values);
    const c = stats(concurrent.get(name) ?? []);
    const rate = median(rates.get(name) ?? []);
    const extra =
      name === 'direct'
        ? {}
        : {
            ratio_to_direct: round2(direct.p50 / s.p50),
            added_p50_us: round(s.p50 - direct.p50),
            added_p99_us: round(s.p99 - direct.p99),
          };
    out.push(result(`gateway/${name}`, values.length, 1, s, 1_000_000 / s.mean, extra));
    const cextra = name === 'direct' ? {} : { ratio_to_direct: round2(rate / directRate) };
    out.push(
      result(
        `gateway/${name}/c=${CONCURRENCY}`,
        concurrent.get(name)?.length ?? 0,
        CONCURRENCY,
        c,
        rate,
        cextra,
      ),
    );
  }
  return out;
}

function result(
  name: string,
  iterations: number,
  concurrency: number,
  s: Stats,
  opsPerS: number,
  extra: Record<string, number>,
): BenchResult {
  return {
    name,
    iterations,
    concurrency,
    p50_us: round(s.p50),
    p99_us: round(s.p99),
    mean_us: round(s.mean),
    ops_per_s: Math.round(opsPerS),
    returned: iterations,
    ...extra,
  } as BenchResult;
}

async function sequential(side: Side, count: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i += 1) out.push(await timedEcho(side));
  return out;
}

async function parallel(side: Side, count: number, concurrency: number): Promise<number[]> {
  const out: number[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      next += 1;
      out.push(await timedEcho(side));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return out;
}

async function timedEcho(side: Side): Promise<number> {
  const name = side.name === 'direct' ? 'echo' : 'everything__echo';
  const started = performance.now();
  const result = await side.client.callTool({ name, arguments: { message: 'hello' } });
  const elapsed = (performance.now() - started) * 1000;
  if (result.isError === true)
    throw new Error(`${side.name}: echo failed: ${JSON.stringify(result.content)}`);
  return elapsed;
}

async function connect(name: string, command: string, args: string[]): Promise<Side> {
  const client = new Client({ name: `bench-${name}`, version: '1' });
  await client.connect(new StdioClientTransport({ command, args, stderr: 'ignore' }));
  return { name, client, close: () => client.close() };
}

function gatewayArgs(configPath: string): string[] {
  return [
    '--disable-warning=ExperimentalWarning',
    join(ROOT, 'src', 'cli', 'main.ts'),
    'gateway',
    '--config',
    configPath,
  ];
}

async function config(dir: string, name: string, sideEffect: 'read' | 'write'): Promise<string> {
  const path = join(dir, `${name}.yaml`);
  await writeFile(
    path,
    [
      'version: 1',
      `dataDir: data-${name}`,
      'agents:',
      '  bench:',
      '    ring: 2',
      "    capabilities: [{ action: 'mcp.everything.*', resource: '**' }]",
      'actions:',
      `  mcp.everything.echo: { sideEffect: ${sideEffect} }`,
      'mcp:',
      '  agent: bench',
      '  servers:',
      `    everything: { command: ${JSON.stringify(EVERYTHING)}, args: [stdio] }`,
      '',
    ].join('\n'),
  );
  return path;
}

type Stats = { readonly p50: number; readonly p99: number; readonly mean: number };

function stats(values: number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  const mean = sorted.reduce((sum, value) => sum + value, 0) / Math.max(1, sorted.length);
  return { p50: at(0.5), p99: at(0.99), mean };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
