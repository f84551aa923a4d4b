// The agent VFS mounts: working memory ends with the pod, episodic memory survives a reopened
// SQLite file, directories are implied by files, quotas bound every mount, and a flood of writes
// is stopped by the quota and the queue bound rather than by the host running out of memory.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { verifies } from '../../test/invariants.ts';
import type { KernelError, Result } from '../shared/index.ts';
import type { Storage } from '../storage/index.ts';
import { MemoryStorage, openSqliteStorage } from '../storage/index.ts';
import { FaultyStorage } from '../testing/faulty-storage.ts';
import { AgentVfs, type AgentVfsOptions, EPISODIC_NAMESPACE } from './index.ts';

const DIR = mkdtempSync(join(tmpdir(), 'maos-vfs-'));
after(() => rmSync(DIR, { recursive: true, force: true }));

const POLICY = { 'manifest.yaml': 'id: alice\nring: 3\n', 'grants/fs.json': '{"writable":["/mem/**"]}' };

async function openVfs(storage: Storage = new MemoryStorage(), extra: Partial<AgentVfsOptions> = {}) {
  return value(await AgentVfs.open({ agent: 'alice', storage, policy: POLICY, ...extra }));
}

function value<T>(result: Result<T, KernelError>): T {
  if (!result.ok) assert.fail(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

function codeOf(result: Result<unknown, KernelError>): string {
  return result.ok ? 'ok' : result.error.code;
}

test('working memory: read back while the pod lives, gone after close()', async () => {
  const storage = new MemoryStorage();
  const vfs = await openVfs(storage);
  value(await vfs.write('/mem/working/scratch/plan.md', 'step 1'));
  assert.equal(value(await vfs.read('/mem/working/scratch/plan.md')), 'step 1');
  await vfs.close();
  await vfs.close();
  assert.equal(codeOf(await vfs.read('/mem/working/scratch/plan.md')), 'GATEWAY_CLOSED');
  assert.equal(codeOf(await vfs.write('/mem/working/x', 'y')), 'GATEWAY_CLOSED');
  const next = await openVfs(storage);
  assert.equal(codeOf(await next.read('/mem/working/scratch/plan.md')), 'FS_NOT_FOUND');
  assert.deepEqual(value(await next.list('/mem/working')).entries, []);
});

test(`${verifies('INV-8')}episodic memory survives closing and reopening the SQLite storage`, async () => {
  const path = join(DIR, 'episodic.sqlite');
  const first = await openSqliteStorage(path);
  const vfs = await openVfs(first);
  value(await vfs.write('/mem/episodic/notes/2026-01-01.md', 'met bob; ünïcode ✓'));
  value(await vfs.write('/mem/working/tmp', 'lost'));
  await vfs.close();
  await first.close();

  const second = await openSqliteStorage(path);
  const again = await openVfs(second);
  assert.equal(value(await again.read('/mem/episodic/notes/2026-01-01.md')), 'met bob; ünïcode ✓');
  assert.deepEqual(value(await again.stat('/mem/episodic/notes/2026-01-01.md')), {
    kind: 'file',
    bytes: Buffer.byteLength('met bob; ünïcode ✓'),
    writable: true,
  });
  assert.equal(codeOf(await again.read('/mem/working/tmp')), 'FS_NOT_FOUND');
  value(await again.remove('/mem/episodic/notes/2026-01-01.md'));
  await again.close();
  await second.close();
  const third = await openSqliteStorage(path);
  assert.deepEqual(await third.list(EPISODIC_NAMESPACE, 'alice/', 10), []);
  await third.close();
});

test(`${verifies('INV-9')}episodic memory of one agent is invisible to another on the same storage`, async () => {
  const storage = new MemoryStorage();
  const alice = await openVfs(storage);
  value(await alice.write('/mem/episodic/secret', 'alice only'));
  const bob = value(await AgentVfs.open({ agent: 'bob', storage, policy: {} }));
  assert.deepEqual(value(await bob.list('/mem/episodic')).entries, []);
  assert.equal(codeOf(await bob.read('/mem/episodic/secret')), 'FS_NOT_FOUND');
  assert.equal(codeOf(await bob.read('/mem/episodic/../alice/secret')), 'INVALID_INPUT');
  // An agent id that looks like a prefix of another's keys is refused outright.
  const sneaky = await AgentVfs.open({ agent: 'alice/secret', storage, policy: {} });
  assert.equal(codeOf(sneaky), 'INVALID_INPUT');
});

test('list and stat: the four mounts, implied directories, usage at a mount root', async () => {
  const vfs = await openVfs();
  const names = async (path: string) => value(await vfs.list(path)).entries.map((entry) => entry.name);
  assert.deepEqual(await names('/'), ['mem', 'policy', 'session']);
  assert.deepEqual(await names('/mem'), ['episodic', 'working']);
  assert.deepEqual(await names('/session'), []);
  assert.deepEqual(value(await vfs.list('/policy')).entries, [
    { name: 'grants', kind: 'dir' },
    { name: 'manifest.yaml', kind: 'file', bytes: POLICY['manifest.yaml'].length },
  ]);
  value(await vfs.write('/mem/working/a/b/c.txt', 'abc'));
  value(await vfs.write('/mem/working/a/d.txt', 'd'));
  assert.deepEqual(await names('/mem/working/a'), ['b', 'd.txt']);
  assert.deepEqual(value(await vfs.stat('/mem/working/a/b')), { kind: 'dir', writable: true });
  assert.deepEqual(value(await vfs.stat('/mem/working')), {
    kind: 'dir',
    writable: true,
    usage: { bytes: 4, files: 2 },
  });
  assert.deepEqual(value(await vfs.stat('/policy/grants/fs.json')).writable, false);
  value(await vfs.remove('/mem/working/a/b/c.txt'));
  assert.equal(codeOf(await vfs.stat('/mem/working/a/b')), 'FS_NOT_FOUND');
  assert.equal(codeOf(await vfs.list('/mem/working/a/d.txt')), 'INVALID_INPUT');
  assert.equal(codeOf(await vfs.list('/mem/working/none')), 'FS_NOT_FOUND');
});

test('a file and a directory never share a name; directories are not read, written or removed', async () => {
  const vfs = await openVfs();
  value(await vfs.write('/mem/working/a', 'file'));
  assert.equal(codeOf(await vfs.write('/mem/working/a/b', 'under a file')), 'INVALID_INPUT');
  value(await vfs.write('/mem/episodic/x/y', 'deep'));
  assert.equal(codeOf(await vfs.write('/mem/episodic/x', 'over a directory')), 'INVALID_INPUT');
  assert.equal(codeOf(await vfs.read('/mem/episodic/x')), 'INVALID_INPUT');
  assert.equal(codeOf(await vfs.remove('/mem/episodic/x')), 'INVALID_INPUT');
  assert.equal(codeOf(await vfs.write('/mem/working', 'mount root')), 'INVALID_INPUT');
  assert.equal(codeOf(await vfs.write('/mem', 'virtual')), 'FS_PATH_OUTSIDE');
  assert.equal(codeOf(await vfs.write('/', 'root')), 'FS_PATH_OUTSIDE');
  assert.equal(codeOf(await vfs.remove('/mem/working/missing')), 'FS_NOT_FOUND');
});

test('quotas: bytes and files per mount fail with FS_QUOTA_EXCEEDED; overwrites give the old size back', async () => {
  const vfs = await openVfs(new MemoryStorage(), {
    quotas: { working: { bytesMax: 100, filesMax: 3 }, episodic: { bytesMax: 10, filesMax: 1 } },
  });
  value(await vfs.write('/mem/working/a', 'x'.repeat(60)));
  assert.equal(codeOf(await vfs.write('/mem/working/b', 'x'.repeat(41))), 'FS_QUOTA_EXCEEDED');
  value(await vfs.write('/mem/working/a', 'x'.repeat(99)));
  value(await vfs.write('/mem/working/a', 'x'.repeat(10)));
  value(await vfs.write('/mem/working/b', ''));
  value(await vfs.write('/mem/working/c', ''));
  assert.equal(codeOf(await vfs.write('/mem/working/d', '')), 'FS_QUOTA_EXCEEDED');
  value(await vfs.remove('/mem/working/c'));
  value(await vfs.write('/mem/working/d', ''));
  // Quotas count UTF-8 bytes: four 3-byte characters do not fit in 10 bytes.
  assert.equal(codeOf(await vfs.write('/mem/episodic/e', '✓✓✓✓')), 'FS_QUOTA_EXCEEDED');
  value(await vfs.write('/mem/episodic/e', '✓✓✓'));
  assert.equal(codeOf(await vfs.write('/mem/episodic/f', '')), 'FS_QUOTA_EXCEEDED');
  for (const bad of [{ bytesMax: Number.NaN }, { filesMax: -1 }, { bytesMax: 1.5 }]) {
    const opened = await AgentVfs.open({
      agent: 'q',
      storage: new MemoryStorage(),
      policy: {},
      quotas: { working: bad },
    });
    assert.equal(codeOf(opened), 'INVALID_INPUT');
  }
});

test('bounded memory: a flood of writes hits the quota, not the host memory', async () => {
  const storage = new MemoryStorage();
  const vfs = await openVfs(storage, {
    quotas: { working: { bytesMax: 64 * 1024 }, episodic: { filesMax: 50 } },
  });
  const kib = 'k'.repeat(1024);
  const codes = new Map<string, number>();
  for (let i = 0; i < 2_000; i++) {
    const code = codeOf(await vfs.write(`/mem/working/f${i}`, kib));
    codes.set(code, (codes.get(code) ?? 0) + 1);
  }
  assert.deepEqual(Object.fromEntries(codes), { ok: 64, FS_QUOTA_EXCEEDED: 1_936 });
  // One huge string is refused by its length before anything is measured or kept.
  const huge = 'h'.repeat(32 * 1024 * 1024);
  assert.equal(codeOf(await vfs.write('/mem/working/huge', huge)), 'FS_QUOTA_EXCEEDED');
  assert.deepEqual(value(await vfs.stat('/mem/working')), {
    kind: 'dir',
    writable: true,
    usage: { bytes: 64 * 1024, files: 64 },
  });
  // Calls fired without waiting: the queue bound refuses the excess at once.
  const fired = await Promise.all(
    Array.from({ length: 1_000 }, (_, i) => vfs.write(`/mem/episodic/e${i}`, 'e')),
  );
  const firedCodes = new Set(fired.map(codeOf));
  assert.deepEqual([...firedCodes].sort(), ['FS_QUOTA_EXCEEDED', 'GATEWAY_RATE_LIMITED', 'ok']);
  assert.equal(fired.filter((result) => result.ok).length, 50);
  assert.equal((await storage.list(EPISODIC_NAMESPACE, 'alice/', 1_000)).length, 50);
});

test('rename moves a file within one mount and refuses to cross mounts', async () => {
  const vfs = await openVfs();
  value(await vfs.write('/mem/working/draft', 'text'));
  value(await vfs.rename('/mem/working/draft', '/mem/working/final/v1'));
  assert.equal(value(await vfs.read('/mem/working/final/v1')), 'text');
  assert.equal(codeOf(await vfs.read('/mem/working/draft')), 'FS_NOT_FOUND');
  assert.equal(codeOf(await vfs.rename('/mem/working/final/v1', '/mem/episodic/v1')), 'INVALID_INPUT');
  assert.equal(codeOf(await vfs.rename('/mem/working/none', '/mem/working/x')), 'FS_NOT_FOUND');
  assert.equal(codeOf(await vfs.rename('/mem/working/final', '/mem/working/x')), 'FS_NOT_FOUND');
  value(await vfs.rename('/mem/working/final/v1', '/mem/working/final/v1'));
  assert.equal(value(await vfs.read('/mem/working/final/v1')), 'text');
});

test(`${verifies('INV-7')}bad input fails closed with INVALID_INPUT`, async () => {
  const vfs = await openVfs();
  assert.equal(codeOf(await vfs.write('/mem/working/a', 42)), 'INVALID_INPUT');
  assert.equal(codeOf(await vfs.write('/mem/working/a', 'lone \uD800 surrogate')), 'INVALID_INPUT');
  assert.equal(codeOf(await vfs.read(undefined)), 'INVALID_INPUT');
  assert.equal(codeOf(await vfs.stat({ toString: () => '/mem/working/a' })), 'INVALID_INPUT');
  for (const policy of [null, ['a'], { '../escape': 'x' }, { 'ok.txt': 7 }, { 'a/': 'x' }]) {
    const opened = await AgentVfs.open({
      agent: 'alice',
      storage: new MemoryStorage(),
      policy: policy as unknown as Record<string, string>,
    });
    assert.equal(codeOf(opened), 'INVALID_INPUT', JSON.stringify(policy));
  }
  for (const agent of ['', '..', 'a b', 'a/b', 'ａlice']) {
    const opened = await AgentVfs.open({ agent, storage: new MemoryStorage(), policy: {} });
    assert.equal(codeOf(opened), 'INVALID_INPUT', agent);
  }
});

test('episodic: a storage failure changes nothing and is reported with its code', async () => {
  const storage = new FaultyStorage(new MemoryStorage());
  const vfs = await openVfs(storage);
  storage.failNext('put', 'DISK_FULL');
  assert.equal(codeOf(await vfs.write('/mem/episodic/a', 'x')), 'DISK_FULL');
  assert.equal(codeOf(await vfs.stat('/mem/episodic/a')), 'FS_NOT_FOUND');
  value(await vfs.write('/mem/episodic/a', 'x'));
  storage.failNext('delete', 'STORAGE');
  assert.equal(codeOf(await vfs.remove('/mem/episodic/a')), 'STORAGE');
  assert.equal(value(await vfs.read('/mem/episodic/a')), 'x');
});

test('episodic: a second VFS of the same agent cannot silently overwrite (versions guard writes)', async () => {
  const storage = new MemoryStorage();
  const first = await openVfs(storage);
  const second = await openVfs(storage);
  value(await first.write('/mem/episodic/shared', 'one'));
  assert.equal(codeOf(await second.write('/mem/episodic/shared', 'two')), 'STORAGE_CONFLICT');
  const third = await openVfs(storage);
  assert.equal(value(await third.read('/mem/episodic/shared')), 'one');
});
