// Unit tests of the fs connector on real files in a temp folder: the jail (traversal, symlinks),
// snapshots and undo (MR-5), probe, atomic writes and abort.

import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { verifies } from '../../test/invariants.ts';
import { hashHex, isKernelError, type JsonValue } from '../shared/index.ts';
import { createFsConnector, FS_LIST_ENTRIES_MAX } from './fs.ts';
import { fsError } from './fs-error.ts';
import { FS_FILE_BYTES_MAX, writeFileAtomic } from './fs-file.ts';
import { sweepTempFiles } from './fs-sweep.ts';
import type { Connector, EffectRequest } from './port.ts';

let base = '';
let counter = 0;

before(async () => {
  base = await mkdtemp(join(tmpdir(), 'maos-fs-'));
});

after(async () => {
  await rm(base, { recursive: true, force: true });
});

type Setup = { fs: Connector; root: string; snapshots: string; outside: string };

/** A fresh root, snapshot folder and an `outside` folder holding `secret.txt`. */
function setup(): Setup {
  const dir = join(base, `case-${++counter}`);
  const root = join(dir, 'root');
  const snapshots = join(dir, 'snapshots');
  const outside = join(dir, 'outside');
  mkdirSync(root, { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret.txt'), 'secret');
  return { fs: createFsConnector({ root, snapshotDir: snapshots }), root, snapshots, outside };
}

function request(action: string, resource: string, args: Record<string, JsonValue> = {}): EffectRequest {
  return { intentId: `intent-${++counter}`, action, resource, args };
}

const live = () => ({ signal: new AbortController().signal });

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isKernelError(error), `expected a KernelError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return true;
  });
}

/** Runs the commit layer's order for a world-changing intent: prepare, then execute. */
async function commit(fs: Connector, req: EffectRequest) {
  const plan = await fs.prepare(req);
  const result = await fs.execute(req, live());
  return { plan, result };
}

test('write, read, list and delete round-trip under the root', async () => {
  const { fs, root } = setup();
  const write = await fs.execute(request('fs.write', '/notes/a.md', { content: 'hello' }), live());
  assert.deepEqual(write, { bytes: 5, hash: hashHex('hello') });
  assert.equal(readFileSync(join(root, 'notes', 'a.md'), 'utf8'), 'hello');
  const read = await fs.execute(request('fs.read', '/notes/a.md'), live());
  assert.deepEqual(read, { content: 'hello', encoding: 'utf8', bytes: 5, hash: hashHex('hello') });
  assert.deepEqual(await fs.execute(request('fs.list', '/'), live()), {
    entries: [{ name: 'notes', type: 'directory' }],
    truncated: false,
  });
  assert.deepEqual(await fs.execute(request('fs.delete', '/notes/a.md'), live()), { deleted: true });
  assert.deepEqual(await fs.execute(request('fs.delete', '/notes/a.md'), live()), { deleted: false });
  await rejectsWith(fs.execute(request('fs.read', '/notes/a.md'), live()), 'NOT_FOUND');
});

test('binary content travels as base64 both ways', async () => {
  const { fs, root } = setup();
  const bytes = Buffer.from([0xff, 0x00, 0xfe, 0x41]);
  await fs.execute(
    request('fs.write', '/bin', { content: bytes.toString('base64'), encoding: 'base64' }),
    live(),
  );
  assert.deepEqual(readFileSync(join(root, 'bin')), bytes);
  const read = await fs.execute(request('fs.read', '/bin'), live());
  assert.deepEqual(read, {
    content: bytes.toString('base64'),
    encoding: 'base64',
    bytes: 4,
    hash: hashHex(bytes),
  });
  await rejectsWith(
    fs.execute(request('fs.write', '/x', { content: 'a*b=', encoding: 'base64' }), live()),
    'INVALID_INPUT',
  );
});

test('state hash is the sha256 of the bytes, or `absent`', async () => {
  const { fs, root } = setup();
  assert.equal(await fs.stateHash('/a.txt'), 'absent');
  writeFileSync(join(root, 'a.txt'), 'abc');
  assert.equal(await fs.stateHash('/a.txt'), hashHex('abc'));
});

const ESCAPES = [
  '/../x',
  '/a/../../x',
  '/a/..',
  '/./x',
  '//x',
  '/a//b',
  '/a/',
  'x',
  '',
  '/a\\..\\..\\x',
  '/a\u0000.txt',
  '/%2e%2e/x',
  '/a/%2E%2e/%2e%2e/x',
  '/a%2f..%2f..%2fx',
  '/a%5c..%5cx',
];

test('paths that are not canonical or try to climb out are refused for every operation', async () => {
  const { fs, outside } = setup();
  for (const path of ESCAPES) {
    await rejectsWith(fs.execute(request('fs.write', path, { content: 'pwned' }), live()), 'INVALID_INPUT');
    await rejectsWith(fs.execute(request('fs.read', path), live()), 'INVALID_INPUT');
    await rejectsWith(fs.execute(request('fs.delete', path), live()), 'INVALID_INPUT');
    await rejectsWith(fs.prepare(request('fs.write', path, { content: 'pwned' })), 'INVALID_INPUT');
    await rejectsWith(fs.stateHash(path), 'INVALID_INPUT');
  }
  assert.deepEqual(readdirSync(outside), ['secret.txt']);
  assert.equal(readFileSync(join(outside, 'secret.txt'), 'utf8'), 'secret');
});

test('percent signs and dots inside a name are just characters and stay in the root', async () => {
  const { fs, root } = setup();
  await fs.execute(request('fs.write', '/100%25/..a/b..', { content: 'x' }), live());
  assert.equal(readFileSync(join(root, '100%25', '..a', 'b..'), 'utf8'), 'x');
});

test('a symlink at the leaf pointing outside is refused and the outside file is untouched', async () => {
  const { fs, root, outside, snapshots } = setup();
  symlinkSync(join(outside, 'secret.txt'), join(root, 'link.txt'));
  await rejectsWith(fs.execute(request('fs.read', '/link.txt'), live()), 'INVALID_INPUT');
  await rejectsWith(
    fs.execute(request('fs.write', '/link.txt', { content: 'pwned' }), live()),
    'INVALID_INPUT',
  );
  await rejectsWith(fs.execute(request('fs.delete', '/link.txt'), live()), 'INVALID_INPUT');
  await rejectsWith(fs.prepare(request('fs.write', '/link.txt', { content: 'x' })), 'INVALID_INPUT');
  await rejectsWith(fs.stateHash('/link.txt'), 'INVALID_INPUT');
  assert.equal(readFileSync(join(outside, 'secret.txt'), 'utf8'), 'secret');
  assert.ok(existsSync(join(root, 'link.txt')), 'the link itself was not deleted either');
  assert.equal(existsSync(snapshots), false, 'no snapshot of the outside file was taken');
});

test('a symlinked directory in the middle of the path is refused, even one pointing inside', async () => {
  const { fs, root, outside } = setup();
  symlinkSync(outside, join(root, 'out'));
  mkdirSync(join(root, 'real'));
  symlinkSync(join(root, 'real'), join(root, 'alias'));
  await rejectsWith(fs.execute(request('fs.read', '/out/secret.txt'), live()), 'INVALID_INPUT');
  await rejectsWith(
    fs.execute(request('fs.write', '/out/secret.txt', { content: 'pwned' }), live()),
    'INVALID_INPUT',
  );
  await rejectsWith(
    fs.execute(request('fs.write', '/out/new/deep.txt', { content: 'x' }), live()),
    'INVALID_INPUT',
  );
  await rejectsWith(fs.execute(request('fs.delete', '/out/secret.txt'), live()), 'INVALID_INPUT');
  await rejectsWith(fs.execute(request('fs.list', '/out'), live()), 'INVALID_INPUT');
  await rejectsWith(fs.execute(request('fs.write', '/alias/x', { content: 'x' }), live()), 'INVALID_INPUT');
  assert.deepEqual(readdirSync(outside), ['secret.txt']);
  assert.equal(readFileSync(join(outside, 'secret.txt'), 'utf8'), 'secret');
  assert.deepEqual(readdirSync(join(root, 'real')), []);
});

test('the snapshot folder may not lie inside the root, nor the root inside it', () => {
  const dir = join(base, `case-${++counter}`);
  assert.throws(
    () => createFsConnector({ root: dir, snapshotDir: join(dir, 'snap') }),
    /outside the fs root/,
  );
  assert.throws(() => createFsConnector({ root: join(dir, 'r'), snapshotDir: dir }), /outside the fs root/);
});

test(`${verifies('MR-5', 'DR-C5')}prepare snapshots the prior bytes durably before a write`, async () => {
  const { fs, root, snapshots } = setup();
  writeFileSync(join(root, 'a.txt'), 'old');
  const req = request('fs.write', '/a.txt', { content: 'new' });
  const plan = await fs.prepare(req);
  assert.deepEqual(plan, { kind: 'snapshot', data: { path: '/a.txt', existed: true, hash: hashHex('old') } });
  assert.equal(readFileSync(join(snapshots, `${req.intentId}.bin`), 'utf8'), 'old');
  assert.ok(existsSync(join(snapshots, `${req.intentId}.json`)));
  assert.deepEqual(await fs.prepare(request('fs.read', '/a.txt')), { kind: 'none' });
  assert.deepEqual(await fs.prepare(request('fs.list', '/')), { kind: 'none' });
});

test(`${verifies('MR-5', 'DR-C5')}prepare twice returns the first snapshot even after the file changed`, async () => {
  const { fs, root } = setup();
  writeFileSync(join(root, 'a.txt'), 'v1');
  const req = request('fs.write', '/a.txt', { content: 'v2' });
  const first = await fs.prepare(req);
  await fs.execute(req, live());
  const again = await fs.prepare(req);
  assert.deepEqual(again, first);
  await fs.undo(req, again, undefined);
  assert.equal(readFileSync(join(root, 'a.txt'), 'utf8'), 'v1');
});

test(`${verifies('MR-5', 'DR-C5')}undo of a write restores the old bytes, and is idempotent`, async () => {
  const { fs, root } = setup();
  writeFileSync(join(root, 'a.txt'), 'old');
  const req = request('fs.write', '/a.txt', { content: 'new' });
  const { plan, result } = await commit(fs, req);
  assert.equal(readFileSync(join(root, 'a.txt'), 'utf8'), 'new');
  await fs.undo(req, plan, result);
  assert.equal(readFileSync(join(root, 'a.txt'), 'utf8'), 'old');
  await fs.undo(req, plan, result);
  assert.equal(readFileSync(join(root, 'a.txt'), 'utf8'), 'old');
});

test(`${verifies('MR-5', 'DR-C5')}undo of a write to a new file removes it`, async () => {
  const { fs, root } = setup();
  const req = request('fs.write', '/new/file.txt', { content: 'x' });
  const { plan, result } = await commit(fs, req);
  assert.deepEqual(plan, {
    kind: 'snapshot',
    data: { path: '/new/file.txt', existed: false, hash: 'absent' },
  });
  await fs.undo(req, plan, result);
  assert.equal(existsSync(join(root, 'new', 'file.txt')), false);
  await fs.undo(req, plan, result);
});

test(`${verifies('MR-5', 'DR-C5')}undo of a delete restores the file`, async () => {
  const { fs, root } = setup();
  mkdirSync(join(root, 'd'));
  writeFileSync(join(root, 'd', 'a.txt'), 'keep me');
  const req = request('fs.delete', '/d/a.txt');
  const { plan, result } = await commit(fs, req);
  assert.deepEqual(result, { deleted: true });
  assert.equal(existsSync(join(root, 'd', 'a.txt')), false);
  await fs.undo(req, plan, result);
  assert.equal(readFileSync(join(root, 'd', 'a.txt'), 'utf8'), 'keep me');
});

test(`${verifies('MR-5', 'DR-C5')}undo of a delete that found nothing leaves a file created since alone`, async () => {
  const { fs, root } = setup();
  const req = request('fs.delete', '/a.txt');
  const { plan, result } = await commit(fs, req);
  assert.deepEqual(result, { deleted: false });
  writeFileSync(join(root, 'a.txt'), 'created later');
  await fs.undo(req, plan, result);
  assert.equal(readFileSync(join(root, 'a.txt'), 'utf8'), 'created later');
});

test(`${verifies('MR-5', 'DR-C5')}discard frees the snapshot; undo afterwards is expired`, async () => {
  const { fs, root, snapshots } = setup();
  writeFileSync(join(root, 'a.txt'), 'old');
  const req = request('fs.delete', '/a.txt');
  const { plan } = await commit(fs, req);
  await fs.discard(req, plan);
  await fs.discard(req, plan);
  assert.deepEqual(readdirSync(snapshots), []);
  await rejectsWith(fs.undo(req, plan, undefined), 'UNDO_EXPIRED');
});

test('undo refuses a plan it did not write', async () => {
  const { fs } = setup();
  const req = request('fs.write', '/a.txt', { content: 'x' });
  await rejectsWith(fs.undo(req, { kind: 'irreversible' }, undefined), 'UNDO_IMPOSSIBLE');
  await rejectsWith(fs.undo(req, { kind: 'snapshot', data: { path: 1 } }, undefined), 'UNDO_IMPOSSIBLE');
  const other = { kind: 'snapshot', data: { path: '/b.txt', existed: false, hash: 'absent' } } as const;
  await rejectsWith(fs.undo(req, other, undefined), 'UNDO_IMPOSSIBLE');
});

test('probe tells whether the intended write or delete is in place', async () => {
  const { fs, root } = setup();
  const write = request('fs.write', '/a.txt', { content: 'new' });
  assert.equal(await fs.probe(write), 'not-applied');
  writeFileSync(join(root, 'a.txt'), 'other');
  assert.equal(await fs.probe(write), 'not-applied');
  await fs.execute(write, live());
  assert.equal(await fs.probe(write), 'applied');
  const remove = request('fs.delete', '/a.txt');
  assert.equal(await fs.probe(remove), 'not-applied');
  await fs.execute(remove, live());
  assert.equal(await fs.probe(remove), 'applied');
  assert.equal(await fs.probe(request('fs.read', '/a.txt')), 'not-applied');
});

test('an atomic write leaves no temp files behind and keeps the file mode', async () => {
  const { fs, root } = setup();
  writeFileSync(join(root, 'a.txt'), 'old', { mode: 0o640 });
  for (let i = 0; i < 5; i++) await fs.execute(request('fs.write', '/a.txt', { content: `v${i}` }), live());
  assert.deepEqual(readdirSync(root), ['a.txt']);
  assert.equal(readFileSync(join(root, 'a.txt'), 'utf8'), 'v4');
  assert.equal(statSync(join(root, 'a.txt')).mode & 0o777, 0o640);
});

test('an effect whose signal is already aborted does nothing', async () => {
  const { fs, root } = setup();
  writeFileSync(join(root, 'a.txt'), 'old');
  const controller = new AbortController();
  controller.abort();
  const options = { signal: controller.signal };
  await rejectsWith(
    fs.execute(request('fs.write', '/a.txt', { content: 'new' }), options),
    'CONNECTOR_FAILED',
  );
  await rejectsWith(
    fs.execute(request('fs.write', '/d/b.txt', { content: 'new' }), options),
    'CONNECTOR_FAILED',
  );
  await rejectsWith(fs.execute(request('fs.delete', '/a.txt'), options), 'CONNECTOR_FAILED');
  assert.deepEqual(readdirSync(root), ['a.txt']);
  assert.equal(readFileSync(join(root, 'a.txt'), 'utf8'), 'old');
});

test('a write stopped just before its rename leaves the old file and no temp file', async () => {
  const { root } = setup();
  const target = join(root, 'a.txt');
  writeFileSync(target, 'old');
  const stop = () => {
    throw new Error('stopped');
  };
  await assert.rejects(writeFileAtomic(target, Buffer.from('new'), { beforeRename: stop }), /stopped/);
  assert.deepEqual(readdirSync(root), ['a.txt']);
  assert.equal(readFileSync(target, 'utf8'), 'old');
});

test('errno codes map to kernel codes; errors without one pass through as bugs', () => {
  const errno = (code: string) => Object.assign(new Error(`${code}: /host/path`), { code });
  const codeOf = (error: unknown) => (isKernelError(error) ? error.code : 'not a kernel error');
  assert.equal(codeOf(fsError(errno('ENOENT'), 'read', '/a')), 'NOT_FOUND');
  assert.equal(codeOf(fsError(errno('ENOSPC'), 'write', '/a')), 'DISK_FULL');
  assert.equal(codeOf(fsError(errno('EROFS'), 'write', '/a')), 'READ_ONLY');
  assert.equal(codeOf(fsError(errno('EACCES'), 'write', '/a')), 'READ_ONLY');
  assert.equal(codeOf(fsError(errno('EIO'), 'write', '/a')), 'CONNECTOR_FAILED');
  const mapped = fsError(errno('EIO'), 'write', '/a');
  assert.ok(
    isKernelError(mapped) && !mapped.message.includes('/host/path'),
    'host paths stay out of messages',
  );
  const bug = new TypeError('x is undefined');
  assert.equal(fsError(bug, 'write', '/a'), bug);
});

test('files over 16 MiB are neither read nor written', async () => {
  const { fs, root } = setup();
  writeFileSync(join(root, 'big'), '');
  truncateSync(join(root, 'big'), FS_FILE_BYTES_MAX + 1);
  await rejectsWith(fs.execute(request('fs.read', '/big'), live()), 'OVERSIZED_INPUT');
  await rejectsWith(fs.stateHash('/big'), 'OVERSIZED_INPUT');
  const content = 'x'.repeat(FS_FILE_BYTES_MAX + 1);
  await rejectsWith(fs.execute(request('fs.write', '/w', { content }), live()), 'OVERSIZED_INPUT');
  assert.equal(existsSync(join(root, 'w')), false);
});

test('list stops at its entry bound and says so', async () => {
  const { fs, root } = setup();
  mkdirSync(join(root, 'many'));
  for (let i = 0; i <= FS_LIST_ENTRIES_MAX; i++) writeFileSync(join(root, 'many', `f${i}`), '');
  const result = (await fs.execute(request('fs.list', '/many'), live())) as {
    entries: unknown[];
    truncated: boolean;
  };
  assert.equal(result.entries.length, FS_LIST_ENTRIES_MAX);
  assert.equal(result.truncated, true);
});

test('bad arguments, actions and intent ids are refused', async () => {
  const { fs, root } = setup();
  mkdirSync(join(root, 'dir'));
  await rejectsWith(fs.execute(request('fs.write', '/a', { content: 1 }), live()), 'INVALID_INPUT');
  await rejectsWith(
    fs.execute(request('fs.write', '/a', { content: 'x', mode: 'x' }), live()),
    'INVALID_INPUT',
  );
  await rejectsWith(fs.execute(request('fs.write', '/dir', { content: 'x' }), live()), 'INVALID_INPUT');
  await rejectsWith(fs.execute(request('fs.delete', '/dir'), live()), 'INVALID_INPUT');
  await rejectsWith(fs.execute(request('fs.chmod', '/a'), live()), 'INVALID_INPUT');
  const unsafe = { ...request('fs.write', '/a', { content: 'x' }), intentId: '../../escape' };
  await rejectsWith(fs.prepare(unsafe), 'INVALID_INPUT');
});

test('temp files an interrupted write left are swept at start and never listed', async () => {
  const base = await mkdtemp(join(tmpdir(), 'maos-sweep-'));
  const root = join(base, 'root');
  await mkdir(join(root, 'a/b'), { recursive: true });
  await writeFile(join(root, 'a/b/.maos-tmp-123'), 'partial');
  await writeFile(join(root, 'a/keep.txt'), 'kept');
  const fsc = createFsConnector({ root, snapshotDir: join(base, 'snap') });
  const listed = await fsc.execute(
    { intentId: 'i1', action: 'fs.list', resource: '/a/b', args: {} },
    { signal: new AbortController().signal },
  );
  assert.deepEqual(listed, { entries: [], truncated: false });
  assert.deepEqual(await sweepTempFiles(root), { removed: 1, complete: true });
  assert.deepEqual(await readdir(join(root, 'a/b')), []);
  assert.deepEqual(await readdir(join(root, 'a')), ['b', 'keep.txt']);
});
