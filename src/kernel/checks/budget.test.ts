import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  agentPolicy,
  fakeToken,
  testContext,
  testIntent,
  testPolicy,
  tokenCache,
  tokenClaims,
} from '../../testing/fixtures.ts';
import { decide } from '../decide.ts';
import { Ledger } from '../ledger.ts';

function budgetPolicy(tokens: number) {
  const policy = testPolicy({
    agents: new Map([
      ['alice', agentPolicy('alice', { budget: { tokens, apiCalls: Infinity, costMicros: Infinity } })],
    ]),
  });
  return { policy, bootPolicyHash: policy.hash };
}

function budgetOutcome(decision: ReturnType<typeof decide>) {
  return decision.checks.find((c) => c.check === 'budget');
}

test('MR-7: budget exactly zero denies even a zero-cost request', () => {
  const decision = decide(testIntent(), testContext(budgetPolicy(0)));
  assert.equal(decision.verdict, 'deny');
  assert.equal(budgetOutcome(decision)?.code, 'BUDGET_EXHAUSTED');
});

test('MR-7: a request exactly equal to what remains is allowed, one more is not', () => {
  const exact = decide(
    testIntent({ cost: { tokens: 50, apiCalls: 0, costMicros: 0 } }),
    testContext(budgetPolicy(50)),
  );
  assert.equal(exact.verdict, 'allow');
  const over = decide(
    testIntent({ cost: { tokens: 51, apiCalls: 0, costMicros: 0 } }),
    testContext(budgetPolicy(50)),
  );
  assert.equal(budgetOutcome(over)?.code, 'BUDGET_INSUFFICIENT');
});

test('MR-7: spending the budget through reservations exhausts it for the next intent', () => {
  const ledger = new Ledger();
  const ctx = testContext({ ...budgetPolicy(50), ledger });
  const intent = testIntent({ cost: { tokens: 50, apiCalls: 0, costMicros: 0 } });
  const first = decide(intent, ctx);
  assert.ok(ledger.reserve(first, 0).ok);
  const second = decide(testIntent({ cost: { tokens: 0, apiCalls: 0, costMicros: 0 } }), ctx);
  assert.equal(budgetOutcome(second)?.code, 'BUDGET_EXHAUSTED');
});

test('a token budget claim limits the intent even when the agent has none', () => {
  const token = fakeToken(tokenClaims({ budget: { tokens: 10, apiCalls: 5, costMicros: 100 } }));
  const ctx = testContext({ tokens: tokenCache(token) });
  const over = decide(testIntent({ cost: { tokens: 11, apiCalls: 0, costMicros: 0 } }), ctx);
  assert.equal(budgetOutcome(over)?.code, 'TOKEN_BUDGET_INSUFFICIENT');
  assert.equal(
    decide(testIntent({ cost: { tokens: 10, apiCalls: 0, costMicros: 0 } }), ctx).verdict,
    'allow',
  );
});
