import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testContext, testIntent } from '../testing/fixtures.ts';
import { decide } from './decide.ts';
import type { Decision } from './decision.ts';
import { Ledger } from './ledger.ts';

function allowWith(charges: Partial<Decision['charges']>): Decision {
  const base = decide(testIntent(), testContext());
  assert.equal(base.verdict, 'allow');
  return { ...base, charges: { ...base.charges, ...charges } };
}

test('MR-7: reserve takes units, release gives them all back', () => {
  const ledger = new Ledger();
  const decision = allowWith({
    rateBuckets: [['rule:0:alice', 2, 60_000]],
    tokenUses: [['t1', 3]],
    agentBudget: { tokens: 100, apiCalls: 10, costMicros: 1_000 },
    cost: { tokens: 40, apiCalls: 1, costMicros: 100 },
  });
  const reserved = ledger.reserve(decision, 0);
  assert.ok(reserved.ok);
  assert.equal(ledger.rateAvailable('rule:0:alice', 2, 60_000, 0), 1);
  assert.equal(ledger.usesSpent('t1'), 1);
  assert.deepEqual(ledger.spent('agent:alice'), { tokens: 40, apiCalls: 1, costMicros: 100 });
  assert.ok(ledger.release(reserved.value).ok);
  assert.equal(ledger.rateAvailable('rule:0:alice', 2, 60_000, 0), 2);
  assert.equal(ledger.usesSpent('t1'), 0);
  assert.deepEqual(ledger.spent('agent:alice'), { tokens: 0, apiCalls: 0, costMicros: 0 });
  assert.equal(ledger.openCount, 0);
});

test('MR-7: commit keeps the charge and records the actual cost', () => {
  const ledger = new Ledger();
  const decision = allowWith({
    agentBudget: { tokens: 100, apiCalls: 10, costMicros: 1_000 },
    cost: { tokens: 40, apiCalls: 1, costMicros: 100 },
  });
  const reserved = ledger.reserve(decision, 0);
  assert.ok(reserved.ok);
  assert.ok(ledger.commit(reserved.value, { tokens: 55, apiCalls: 1, costMicros: 90 }).ok);
  assert.deepEqual(ledger.spent('agent:alice'), { tokens: 55, apiCalls: 1, costMicros: 90 });
  const again = ledger.commit(reserved.value);
  assert.equal(again.ok, false);
  assert.equal(again.ok ? '' : again.error.code, 'RESERVATION_UNKNOWN');
});

test('DR-T2: a second reservation past the use count is refused and takes nothing', () => {
  const ledger = new Ledger();
  const decision = allowWith({ tokenUses: [['t1', 1]], rateBuckets: [['b', 5, 1_000]] });
  assert.ok(ledger.reserve(decision, 0).ok);
  const second = ledger.reserve(decision, 0);
  assert.equal(second.ok, false);
  assert.equal(ledger.usesSpent('t1'), 1);
  assert.equal(ledger.rateAvailable('b', 5, 1_000, 0), 4, 'refused reservation took no rate unit');
});

test('rate buckets refill over their window', () => {
  const ledger = new Ledger();
  const decision = allowWith({ rateBuckets: [['b', 2, 1_000]] });
  assert.ok(ledger.reserve(decision, 0).ok);
  assert.ok(ledger.reserve(decision, 0).ok);
  assert.equal(ledger.rateAvailable('b', 2, 1_000, 0), 0);
  assert.equal(ledger.reserve(decision, 0).ok, false);
  assert.equal(ledger.rateAvailable('b', 2, 1_000, 499), 0);
  assert.equal(ledger.rateAvailable('b', 2, 1_000, 500), 1);
  assert.equal(ledger.rateAvailable('b', 2, 1_000, 10_000), 2);
});

test('only an allow can be reserved', () => {
  const ledger = new Ledger();
  const denied = { ...allowWith({}), verdict: 'deny' as const };
  const result = ledger.reserve(denied, 0);
  assert.equal(result.ok, false);
  assert.equal(result.ok ? '' : result.error.code, 'RESERVATION_CONFLICT');
});
