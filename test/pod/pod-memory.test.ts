// The agent VFS through a real pod: /mem/working, /mem/episodic, read-only /policy (issue 5).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openPodRuntime, type PodRuntime } from '../../src/runtime/pod-runtime.ts';

const MEMO = join(import.meta.dirname, 'agents', 'memo');
const CONFIG = 'version: 1\ndataDir: data\nagents:\n  memo: { ring: 2 }\n';

let dir: string;
let rt: PodRuntime;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'maos-pod-memory-'));
  const opened = await openPodRuntime({ configPath: join(dir, 'maos.yaml'), configText: CONFIG });
  if (!opened.ok) throw opened.error;
  rt = opened.value;
});

after(async () => {
  await rt.close();
  await rm(dir, { recursive: true, force: true });
});

test('working memory ends with the pod; episodic memory outlives it', async () => {
  assert.ok((await rt.control.start(MEMO)).ok);
  const wrote = await rt.control.task('memo', 'remember');
  assert.ok(wrote.ok, wrote.ok ? '' : wrote.error.message);
  assert.ok((await rt.control.signal('memo', 'SIGKILL')).ok);
  assert.ok((await rt.control.start(MEMO)).ok);
  const recalled = await rt.control.task('memo', 'recall');
  assert.ok(recalled.ok);
  assert.deepEqual(recalled.value, { episodic: 'kept across pods', working: 'FS_NOT_FOUND' });
});

test('MR-1: /policy is readable and no call through the gateway can change it', async () => {
  const result = await rt.control.task('memo', 'policy');
  assert.ok(result.ok, result.ok ? '' : result.error.message);
  const value = result.value as Record<string, string>;
  assert.equal(value.id, 'memo');
  assert.equal(value.write, 'GATEWAY_DENIED');
  assert.equal(value.remove, 'GATEWAY_DENIED');
  assert.notEqual(value.sneak, 'ok');
  assert.equal(value.after, 'memo', 'the policy is unchanged after every attempt');
});
