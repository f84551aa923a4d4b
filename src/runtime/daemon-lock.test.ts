// Tests of the daemon lock: exclusive creation, live and stale owners, and the takeover race,
// within one process and across real processes.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { acquireDaemonLock, DAEMON_LOCK_FILE } from './daemon-lock.ts';

const dirs: string[] = [];
after(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'maos-lock-'));
  dirs.push(dir);
  return join(dir, 'data');
}

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  const pid = child.pid;
  assert.ok(pid !== undefined);
  await once(child, 'exit');
  return pid;
}

async function writeLock(dir: string, content: unknown): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, DAEMON_LOCK_FILE),
    typeof content === 'string' ? content : JSON.stringify(content),
  );
}

async function lockContent(dir: string): Promise<{ pid: number; startedMs: number }> {
  return JSON.parse(await readFile(join(dir, DAEMON_LOCK_FILE), 'utf8')) as {
    pid: number;
    startedMs: number;
  };
}

test('acquire creates daemon.lock with pid and start time, mode 0600; release removes it, twice is fine', async () => {
  const dir = await dataDir();
  const before = Date.now();
  const lock = await acquireDaemonLock(dir);
  assert.ok(lock.ok, lock.ok ? '' : lock.error.message);
  const content = await lockContent(dir);
  assert.equal(content.pid, process.pid);
  assert.ok(content.startedMs >= before && content.startedMs <= Date.now());
  assert.equal((await stat(join(dir, DAEMON_LOCK_FILE))).mode & 0o777, 0o600);
  assert.deepEqual(await readdir(dir), [DAEMON_LOCK_FILE], 'no staging files are left behind');
  await lock.value.release();
  await lock.value.release();
  assert.deepEqual(await readdir(dir), []);
  const again = await acquireDaemonLock(dir);
  assert.ok(again.ok, 'a released lock can be taken again');
  await again.value.release();
});

test('a second acquire while the lock is held fails with DAEMON_LOCKED naming the pid and the file', async () => {
  const dir = await dataDir();
  const first = await acquireDaemonLock(dir);
  assert.ok(first.ok);
  const second = await acquireDaemonLock(dir);
  assert.ok(!second.ok);
  assert.equal(second.error.code, 'DAEMON_LOCKED');
  assert.ok(second.error.message.includes(String(process.pid)));
  assert.ok(second.error.message.includes(join(dir, DAEMON_LOCK_FILE)));
  await first.value.release();
});

test('a lock held by another live process is respected', async () => {
  const dir = await dataDir();
  await writeLock(dir, { pid: process.ppid, startedMs: 1 });
  const result = await acquireDaemonLock(dir);
  assert.ok(!result.ok);
  assert.equal(result.error.code, 'DAEMON_LOCKED');
  assert.match(result.error.message, new RegExp(`process ${process.ppid} `));
  assert.deepEqual(await lockContent(dir), { pid: process.ppid, startedMs: 1 }, 'the live lock is untouched');
});

test('a stale lock whose process died is taken over', async () => {
  const dir = await dataDir();
  await writeLock(dir, { pid: await deadPid(), startedMs: 1 });
  const lock = await acquireDaemonLock(dir);
  assert.ok(lock.ok, lock.ok ? '' : lock.error.message);
  assert.equal((await lockContent(dir)).pid, process.pid);
  await lock.value.release();
  assert.deepEqual(await readdir(dir), [], 'the takeover claim is removed');
});

test('a lock naming this pid but not taken by this process is stale (a restarted pid 1)', async () => {
  const dir = await dataDir();
  await writeLock(dir, { pid: process.pid, startedMs: 1 });
  const lock = await acquireDaemonLock(dir);
  assert.ok(lock.ok, lock.ok ? '' : lock.error.message);
  await lock.value.release();
});

test('a malformed lock file fails closed with DAEMON_LOCKED', async () => {
  for (const content of ['', 'garbage', '{"pid":0,"startedMs":1}', '{"pid":-1,"startedMs":1}', '[]']) {
    const dir = await dataDir();
    await writeLock(dir, content);
    const result = await acquireDaemonLock(dir);
    assert.ok(!result.ok, content);
    assert.equal(result.error.code, 'DAEMON_LOCKED');
    assert.match(result.error.message, /not a valid lock file/);
  }
});

test('a takeover claim left by a crashed starter does not block a later takeover', async () => {
  const dir = await dataDir();
  await writeLock(dir, { pid: await deadPid(), startedMs: 1 });
  const stale = await lockContent(dir);
  await writeFile(
    join(dir, `${DAEMON_LOCK_FILE}.${stale.pid}-1`),
    JSON.stringify({ pid: await deadPid(), startedMs: 2 }),
  );
  const lock = await acquireDaemonLock(dir);
  assert.ok(lock.ok, lock.ok ? '' : lock.error.message);
  assert.equal((await lockContent(dir)).pid, process.pid);
  await lock.value.release();
});

test('release leaves alone a lock file that is no longer this lock', async () => {
  const dir = await dataDir();
  const lock = await acquireDaemonLock(dir);
  assert.ok(lock.ok);
  await writeLock(dir, { pid: process.ppid, startedMs: 5 });
  await lock.value.release();
  assert.deepEqual(await lockContent(dir), { pid: process.ppid, startedMs: 5 });
});

test('concurrent acquires in one process, on a fresh and on a stale lock: exactly one wins', async () => {
  for (const stale of [false, true]) {
    const dir = await dataDir();
    if (stale) await writeLock(dir, { pid: await deadPid(), startedMs: 1 });
    const results = await Promise.all(Array.from({ length: 8 }, () => acquireDaemonLock(dir)));
    const winners = results.filter((r) => r.ok);
    assert.equal(winners.length, 1, `stale=${stale}`);
    for (const r of results) if (!r.ok) assert.equal(r.error.code, 'DAEMON_LOCKED');
    const winner = winners[0];
    assert.ok(winner?.ok);
    assert.equal((await lockContent(dir)).startedMs, winner.value.startedMs);
    await winner.value.release();
    assert.deepEqual(await readdir(dir), []);
  }
});

// A child that tries to take the lock, reports, and holds it until its standard input closes.
const CHILD = `
const { acquireDaemonLock } = await import(${JSON.stringify(new URL('./daemon-lock.ts', import.meta.url).href)});
const lock = await acquireDaemonLock(process.argv[1]);
process.stdout.write(lock.ok ? 'acquired\\n' : lock.error.code + '\\n');
process.stdin.resume();
process.stdin.on('end', async () => { if (lock.ok) await lock.value.release(); process.exit(0); });
`;

test('concurrent starters in separate processes race for a stale lock: exactly one wins', async () => {
  const dir = await dataDir();
  await writeLock(dir, { pid: await deadPid(), startedMs: 1 });
  const children = Array.from({ length: 6 }, () =>
    spawn(process.execPath, ['--input-type=module', '-e', CHILD, dir], {
      stdio: ['pipe', 'pipe', 'inherit'],
    }),
  );
  const reports = await Promise.all(
    children.map(async (child) => {
      const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
      return chunk.toString().trim();
    }),
  );
  assert.equal(reports.filter((r) => r === 'acquired').length, 1, reports.join(' '));
  assert.equal(reports.filter((r) => r === 'DAEMON_LOCKED').length, 5, reports.join(' '));
  const winner = children[reports.indexOf('acquired')];
  assert.equal((await lockContent(dir)).pid, winner?.pid);
  await Promise.all(
    children.map(async (child) => {
      child.stdin.end();
      await once(child, 'exit');
    }),
  );
  assert.deepEqual(await readdir(dir), []);
});
