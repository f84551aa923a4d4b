// Pods end to end on the embedded default: real sandboxes, real SQLite journal, real tokens.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openPodRuntime, type PodRuntime } from '../../src/runtime/pod-runtime.ts';

const AGENTS = join(import.meta.dirname, 'agents');

const CONFIG = `version: 1
dataDir: data
agents:
  notes:
    ring: 2
    capabilities:
      - { action: kv.put, resource: "kv:notes/*" }
      - { action: kv.get, resource: "kv:notes/*" }
  spinner: { ring: 2 }
  talker:
    ring: 2
    capabilities:
      - { action: message.send, resource: "agent:listener" }
  listener: { ring: 2 }
actions:
  kv.put: { sideEffect: write, snapshot: true }
  kv.get: { sideEffect: read }
  message.send: { sideEffect: write }
pods:
  providers:
    - { name: scripted, kind: scripted, rules: [{ when: hello, reply: "hi there" }], default: "ok" }
`;

let dir: string;
let rt: PodRuntime;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'maos-pods-'));
  const opened = await openPodRuntime({
    configPath: join(dir, 'maos.yaml'),
    configText: CONFIG,
    termGraceMs: 2_000,
  });
  if (!opened.ok) throw opened.error;
  rt = opened.value;
});

after(async () => {
  await rt.close();
  await rm(dir, { recursive: true, force: true });
});

async function journalTypes(agent: string): Promise<string[]> {
  const entries = await rt.service.journal({ fromSeq: 0, limit: 1000 });
  assert.ok(entries.ok);
  return entries.value
    .filter((entry) => JSON.stringify(entry.data).includes(`"${agent}"`))
    .map((entry) => entry.type);
}

test('INV-1: an agent runs in a pod; its calls become intents the kernel decides and journals', async () => {
  const started = await rt.control.start(join(AGENTS, 'notes'));
  assert.ok(started.ok, started.ok ? '' : started.error.message);
  assert.equal(started.value.state, 'running');
  assert.equal(started.value.sandbox, 'worker');
  const result = await rt.control.task('notes', { name: 'a', text: 'hello world' });
  assert.ok(result.ok, result.ok ? '' : result.error.message);
  const value = result.value as { got: unknown; reply: string; copy: string };
  assert.equal(value.reply, 'hi there');
  assert.equal(value.copy, 'hello world');
  assert.match(JSON.stringify(value.got), /hello world/);
  assert.ok((await journalTypes('notes')).includes('pod.started'));
  const committed = await rt.service.journal({ fromSeq: 0, limit: 1000, types: ['intent.committed'] });
  assert.ok(committed.ok && committed.value.length >= 2);
});

test('§41.3: a message between pods is an intent, delivered through the inbound gateway', async () => {
  const listener = await rt.control.start(join(AGENTS, 'listener'));
  assert.ok(listener.ok, listener.ok ? '' : listener.error.message);
  assert.ok((await rt.control.start(join(AGENTS, 'talker'))).ok);
  const sent = await rt.control.task('talker', 'ping');
  assert.ok(sent.ok, sent.ok ? '' : sent.error.message);
  const inbox = await rt.control.task('listener', 'read');
  assert.ok(inbox.ok);
  assert.deepEqual(inbox.value, [{ from: 'talker', type: 'note', body: { text: 'ping' } }]);
});

test('SIGKILL ends an agent spinning in a busy loop; its task fails, its token is revoked', async () => {
  assert.ok((await rt.control.start(join(AGENTS, 'spinner'))).ok);
  const task = rt.control.task('spinner', 'spin');
  await new Promise((resolve) => setTimeout(resolve, 100));
  const killed = await rt.control.signal('spinner', 'SIGKILL');
  assert.ok(killed.ok);
  assert.equal(killed.value.state, 'terminated');
  const outcome = await task;
  assert.equal(outcome.ok, false);
  assert.equal(outcome.ok ? '' : outcome.error.code, 'POD_TERMINATED');
  const types = await journalTypes('spinner');
  assert.ok(types.includes('pod.signal') && types.includes('pod.exited'), types.join(','));
  const again = await rt.control.task('spinner', 'idle');
  assert.equal(again.ok ? '' : again.error.code, 'AGENT_NOT_RUNNING');
});

test('SIGSTOP holds an agent at its gateways; SIGCONT lets the held call through', async () => {
  const stopped = await rt.control.signal('notes', 'SIGSTOP');
  assert.ok(stopped.ok);
  assert.equal(stopped.value.state, 'paused');
  const task = rt.control.task('notes', { name: 'b', text: 'after pause' });
  const raced = await Promise.race([
    task.then(() => 'done'),
    new Promise((r) => setTimeout(() => r('waiting'), 200)),
  ]);
  assert.equal(raced, 'waiting');
  assert.ok((await rt.control.signal('notes', 'SIGCONT')).ok);
  const result = await task;
  assert.ok(result.ok, result.ok ? '' : result.error.message);
});

test('DR-M1: the operator moves an agent to hard isolation; every gateway is then closed', async () => {
  const moved = await rt.control.quarantine('notes', 3, { by: 'alice' });
  assert.ok(moved.ok, moved.ok ? '' : moved.error.message);
  assert.equal(moved.value.stage, 3);
  const result = await rt.control.task('notes', { name: 'c', text: 'blocked' });
  assert.equal(result.ok, false);
  assert.match(result.ok ? '' : result.error.message, /closed|quarantine/);
  const released = await rt.control.quarantine('notes', 0, { by: 'alice' });
  assert.ok(released.ok);
  assert.equal(released.value.stage, 0);
});

test('a manifest for an agent maos.yaml does not name is refused before anything starts', async () => {
  // `researcher` has a valid manifest but is not in this test's maos.yaml.
  const refused = await rt.control.start(join(AGENTS, 'researcher'));
  assert.equal(refused.ok ? '' : refused.error.code, 'AGENT_UNKNOWN');
  assert.equal(rt.pods.get('researcher'), undefined, 'no pod was built');
});

test('a directory without a manifest is refused with MANIFEST_INVALID', async () => {
  const refused = await rt.control.start(join(AGENTS, '..', 'fixtures'));
  assert.equal(refused.ok ? '' : refused.error.code, 'MANIFEST_INVALID');
});

test('SIGTERM lets a running task finish, then ends the pod; a task that will not finish is killed after the grace period', async () => {
  assert.ok((await rt.control.start(join(AGENTS, 'spinner'))).ok);
  const nap = rt.control.task('spinner', 'nap');
  const termed = await rt.control.signal('spinner', 'SIGTERM');
  assert.ok(termed.ok);
  assert.equal(termed.value.state, 'terminated');
  const rested = await nap;
  assert.ok(rested.ok, rested.ok ? '' : rested.error.message);
  assert.equal(rested.value, 'rested');

  assert.ok((await rt.control.start(join(AGENTS, 'spinner'))).ok);
  const spin = rt.control.task('spinner', 'spin');
  const killed = await rt.control.signal('spinner', 'SIGTERM');
  assert.ok(killed.ok);
  assert.equal(killed.value.state, 'terminated');
  const spun = await spin;
  assert.equal(spun.ok ? '' : spun.error.code, 'POD_TERMINATED');
});
