// Bad input from an agent: it throws, never returns, allocates without bound, floods, sends an
// oversized call or names another agent. Its own pod suffers; the kernel and other pods keep serving.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openPodRuntime, type PodRuntime } from '../../src/runtime/pod-runtime.ts';
import { eventually, journalData } from './eventually.ts';

const AGENTS = join(import.meta.dirname, 'agents');
const CONFIG = `version: 1
dataDir: data
agents:
  hostile:
    ring: 2
    capabilities: [{ action: kv.put, resource: "kv:hostile/*" }]
  listener: { ring: 2 }
actions:
  kv.put: { sideEffect: write, snapshot: true }
`;

let dir: string;
let rt: PodRuntime;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'maos-pods-bad-'));
  const opened = await openPodRuntime({ configPath: join(dir, 'maos.yaml'), configText: CONFIG });
  if (!opened.ok) throw opened.error;
  rt = opened.value;
  assert.ok((await rt.control.start(join(AGENTS, 'listener'))).ok);
});

after(async () => {
  await rt.close();
  await rm(dir, { recursive: true, force: true });
});

async function restart(): Promise<void> {
  const pod = rt.pods.get('hostile');
  if (pod === undefined || pod.state === 'terminated') {
    const started = await rt.control.start(join(AGENTS, 'hostile'));
    assert.ok(started.ok, started.ok ? '' : started.error.message);
  }
}

async function othersServe(): Promise<void> {
  const inbox = await rt.control.task('listener', 'read');
  assert.ok(inbox.ok, 'the other pod keeps serving');
  assert.equal((await rt.service.health()).status, 'ok', 'the kernel keeps serving');
}

test('an agent that throws fails its task with TASK_FAILED and stays up', async () => {
  await restart();
  const result = await rt.control.task('hostile', 'throw');
  assert.equal(result.ok ? '' : result.error.code, 'TASK_FAILED');
  assert.match(result.ok ? '' : result.error.message, /agent blew up/);
  assert.equal(rt.pods.get('hostile')?.state, 'running');
  await othersServe();
});

test('an agent that never returns is killed at its task timeout', async () => {
  await restart();
  const result = await rt.control.task('hostile', 'hang');
  assert.equal(result.ok ? '' : result.error.code, 'TASK_TIMEOUT');
  assert.equal(rt.pods.get('hostile')?.state, 'terminated');
  await othersServe();
});

test('an agent that allocates without bound dies alone; the journal records the crash', async () => {
  await restart();
  const result = await rt.control.task('hostile', 'allocate');
  assert.equal(result.ok ? '' : result.error.code, 'POD_TERMINATED');
  assert.equal(rt.pods.get('hostile')?.exit?.cause, 'crashed');
  // The exit record is journaled as the pod retires, just after the task learnt of the crash.
  await eventually(
    async () =>
      (await journalData(rt, 'pod.exited')).some((data) => JSON.stringify(data).includes('crashed')),
    'pod.exited with cause crashed is in the journal',
  );
  await othersServe();
});

test('an agent cannot act as another: the intent is its own and its token decides', async () => {
  await restart();
  const result = await rt.control.task('hostile', 'forge');
  assert.ok(result.ok);
  const answer = result.value as { code?: string; message?: string };
  assert.equal(answer.code, 'GATEWAY_DENIED');
  assert.match(answer.message ?? '', /capability/);
  const intents = await rt.service.journal({ fromSeq: 0, limit: 1000, types: ['intent.denied'] });
  assert.ok(intents.ok);
  const denied = intents.value
    .map((entry) => entry.data as { agent: string; resource: string })
    .filter((data) => data.resource === 'kv:notes/stolen');
  assert.ok(denied.length > 0 && denied.every((data) => data.agent === 'hostile'));
});

test('an oversized call is refused before it reaches the kernel', async () => {
  await restart();
  const result = await rt.control.task('hostile', 'oversized');
  assert.ok(result.ok);
  assert.match((result.value as { code: string }).code, /POD_CALL_TOO_LARGE|INVALID_INPUT|OVERSIZED/);
  await othersServe();
});

test('a flood of calls is cut by the Sentry and counts against the agent, not the others', async () => {
  await restart();
  const result = await rt.control.task('hostile', 'flood');
  assert.ok(result.ok);
  const codes = result.value as string[];
  assert.ok(codes.includes('ok'));
  assert.ok(
    codes.some((code) => code === 'GATEWAY_RATE_LIMITED' || code === 'POD_BUSY'),
    JSON.stringify([...new Set(codes)]),
  );
  assert.ok(rt.immune.status('hostile').score > 0);
  await othersServe();
});
