// The receiver's threshold: payloads below it are refused with a stable reason, bad numbers refuse.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ERROR_CODES, unwrap } from '../shared/index.ts';
import { MemoryStorage } from '../storage/index.ts';
import { FakeClock } from '../testing/fake-clock.ts';
import { earn, harness, inAnHour } from './test-harness.ts';
import { ADMISSION_REFUSALS, admission, admits, refuseBelowThreshold } from './threshold.ts';

test('issue 5 trust: admits(threshold, effective) holds exactly when effective ≥ threshold', () => {
  assert.ok(admits(0.5, 0.5));
  assert.ok(admits(0, 0));
  assert.ok(!admits(0.5, 0.4999));
  for (const [threshold, score] of [
    [Number.NaN, 1],
    [0.5, Number.NaN],
    [-0.1, 1],
    [1.1, 1],
    [0.5, Number.POSITIVE_INFINITY],
  ] as const) {
    assert.ok(!admits(threshold, score), `${threshold}, ${score} fails closed`);
  }
});

test('issue 5 trust: a receiver refuses below its threshold with the stable reason code', () => {
  const refused = admission(0.7, 0.5);
  assert.ok(!refused.admitted);
  assert.equal(refused.reason, ADMISSION_REFUSALS.BELOW_THRESHOLD);
  assert.equal(refused.reason, 'trust-below-threshold');
  assert.match(refused.message, /^sender trust 0\.500 is below the receiver's threshold 0\.700$/);
  const bad = admission(Number.NaN, 0.5);
  assert.ok(!bad.admitted && bad.reason === 'trust-score-invalid');
  const asError = refuseBelowThreshold(0.7, 0.5);
  assert.equal(asError.ok ? 'ok' : asError.error.code, ERROR_CODES.MESSAGE_DENIED);
  assert.equal(asError.ok ? '' : asError.error.details?.reason, 'trust-below-threshold');
  assert.ok(refuseBelowThreshold(0.5, 0.7).ok);
});

test('issue 5 trust: the ledger admits a vouched read its sender alone would not pass', async () => {
  const clock = new FakeClock();
  const { ledger } = harness(new MemoryStorage(), clock);
  await earn(ledger, 'v', 0.9);
  unwrap(
    await ledger.vouch({
      voucher: 'v',
      vouchee: 's',
      session: 'x',
      subject: 'm',
      expiresAtMs: inAnHour(clock),
    }),
  );
  const query = { agent: 's', session: 'x', subject: 'm' } as const;
  const read = unwrap(await ledger.admit(0.6, { ...query, reversibility: 'read' }));
  const irreversible = unwrap(await ledger.admit(0.6, { ...query, reversibility: 'irreversible' }));
  assert.ok(read.admitted);
  assert.ok(!irreversible.admitted && irreversible.reason === 'trust-below-threshold');
});
