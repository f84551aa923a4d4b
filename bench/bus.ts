// `npm run bench -- bus`: signed and verified messages per second through the memory bus and the
// NATS JetStream bus, side by side, each signed two ways. `bus/memory` and `bus/nats` sign the way
// the runtime sends: through a `BatchSigner`, which coalesces the drafts of one turn of the event
// loop into batches under one Ed25519 signature each (decision 0010); `batch_mean` is the number
// of envelopes per signature actually made in the run. `…/per-message` signs each envelope alone
// (`signEnvelope`, one signature and one verification per message). Every message is fully checked
// at receipt (parse, key, signature or batch proof, replay, schema, rate, IFC, DLP) before its
// handler runs. `ops_per_s` counts messages handled per second over the wall time of the run;
// p50/p99 run from handing the draft over for signing to the handler, with at most `in_flight`
// messages between the two (a closed loop: each delivery lets the sender hand over the next draft).

import { randomBytes } from 'node:crypto';
import {
  BatchSigner,
  type Bus,
  BusKeyRing,
  type BusOptions,
  type Envelope,
  type EnvelopeDraft,
  MemoryBus,
  NatsBus,
  type ReceivePolicy,
  SchemaRegistry,
  signEnvelope,
} from '../src/bus/index.ts';
import type { KernelError, Result } from '../src/shared/index.ts';
import type { BenchResult } from './harness.ts';

const IN_FLIGHT = 64;
const MEMORY_TOTAL = 40_000;
const NATS_TOTAL = 40_000;
const WARMUP = 2_000;

type Signing = 'batched' | 'per-message';
type Case = { readonly name: string; readonly adapter: 'memory' | 'nats'; readonly signing: Signing };

const CASES: readonly Case[] = [
  { name: 'bus/memory', adapter: 'memory', signing: 'batched' },
  { name: 'bus/memory/per-message', adapter: 'memory', signing: 'per-message' },
  { name: 'bus/nats', adapter: 'nats', signing: 'batched' },
  { name: 'bus/nats/per-message', adapter: 'nats', signing: 'per-message' },
];

/** Every case, or only those named in `only` (profiling). */
export async function busResults(only: readonly string[] = []): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  for (const one of CASES) {
    if (only.length > 0 && !only.includes(one.name)) continue;
    out.push(await runCase(one));
  }
  return out;
}

async function runCase(one: Case): Promise<BenchResult> {
  // WHY: a fresh key ring and bus per case, so no case inherits another's replay state or cache.
  const keys = new BusKeyRing();
  keys.generate('alice');
  const schemas = new SchemaRegistry({
    'note.v1': {
      type: 'object',
      properties: { text: { type: 'string' }, n: { type: 'integer' } },
      required: ['text'],
    },
  });
  const policy: ReceivePolicy = {
    senders: ['alice'],
    clearance: 'INTERNAL',
    rate: { perSecond: 1e9, burst: 1e9 },
    dlp: 'block',
    schemas,
  };
  const options: BusOptions = { keys, policies: () => policy, queueDepth: 4_096 };
  if (one.adapter === 'memory') {
    const bus = new MemoryBus(options);
    try {
      return await run(one, bus, keys, MEMORY_TOTAL);
    } finally {
      await bus.close();
    }
  }
  const scope = randomBytes(4).toString('hex');
  const nats = await NatsBus.connect({
    ...options,
    stream: `MAOSBENCH_${scope}`,
    subjectPrefix: `maosbench_${scope}`,
  });
  if (!nats.ok) return { ...empty(one.name), error: nats.error.message };
  try {
    return await run(one, nats.value, keys, NATS_TOTAL);
  } finally {
    await nats.value.deleteStream();
    await nats.value.close();
  }
}

async function run(one: Case, bus: Bus, keys: BusKeyRing, total: number): Promise<BenchResult> {
  const signer = new BatchSigner(keys);
  const sign = (n: number): Promise<Result<Envelope, KernelError>> | Result<Envelope, KernelError> =>
    one.signing === 'batched' ? signer.sign(draft(n)) : signEnvelope(draft(n), keys);
  const startedAt = new Float64Array(WARMUP + total);
  const samples: number[] = [];
  let handed = 0;
  let delivered = 0;
  let target = 0;
  let failure: KernelError | undefined;
  let done: (() => void) | undefined;
  const publish = async (signed: Result<Envelope, KernelError>): Promise<void> => {
    if (!signed.ok) {
      failure ??= signed.error;
      return;
    }
    const published = await bus.publish(signed.value);
    if (!published.ok) failure ??= published.error;
  };
  // WHY: the sender hands over drafts whenever the window has room and never waits for one
  // publish before the next, as many agents sending at once would; publishing stays in signing
  // order (a batch's results resolve in order, and batches in order).
  const pump = (): void => {
    while (handed < target && handed - delivered < IN_FLIGHT) {
      const n = handed;
      handed += 1;
      startedAt[n] = performance.now();
      const signed = sign(n);
      if (signed instanceof Promise) void signed.then(publish);
      else void publish(signed);
    }
  };
  const sub = await bus.subscribe('carol', (delivery) => {
    const n = (delivery.payload as { n: number }).n;
    if (n >= WARMUP) samples.push(performance.now() - (startedAt[n] ?? 0));
    delivered += 1;
    if (delivered === target) done?.();
    else pump();
  });
  if (!sub.ok) throw sub.error;
  const phase = async (count: number): Promise<number> => {
    target += count;
    const t0 = performance.now();
    const finished = new Promise<void>((resolve) => (done = resolve));
    pump();
    const check = setInterval(() => {
      if (failure !== undefined) done?.();
    }, 50);
    await finished;
    clearInterval(check);
    if (failure !== undefined) throw failure;
    return performance.now() - t0;
  };
  await phase(WARMUP);
  const before = signer.stats;
  const elapsedMs = await phase(total);
  const after = signer.stats;
  await sub.value.unsubscribe();
  samples.sort((a, b) => a - b);
  const at = (q: number) =>
    round((samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0) * 1000);
  const signatures = after.signatures - before.signatures;
  return {
    name: one.name,
    iterations: total,
    p50_us: at(0.5),
    p99_us: at(0.99),
    mean_us: round((elapsedMs * 1000) / total),
    ops_per_s: Math.round(total / (elapsedMs / 1000)),
    returned: samples.length,
    in_flight: IN_FLIGHT,
    signing: one.signing,
    batch_mean: one.signing === 'batched' ? round((after.envelopes - before.envelopes) / signatures) : 1,
    rejected: bus.records().length,
  };
}

function draft(n: number): EnvelopeDraft {
  return {
    from: 'alice',
    to: ['carol'],
    type: 'note',
    schema: 'note.v1',
    payload: { text: 'summary of the findings so far', n },
    label: { confidentiality: 'INTERNAL', integrity: 'TRUSTED' },
  };
}

function empty(name: string): BenchResult {
  return { name, iterations: 0, p50_us: 0, p99_us: 0, mean_us: 0, ops_per_s: 0, returned: 0 };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
