// Unit tests for the issuer key store: creation, file modes, reload, rotation and retirement.

import assert from 'node:assert/strict';
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { type IssuerKeys, mintToken, verifyToken } from '../kernel/token/index.ts';
import { FakeClock } from '../testing/fake-clock.ts';
import { SeededRandom } from '../testing/seeded-random.ts';
import { loadIssuerKeys, loadOrCreateIssuerKeys, retireIssuerKey, rotateIssuerKey } from './key-store.ts';

const POSIX = process.platform !== 'win32';
const clock = new FakeClock();
const random = new SeededRandom(17);
const dirs: string[] = [];

after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'maos-keys-'));
  dirs.push(dir);
  return dir;
}

function unwrapKeys(result: Awaited<ReturnType<typeof loadIssuerKeys>>): IssuerKeys {
  assert.ok(result.ok, result.ok ? '' : result.error.message);
  return result.value;
}

async function mintWith(keys: IssuerKeys): Promise<string> {
  const minted = await mintToken(
    { sub: 'a', aud: 'n', ring: 2, trust: 'internal', scopes: [{ action: '*', resource: '**' }] },
    keys.current,
    { clock, random, epoch: 0 },
  );
  assert.ok(minted.ok);
  return minted.value.token;
}

test('a first load creates a key with private files 0600 in a 0700 directory', async () => {
  const dir = await dataDir();
  const keys = unwrapKeys(await loadOrCreateIssuerKeys(dir, clock, random));
  assert.match(keys.current.kid, /^k-[0-9a-f-]{36}$/);
  assert.deepEqual([...keys.publicKeys.keys()], [keys.current.kid]);
  const keyDir = join(dir, 'keys', keys.current.kid);
  assert.deepEqual((await readdir(keyDir)).sort(), [
    'ed25519.key',
    'ed25519.pub',
    'ml-dsa-65.key',
    'ml-dsa-65.pub',
  ]);
  assert.equal((await readFile(join(dir, 'keys', 'current'), 'utf8')).trim(), keys.current.kid);
  assert.match(await readFile(join(keyDir, 'ml-dsa-65.key'), 'utf8'), /^-----BEGIN PRIVATE KEY-----/);
  if (POSIX) {
    assert.equal((await stat(join(dir, 'keys'))).mode & 0o777, 0o700);
    assert.equal((await stat(join(keyDir, 'ed25519.key'))).mode & 0o777, 0o600);
    assert.equal((await stat(join(keyDir, 'ml-dsa-65.key'))).mode & 0o777, 0o600);
  }
});

test('a second load returns the same key, and tokens minted before still verify', async () => {
  const dir = await dataDir();
  const first = unwrapKeys(await loadOrCreateIssuerKeys(dir, clock, random));
  const token = await mintWith(first);
  const second = unwrapKeys(await loadOrCreateIssuerKeys(dir, clock, random));
  assert.equal(second.current.kid, first.current.kid);
  assert.ok((await verifyToken(token, second.publicKeys)).ok);
  assert.equal(unwrapKeys(await loadIssuerKeys(dir)).current.kid, first.current.kid);
});

test('rotation makes a new current key; old tokens verify, new tokens name the new kid', async () => {
  const dir = await dataDir();
  const before = unwrapKeys(await loadOrCreateIssuerKeys(dir, clock, random));
  const oldToken = await mintWith(before);
  clock.advance(1);
  const rotated = unwrapKeys(await rotateIssuerKey(dir, clock, random));
  assert.notEqual(rotated.current.kid, before.current.kid);
  assert.equal(rotated.publicKeys.size, 2);
  const newToken = await mintWith(rotated);
  const oldVerified = await verifyToken(oldToken, rotated.publicKeys);
  const newVerified = await verifyToken(newToken, rotated.publicKeys);
  assert.ok(oldVerified.ok && newVerified.ok);
  assert.equal(oldVerified.value.claims.kid, before.current.kid);
  assert.equal(newVerified.value.claims.kid, rotated.current.kid);
  const reloaded = unwrapKeys(await loadOrCreateIssuerKeys(dir, clock, random));
  assert.equal(reloaded.current.kid, rotated.current.kid);
});

test('a retired key no longer verifies and loses its private keys; the current one cannot retire', async () => {
  const dir = await dataDir();
  const before = unwrapKeys(await loadOrCreateIssuerKeys(dir, clock, random));
  const oldToken = await mintWith(before);
  clock.advance(1);
  const rotated = unwrapKeys(await rotateIssuerKey(dir, clock, random));
  const refused = await retireIssuerKey(dir, rotated.current.kid);
  assert.ok(!refused.ok);
  assert.equal(refused.error.code, 'KEY_STORE');
  const retired = unwrapKeys(await retireIssuerKey(dir, before.current.kid));
  assert.deepEqual([...retired.publicKeys.keys()], [rotated.current.kid]);
  const verified = await verifyToken(oldToken, retired.publicKeys);
  assert.ok(!verified.ok);
  assert.equal(verified.error.code, 'TOKEN_KEY_UNKNOWN');
  const files = await readdir(join(dir, 'keys', before.current.kid));
  assert.ok(!files.some((name) => name.endsWith('.key')));
});

test('a private key readable by group or others is refused', { skip: !POSIX }, async () => {
  const dir = await dataDir();
  const keys = unwrapKeys(await loadOrCreateIssuerKeys(dir, clock, random));
  const path = join(dir, 'keys', keys.current.kid, 'ml-dsa-65.key');
  for (const mode of [0o640, 0o604, 0o644]) {
    await chmod(path, mode);
    const result = await loadOrCreateIssuerKeys(dir, clock, random);
    assert.ok(!result.ok);
    assert.equal(result.error.code, 'KEY_STORE');
    assert.match(result.error.message, /accessible to others/);
  }
  await chmod(path, 0o600);
  assert.ok((await loadIssuerKeys(dir)).ok);
});

test('a corrupt or mismatched key file is a key-store error', async () => {
  const dir = await dataDir();
  const keys = unwrapKeys(await loadOrCreateIssuerKeys(dir, clock, random));
  const keyDir = join(dir, 'keys', keys.current.kid);
  await writeFile(join(keyDir, 'ed25519.pub'), 'garbage');
  const corrupt = await loadIssuerKeys(dir);
  assert.ok(!corrupt.ok);
  assert.equal(corrupt.error.code, 'KEY_STORE');
  const other = unwrapKeys(await loadOrCreateIssuerKeys(await dataDir(), clock, random));
  const otherPub = other.current.ed25519.publicKey.export({ type: 'spki', format: 'pem' });
  await writeFile(join(keyDir, 'ed25519.pub'), String(otherPub));
  const mismatched = await loadIssuerKeys(dir);
  assert.ok(!mismatched.ok);
  assert.match(mismatched.error.message, /does not match/);
});

test('a missing store or a bad current pointer is a key-store error', async () => {
  const missing = await loadIssuerKeys(join(await dataDir(), 'nowhere'));
  assert.ok(!missing.ok);
  assert.equal(missing.error.code, 'KEY_STORE');
  const dir = await dataDir();
  unwrapKeys(await loadOrCreateIssuerKeys(dir, clock, random));
  await writeFile(join(dir, 'keys', 'current'), '../../etc/passwd\n');
  const bad = await loadIssuerKeys(dir);
  assert.ok(!bad.ok);
  assert.equal(bad.error.code, 'KEY_STORE');
});
