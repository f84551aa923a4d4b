// Tests of the API token and daemon.json files: format, owner-only mode, atomic replacement, and the
// DAEMON_UNREACHABLE error when a client finds no daemon.

import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import {
  API_TOKEN_FILE,
  DAEMON_INFO_FILE,
  readApiToken,
  readDaemonInfo,
  removeDaemonInfo,
  writeApiToken,
  writeDaemonInfo,
} from './api-token.ts';

const dirs: string[] = [];
after(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'maos-token-'));
  dirs.push(dir);
  return dir;
}

test('writeApiToken writes 32 random bytes base64url, mode 0600, a new token every time', async () => {
  const dir = await dataDir();
  const first = await writeApiToken(dir);
  assert.ok(first.ok);
  assert.match(first.value, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(Buffer.from(first.value, 'base64url').length, 32);
  assert.equal((await stat(join(dir, API_TOKEN_FILE))).mode & 0o777, 0o600);
  assert.equal((await readFile(join(dir, API_TOKEN_FILE), 'utf8')).trim(), first.value);
  const second = await writeApiToken(dir);
  assert.ok(second.ok);
  assert.notEqual(second.value, first.value);
  const read = await readApiToken(dir);
  assert.deepEqual(read, { ok: true, value: second.value });
  assert.deepEqual(await readdir(dir), [API_TOKEN_FILE], 'no staging files are left behind');
});

test('writeApiToken replaces a token file that was readable by others with an owner-only one', async () => {
  const dir = await dataDir();
  await writeFile(join(dir, API_TOKEN_FILE), 'old', { mode: 0o644 });
  assert.ok((await writeApiToken(dir)).ok);
  assert.equal((await stat(join(dir, API_TOKEN_FILE))).mode & 0o777, 0o600);
});

test('readApiToken: DAEMON_UNREACHABLE when missing, IO when the file holds no token', async () => {
  const dir = await dataDir();
  const missing = await readApiToken(dir);
  assert.ok(!missing.ok);
  assert.equal(missing.error.code, 'DAEMON_UNREACHABLE');
  assert.equal(
    missing.error.message,
    `no maos daemon is running for data directory \`${dir}\`; start one with \`maos start\``,
  );
  await writeFile(join(dir, API_TOKEN_FILE), 'not a token');
  const bad = await readApiToken(dir);
  assert.ok(!bad.ok);
  assert.equal(bad.error.code, 'IO');
});

test('daemon.json round-trips url and pid with mode 0600 and is removed idempotently', async () => {
  const dir = await dataDir();
  const written = await writeDaemonInfo(dir, { url: 'http://127.0.0.1:4100', pid: 1234 });
  assert.ok(written.ok);
  assert.equal((await stat(join(dir, DAEMON_INFO_FILE))).mode & 0o777, 0o600);
  assert.deepEqual(await readDaemonInfo(dir), {
    ok: true,
    value: { url: 'http://127.0.0.1:4100', pid: 1234 },
  });
  await removeDaemonInfo(dir);
  await removeDaemonInfo(dir);
  const gone = await readDaemonInfo(dir);
  assert.ok(!gone.ok);
  assert.equal(gone.error.code, 'DAEMON_UNREACHABLE');
});

test('readDaemonInfo refuses files that do not describe a daemon', async () => {
  const dir = await dataDir();
  const cases = ['{', '[]', '{"url":"ftp://x","pid":1}', '{"url":"http://x","pid":0}', '{"__proto__":{}}'];
  for (const text of cases) {
    await writeFile(join(dir, DAEMON_INFO_FILE), text);
    const result = await readDaemonInfo(dir);
    assert.ok(!result.ok, text);
    assert.notEqual(result.error.code, 'DAEMON_UNREACHABLE', text);
  }
});

test('writes into a missing directory fail with IO instead of throwing', async () => {
  const dir = join(await dataDir(), 'missing');
  const token = await writeApiToken(dir);
  assert.ok(!token.ok);
  assert.equal(token.error.code, 'IO');
  const info = await writeDaemonInfo(dir, { url: 'http://127.0.0.1:1', pid: 1 });
  assert.ok(!info.ok);
  assert.equal(info.error.code, 'IO');
});
