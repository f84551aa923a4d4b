// The trust score formula: prior, monotonicity, bounded steps, decay toward the prior, counts, and
// the same through the ledger on real memory storage.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ERROR_CODES, unwrap } from '../shared/index.ts';
import { MemoryStorage } from '../storage/index.ts';
import { FakeClock } from '../testing/fake-clock.ts';
import { DECAY_HALF_LIFE_MS, TRUST_PRIOR } from './params.ts';
import {
  applyEvent,
  checkEvent,
  decayedScore,
  freshRecord,
  type TrustEvent,
  type TrustRecord,
} from './score.ts';
import { harness } from './test-harness.ts';

const T0 = Date.UTC(2026, 0, 1);
const at = (score: number): TrustRecord => ({ ...freshRecord('a', T0), score });
type EventBody = {
  [K in TrustEvent['kind']]: Omit<Extract<TrustEvent, { kind: K }>, 'agent'>;
}[TrustEvent['kind']];
const after = (score: number, event: EventBody) =>
  applyEvent(at(score), { agent: 'a', ...event } as TrustEvent, T0).score;

test('issue 5 trust: a new agent starts at the documented prior 0.5', async () => {
  assert.equal(TRUST_PRIOR, 0.5);
  const { ledger } = harness(new MemoryStorage(), new FakeClock());
  assert.equal(unwrap(await ledger.score('newcomer')), 0.5);
  const history = unwrap(await ledger.history('newcomer'));
  assert.equal(history.counts.cleanCommits + history.counts.denials, 0);
});

test('issue 5 trust: clean commits raise, denials and anomalies lower, all bounded by [0, 1]', () => {
  for (const score of [0, 0.1, 0.5, 0.9, 1]) {
    const up = after(score, { kind: 'clean-commit' });
    const down = after(score, { kind: 'denial' });
    const anomaly = after(score, { kind: 'anomaly', weight: 8 });
    assert.ok(up >= score && up <= 1, `clean commit from ${score}`);
    assert.ok(down <= score && down >= 0, `denial from ${score}`);
    assert.ok(
      anomaly <= down || score === 0,
      `an anomaly of weight 8 costs more than a denial from ${score}`,
    );
    if (score > 0 && score < 1) {
      assert.ok(up > score && down < score, `strict at ${score}`);
      // Bounded steps: one clean commit moves at most 5 % of the gap, one denial 4 % of the score.
      assert.ok(up - score <= 0.05 + 1e-12 && score - down <= 0.04 + 1e-12);
    }
  }
});

test('issue 5 trust: heavier anomalies cost more, capped at weight 50 (half the score)', () => {
  const losses = [0, 4, 15, 40, 50, 500].map((weight) => 0.8 - after(0.8, { kind: 'anomaly', weight }));
  for (let i = 1; i < losses.length; i++) assert.ok((losses[i] ?? 0) >= (losses[i - 1] ?? 0));
  assert.ok(Math.abs((losses[5] ?? 0) - 0.4) < 1e-12, 'weight above 50 counts as 50: 50 % of the score');
  assert.equal(
    after(0.8, { kind: 'anomaly', weight: Number.NaN }),
    0.4,
    'a bad weight fails closed at the maximum',
  );
});

test('issue 5 trust: a slash takes its amount and floors at 0; quarantine stages scale the score', () => {
  assert.ok(Math.abs(after(0.7, { kind: 'slash', amount: 0.2 }) - 0.5) < 1e-12);
  assert.equal(after(0.1, { kind: 'slash', amount: 0.5 }), 0);
  assert.equal(after(0.8, { kind: 'quarantine', stage: 0 }), 0.8);
  assert.ok(after(0.8, { kind: 'quarantine', stage: 3 }) < after(0.8, { kind: 'quarantine', stage: 1 }));
  assert.equal(after(0.8, { kind: 'quarantine', stage: 4 }), 0, 'elimination leaves no trust');
});

test('issue 5 trust: scores decay toward the prior with a one-week half-life, never past it', () => {
  const high = at(0.9);
  const low = at(0.1);
  assert.ok(Math.abs(decayedScore(high, T0 + DECAY_HALF_LIFE_MS) - 0.7) < 1e-12);
  assert.ok(Math.abs(decayedScore(low, T0 + DECAY_HALF_LIFE_MS) - 0.3) < 1e-12);
  assert.ok(decayedScore(high, T0 + 100 * DECAY_HALF_LIFE_MS) >= 0.5);
  assert.ok(decayedScore(low, T0 + 100 * DECAY_HALF_LIFE_MS) <= 0.5);
  assert.equal(decayedScore(high, T0 - DECAY_HALF_LIFE_MS), 0.9, 'a clock that went back decays nothing');
  const jumpedBack = applyEvent(high, { agent: 'a', kind: 'denial' }, T0 - 1_000);
  assert.equal(jumpedBack.atMs, T0, 'the record time never moves backwards');
});

test('issue 5 trust: the ledger persists scores and keeps counts, not events', async () => {
  const clock = new FakeClock();
  const storage = new MemoryStorage();
  const { ledger } = harness(storage, clock);
  for (let i = 0; i < 3; i++) unwrap(await ledger.record({ agent: 'a', kind: 'clean-commit' }));
  unwrap(await ledger.record({ agent: 'a', kind: 'denial' }));
  unwrap(await ledger.record({ agent: 'a', kind: 'anomaly', weight: 4 }));
  unwrap(await ledger.record({ agent: 'a', kind: 'quarantine', stage: 1 }));
  const history = unwrap(await ledger.history('a'));
  assert.deepEqual(
    { ...history.counts },
    { cleanCommits: 3, denials: 1, anomalies: 1, slashes: 0, quarantines: 1, slashedTotal: 0 },
  );
  const stored = await storage.get('trust', 'score/a');
  assert.ok(stored !== undefined && stored.version === 6);
  assert.ok(stored.value.length < 300, 'the record is bounded: counts only');
  clock.advance(DECAY_HALF_LIFE_MS);
  const decayed = unwrap(await ledger.score('a'));
  assert.ok(Math.abs(decayed - (0.5 + (history.score - 0.5) / 2)) < 1e-12, 'reads decay without writing');
});

test('issue 5 trust: bad events fail closed with INVALID_INPUT', async () => {
  const { ledger } = harness(new MemoryStorage(), new FakeClock());
  const bad: unknown[] = [
    null,
    { agent: '', kind: 'denial' },
    { agent: 'a\n', kind: 'denial' },
    { agent: 'a', kind: 'bribe' },
    { agent: 'a', kind: 'anomaly', weight: -1 },
    { agent: 'a', kind: 'slash', amount: 2 },
    { agent: 'a', kind: 'quarantine', stage: 7 },
  ];
  for (const event of bad) {
    const checked = checkEvent(event);
    assert.equal(checked.ok ? 'ok' : checked.error.code, ERROR_CODES.INVALID_INPUT, JSON.stringify(event));
    const recorded = await ledger.record(event as TrustEvent);
    assert.equal(recorded.ok, false);
  }
});

test('issue 5 trust: a corrupt stored record fails closed with STORAGE', async () => {
  const storage = new MemoryStorage();
  await storage.put('trust', 'score/a', '{"v":1,"agent":"a","score":7}');
  const { ledger } = harness(storage, new FakeClock());
  const read = await ledger.score('a');
  assert.equal(read.ok ? 'ok' : read.error.code, ERROR_CODES.STORAGE);
  const recorded = await ledger.record({ agent: 'a', kind: 'clean-commit' });
  assert.equal(recorded.ok ? 'ok' : recorded.error.code, ERROR_CODES.STORAGE);
});
