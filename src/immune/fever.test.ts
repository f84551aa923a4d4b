import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeClock } from '../testing/fake-clock.ts';
import { testIntent } from '../testing/fixtures.ts';
import { harness, MINUTE_MS } from './test-harness.ts';

const rateOf = (h: ReturnType<typeof harness>, agent: string) =>
  h.immune.standingOf(testIntent({ agent }), 'write').rateFactor;

/** Three 3σ anomalies: score 45, stage 2. */
function isolateSoftly(h: ReturnType<typeof harness>, agent: string): void {
  for (let i = 0; i < 3; i++) h.report(agent, 'fingerprint-3sigma', 'fingerprint');
}

describe('DR-M4: security fever mode (§37.11.1)', () => {
  test('DR-M4: two agents at stage 2 at once start a fever that halves every rate limit', () => {
    const clock = new FakeClock();
    const h = harness('standard', clock, { fever: { scoreAbove: 1_000 } });
    isolateSoftly(h, 'a');
    assert.equal(h.immune.feverOn, false, 'one agent at stage 2 is not a fever');
    assert.equal(rateOf(h, 'bystander'), 1);
    isolateSoftly(h, 'b');
    assert.equal(h.immune.feverOn, true);
    assert.deepEqual(
      h.eventsOf('immune.fever').map((e) => [e.on, e.reason]),
      [[true, '2 agents at stage 2 or above']],
    );
    for (const agent of ['a', 'b', 'bystander']) assert.equal(rateOf(h, agent), 0.5, agent);
    assert.equal(h.immune.status('bystander').fever, true);
  });

  test('DR-M4: a weighted score above twice the observation threshold within 10 min starts one too', () => {
    const clock = new FakeClock();
    const spread = harness('standard', clock);
    for (let i = 0; i < 4; i++) {
      spread.report(`s${i}`, 'gateway-blocked'); // 6 each, 24 in all but over 12 minutes
      clock.advance(4 * MINUTE_MS);
    }
    assert.equal(spread.immune.feverOn, false);
    const burst = harness('standard', clock);
    for (let i = 0; i < 3; i++) burst.report(`b${i}`, 'gateway-blocked'); // 18
    assert.equal(burst.immune.feverOn, false);
    burst.report('b3', 'gateway-blocked'); // 24 > 20
    assert.equal(burst.immune.feverOn, true);
    assert.match(burst.eventsOf('immune.fever')[0]?.reason ?? '', /weighted anomaly score 24 within 10 min/);
  });

  test('DR-M4: ends after 30 minutes without anomalies', () => {
    const clock = new FakeClock();
    const h = harness('standard', clock);
    isolateSoftly(h, 'a');
    isolateSoftly(h, 'b');
    clock.advance(29 * MINUTE_MS);
    h.immune.tick();
    assert.equal(h.immune.feverOn, true);
    clock.advance(MINUTE_MS);
    h.immune.tick();
    assert.equal(h.immune.feverOn, false);
    assert.deepEqual(
      h.eventsOf('immune.fever').map((e) => [e.on, e.reason]),
      [
        [true, 'weighted anomaly score 30 within 10 min'],
        [false, '30 min without anomalies'],
      ],
    );
    assert.equal(rateOf(h, 'a'), 1);
  });

  test('DR-M4: does not end while anomalies keep coming', () => {
    const clock = new FakeClock();
    const h = harness('standard', clock);
    isolateSoftly(h, 'a');
    isolateSoftly(h, 'b');
    for (let i = 0; i < 12; i++) {
      clock.advance(20 * MINUTE_MS);
      h.report('c', 'task-crash');
      h.immune.tick();
      assert.equal(h.immune.feverOn, true, `after ${(i + 1) * 20} min`);
    }
    clock.advance(30 * MINUTE_MS);
    h.immune.tick();
    assert.equal(h.immune.feverOn, false);
  });

  test('DR-M4: an apoptosis keeps a fever alive; a commander may end it', () => {
    const clock = new FakeClock();
    const h = harness('standard', clock);
    isolateSoftly(h, 'a');
    isolateSoftly(h, 'b');
    clock.advance(25 * MINUTE_MS);
    h.immune.apoptosis('c', 'compromised');
    clock.advance(25 * MINUTE_MS);
    h.immune.tick();
    assert.equal(h.immune.feverOn, true);
    assert.equal(h.immune.endFever('commander'), true);
    assert.equal(h.immune.feverOn, false);
    assert.equal(h.immune.endFever('commander'), false);
    assert.equal(h.eventsOf('immune.fever').at(-1)?.reason, 'ended by `commander`');
  });
});
