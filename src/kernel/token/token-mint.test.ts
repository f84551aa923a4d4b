// Unit tests for minting: claims layout, grants, lifetimes and validation of scopes and constraints.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isUuidv7 } from '../../shared/index.ts';
import { FakeClock } from '../../testing/fake-clock.ts';
import { SeededRandom } from '../../testing/seeded-random.ts';
import type { Scope } from './claims.ts';
import { generateIssuerKeyPair, publicKeysOf } from './key-material.ts';
import { DEFAULT_ISSUER, type MintContext, type MintRequest, mintToken } from './token-mint.ts';
import { verifyToken } from './token-verify.ts';

const key = generateIssuerKeyPair('k-mint');
const keys = publicKeysOf([key]);
const clock = new FakeClock();
const ctx: MintContext = { clock, random: new SeededRandom(3), epoch: 9 };
const REQUEST: MintRequest = {
  sub: 'alice',
  aud: 'node-1',
  ring: 3,
  trust: 'internal',
  scopes: [{ action: 'fs.write', resource: '/workspace/*' }],
};

test('a minted token carries the request, the issuer key and the current epoch, and verifies', async () => {
  const now = clock.wallMs();
  const minted = await mintToken(
    {
      ...REQUEST,
      maxUses: 3,
      rate: { max: 10, windowMs: 60_000 },
      budget: { tokens: 5, apiCalls: 1, costMicros: 0 },
    },
    key,
    { ...ctx, iss: 'dsc@node-1' },
  );
  assert.ok(minted.ok);
  const { claims } = minted.value;
  assert.ok(isUuidv7(claims.jti));
  assert.equal(claims.kid, 'k-mint');
  assert.equal(claims.iss, 'dsc@node-1');
  assert.deepEqual([claims.iat, claims.nbf, claims.exp], [now, now, now + 15 * 60_000]);
  assert.equal(claims.epoch, 9);
  assert.equal(claims.maxUses, 3);
  assert.deepEqual(claims.rate, { max: 10, windowMs: 60_000 });
  assert.equal(claims.ttlAck, undefined);
  const verified = await verifyToken(minted.value.token, keys);
  assert.ok(verified.ok);
  assert.deepEqual(verified.value.claims, claims);
});

test('the issuer defaults to DEFAULT_ISSUER and optional claims are absent, not undefined', async () => {
  const minted = await mintToken(REQUEST, key, ctx);
  assert.ok(minted.ok);
  assert.equal(minted.value.claims.iss, DEFAULT_ISSUER);
  assert.deepEqual(Object.keys(minted.value.claims).sort(), [
    'aud',
    'epoch',
    'exp',
    'iat',
    'iss',
    'jti',
    'kid',
    'nbf',
    'ring',
    'scopes',
    'sub',
    'trust',
  ]);
});

test('DR-T3: a lifetime above 4x the default is refused without acknowledgment', async () => {
  const refused = await mintToken({ ...REQUEST, ttlMs: 61 * 60_000 }, key, ctx);
  assert.ok(!refused.ok);
  assert.equal(refused.error.code, 'TOKEN_TTL_EXCESSIVE');
  const external = await mintToken({ ...REQUEST, trust: 'external', ttlMs: 21 * 60_000 }, key, ctx);
  assert.ok(!external.ok);
  assert.equal(external.error.code, 'TOKEN_TTL_EXCESSIVE');
});

test('DR-T3: an acknowledged long lifetime is recorded in the token', async () => {
  const minted = await mintToken(
    { ...REQUEST, ttlMs: 2 * 60 * 60_000, acknowledgment: { by: 'commander', reason: 'overnight run' } },
    key,
    ctx,
  );
  assert.ok(minted.ok);
  assert.deepEqual(minted.value.claims.ttlAck, {
    by: 'commander',
    reason: 'overnight run',
    atMs: clock.wallMs(),
  });
  assert.equal(minted.value.claims.exp - minted.value.claims.nbf, 2 * 60 * 60_000);
  const verified = await verifyToken(minted.value.token, keys);
  assert.ok(verified.ok);
  assert.deepEqual(verified.value.claims.ttlAck, minted.value.claims.ttlAck);
});

test('requested scopes must lie within the grants, with at least their constraints', async () => {
  const grants: Scope[] = [
    { action: 'fs.*', resource: '/workspace/**' },
    { action: 'email.send', resource: '*', constraint: ['args.to.endsWith("@corp.example")'] },
  ];
  const within = await mintToken(
    { ...REQUEST, scopes: [{ action: 'fs.write', resource: '/workspace/a/*' }] },
    key,
    { ...ctx, grants },
  );
  assert.ok(within.ok);
  const cases: Scope[] = [
    { action: 'fs.write', resource: '/shared/*' },
    { action: 'net.*', resource: '/workspace/a' },
    { action: 'email.send', resource: 'corp' },
    { action: '*', resource: '/workspace/a' },
  ];
  for (const scope of cases) {
    const result = await mintToken({ ...REQUEST, scopes: [scope] }, key, { ...ctx, grants });
    assert.ok(!result.ok, scope.action);
    assert.equal(result.error.code, 'TOKEN_GRANT_EXCEEDED');
  }
  const constrained = await mintToken(
    {
      ...REQUEST,
      scopes: [
        { action: 'email.send', resource: 'corp', constraint: ['args.to.endsWith("@corp.example")', 'true'] },
      ],
    },
    key,
    { ...ctx, grants },
  );
  assert.ok(constrained.ok);
  const none = await mintToken(REQUEST, key, { ...ctx, grants: [] });
  assert.ok(!none.ok);
  assert.equal(none.error.code, 'TOKEN_GRANT_EXCEEDED');
});

test('bad patterns, constraints and claims are refused at mint', async () => {
  const bad: Array<Partial<MintRequest>> = [
    { scopes: [] },
    { scopes: [{ action: 'fs.*.x', resource: '/a' }] },
    { scopes: [{ action: 'fs.write', resource: '' }] },
    { scopes: [{ action: 'fs.write', resource: '/a', constraint: ['args.(('] }] },
    { scopes: [{ action: 'fs.write', resource: '/a', constraint: Array(9).fill('true') }] },
    { sub: '' },
    { maxUses: 0 },
    { rate: { max: 0, windowMs: 1 } },
    { nbf: clock.wallMs() - 1 },
  ];
  for (const change of bad) {
    const result = await mintToken({ ...REQUEST, ...change }, key, ctx);
    assert.ok(!result.ok, JSON.stringify(change));
    assert.equal(result.error.code, 'TOKEN_CLAIMS_INVALID', JSON.stringify(change));
  }
});

test('a future not-before moves the expiry with it', async () => {
  const nbf = clock.wallMs() + 1000;
  const minted = await mintToken({ ...REQUEST, nbf, ttlMs: 5000 }, key, ctx);
  assert.ok(minted.ok);
  assert.deepEqual([minted.value.claims.nbf, minted.value.claims.exp], [nbf, nbf + 5000]);
});
