import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeClock } from '../testing/fake-clock.ts';
import { ANOMALY_WEIGHTS } from './anomaly.ts';
import { FAST_APOPTOSIS_KINDS } from './fast-apoptosis.ts';
import type { AnomalyKind } from './port.ts';
import { harness } from './test-harness.ts';

const THREE: readonly AnomalyKind[] = ['violation:network', 'violation:fs-exec', 'violation:prefilter'];
const OTHERS = (Object.keys(ANOMALY_WEIGHTS) as AnomalyKind[]).filter((kind) => !THREE.includes(kind));

describe('DR-M3: fast apoptosis (§37.11.2)', () => {
  test('DR-M3: exactly three conditions, frozen', () => {
    assert.deepEqual([...FAST_APOPTOSIS_KINDS], THREE);
    assert.ok(Object.isFrozen(FAST_APOPTOSIS_KINDS));
    assert.equal(OTHERS.length, 9);
  });

  for (const kind of THREE) {
    test(`DR-M3: Standard, \`${kind}\` goes straight to stage 4 then 5 with classification fast_apoptosis`, () => {
      const clock = new FakeClock();
      const h = harness('standard', clock);
      const source = kind === 'violation:prefilter' ? 'dsc' : 'sentry';
      h.immune.report({ agent: 'a', kind, source, evidence: { destination: 'evil.example:443' } });
      assert.deepEqual(
        h.eventsOf('immune.stage').map((e) => [e.from, e.to]),
        [
          [0, 4],
          [4, 5],
          [5, 0],
        ],
      );
      assert.deepEqual(
        h.commands.map((c) => c.type),
        ['terminate', 'replace'],
      );
      const [fast] = h.eventsOf('immune.fast-apoptosis');
      assert.deepEqual(fast?.evidence, { destination: 'evil.example:443' });
      assert.equal(fast?.kind, kind);
      assert.equal(h.immune.threats()[0]?.classification, 'fast_apoptosis');
    });
  }

  test('DR-M3: no other kind ever triggers it in Standard, however often', () => {
    const clock = new FakeClock();
    const h = harness('standard', clock);
    for (const kind of OTHERS) {
      for (let i = 0; i < 10; i++) {
        h.report(`agent-${kind}`, kind, kind.startsWith('fingerprint') ? 'fingerprint' : 'sentry');
        clock.advance(1_000);
      }
    }
    assert.deepEqual(h.eventsOf('immune.fast-apoptosis'), []);
    assert.ok(
      !h.eventsOf('immune.stage').some((e) => e.to === 4 && !e.agent.startsWith('agent-fingerprint-4')),
    );
    // Three 4σ deviations reach a score above 90 in stage 3: that is TSCA's elimination, not fast apoptosis.
    assert.ok(h.immune.threats().every((t) => t.classification === 'elimination'));
  });

  test('DR-M3: only the Sentry and the DSC witness the three violations; a peer never does', () => {
    const clock = new FakeClock();
    const h = harness('standard', clock);
    for (const kind of THREE) h.report('a', kind, 'agent-b');
    for (const kind of THREE) h.report('c', kind, 'monitor');
    assert.deepEqual(h.eventsOf('immune.fast-apoptosis'), []);
    assert.ok(!h.commands.some((c) => c.type === 'terminate' && c.agent === 'a'));
    assert.equal(h.immune.stageOf('a'), 1, 'three danger signals: score 24');
    // The monitor is MAOS, so its violations are hard triggers; but it is no witness for fast apoptosis.
    assert.ok(h.immune.threats().every((t) => t.classification === 'elimination'));
  });

  for (const profile of ['hardened', 'isolated'] as const) {
    test(`DR-M3: never in ${profile}: the three violations walk the stages and stop at 3`, () => {
      const clock = new FakeClock();
      const h = harness(profile, clock);
      for (const kind of THREE) {
        h.report(kind, kind, kind === 'violation:prefilter' ? 'dsc' : 'sentry');
        h.report('repeat', kind);
      }
      assert.deepEqual(h.eventsOf('immune.fast-apoptosis'), []);
      for (const agent of [...THREE, 'repeat']) assert.equal(h.immune.stageOf(agent), 3, agent);
      assert.ok(h.commands.every((c) => c.type === 'pause'));
      assert.deepEqual(h.immune.threats(), []);
    });
  }
});
