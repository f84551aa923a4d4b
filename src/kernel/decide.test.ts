import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../testing/fake-clock.ts';
import {
  actionPolicy,
  agentPolicy,
  fakeToken,
  MemoryRevocations,
  T0,
  testContext,
  testIntent,
  testPolicy,
  tokenCache,
  tokenClaims,
} from '../testing/fixtures.ts';
import { CHECKS, decide } from './decide.ts';
import { CHECK_IDS, type Decision } from './decision.ts';
import { Ledger } from './ledger.ts';

function outcome(decision: Decision, check: string) {
  const found = decision.checks.find((c) => c.check === check);
  assert.ok(found, `no outcome for ${check}`);
  return found;
}

test('a covered intent is allowed and all seven checks report', () => {
  const decision = decide(testIntent(), testContext());
  assert.equal(decision.verdict, 'allow');
  assert.deepEqual(
    decision.checks.map((c) => c.check),
    [...CHECK_IDS],
  );
  assert.equal(decision.tokenId, tokenClaims().jti);
});

test('DR-D1: all seven checks run even when the first fails', () => {
  const decision = decide(testIntent({ agent: 'mallory' }), testContext());
  assert.equal(decision.verdict, 'deny');
  assert.equal(decision.checks.length, 7);
  assert.equal(outcome(decision, 'capability').code, 'UNKNOWN_AGENT');
  assert.equal(outcome(decision, 'mandatory-rules').code, 'MR_VIOLATION');
  assert.equal(outcome(decision, 'revocation-epoch').verdict, 'allow', 'later checks still evaluated');
  assert.equal(outcome(decision, 'prefilter').verdict, 'allow');
});

test('INV-7: an exception inside a check is a deny from that check, not a crash', () => {
  const ctx = testContext({
    prefilter: {
      scan: () => {
        throw new Error('boom');
      },
    },
  });
  const decision = decide(testIntent(), ctx);
  assert.equal(decision.verdict, 'deny');
  assert.equal(outcome(decision, 'prefilter').code, 'CHECK_FAILED');
  assert.equal(outcome(decision, 'capability').verdict, 'allow');
});

test('INV-7: a failure before the checks denies with every check failed closed', () => {
  const ctx = testContext();
  const broken = {
    ...ctx,
    policy: {
      ...ctx.policy,
      agents: {
        get: () => {
          throw new Error('corrupt');
        },
      } as unknown as typeof ctx.policy.agents,
    },
  };
  const decision = decide(testIntent(), broken);
  assert.equal(decision.verdict, 'deny');
  assert.ok(decision.checks.every((c) => c.verdict === 'deny' && c.code === 'CHECK_FAILED'));
  assert.equal(decision.checks.length, CHECKS.length);
});

test('decide is deterministic: same intent, context and clock give the same decision', () => {
  const ctx = testContext();
  assert.deepEqual(decide(testIntent(), ctx), decide(testIntent(), ctx));
});

test('decide mutates nothing: a denied or allowed intent leaves the ledger untouched', () => {
  const ledger = new Ledger();
  const policy = testPolicy({ rateRules: [{ agent: '*', action: 'fs.*', max: 1, windowMs: 1_000 }] });
  const ctx = testContext({ ledger, policy, bootPolicyHash: policy.hash });
  for (let i = 0; i < 5; i++) assert.equal(decide(testIntent(), ctx).verdict, 'allow');
  assert.equal(ledger.rateAvailable('rule:0:alice', 1, 1_000, 0), 1);
});

test('DR-T1: expired, not-yet-valid, foreign and revoked tokens are denied by check 1', () => {
  const cases: Array<[string, Parameters<typeof tokenClaims>[0], string]> = [
    ['expired at exactly now', { exp: T0 + 1_000 }, 'TOKEN_EXPIRED'],
    ['not yet valid', { nbf: T0 + 2_000 }, 'TOKEN_NOT_YET_VALID'],
    ['other subject', { sub: 'bob' }, 'TOKEN_SUBJECT_MISMATCH'],
    ['other audience', { aud: 'elsewhere' }, 'TOKEN_AUDIENCE_MISMATCH'],
    ['scope misses', { scopes: [{ action: 'fs.read', resource: '/workspace/**' }] }, 'SCOPE_NOT_COVERED'],
  ];
  for (const [name, claims, code] of cases) {
    const ctx = testContext({ tokens: tokenCache(fakeToken(tokenClaims(claims))) });
    const decision = decide(testIntent(), ctx);
    assert.equal(decision.verdict, 'deny', name);
    assert.equal(outcome(decision, 'capability').code, code, name);
  }
});

test('expiry is exclusive: one millisecond before exp is still valid', () => {
  const ctx = testContext({ tokens: tokenCache(fakeToken(tokenClaims({ exp: T0 + 1_001 }))) });
  assert.equal(decide(testIntent(), ctx).verdict, 'allow');
});

test('DR-T6: revocation is effective on the very next decision, also through a parent', () => {
  const parent = tokenClaims({ jti: '01900000-0000-7000-8000-0000000000aa' });
  const child = tokenClaims({ parent });
  const revocations = new MemoryRevocations();
  const ctx = testContext({ tokens: tokenCache(fakeToken(child)), revocations });
  assert.equal(decide(testIntent(), ctx).verdict, 'allow');
  revocations.ids.add(parent.jti);
  revocations.epoch = 1;
  const decision = decide(testIntent(), { ...ctx, epochAuthoritative: 1 });
  assert.equal(outcome(decision, 'capability').code, 'TOKEN_REVOKED');
});

test('an intent citing an unknown token reference is denied', () => {
  const decision = decide(testIntent({ token: 'tok:nope' }), testContext());
  assert.equal(outcome(decision, 'capability').code, 'TOKEN_NOT_VERIFIED');
});

test('a token verification error reaches check 1 as TOKEN_INVALID', () => {
  const ctx = testContext({
    tokenError: { code: 'TOKEN_SIGNATURE_INVALID', message: 'signature does not verify' },
  });
  const decision = decide(testIntent(), ctx);
  assert.equal(outcome(decision, 'capability').code, 'TOKEN_INVALID');
  assert.deepEqual(outcome(decision, 'capability').detail, { error: 'TOKEN_SIGNATURE_INVALID' });
});

test('DR-C10: an action the policy does not name is treated as a write that may leave the system', () => {
  const intent = testIntent({ action: 'crm.update', sideEffect: 'read', args: {} });
  const frozen = decide(intent, testContext({ mode: 'commit-freeze' }));
  // A declared read would pass commit freeze; the unknown action is a write, so MR-8 stops it.
  assert.deepEqual(outcome(frozen, 'mandatory-rules').detail, { rules: ['MR-8'] });
  // Its output is assumed RESTRICTED, above this agent's INTERNAL clearance.
  assert.equal(outcome(decide(intent, testContext()), 'ifc').code, 'IFC_READ_UP');
});

test('the stricter side-effect class wins: a policy write declared as read is still a write', () => {
  const policy = testPolicy({
    actions: new Map([
      ['fs.write', actionPolicy('fs.write', { sideEffect: 'destructive', snapshot: false })],
    ]),
  });
  const ctx = testContext({ policy, bootPolicyHash: policy.hash });
  const decision = decide(testIntent({ sideEffect: 'read' }), ctx);
  assert.equal(outcome(decision, 'mandatory-rules').code, 'MR_VIOLATION');
});

test('DR-R2 MR-4: a token minted for ring 2 is refused once the agent is demoted to ring 3', () => {
  const ctx = testContext({ agentRings: new Map([['alice', 3 as const]]) });
  const decision = decide(testIntent(), ctx);
  assert.equal(decision.verdict, 'deny');
  assert.deepEqual(outcome(decision, 'mandatory-rules').detail, { rules: ['MR-4'] });
});

test("with 10,000 registered agents the intent's agent is found by id", () => {
  const agents = new Map([['alice', agentPolicy('alice')]]);
  for (let i = 0; i < 10_000; i++) agents.set(`agent-${i}`, agentPolicy(`agent-${i}`));
  const policy = testPolicy({ agents });
  const decision = decide(
    testIntent(),
    testContext({ policy, bootPolicyHash: policy.hash, clock: new FakeClock(T0 + 5) }),
  );
  assert.equal(decision.verdict, 'allow');
});

test('INV-4: a hand-built intent with a dot segment is denied by check 1 even without the boundary', () => {
  const decision = decide(testIntent({ resource: '/workspace/../etc/passwd' }), testContext());
  assert.equal(decision.verdict, 'deny');
  assert.equal(outcome(decision, 'capability').code, 'RESOURCE_INVALID');
});
