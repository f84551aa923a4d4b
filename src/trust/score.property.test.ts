// Property: whatever events arrive in whatever order and at whatever (even backward) times, every
// score stays in [0, 1], clean commits never lower it and denials never raise it.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { QuarantineStage } from '../immune/port.ts';
import { applyEvent, decayedScore, freshRecord, type TrustEvent } from './score.ts';

const T0 = Date.UTC(2026, 0, 1);
const eventArb: fc.Arbitrary<TrustEvent> = fc.oneof(
  fc.constant<TrustEvent>({ agent: 'a', kind: 'clean-commit' }),
  fc.constant<TrustEvent>({ agent: 'a', kind: 'denial' }),
  fc
    .double({ min: 0, max: 1_000, noNaN: true })
    .map<TrustEvent>((weight) => ({ agent: 'a', kind: 'anomaly', weight })),
  fc
    .double({ min: 0, max: 1, noNaN: true })
    .map<TrustEvent>((amount) => ({ agent: 'a', kind: 'slash', amount })),
  fc
    .integer({ min: 0, max: 5 })
    .map<TrustEvent>((stage) => ({ agent: 'a', kind: 'quarantine', stage: stage as QuarantineStage })),
);
const stepArb = fc.record({ event: eventArb, dtMs: fc.integer({ min: -86_400_000, max: 30 * 86_400_000 }) });

test('issue 5 trust (property): scores stay in [0, 1] under any event sequence', () => {
  fc.assert(
    fc.property(fc.array(stepArb, { maxLength: 200 }), (steps) => {
      let record = freshRecord('a', T0);
      let nowMs = T0;
      for (const { event, dtMs } of steps) {
        nowMs += dtMs;
        const before = decayedScore(record, nowMs);
        record = applyEvent(record, event, nowMs);
        assert.ok(record.score >= 0 && record.score <= 1, `score ${record.score}`);
        if (event.kind === 'clean-commit') assert.ok(record.score >= before);
        if (event.kind === 'denial' || event.kind === 'slash' || event.kind === 'anomaly')
          assert.ok(record.score <= before);
      }
    }),
    { numRuns: 300 },
  );
});
