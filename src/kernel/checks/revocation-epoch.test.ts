import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  fakeToken,
  MemoryRevocations,
  testContext,
  testIntent,
  tokenCache,
  tokenClaims,
} from '../../testing/fixtures.ts';
import { decide } from '../decide.ts';

function epochOutcome(local: number, authoritative: number, tokenEpoch = 0) {
  const revocations = new MemoryRevocations();
  revocations.epoch = local;
  const ctx = testContext({
    revocations,
    epochAuthoritative: authoritative,
    tokens: tokenCache(fakeToken(tokenClaims({ epoch: tokenEpoch }))),
  });
  return decide(testIntent(), ctx).checks.find((c) => c.check === 'revocation-epoch');
}

test('DR-T4: a lag of one epoch is tolerated, two deny', () => {
  assert.equal(epochOutcome(5, 5)?.verdict, 'allow');
  assert.equal(epochOutcome(5, 6)?.verdict, 'allow');
  assert.equal(epochOutcome(5, 7)?.code, 'EPOCH_STALE');
});

test('DR-T4: a token minted at an epoch this node is two behind is refused', () => {
  assert.equal(epochOutcome(3, 3, 4)?.verdict, 'allow');
  assert.equal(epochOutcome(3, 3, 5)?.code, 'TOKEN_EPOCH_AHEAD');
});
