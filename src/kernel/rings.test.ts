// Ring changes and ring permissions checked exhaustively: every (current, target) pair of agent
// rings, and every (agent ring, token ring) pair of rings.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AGENT_RINGS, changeRing, isAgentRing, isRing, RINGS, ringPermits } from './rings.ts';

test('MR-4 DR-R1: every move to a lower ring number (a promotion) is refused, for every pair', () => {
  let refused = 0;
  for (const current of AGENT_RINGS) {
    for (const target of AGENT_RINGS) {
      if (target >= current) continue;
      const result = changeRing(current, target);
      assert.ok(!result.ok, `ring ${current} -> ${target} was allowed`);
      assert.equal(result.error.code, 'RING_PROMOTION_REFUSED');
      assert.ok(
        result.error.message.includes(`ring ${current}`) && result.error.message.includes(`ring ${target}`),
      );
      assert.doesNotMatch(result.error.message, /^[A-Z]|\.$|\n/, 'lowercase, one line, no final period');
      refused++;
    }
  }
  assert.equal(refused, 3, '2->1, 3->1 and 3->2');
});

test('DR-R2: every demotion, and staying put, succeeds and lands on the target ring', () => {
  let allowed = 0;
  for (const current of AGENT_RINGS) {
    for (const target of AGENT_RINGS) {
      if (target < current) continue;
      assert.deepEqual(changeRing(current, target), { ok: true, value: target }, `${current} -> ${target}`);
      allowed++;
    }
  }
  assert.equal(allowed, 6);
  for (const current of AGENT_RINGS) assert.deepEqual(changeRing(current, 3), { ok: true, value: 3 });
});

test('MR-4: a chain of changes never ends more privileged than it started', () => {
  // Every sequence of three requested targets from every start: the ring only ever goes up.
  for (const start of AGENT_RINGS) {
    for (const a of AGENT_RINGS) {
      for (const b of AGENT_RINGS) {
        for (const c of AGENT_RINGS) {
          let ring = start;
          for (const target of [a, b, c]) {
            const result = changeRing(ring, target);
            if (result.ok) {
              assert.ok(result.value >= ring, `${ring} -> ${result.value}`);
              ring = result.value;
            }
          }
          assert.ok(ring >= start);
        }
      }
    }
  }
});

test('INV-4: a token works only for an agent in its ring or a more privileged one, for every pair', () => {
  for (const agentRing of RINGS) {
    for (const tokenRing of RINGS) {
      assert.equal(
        ringPermits(agentRing, tokenRing),
        tokenRing >= agentRing,
        `agent ${agentRing}, token ${tokenRing}`,
      );
    }
  }
  assert.equal(ringPermits(3, 2), false, 'a demoted agent cannot use its ring-2 token');
  assert.equal(ringPermits(2, 3), true, 'a ring-2 agent may hold a narrower ring-3 token');
});

test('ring guards accept exactly the rings and nothing that merely looks like one', () => {
  assert.deepEqual(RINGS.filter(isRing), [0, 1, 2, 3]);
  assert.deepEqual(RINGS.filter(isAgentRing), [1, 2, 3]);
  for (const value of [-1, 4, 1.5, Number.NaN, '1', 1n, null, undefined, [2], { ring: 2 }]) {
    assert.equal(isRing(value), false, String(value));
    assert.equal(isAgentRing(value), false, String(value));
  }
  assert.equal(isAgentRing(0), false, 'ring 0 runs no agent code');
});
