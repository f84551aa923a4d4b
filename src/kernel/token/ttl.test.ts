// Unit tests for token lifetimes: the defaults and the 4x acknowledgment rule (DR-T3).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkTtl, defaultTtlMs, ttlMsMaxUnacknowledged } from './ttl.ts';

const MINUTE = 60_000;

test('DR-T3: default lifetimes are 60 min for rings 1 and 2, 15 min for ring 3, 5 min external', () => {
  assert.equal(defaultTtlMs(1, 'internal'), 60 * MINUTE);
  assert.equal(defaultTtlMs(2, 'internal'), 60 * MINUTE);
  assert.equal(defaultTtlMs(3, 'internal'), 15 * MINUTE);
  for (const ring of [1, 2, 3] as const) assert.equal(defaultTtlMs(ring, 'external'), 5 * MINUTE);
  assert.equal(ttlMsMaxUnacknowledged(3, 'internal'), 60 * MINUTE);
});

test('DR-T3: up to 4x the default needs nothing; beyond needs an acknowledgment', () => {
  assert.deepEqual(checkTtl(20 * MINUTE, 3, 'external', undefined, 5), { ok: true, value: undefined });
  const refused = checkTtl(20 * MINUTE + 1, 3, 'external', undefined, 5);
  assert.ok(!refused.ok);
  assert.equal(refused.error.code, 'TOKEN_TTL_EXCESSIVE');
  assert.match(refused.error.message, /1200001 ms exceeds 1200000 ms/);
  const acknowledged = checkTtl(8 * 60 * MINUTE, 2, 'internal', { by: 'commander', reason: 'batch job' }, 42);
  assert.deepEqual(acknowledged, { ok: true, value: { by: 'commander', reason: 'batch job', atMs: 42 } });
});

test('DR-T3: shortening is free and needs no acknowledgment', () => {
  assert.deepEqual(checkTtl(1, 1, 'internal', undefined, 0), { ok: true, value: undefined });
});

test('a non-positive or fractional lifetime is invalid', () => {
  for (const ttl of [0, -5, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    const result = checkTtl(ttl, 2, 'internal', undefined, 0);
    assert.ok(!result.ok);
    assert.equal(result.error.code, 'TOKEN_CLAIMS_INVALID');
  }
});
