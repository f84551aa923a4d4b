// Unit tests for the revocation list and epoch (DR-T6), including revocation through the chain.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../testing/fake-clock.ts';
import { SeededRandom } from '../../testing/seeded-random.ts';
import { attenuateToken } from './attenuate.ts';
import { generateIssuerKeyPair, publicKeysOf } from './key-material.ts';
import { RevocationList } from './revocation-list.ts';
import { mintToken } from './token-mint.ts';
import { verifyToken } from './token-verify.ts';

test('DR-T6: each new revocation bumps the epoch by exactly one; repeats do not', () => {
  const list = new RevocationList();
  assert.equal(list.epoch, 0);
  assert.equal(list.isRevoked('a'), false);
  assert.equal(list.revoke('a', 'compromised'), 1);
  assert.equal(list.isRevoked('a'), true);
  assert.equal(list.revoke('a', 'again'), 1);
  assert.equal(list.reasonFor('a'), 'compromised');
  assert.equal(list.revoke('b'), 2);
  assert.equal(list.epoch, 2);
  assert.equal(list.size, 2);
});

test('DR-T6: the list round-trips through json', () => {
  const list = new RevocationList();
  list.revoke('a', 'why');
  list.revoke('b');
  const json = JSON.parse(JSON.stringify(list)) as unknown;
  assert.deepEqual(json, { epoch: 2, revoked: [{ jti: 'a', reason: 'why' }, { jti: 'b' }] });
  const restored = RevocationList.fromJSON(json);
  assert.equal(restored.epoch, 2);
  assert.equal(restored.isRevoked('a') && restored.isRevoked('b'), true);
  assert.equal(restored.revoke('c'), 3);
});

test('fromJSON refuses malformed input with a KernelError', () => {
  const bad: unknown[] = [
    null,
    [],
    { epoch: -1, revoked: [] },
    { epoch: 1.5, revoked: [] },
    { epoch: 1, revoked: [{ jti: 'a' }, { jti: 'a' }] },
    { epoch: 0, revoked: [{ jti: 'a' }] },
    { epoch: 1, revoked: [{ jti: '' }] },
    { epoch: 1, revoked: [{ jti: 'a', extra: true }] },
    { epoch: 1, revoked: [], more: 1 },
  ];
  for (const value of bad) {
    assert.throws(
      () => RevocationList.fromJSON(value),
      (error: unknown) =>
        error instanceof Error && error.name === 'KernelError' && /^revocation list/.test(error.message),
      JSON.stringify(value),
    );
  }
});

test('DR-T6: revoking a parent revokes its children through chainIds', async () => {
  const key = generateIssuerKeyPair('k-revoke');
  const keys = publicKeysOf([key]);
  const ctx = { clock: new FakeClock(), random: new SeededRandom(9), epoch: 0 };
  const parent = await mintToken(
    { sub: 'a', aud: 'n', ring: 2, trust: 'internal', scopes: [{ action: 'fs.*', resource: '/**' }] },
    key,
    ctx,
  );
  assert.ok(parent.ok);
  const parentVerified = await verifyToken(parent.value.token, keys);
  assert.ok(parentVerified.ok);
  const child = await attenuateToken(
    parentVerified.value,
    { scopes: [{ action: 'fs.read', resource: '/x' }] },
    key,
    ctx,
  );
  assert.ok(child.ok);
  const childVerified = await verifyToken(child.value.token, keys);
  assert.ok(childVerified.ok);
  const list = new RevocationList();
  const revoked = (ids: readonly string[]) => ids.some((jti) => list.isRevoked(jti));
  assert.equal(revoked(childVerified.value.chainIds), false);
  list.revoke(parent.value.claims.jti, 'parent compromised');
  assert.equal(list.isRevoked(child.value.claims.jti), false, 'the child id itself is not listed');
  assert.equal(revoked(childVerified.value.chainIds), true, 'but its chain is');
});
