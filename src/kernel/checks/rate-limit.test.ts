import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../testing/fake-clock.ts';
import {
  fakeToken,
  T0,
  testContext,
  testIntent,
  testPolicy,
  tokenCache,
  tokenClaims,
} from '../../testing/fixtures.ts';
import { decide } from '../decide.ts';
import { Ledger } from '../ledger.ts';

test('DR-T2: a policy rate rule denies once its bucket is spent and allows after refill', () => {
  const policy = testPolicy({ rateRules: [{ agent: 'alice', action: 'fs.*', max: 2, windowMs: 1_000 }] });
  const ledger = new Ledger();
  const clock = new FakeClock(T0 + 1_000, 0);
  const ctx = testContext({ policy, bootPolicyHash: policy.hash, ledger, clock });
  for (let i = 0; i < 2; i++) {
    const d = decide(testIntent(), ctx);
    assert.equal(d.verdict, 'allow');
    assert.ok(ledger.reserve(d, clock.monotonicMs()).ok);
  }
  const limited = decide(testIntent(), ctx);
  assert.equal(limited.checks[1]?.code, 'RATE_LIMITED');
  clock.advance(500);
  assert.equal(decide(testIntent(), ctx).verdict, 'allow');
});

test('a rate rule for another agent or action does not apply', () => {
  const policy = testPolicy({
    rateRules: [
      { agent: 'bob', action: '*', max: 1, windowMs: 1_000 },
      { agent: '*', action: 'email.*', max: 1, windowMs: 1_000 },
    ],
  });
  const decision = decide(testIntent(), testContext({ policy, bootPolicyHash: policy.hash }));
  assert.equal(decision.charges.rateBuckets.length, 0);
});

test('DR-T2: a token with its uses spent is denied although present', () => {
  const token = fakeToken(tokenClaims({ maxUses: 1 }));
  const ledger = new Ledger();
  const ctx = testContext({ tokens: tokenCache(token), ledger });
  const first = decide(testIntent(), ctx);
  assert.ok(ledger.reserve(first, 0).ok);
  const second = decide(testIntent(), ctx);
  assert.equal(second.checks[1]?.code, 'TOKEN_USES_EXHAUSTED');
});

test('DR-T5: a use of a child token also spends its parent, whose limit then binds', () => {
  const parent = tokenClaims({ jti: '01900000-0000-7000-8000-0000000000aa', maxUses: 1 });
  const ledger = new Ledger();
  const childA = fakeToken(
    tokenClaims({ jti: '01900000-0000-7000-8000-0000000000b1', parent, maxUses: 1 }),
    'tok:a',
  );
  const childB = fakeToken(
    tokenClaims({ jti: '01900000-0000-7000-8000-0000000000b2', parent, maxUses: 1 }),
    'tok:b',
  );
  const ctx = testContext({ tokens: tokenCache(childA, childB), ledger });
  assert.ok(ledger.reserve(decide(testIntent({ token: 'tok:a' }), ctx), 0).ok);
  const viaSibling = decide(testIntent({ token: 'tok:b' }), ctx);
  assert.equal(viaSibling.checks[1]?.code, 'TOKEN_USES_EXHAUSTED');
});

test('a token rate claim is a bucket of its own', () => {
  const token = fakeToken(tokenClaims({ rate: { max: 1, windowMs: 60_000 } }));
  const ledger = new Ledger();
  const ctx = testContext({ tokens: tokenCache(token), ledger });
  assert.ok(ledger.reserve(decide(testIntent(), ctx), ctx.clock.monotonicMs()).ok);
  assert.equal(decide(testIntent(), ctx).checks[1]?.code, 'TOKEN_RATE_LIMITED');
});
