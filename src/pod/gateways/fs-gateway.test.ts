import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { JsonValue } from '../../shared/index.ts';
import { defaultGatewayConfig, type GatewayConfig } from '../gateway-config.ts';
import { FsGateway } from './fs-gateway.ts';
import type { GatewayCall } from './port.ts';

function call(op: string, payload: JsonValue): GatewayCall {
  return { agent: 'alice', gateway: 'fs', op, payload, bytes: Buffer.byteLength(JSON.stringify(payload)) };
}

async function workspace(fs: Partial<GatewayConfig['fs']> = {}) {
  const base = await mkdtemp(join(tmpdir(), 'maos-fs-gw-'));
  const root = join(base, 'ws');
  const outside = join(base, 'outside');
  await mkdir(root);
  await mkdir(outside);
  await writeFile(join(outside, 'secret.txt'), 'top secret');
  const config = { ...defaultGatewayConfig().fs, ...fs };
  return { base, root, outside, config };
}

async function open(fs: Partial<GatewayConfig['fs']> = {}) {
  const w = await workspace(fs);
  const opened = await FsGateway.open({ config: w.config, root: w.root });
  assert.ok(opened.ok);
  return { ...w, gateway: opened.value };
}

test('fs gateway: write, read, list and remove inside the workspace', async () => {
  const { gateway, root } = await open();
  const wrote = await gateway.handle(call('write', { path: '/notes/a.txt', text: 'hello' }));
  assert.deepEqual(wrote.result, { ok: true, value: { bytes: 5 } });
  assert.equal(wrote.facts.target, '/notes/a.txt');
  assert.equal(await readFile(join(root, 'notes', 'a.txt'), 'utf8'), 'hello');
  const read = await gateway.handle(call('read', { path: 'notes/a.txt' }));
  assert.deepEqual(read.result, { ok: true, value: 'hello' });
  assert.equal(read.facts.bytesIn, 5);
  const listed = await gateway.handle(call('list', { path: '/notes' }));
  assert.deepEqual(listed.result, {
    ok: true,
    value: { entries: [{ name: 'a.txt', kind: 'file' }], more: 0 },
  });
  assert.equal(gateway.usageBytes, 5);
  const removed = await gateway.handle(call('remove', { path: '/notes/a.txt' }));
  assert.ok(removed.result.ok);
  assert.equal(gateway.usageBytes, 0);
  const missing = await gateway.handle(call('read', { path: '/notes/a.txt' }));
  assert.equal(missing.result.ok ? '' : missing.result.error.code, 'FS_NOT_FOUND');
  assert.equal(missing.facts.blocked, false);
});

test('§41.3 fs: `..` above the root is refused as an escape, `..` within the workspace is not', async () => {
  const { gateway } = await open();
  for (const path of ['../outside/secret.txt', '/../outside/secret.txt', '/notes/../../outside/secret.txt']) {
    const answer = await gateway.handle(call('read', { path }));
    assert.equal(answer.result.ok ? '' : answer.result.error.code, 'FS_PATH_OUTSIDE', path);
    assert.equal(answer.facts.violation, 'fs-escape');
    assert.equal(answer.facts.blocked, true);
  }
  await gateway.handle(call('write', { path: '/b.txt', text: 'b' }));
  const within = await gateway.handle(call('read', { path: '/a/../b.txt' }));
  assert.deepEqual(within.result, { ok: true, value: 'b' });
});

test('§41.3 fs: a symbolic link is never followed, inside or out', async () => {
  const { gateway, root, outside } = await open();
  await symlink(outside, join(root, 'door'));
  await symlink(join(outside, 'secret.txt'), join(root, 'secret.txt'));
  for (const [op, path] of [
    ['read', '/door/secret.txt'],
    ['read', '/secret.txt'],
    ['list', '/door'],
    ['write', '/door/planted.txt'],
    ['remove', '/door/secret.txt'],
  ] as const) {
    const answer = await gateway.handle(call(op, { path, text: 'x' }));
    assert.equal(answer.result.ok ? '' : answer.result.error.code, 'FS_PATH_OUTSIDE', `${op} ${path}`);
    assert.equal(answer.facts.violation, 'fs-escape');
  }
  assert.equal(await readFile(join(outside, 'secret.txt'), 'utf8'), 'top secret');
});

test('§41.3 fs: an absolute host path names a place inside the workspace', async () => {
  const { gateway, outside, root } = await open();
  const answer = await gateway.handle(call('read', { path: join(outside, 'secret.txt') }));
  assert.equal(answer.result.ok ? '' : answer.result.error.code, 'FS_NOT_FOUND');
  const wrote = await gateway.handle(call('write', { path: '/etc/passwd', text: 'mine' }));
  assert.ok(wrote.result.ok);
  assert.equal(await readFile(join(root, 'etc', 'passwd'), 'utf8'), 'mine');
});

test('§41.3 fs: a nul byte is refused as an escape; control characters as invalid', async () => {
  const { gateway } = await open();
  const nul = await gateway.handle(call('read', { path: '/a.txt\u0000../../etc/passwd' }));
  assert.equal(nul.result.ok ? '' : nul.result.error.code, 'FS_PATH_OUTSIDE');
  assert.equal(nul.facts.violation, 'fs-escape');
  const control = await gateway.handle(call('read', { path: '/a\nb' }));
  assert.equal(control.result.ok ? '' : control.result.error.code, 'POD_CALL_INVALID');
  assert.equal(control.facts.violation, undefined);
});

test('§41.3 fs: the quota covers the whole workspace, measured at start and tracked per write', async () => {
  const w = await workspace({ quotaBytes: 100 });
  await writeFile(join(w.root, 'existing.txt'), 'x'.repeat(60));
  const opened = await FsGateway.open({ config: w.config, root: w.root });
  assert.ok(opened.ok);
  const gateway = opened.value;
  assert.equal(gateway.usageBytes, 60);
  const over = await gateway.handle(call('write', { path: '/b.txt', text: 'y'.repeat(41) }));
  assert.equal(over.result.ok ? '' : over.result.error.code, 'FS_QUOTA_EXCEEDED');
  assert.equal(over.facts.blocked, true);
  assert.ok((await gateway.handle(call('write', { path: '/b.txt', text: 'y'.repeat(40) }))).result.ok);
  // Replacing a file counts only the difference.
  assert.ok((await gateway.handle(call('write', { path: '/existing.txt', text: 'z'.repeat(60) }))).result.ok);
  assert.equal(gateway.usageBytes, 100);
  // Concurrent writes are serialized: only one of two 30-byte writes fits after a removal.
  await gateway.handle(call('remove', { path: '/b.txt' }));
  const both = await Promise.all([
    gateway.handle(call('write', { path: '/c.txt', text: 'c'.repeat(30) })),
    gateway.handle(call('write', { path: '/d.txt', text: 'd'.repeat(30) })),
  ]);
  assert.deepEqual(
    both.map((a) => a.result.ok),
    [true, false],
  );
  assert.equal(gateway.usageBytes, 90);
});

test('§41.3 fs: a file larger than fileBytesMax is neither written nor read', async () => {
  const { gateway, root } = await open({ fileBytesMax: 10 });
  const write = await gateway.handle(call('write', { path: '/big.txt', text: 'x'.repeat(11) }));
  assert.equal(write.result.ok ? '' : write.result.error.code, 'FS_QUOTA_EXCEEDED');
  await writeFile(join(root, 'placed.txt'), 'x'.repeat(11));
  const read = await gateway.handle(call('read', { path: '/placed.txt' }));
  assert.equal(read.result.ok ? '' : read.result.error.code, 'GATEWAY_DENIED');
});

test('§41.3 fs: readable and writable paths; a write needs both', async () => {
  const { gateway } = await open({
    readable: ['/notes/**', '/inbox/**'],
    writable: ['/notes/**', '/drafts/**'],
  });
  assert.ok((await gateway.handle(call('write', { path: '/notes/a.txt', text: 'a' }))).result.ok);
  const readOnly = await gateway.handle(call('write', { path: '/inbox/x.txt', text: 'x' }));
  assert.equal(readOnly.result.ok ? '' : readOnly.result.error.code, 'GATEWAY_DENIED');
  const notReadable = await gateway.handle(call('write', { path: '/drafts/x.txt', text: 'x' }));
  assert.equal(notReadable.result.ok ? '' : notReadable.result.error.code, 'GATEWAY_DENIED');
  const hidden = await gateway.handle(call('read', { path: '/secret.txt' }));
  assert.equal(hidden.result.ok ? '' : hidden.result.error.code, 'GATEWAY_DENIED');
  assert.equal(hidden.facts.blocked, true);
  assert.equal(hidden.facts.violation, undefined);
});

test('fs gateway: malformed payloads and the root are refused', async () => {
  const { gateway } = await open();
  for (const [op, payload] of [
    ['read', { path: 1 }],
    ['read', 'just a string'],
    ['write', { path: '/a.txt' }],
    ['write', { path: '/', text: 'x' }],
    ['remove', { path: '/' }],
    ['chmod', { path: '/a.txt' }],
  ] as const) {
    const answer = await gateway.handle(call(op, payload));
    assert.equal(
      answer.result.ok ? '' : answer.result.error.code,
      'POD_CALL_INVALID',
      `${op} ${JSON.stringify(payload)}`,
    );
  }
});

test('fs gateway: a workspace that does not exist fails to open with IO', async () => {
  const opened = await FsGateway.open({
    config: defaultGatewayConfig().fs,
    root: join(tmpdir(), 'maos-no-such-dir-x'),
  });
  assert.equal(opened.ok ? '' : opened.error.code, 'IO');
});
