// The NATS JetStream adapter against the bus conformance suite, on the server at 127.0.0.1:4222,
// with senders signing each envelope alone and with senders signing through a batch signer.
// Each case gets its own stream and subjects, deleted afterwards. Without NATS the cases skip,
// except under CI (`CI` set), where an unreachable server fails the run.

import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { type Bus, type BusOptions, NatsBus } from '../../src/bus/index.ts';
import { type AdapterUnderTest, runBusConformance } from './conformance.ts';
import { busFixture } from './fixture.ts';

const SERVER = process.env.MAOS_NATS_URL ?? '127.0.0.1:4222';
const RUN = randomBytes(4).toString('hex');
/** A server that is up answers at once; a loaded CI machine may take seconds to get there. */
const CONNECT_TIMEOUT_MS = 10_000;
let counter = 0;

async function reachable(): Promise<boolean> {
  const probe = await NatsBus.connect({
    ...busFixture().options(),
    servers: SERVER,
    stream: `MAOSPROBE_${RUN}`,
    subjectPrefix: `maosprobe_${RUN}`,
    connectTimeoutMs: CONNECT_TIMEOUT_MS,
  });
  if (!probe.ok) return false;
  await probe.value.deleteStream();
  await probe.value.close();
  return true;
}

const up = await reachable();
if (!up && process.env.CI !== undefined) {
  test('NATS JetStream is reachable under CI', () => {
    throw new Error(`nats at ${SERVER} is unreachable, and CI requires it`);
  });
}

async function open(options: BusOptions, scope: string): Promise<NatsBus> {
  const bus = await NatsBus.connect({
    ...options,
    servers: SERVER,
    stream: `MAOSTEST_${scope}`,
    subjectPrefix: `maostest_${scope}`,
    connectTimeoutMs: CONNECT_TIMEOUT_MS,
  });
  if (!bus.ok) throw bus.error;
  return bus.value;
}

const nats: AdapterUnderTest = {
  name: 'nats',
  skip: up ? undefined : `nats at ${SERVER} is unreachable (set CI to make this fail)`,
  open: async (options) => {
    counter += 1;
    const scope = `${RUN}_${counter}`;
    const bus = await open(options, scope);
    const peers: Bus[] = [];
    return {
      bus,
      peer: async () => {
        const peer = await open(options, scope);
        peers.push(peer);
        return peer;
      },
      interrupt: async (during) => {
        await bus.disconnect();
        await during();
        const back = await bus.reconnect();
        if (!back.ok) throw back.error;
      },
      dispose: async () => {
        await bus.deleteStream();
        for (const peer of peers) await peer.close();
        await bus.close();
      },
    };
  },
};

runBusConformance(nats, 'single');
runBusConformance(nats, 'batched');
