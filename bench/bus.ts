// `npm run bench -- bus`: signed and verified messages per second through the memory bus and the
// NATS JetStream bus, side by side. The sender side signs each envelope (Ed25519), the bus carries
// it, the receiving side runs every check (signature, replay, schema, rate, IFC, DLP) and calls the
// handler. `ops_per_s` counts messages signed, delivered and verified over the wall time of the run;
// p50/p99 are publish → handler, with up to `in_flight` messages outstanding (a closed loop).

import { randomBytes } from 'node:crypto';
import {
  type Bus,
  BusKeyRing,
  type BusOptions,
  type Envelope,
  MemoryBus,
  NatsBus,
  type ReceivePolicy,
  SchemaRegistry,
  signEnvelope,
} from '../src/bus/index.ts';
import type { BenchResult } from './harness.ts';

const IN_FLIGHT = 64;
const MEMORY_TOTAL = 20_000;
const NATS_TOTAL = 20_000;
const WARMUP = 1_000;

export async function busResults(): Promise<BenchResult[]> {
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
  const out: BenchResult[] = [];
  const memory = new MemoryBus(options);
  out.push(await run('bus/memory', memory, keys, MEMORY_TOTAL));
  await memory.close();
  const scope = randomBytes(4).toString('hex');
  const nats = await NatsBus.connect({
    ...options,
    stream: `MAOSBENCH_${scope}`,
    subjectPrefix: `maosbench_${scope}`,
  });
  if (!nats.ok) {
    out.push({ ...empty('bus/nats'), error: nats.error.message });
    return out;
  }
  try {
    out.push(await run('bus/nats', nats.value, keys, NATS_TOTAL));
  } finally {
    await nats.value.deleteStream();
    await nats.value.close();
  }
  return out;
}

async function run(name: string, bus: Bus, keys: BusKeyRing, total: number): Promise<BenchResult> {
  const started = new Map<string, number>();
  const samples: number[] = [];
  let delivered = 0;
  let wake: (() => void) | undefined;
  const sub = await bus.subscribe('carol', (delivery) => {
    const t0 = started.get(delivery.envelope.id);
    if (t0 !== undefined) samples.push(performance.now() - t0);
    started.delete(delivery.envelope.id);
    delivered += 1;
    wake?.();
  });
  if (!sub.ok) throw sub.error;
  let sent = 0;
  const send = async (count: number): Promise<void> => {
    const target = sent + count;
    while (sent < target) {
      while (sent - delivered >= IN_FLIGHT) await new Promise<void>((resolve) => (wake = resolve));
      const envelope = sign(keys, sent);
      started.set(envelope.id, performance.now());
      const published = await bus.publish(envelope);
      if (!published.ok) throw published.error;
      sent += 1;
    }
    while (delivered < sent) await new Promise<void>((resolve) => (wake = resolve));
  };
  await send(WARMUP);
  samples.length = 0;
  const t0 = performance.now();
  await send(total);
  const elapsedMs = performance.now() - t0;
  await sub.value.unsubscribe();
  samples.sort((a, b) => a - b);
  const at = (q: number) =>
    round((samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0) * 1000);
  return {
    name,
    iterations: total,
    p50_us: at(0.5),
    p99_us: at(0.99),
    mean_us: round((elapsedMs * 1000) / total),
    ops_per_s: Math.round(total / (elapsedMs / 1000)),
    returned: samples.length,
    in_flight: IN_FLIGHT,
    rejected: bus.records().length,
  };
}

function sign(keys: BusKeyRing, n: number): Envelope {
  const signed = signEnvelope(
    {
      from: 'alice',
      to: ['carol'],
      type: 'note',
      schema: 'note.v1',
      payload: { text: 'summary of the findings so far', n },
      label: { confidentiality: 'INTERNAL', integrity: 'TRUSTED' },
    },
    keys,
  );
  if (!signed.ok) throw signed.error;
  return signed.value;
}

function empty(name: string): BenchResult {
  return { name, iterations: 0, p50_us: 0, p99_us: 0, mean_us: 0, ops_per_s: 0, returned: 0 };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
