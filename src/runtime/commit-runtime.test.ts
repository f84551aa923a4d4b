// The composition root under bad conditions: a journal tampered with while MAOS was down puts the
// kernel in emergency mode (MR-3), and a second opener of the same data directory is refused.

import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { verifies } from '../../test/invariants.ts';
import { ERROR_CODES, systemClock, systemRandom, uuidv7 } from '../shared/index.ts';
import { openCommitRuntime } from './commit-runtime.ts';

const CONFIG = `version: 1
agents:
  app: { ring: 2, capabilities: [{ action: "kv.*", resource: "kv:/**" }] }
actions:
  kv.put: { sideEffect: write }
`;

async function setup() {
  const dir = await mkdtemp(join(tmpdir(), 'maos-runtime-'));
  const configPath = join(dir, 'maos.yaml');
  await writeFile(configPath, CONFIG);
  return { dir, configPath, dataDir: join(dir, 'data') };
}

async function putIntent(rt: Awaited<ReturnType<typeof openCommitRuntime>>, key: string) {
  assert.ok(rt.ok);
  const minted = await rt.value.kernel.mint({ sub: 'app', scopes: [{ action: 'kv.*', resource: 'kv:/**' }] });
  assert.ok(minted.ok);
  return {
    id: uuidv7(systemClock, systemRandom),
    agent: 'app',
    action: 'kv.put',
    resource: `kv:/${key}`,
    args: { value: key },
    token: minted.value.token,
  };
}

test(`${verifies('MR-3', 'INV-5')}a journal edited while MAOS was down starts the kernel in emergency mode: nothing commits`, async () => {
  const { configPath, dataDir } = await setup();
  const first = await openCommitRuntime({ configPath, dataDir });
  assert.ok(first.ok, first.ok ? '' : first.error.message);
  assert.equal(first.value.kernel.mode, 'operational');
  const committed = await first.value.commits.submit(await putIntent(first, 'a'));
  assert.ok(committed.ok);
  assert.equal(committed.value.state, 'committed');
  await first.value.close();
  const db = new DatabaseSync(join(dataDir, 'maos.db'));
  const row = db.prepare("SELECT seq, body FROM journal WHERE body LIKE '%intent.written%'").get() as {
    seq: number;
    body: string;
  };
  db.prepare('UPDATE journal SET body = ? WHERE seq = ?').run(
    row.body.replace('"kv:/a"', '"kv:/b"'),
    row.seq,
  );
  db.close();
  const second = await openCommitRuntime({ configPath, dataDir });
  assert.ok(second.ok, second.ok ? '' : second.error.message);
  assert.equal(second.value.verified.ok, false);
  assert.equal(second.value.kernel.mode, 'emergency');
  const refused = await second.value.commits.submit(await putIntent(second, 'c'));
  assert.ok(!refused.ok || refused.value.state === 'denied');
  await second.value.close();
});

test('a second opener of the same data directory is refused with DAEMON_LOCKED', async () => {
  const { configPath, dataDir } = await setup();
  const first = await openCommitRuntime({ configPath, dataDir });
  assert.ok(first.ok);
  const second = await openCommitRuntime({ configPath, dataDir });
  assert.ok(!second.ok);
  assert.equal(second.error.code, ERROR_CODES.DAEMON_LOCKED);
  await first.value.close();
  const third = await openCommitRuntime({ configPath, dataDir });
  assert.ok(third.ok, 'the lock is released on close');
  await third.value.close();
});
