// Unit tests for attenuation (DR-T5, INV-4): a child only ever narrows its parent, both when it is
// minted and when it is verified.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../testing/fake-clock.ts';
import { SeededRandom } from '../../testing/seeded-random.ts';
import { LIMITS } from '../limits.ts';
import { type AttenuationRequest, attenuateToken, attenuationViolation } from './attenuate.ts';
import type { TokenClaims } from './claims.ts';
import { generateIssuerKeyPair, publicKeysOf } from './key-material.ts';
import { type MintRequest, mintToken } from './token-mint.ts';
import { verifyToken } from './token-verify.ts';
import type { VerifiedToken } from './verified-token.ts';

const oldKey = generateIssuerKeyPair('k-old');
const key = generateIssuerKeyPair('k-attenuate');
const keys = publicKeysOf([oldKey, key]);
const clock = new FakeClock();
const ctx = { clock, random: new SeededRandom(5), epoch: 1 };
const ROOT: MintRequest = {
  sub: 'planner',
  aud: 'node-1',
  ring: 2,
  trust: 'internal',
  scopes: [
    { action: 'fs.*', resource: '/workspace/**', constraint: ['args.size < 1000'] },
    { action: 'email.send', resource: 'api.gmail.com' },
  ],
  maxUses: 100,
  rate: { max: 60, windowMs: 60_000 },
  budget: { tokens: 1000, apiCalls: 10, costMicros: 500 },
};

async function root(request: MintRequest = ROOT): Promise<VerifiedToken> {
  const minted = await mintToken(request, oldKey, ctx);
  assert.ok(minted.ok);
  const verified = await verifyToken(minted.value.token, keys);
  assert.ok(verified.ok);
  return verified.value;
}

async function child(parent: VerifiedToken, request: AttenuationRequest) {
  return attenuateToken(parent, request, key, ctx);
}

async function childCode(parent: VerifiedToken, request: AttenuationRequest): Promise<string | undefined> {
  const result = await child(parent, request);
  return result.ok ? undefined : result.error.code;
}

test('DR-T5: a narrower child is minted, embeds its parent and verifies with a two-link chain', async () => {
  const parent = await root();
  const minted = await child(parent, {
    scopes: [{ action: 'fs.read', resource: '/workspace/docs/*' }],
    sub: 'worker',
  });
  assert.ok(minted.ok);
  const verified = await verifyToken(minted.value.token, keys);
  assert.ok(verified.ok);
  const token = verified.value;
  assert.deepEqual(token.chainIds, [minted.value.claims.jti, parent.claims.jti]);
  assert.deepEqual(token.claims.parent, parent.claims);
  assert.equal(token.claims.sub, 'worker');
  assert.equal(token.claims.kid, 'k-attenuate', 'a child may be signed by a newer key than its parent');
  assert.deepEqual(token.claims.scopes, [
    { action: 'fs.read', resource: '/workspace/docs/*', constraint: ['args.size < 1000'] },
  ]);
  assert.equal(token.claims.maxUses, 100);
  assert.deepEqual(token.claims.rate, ROOT.rate);
  assert.ok(token.expiresMs <= parent.expiresMs);
  const vars = { args: { size: 5000 }, resource: '/workspace/docs/a', action: 'fs.read', agent: 'worker' };
  assert.equal(
    token.match('fs.read', '/workspace/docs/a', vars).kind,
    'constraint-failed',
    'parent constraint kept',
  );
});

test('DR-T5: the child defaults to min(parent expiry, now + default lifetime of its ring)', async () => {
  const parent = await root();
  const ring3 = await child(parent, { scopes: [{ action: 'fs.read', resource: '/workspace/*' }], ring: 3 });
  assert.ok(ring3.ok);
  assert.equal(ring3.value.claims.exp, clock.wallMs() + 15 * 60_000);
  clock.advance(50 * 60_000);
  const late = await child(parent, { scopes: [{ action: 'fs.read', resource: '/workspace/*' }] });
  assert.ok(late.ok);
  assert.equal(late.value.claims.exp, parent.expiresMs);
  clock.advance(20 * 60_000);
  assert.equal(
    await childCode(parent, { scopes: [{ action: 'fs.read', resource: '/workspace/*' }] }),
    'TOKEN_EXPIRED',
  );
});

test('INV-4: every kind of widening is refused at mint with a message naming it', async () => {
  const parent = await root();
  const scopes = [{ action: 'fs.read', resource: '/workspace/*' }];
  const cases: Array<[AttenuationRequest, RegExp]> = [
    [{ scopes: [{ action: 'fs.*', resource: '/**' }] }, /scope `fs\.\*` on `\/\*\*`/],
    [{ scopes: [{ action: '*', resource: '/workspace/a' }] }, /scope `\*`/],
    [{ scopes: [{ action: 'email.send', resource: '*' }] }, /scope `email\.send` on `\*`/],
    [{ scopes, ring: 1 }, /ring 1 is more privileged/],
    [{ scopes, ttlMs: 2 * 60 * 60_000, acknowledgment: { by: 'c', reason: 'r' } }, /expiry/],
    [{ scopes, ttlMs: 5 * 60 * 60_000 }, /expiry/],
    [{ scopes, nbf: 0 }, /not-before/],
    [{ scopes, maxUses: 101 }, /use count/],
    [{ scopes, rate: { max: 61, windowMs: 60_000 } }, /rate limit/],
    [{ scopes, rate: { max: 60, windowMs: 30_000 } }, /rate limit/],
    [{ scopes, budget: { tokens: 1000, apiCalls: 11, costMicros: 0 } }, /budget/],
  ];
  for (const [request, message] of cases) {
    const result = await child(parent, request);
    assert.ok(!result.ok, String(message));
    assert.equal(result.error.code, 'TOKEN_ATTENUATION_WIDENS', String(message));
    assert.match(result.error.message, message);
  }
});

test('DR-T5: trust stays external once external, and the ring may only go down', async () => {
  const external = await root({ ...ROOT, trust: 'external' });
  const scopes = [{ action: 'fs.read', resource: '/workspace/*' }];
  const widened = await child(external, { scopes, trust: 'internal' });
  assert.ok(!widened.ok);
  assert.match(widened.error.message, /trust/);
  const parent = await root();
  const demoted = await child(parent, { scopes, ring: 3 });
  assert.ok(demoted.ok);
  assert.equal(demoted.value.claims.ring, 3);
});

test('DR-T5: the chain may be at most three delegations deep', async () => {
  let parent = await root();
  for (let depth = 1; depth <= LIMITS.tokenChainDepthMax; depth++) {
    const minted = await child(parent, { scopes: [{ action: 'fs.read', resource: '/workspace/*' }] });
    assert.ok(minted.ok, `depth ${depth}: ${minted.ok ? '' : minted.error.message}`);
    const verified = await verifyToken(minted.value.token, keys);
    assert.ok(verified.ok);
    parent = verified.value;
  }
  assert.equal(parent.chain.length, LIMITS.tokenChainDepthMax + 1);
  const tooDeep = await child(parent, { scopes: [{ action: 'fs.read', resource: '/workspace/*' }] });
  assert.ok(!tooDeep.ok);
  assert.equal(tooDeep.error.code, 'TOKEN_ATTENUATION_WIDENS');
  assert.match(tooDeep.error.message, /deeper than 3/);
});

test('the child keeps its own constraints and adds only what the best parent scope needs', async () => {
  const parent = await root({
    ...ROOT,
    scopes: [
      { action: 'fs.*', resource: '/workspace/**', constraint: ['args.size < 1000', 'agent == "planner"'] },
      { action: 'fs.read', resource: '/workspace/*', constraint: ['args.size < 10'] },
    ],
  });
  const minted = await child(parent, {
    scopes: [{ action: 'fs.read', resource: '/workspace/a', constraint: ['args.size < 10'] }],
  });
  assert.ok(minted.ok);
  assert.deepEqual(minted.value.claims.scopes[0]?.constraint, ['args.size < 10']);
});

test('attenuationViolation is undefined for identical claims and names audience changes', async () => {
  const parent = (await root()).claims;
  const same: TokenClaims = { ...parent, parent };
  assert.equal(attenuationViolation(parent, same), undefined);
  assert.match(attenuationViolation(parent, { ...same, aud: 'node-2' }) ?? '', /audience `node-2`/);
  const noLimit: TokenClaims = { ...same, maxUses: undefined } as unknown as TokenClaims;
  assert.match(attenuationViolation(parent, noLimit) ?? '', /use count is missing/);
  const dropped = { ...same, scopes: [{ action: 'fs.*', resource: '/workspace/**' }] };
  assert.match(attenuationViolation(parent, dropped) ?? '', /not within/, 'dropping a constraint widens');
});

test('DR-T3: a child lifetime beyond 4x its own default needs an acknowledgment even within the parent', async () => {
  const parent = await root({
    ...ROOT,
    ttlMs: 8 * 60 * 60_000,
    acknowledgment: { by: 'commander', reason: 'long job' },
  });
  const request: AttenuationRequest = {
    scopes: [{ action: 'fs.read', resource: '/workspace/*' }],
    ring: 3,
    ttlMs: 2 * 60 * 60_000,
  };
  assert.equal(await childCode(parent, request), 'TOKEN_TTL_EXCESSIVE');
  const acknowledged = await child(parent, {
    ...request,
    acknowledgment: { by: 'commander', reason: 'sub-job' },
  });
  assert.ok(acknowledged.ok);
  assert.equal(acknowledged.value.claims.ttlAck?.reason, 'sub-job');
  assert.ok((await verifyToken(acknowledged.value.token, keys)).ok);
});
