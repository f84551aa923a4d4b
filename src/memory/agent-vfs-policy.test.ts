// `/policy` is read-only for good, and no path names anything outside the four mounts: every
// operation is tried on the policy mount and on a table of hostile paths (traversal, doubled and
// dotted segments, percent-encoding, lookalike slashes and dots, NUL and control characters, case
// variants, trailing slashes, over-long paths). Nothing may change and every refusal has its code.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { verifies } from '../../test/invariants.ts';
import type { KernelError, Result } from '../shared/index.ts';
import { MemoryStorage } from '../storage/index.ts';
import { AgentVfs, SessionMember } from './index.ts';

const MANIFEST = 'id: alice\nring: 3\ngateways:\n  fs: { writable: ["/mem/**"] }\n';
const GRANTS = '{"capabilities":[{"action":"read","resource":"kb/*"}]}';

async function setup() {
  const policy: Record<string, string> = { 'manifest.yaml': MANIFEST, 'grants/capabilities.json': GRANTS };
  const opened = await AgentVfs.open({ agent: 'alice', storage: new MemoryStorage(), policy });
  if (!opened.ok) assert.fail(opened.error.message);
  const vfs = opened.value;
  const seeded = await vfs.write('/mem/working/note', 'seed');
  assert.ok(seeded.ok);
  return { vfs, policy };
}

function codeOf(result: Result<unknown, KernelError>): string {
  return result.ok ? 'ok' : result.error.code;
}

/** What `/policy` and the writable mounts hold, to prove nothing moved. */
async function snapshot(vfs: AgentVfs) {
  const read = async (path: string) => {
    const result = await vfs.read(path);
    return result.ok ? result.value : result.error.code;
  };
  const list = async (path: string) => {
    const result = await vfs.list(path);
    return result.ok ? result.value.entries.map((entry) => entry.name) : result.error.code;
  };
  return {
    manifest: await read('/policy/manifest.yaml'),
    grants: await read('/policy/grants/capabilities.json'),
    policy: await list('/policy'),
    working: await list('/mem/working'),
    episodic: await list('/mem/episodic'),
    sessions: await list('/session'),
  };
}

const EXPECTED = {
  manifest: MANIFEST,
  grants: GRANTS,
  policy: ['grants', 'manifest.yaml'],
  working: ['note'],
  episodic: [],
  sessions: [],
};

test(`${verifies('INV-4', 'INV-6')}every changing operation on /policy fails with GATEWAY_DENIED`, async () => {
  const { vfs } = await setup();
  const targets = [
    '/policy/manifest.yaml',
    '/policy/grants/capabilities.json',
    '/policy/grants',
    '/policy',
    '/policy/new-grant.json',
    '/policy/grants/new/deeper.json',
  ];
  for (const path of targets) {
    assert.equal(codeOf(await vfs.write(path, 'ring: 0')), 'GATEWAY_DENIED', `write ${path}`);
    assert.equal(codeOf(await vfs.write(path, 'ring: 0', { seen: 'x' })), 'GATEWAY_DENIED', `write ${path}`);
    assert.equal(codeOf(await vfs.remove(path)), 'GATEWAY_DENIED', `remove ${path}`);
    assert.equal(
      codeOf(await vfs.rename('/mem/working/note', path)),
      'GATEWAY_DENIED',
      `rename into ${path}`,
    );
    assert.equal(
      codeOf(await vfs.rename(path, '/mem/working/stolen')),
      'GATEWAY_DENIED',
      `rename out ${path}`,
    );
    assert.equal(codeOf(await vfs.rename(path, path)), 'GATEWAY_DENIED', `rename within ${path}`);
  }
  // Content that is itself invalid still meets the read-only refusal first.
  assert.equal(codeOf(await vfs.write('/policy/manifest.yaml', 7)), 'GATEWAY_DENIED');
  assert.deepEqual(await snapshot(vfs), EXPECTED);
  assert.equal((await vfs.stat('/policy')).ok && (await vfs.stat('/policy/manifest.yaml')).ok, true);
});

test(`${verifies('INV-4', 'MR-1')}no API can make /policy writable after creation`, async () => {
  const { vfs, policy } = await setup();
  // The host's object is copied at creation: changing it later changes nothing.
  policy['manifest.yaml'] = 'ring: 0';
  policy['extra.json'] = '{}';
  // There is no remount, chmod or mode switch, and none can be added.
  const methods = Object.getOwnPropertyNames(AgentVfs.prototype).sort();
  assert.deepEqual(methods, [
    'attach',
    'close',
    'constructor',
    'detach',
    'list',
    'read',
    'remove',
    'rename',
    'stat',
    'write',
  ]);
  assert.ok(Object.isFrozen(vfs) && Object.isFrozen(AgentVfs.prototype));
  const loose = vfs as unknown as Record<string, unknown>;
  assert.throws(() => {
    loose.write = async () => ({ ok: true, value: {} });
  }, TypeError);
  assert.throws(
    () => Object.defineProperty(AgentVfs.prototype, 'remount', { value: () => undefined }),
    TypeError,
  );
  assert.throws(() => Object.setPrototypeOf(vfs, {}), TypeError);
  // A look-alike session member cannot be mounted, and a real one cannot be made without a join.
  const fake = { session: '..', agent: 'alice', role: 'write', write: async () => ({ ok: true, value: {} }) };
  assert.equal(codeOf(vfs.attach(fake)), 'INVALID_INPUT');
  const Member = SessionMember as unknown as new (...args: unknown[]) => unknown;
  assert.throws(() => new Member(Symbol('session-member'), {}, 'alice', 'write', () => undefined), TypeError);
  assert.equal(codeOf(await vfs.write('/policy/manifest.yaml', 'ring: 0')), 'GATEWAY_DENIED');
  assert.deepEqual(await snapshot(vfs), EXPECTED);
});

/** Hostile paths and the one code each must fail with, whatever the operation. */
const HOSTILE: readonly (readonly [string, unknown, 'INVALID_INPUT' | 'FS_PATH_OUTSIDE'])[] = [
  ['dot-dot out of working', '/mem/working/../../policy/manifest.yaml', 'INVALID_INPUT'],
  ['dot-dot inside policy', '/policy/../policy/manifest.yaml', 'INVALID_INPUT'],
  ['dot-dot to another agent', '/mem/episodic/../../mem/episodic/bob', 'INVALID_INPUT'],
  ['single dot', '/policy/./manifest.yaml', 'INVALID_INPUT'],
  ['single dot in working', '/mem/working/./note', 'INVALID_INPUT'],
  ['leading double slash', '//policy/manifest.yaml', 'INVALID_INPUT'],
  ['inner double slash', '/policy//manifest.yaml', 'INVALID_INPUT'],
  ['double slash in mem', '/mem//working/note', 'INVALID_INPUT'],
  ['trailing slash on a file', '/policy/manifest.yaml/', 'INVALID_INPUT'],
  ['trailing slash on the mount', '/policy/', 'INVALID_INPUT'],
  ['trailing slash on working', '/mem/working/', 'INVALID_INPUT'],
  ['percent-encoded dots', '/mem/working/%2e%2e/%2e%2e/policy/manifest.yaml', 'INVALID_INPUT'],
  ['percent-encoded slash', '/mem/working/..%2fpolicy', 'INVALID_INPUT'],
  ['percent-encoded letter', '/%70olicy/manifest.yaml', 'INVALID_INPUT'],
  ['double percent-encoding', '/mem/working/%252e%252e/policy', 'INVALID_INPUT'],
  ['NUL inside', '/mem/working/note\u0000/../../policy/manifest.yaml', 'INVALID_INPUT'],
  ['NUL at the end', '/policy/manifest.yaml\u0000', 'INVALID_INPUT'],
  ['newline', '/mem/working/a\nb', 'INVALID_INPUT'],
  ['C1 control', '/mem/working/a\u0085b', 'INVALID_INPUT'],
  ['division slash ∕', '/mem/working/..\u2215..\u2215policy\u2215manifest.yaml', 'INVALID_INPUT'],
  ['fullwidth slash ／', '/mem/working/..\uFF0F..\uFF0Fpolicy', 'INVALID_INPUT'],
  ['fraction slash ⁄', '/mem/working/..\u2044policy', 'INVALID_INPUT'],
  ['fullwidth dots', '/mem/working/\uFF0E\uFF0E/policy', 'INVALID_INPUT'],
  ['one-dot leaders', '/mem/working/\u2024\u2024/policy', 'INVALID_INPUT'],
  ['backslashes', '/mem/working\\..\\..\\policy\\manifest.yaml', 'INVALID_INPUT'],
  ['backslash root', '\\policy\\manifest.yaml', 'INVALID_INPUT'],
  ['right-to-left override', '/mem/working/\u202Elmay.tsefinam', 'INVALID_INPUT'],
  ['zero-width space', '/pol\u200Bicy/manifest.yaml', 'INVALID_INPUT'],
  ['only dots', '/mem/working/...', 'INVALID_INPUT'],
  ['tilde then dot-dot', '/mem/working/~/../policy', 'INVALID_INPUT'],
  ['relative path', 'policy/manifest.yaml', 'INVALID_INPUT'],
  ['empty path', '', 'INVALID_INPUT'],
  ['file url', 'file:///policy/manifest.yaml', 'INVALID_INPUT'],
  ['lone surrogate', '/mem/working/\uD800', 'INVALID_INPUT'],
  ['over-long path', `/mem/working/${'a/'.repeat(600)}x`, 'INVALID_INPUT'],
  ['over-long segment', `/mem/working/${'a'.repeat(256)}`, 'INVALID_INPUT'],
  ['too deep', `/mem/working/${'d/'.repeat(40)}x`, 'INVALID_INPUT'],
  ['not a string', 42, 'INVALID_INPUT'],
  ['an object that prints as a path', { toString: () => '/mem/working/note' }, 'INVALID_INPUT'],
  ['an array', ['/policy/manifest.yaml'], 'INVALID_INPUT'],
  ['upper-case mount', '/POLICY/manifest.yaml', 'FS_PATH_OUTSIDE'],
  ['capitalised mount', '/Policy/manifest.yaml', 'FS_PATH_OUTSIDE'],
  ['mixed-case mount', '/poLicy', 'FS_PATH_OUTSIDE'],
  ['upper-case mem', '/MEM/working/note', 'FS_PATH_OUTSIDE'],
  ['capitalised working', '/mem/Working/note', 'FS_PATH_OUTSIDE'],
  ['host file', '/etc/passwd', 'FS_PATH_OUTSIDE'],
  ['procfs root link', '/proc/self/root/policy/manifest.yaml', 'FS_PATH_OUTSIDE'],
  ['unknown mem mount', '/mem/other/x', 'FS_PATH_OUTSIDE'],
  ['session not joined', '/session/s1/state.json', 'FS_PATH_OUTSIDE'],
  ['session root not joined', '/session/s1', 'FS_PATH_OUTSIDE'],
];

test(`${verifies('INV-9', 'INV-4')}hostile paths: every operation refuses each with its stable code`, async () => {
  assert.ok(HOSTILE.length >= 30);
  const { vfs } = await setup();
  for (const [name, path, expected] of HOSTILE) {
    const outcomes = {
      read: codeOf(await vfs.read(path)),
      write: codeOf(await vfs.write(path, 'ring: 0')),
      writeSeen: codeOf(await vfs.write(path, 'ring: 0', { seen: 'x' })),
      remove: codeOf(await vfs.remove(path)),
      list: codeOf(await vfs.list(path)),
      stat: codeOf(await vfs.stat(path)),
      renameFrom: codeOf(await vfs.rename(path, '/mem/working/moved')),
      renameTo: codeOf(await vfs.rename('/mem/working/note', path)),
    };
    for (const [op, code] of Object.entries(outcomes)) assert.equal(code, expected, `${name}: ${op}`);
  }
  assert.deepEqual(await snapshot(vfs), EXPECTED);
});

test('refusal messages stay on one line and show hostile input escaped in backticks', async () => {
  const { vfs } = await setup();
  const result = await vfs.read('/mem/working/a\nb\u0000`c');
  assert.ok(!result.ok);
  assert.match(result.error.message, /^path `.*` has a character outside/);
  assert.ok(!result.error.message.includes('\n') && !result.error.message.includes('\u0000'));
  assert.equal(result.error.message, result.error.message.toLowerCase());
});
