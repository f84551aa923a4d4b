// Unit tests for the verified-token cache: verify once, LRU bound, failures not cached.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../testing/fake-clock.ts';
import { SeededRandom } from '../../testing/seeded-random.ts';
import { generateIssuerKeyPair, publicKeysOf } from './key-material.ts';
import { TokenCache } from './token-cache.ts';
import { mintToken } from './token-mint.ts';
import { tokenDigest } from './token-verify.ts';

const key = generateIssuerKeyPair('k-cache');
const keys = publicKeysOf([key]);
const ctx = { clock: new FakeClock(), random: new SeededRandom(13), epoch: 0 };

async function token(sub: string): Promise<string> {
  const minted = await mintToken(
    { sub, aud: 'n', ring: 2, trust: 'internal', scopes: [{ action: '*', resource: '**' }] },
    key,
    ctx,
  );
  assert.ok(minted.ok);
  return minted.value.token;
}

test('admit verifies once and then serves the same verified token by digest', async () => {
  const cache = new TokenCache();
  const serialized = await token('a');
  const first = await cache.admit(serialized, keys);
  assert.ok(first.ok);
  assert.equal(cache.get(tokenDigest(serialized)), first.value);
  // WHY: an empty key set would fail any real verification, so success proves the cache answered.
  const second = await cache.admit(serialized, new Map());
  assert.ok(second.ok);
  assert.equal(second.value, first.value);
  assert.equal(cache.size, 1);
});

test('concurrent admits of one token share a single verification', async () => {
  const cache = new TokenCache();
  const serialized = await token('b');
  const [a, b] = await Promise.all([cache.admit(serialized, keys), cache.admit(serialized, keys)]);
  assert.ok(a.ok && b.ok);
  assert.equal(a.value, b.value);
});

test('a failed verification is not cached as success', async () => {
  const cache = new TokenCache();
  const serialized = await token('c');
  const refused = await cache.admit(serialized, new Map());
  assert.ok(!refused.ok);
  assert.equal(refused.error.code, 'TOKEN_KEY_UNKNOWN');
  assert.equal(cache.size, 0);
  assert.equal(cache.get(tokenDigest(serialized)), undefined);
  const tampered = await cache.admit(`${serialized}x`, keys);
  assert.ok(!tampered.ok);
  assert.equal(cache.size, 0);
});

test('the cache evicts the least recently used entry at its bound', async () => {
  const cache = new TokenCache(2);
  const [a, b, c] = [await token('d'), await token('e'), await token('f')];
  assert.ok((await cache.admit(a, keys)).ok);
  assert.ok((await cache.admit(b, keys)).ok);
  assert.ok(cache.get(tokenDigest(a)) !== undefined, 'touch a, so b is now oldest');
  assert.ok((await cache.admit(c, keys)).ok);
  assert.equal(cache.size, 2);
  assert.equal(cache.get(tokenDigest(b)), undefined);
  assert.ok(cache.get(tokenDigest(a)) !== undefined);
  assert.ok(cache.get(tokenDigest(c)) !== undefined);
  cache.clear();
  assert.equal(cache.size, 0);
});
