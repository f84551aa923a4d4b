// Unit tests for the claims schema: strictness, bounds, time order and nesting depth.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LIMITS } from '../limits.ts';
import type { TokenClaims } from './claims.ts';
import { parseClaims } from './claims-schema.ts';

const T0 = Date.UTC(2026, 0, 1);
const VALID: TokenClaims = {
  jti: '01900000-0000-7000-8000-0000000000aa',
  kid: 'k-1',
  iss: 'maos-dsc',
  sub: 'alice',
  aud: 'node-1',
  iat: T0,
  nbf: T0,
  exp: T0 + 60_000,
  epoch: 0,
  ring: 2,
  trust: 'internal',
  scopes: [{ action: 'fs.write', resource: '/w/*', constraint: ['true'] }],
  maxUses: 1,
  rate: { max: 1, windowMs: 1 },
  budget: { tokens: 0, apiCalls: 0, costMicros: 0 },
  ttlAck: { by: 'commander', reason: 'test', atMs: T0 },
};

function problem(change: Record<string, unknown>): string | undefined {
  const result = parseClaims({ ...VALID, ...change });
  if (result.ok) return undefined;
  assert.equal(result.error.code, 'TOKEN_CLAIMS_INVALID');
  assert.match(result.error.message, /^invalid token claims: /);
  return result.error.message;
}

test('complete valid claims parse to an equal value', () => {
  const result = parseClaims(VALID);
  assert.ok(result.ok);
  assert.deepEqual(result.value, VALID);
});

test('unknown keys are refused at every level', () => {
  assert.match(problem({ admin: true }) ?? '', /admin/);
  assert.notEqual(problem({ scopes: [{ action: 'a', resource: 'b', extra: 1 }] }), undefined);
  assert.notEqual(problem({ rate: { max: 1, windowMs: 1, burst: 5 } }), undefined);
});

test('identifiers, times and counts are bounded', () => {
  const invalid: Record<string, unknown>[] = [
    { jti: 'not-a-uuid' },
    { jti: '01900000-0000-4000-8000-0000000000aa' },
    { sub: '' },
    { aud: 'x'.repeat(LIMITS.idLengthMax + 1) },
    { iat: 1.5 },
    { nbf: T0 - 1 },
    { exp: T0 },
    { epoch: -1 },
    { ring: 0 },
    { ring: 4 },
    { trust: 'partner' },
    { scopes: [] },
    { maxUses: 0 },
    { rate: { max: 1, windowMs: 0 } },
    { budget: { tokens: -1, apiCalls: 0, costMicros: 0 } },
    { budget: { tokens: 1 } },
    { ttlAck: { by: 'c', reason: '', atMs: 0 } },
    {
      scopes: [
        {
          action: 'fs.write',
          resource: '/a',
          constraint: Array(LIMITS.constraintsPerScopeMax + 1).fill('x'),
        },
      ],
    },
    {
      scopes: [
        { action: 'fs.write', resource: '/a', constraint: ['x'.repeat(LIMITS.constraintLengthMax + 1)] },
      ],
    },
    { scopes: [{ action: 'fs write', resource: '/a' }] },
  ];
  for (const change of invalid)
    assert.notEqual(problem(change), undefined, JSON.stringify(change).slice(0, 80));
});

test('the error names the offending path', () => {
  assert.match(problem({ scopes: [{ action: 'fs.*.x', resource: '/a' }] }) ?? '', /`scopes\.0\.action`/);
  assert.match(problem({ exp: T0 - 1 }) ?? '', /`exp` is not after `nbf`/);
});

test('too many scopes are refused', () => {
  const scopes = Array.from({ length: LIMITS.tokenScopesMax + 1 }, () => ({ action: 'a', resource: 'b' }));
  assert.notEqual(problem({ scopes }), undefined);
});

test('embedded parents nest at most LIMITS.tokenChainDepthMax deep', () => {
  let claims: TokenClaims = VALID;
  for (let depth = 1; depth <= LIMITS.tokenChainDepthMax; depth++) claims = { ...VALID, parent: claims };
  assert.ok(parseClaims(claims).ok);
  assert.ok(!parseClaims({ ...VALID, parent: claims }).ok);
});

test('non-objects are refused', () => {
  for (const value of [null, 'claims', 42, [VALID]]) assert.ok(!parseClaims(value).ok);
});
