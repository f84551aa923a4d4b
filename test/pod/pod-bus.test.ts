// Agent-to-agent traffic over the signed bus, end to end: real pods, real keys, real receive checks.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { expect } from '../../src/runtime/pipeline.ts';
import { openPodRuntime, type PodRuntime } from '../../src/runtime/pod-runtime.ts';
import { eventually, journalData } from './eventually.ts';

const AGENTS = join(import.meta.dirname, 'agents');
const CONFIG = `version: 1
dataDir: data
agents:
  researcher: { ring: 2 }
  summarizer: { ring: 2 }
  talker:
    ring: 2
    capabilities:
      - { action: message.send, resource: "agent:listener" }
  listener: { ring: 2 }
  picky: { ring: 2 }
actions:
  message.send: { sideEffect: write }
`;

const SUMMARY = {
  type: 'object',
  required: ['title', 'points'],
  additionalProperties: false,
  properties: { title: { type: 'string' }, points: { type: 'array', items: { type: 'string' } } },
};

let dir: string;
let rt: PodRuntime;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'maos-pod-bus-'));
  const opened = await openPodRuntime({ configPath: join(dir, 'maos.yaml'), configText: CONFIG });
  if (!opened.ok) throw opened.error;
  rt = opened.value;
  for (const agent of ['researcher', 'summarizer', 'listener', 'talker', 'picky']) {
    const started = await rt.control.start(join(AGENTS, agent));
    assert.ok(started.ok, started.ok ? '' : started.error.message);
  }
});

after(async () => {
  await rt.close();
  await rm(dir, { recursive: true, force: true });
});

/** Waits for a `bus.rejected` record matching `wanted`: the receiving side journals refusals as they happen. */
async function rejected(wanted: (data: Record<string, unknown>) => boolean, what: string): Promise<void> {
  await eventually(async () => (await journalData(rt, 'bus.rejected')).some(wanted), what);
}

test('a typed pipe hands the researcher output to the summarizer over the bus, schema checked', async () => {
  const run = await rt.pipe(['researcher', expect(SUMMARY, 'summary.v1'), 'summarizer'], 'bees');
  assert.equal(run.ok, true, JSON.stringify(run));
  assert.equal(run.output, 'on bees: one, two');
  assert.ok(run.steps.some((step) => 'handoff' in step && step.ok));
});

test('output that breaks the schema stops the pipe before the summarizer', async () => {
  const run = await rt.pipe(['researcher', expect(SUMMARY, 'summary.v1'), 'summarizer'], 'off-schema');
  assert.equal(run.ok, false);
  assert.equal(
    run.steps.some((step) => 'agent' in step && step.agent === 'summarizer'),
    false,
  );
});

test('a card number in a handoff is refused by the receiving side (DLP), never delivered', async () => {
  const run = await rt.pipe(['researcher', expect(SUMMARY, 'summary.v1'), 'summarizer'], 'leak');
  assert.equal(run.ok, false);
  assert.equal(run.error?.code, 'MESSAGE_DENIED');
  assert.match(run.error?.message ?? '', /DLP/i);
  await rejected((record) => record.recipient === 'summarizer', 'the refusal is journaled');
});

test('a message from a sender the recipient does not list is refused at receipt and journaled', async () => {
  // listener accepts talker only; researcher's pod key is real, so only the allowlist can refuse it.
  const sent = await rt.bus.send('researcher', 'listener', 'note', { text: 'hi' });
  assert.ok(sent.ok, 'publishing succeeds; the receiving side decides');
  await rejected(
    (record) => record.recipient === 'listener' && record.from === 'researcher',
    'the refusal is journaled',
  );
  const inbox = await rt.control.task('listener', 'read');
  assert.ok(inbox.ok);
  assert.ok(!JSON.stringify(inbox.value).includes('researcher'));
});

test('a message between pods arrives signed and checked: talker to listener', async () => {
  const sent = await rt.control.task('talker', 'ping');
  assert.ok(sent.ok, sent.ok ? '' : sent.error.message);
  let inbox: unknown = [];
  await eventually(async () => {
    const read = await rt.control.task('listener', 'read');
    assert.ok(read.ok);
    inbox = read.value;
    return JSON.stringify(inbox) !== '[]';
  }, 'the note reaches the listener');
  assert.deepEqual(inbox, [{ from: 'talker', type: 'note', body: { text: 'ping' } }]);
});

test('a receiver refuses senders below its trust threshold; commits raise the sender score, persisted', async () => {
  const sent = await rt.bus.send('researcher', 'picky', 'note', { text: 'hi' });
  assert.ok(sent.ok);
  await rejected(
    (record) => record.recipient === 'picky' && record.reason === 'BUS_TRUST_BELOW_THRESHOLD',
    'the refusal is journaled',
  );
  const before = await rt.trust.ledger.score('talker');
  assert.ok(before.ok);
  assert.ok((await rt.control.task('talker', 'again')).ok);
  await eventually(async () => {
    const after = await rt.trust.ledger.score('talker');
    return after.ok && after.value > before.value;
  }, 'a committed message raised the trust of talker');
});

test('nothing reaches a killed agent: its subscription is blocked and its key retired', async () => {
  assert.ok((await rt.control.signal('summarizer', 'SIGKILL')).ok);
  const run = await rt.pipe(['researcher', expect(SUMMARY, 'summary.v1'), 'summarizer'], 'bees');
  assert.equal(run.ok, false);
  const forged = await rt.bus.send('summarizer', 'researcher', 'note', { text: 'from the dead' });
  assert.equal(forged.ok, false);
});
