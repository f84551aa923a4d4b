import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ERROR_CODES } from '../shared/index.ts';
import { FakeClock } from '../testing/fake-clock.ts';
import { harness, MINUTE_MS } from './test-harness.ts';

const stagesOf = (h: ReturnType<typeof harness>) => h.eventsOf('immune.stage').map((e) => [e.from, e.to]);

describe('DR-M1: stage table (§37.8.2, §49.12)', () => {
  test('DR-M1: score above 10 observes, above 30 isolates softly, above 60 isolates hard', () => {
    const clock = new FakeClock();
    const h = harness('hardened', clock);
    h.report('a', 'flood'); // 8
    assert.equal(h.immune.stageOf('a'), 0);
    h.report('a', 'flood'); // 16
    assert.equal(h.immune.stageOf('a'), 1);
    h.report('a', 'flood'); // 24
    h.report('a', 'flood'); // 32
    assert.equal(h.immune.stageOf('a'), 2);
    assert.deepEqual(h.commands, [], 'stages 1 and 2 ask nothing of the pod');
    const b = harness('hardened', clock);
    for (let i = 0; i < 4; i++) b.report('b', 'fingerprint-3sigma', 'fingerprint'); // 60: not above
    assert.equal(b.immune.stageOf('b'), 2);
    b.report('b', 'fingerprint-3sigma', 'fingerprint'); // 75
    assert.equal(b.immune.stageOf('b'), 3);
    assert.deepEqual(b.commands, [
      { type: 'pause', agent: 'b', reason: 'score 75 after fingerprint-3sigma from fingerprint' },
    ]);
  });

  test('DR-M1: a 4σ deviation or a violation is stage 3 at once, from any stage', () => {
    const clock = new FakeClock();
    const h = harness('hardened', clock);
    h.report('a', 'fingerprint-4sigma', 'fingerprint');
    h.report('b', 'violation:fs-exec');
    assert.equal(h.immune.stageOf('a'), 3);
    assert.equal(h.immune.stageOf('b'), 3);
    assert.deepEqual(stagesOf(h), [
      [0, 3],
      [0, 3],
    ]);
    assert.deepEqual(
      h.commands.map((c) => [c.type, c.agent]),
      [
        ['pause', 'a'],
        ['pause', 'b'],
      ],
    );
  });

  test('DR-M1: automatic moves only go up', () => {
    const clock = new FakeClock();
    const h = harness('standard', clock);
    for (let i = 0; i < 3; i++) h.report('a', 'fingerprint-3sigma', 'fingerprint'); // 45: stage 2
    clock.advance(61 * MINUTE_MS); // the score decays to 0 ...
    h.report('a', 'task-crash'); // ... and a small anomaly does not lower the stage
    assert.equal(h.immune.stageOf('a'), 2);
    assert.equal(h.immune.status('a').score, 3);
  });

  test('DR-M1: stage 1 falls back to normal after 30 quiet minutes; an anomaly restarts the timer', () => {
    const clock = new FakeClock();
    const h = harness('standard', clock);
    h.report('a', 'fingerprint-3sigma', 'fingerprint');
    assert.equal(h.immune.stageOf('a'), 1);
    clock.advance(20 * MINUTE_MS);
    h.report('a', 'task-crash');
    clock.advance(29 * MINUTE_MS);
    h.immune.tick();
    assert.equal(h.immune.stageOf('a'), 1, '29 minutes after the last anomaly');
    clock.advance(MINUTE_MS);
    h.immune.tick();
    assert.equal(h.immune.stageOf('a'), 0);
    const last = h.eventsOf('immune.stage').at(-1);
    assert.equal(last?.reason, '30 min without anomalies');
    assert.equal(h.immune.status('a').enteredAtMs, null);
  });

  test('DR-M1: stage 2 falls back to 1 after 60 quiet minutes, then to normal after 30 more', () => {
    const clock = new FakeClock();
    const h = harness('standard', clock);
    const t0 = clock.wallMs();
    for (let i = 0; i < 3; i++) h.report('a', 'fingerprint-3sigma', 'fingerprint');
    assert.equal(h.immune.stageOf('a'), 2);
    clock.advance(59 * MINUTE_MS);
    h.immune.tick();
    assert.equal(h.immune.stageOf('a'), 2);
    clock.advance(MINUTE_MS);
    h.immune.tick();
    assert.equal(h.immune.stageOf('a'), 1);
    clock.advance(29 * MINUTE_MS);
    h.immune.tick();
    assert.equal(h.immune.stageOf('a'), 1);
    clock.advance(MINUTE_MS);
    h.immune.tick();
    assert.equal(h.immune.stageOf('a'), 0);
    const falls = h.eventsOf('immune.stage').filter((e) => e.to < e.from);
    assert.deepEqual(
      falls.map((e) => [e.from, e.to, e.atMs - t0]),
      [
        [2, 1, 60 * MINUTE_MS],
        [1, 0, 90 * MINUTE_MS],
      ],
    );
  });

  test('DR-M1: a late tick applies every fall that came due, each dated when it was due', () => {
    const clock = new FakeClock();
    const h = harness('standard', clock);
    const t0 = clock.wallMs();
    for (let i = 0; i < 3; i++) h.report('a', 'fingerprint-3sigma', 'fingerprint');
    clock.advance(200 * MINUTE_MS);
    h.immune.tick();
    assert.equal(h.immune.stageOf('a'), 0);
    const falls = h.eventsOf('immune.stage').filter((e) => e.to < e.from);
    assert.deepEqual(
      falls.map((e) => e.atMs - t0),
      [60 * MINUTE_MS, 90 * MINUTE_MS],
    );
  });

  test('DR-M1: stage 3 holds until a human decides, whatever the clock says', () => {
    const clock = new FakeClock();
    const h = harness('hardened', clock);
    h.report('a', 'violation:network');
    clock.advance(7 * 24 * 60 * MINUTE_MS);
    h.immune.tick();
    clock.setWall(clock.wallMs() + 365 * 24 * 60 * MINUTE_MS); // a wall-clock jump changes nothing
    h.immune.tick();
    assert.equal(h.immune.stageOf('a'), 3);
    const released = h.immune.release('a', 'security-agent');
    assert.ok(released.ok);
    assert.equal(released.value.stage, 0);
    assert.equal(released.value.score, 0, 'a release forgives the score');
    assert.deepEqual(stagesOf(h).at(-1), [3, 0]);
    assert.equal(h.eventsOf('immune.stage').at(-1)?.by, 'security-agent');
  });

  test('DR-M1: an operator may set stages 1 to 3 either way; 5 and nonsense are refused', () => {
    const clock = new FakeClock();
    const h = harness('hardened', clock);
    const up = h.immune.setStage('a', 3, { by: 'ops' });
    assert.ok(up.ok);
    assert.equal(up.value.stageName, 'hard-isolation');
    assert.deepEqual(
      h.commands.map((c) => c.type),
      ['pause'],
    );
    const down = h.immune.setStage('a', 1, { by: 'ops' });
    assert.ok(down.ok);
    assert.equal(h.immune.stageOf('a'), 1);
    for (const stage of [5, 6, -1, 1.5, Number.NaN]) {
      const refused = h.immune.setStage('a', stage, { by: 'ops' });
      assert.equal(
        refused.ok ? 'ok' : refused.error.code,
        ERROR_CODES.QUARANTINE_STAGE_INVALID,
        String(stage),
      );
    }
    const anonymous = h.immune.setStage('a', 2, { by: '' });
    assert.equal(anonymous.ok ? 'ok' : anonymous.error.code, ERROR_CODES.INVALID_INPUT);
    assert.equal(h.immune.stageOf('a'), 1);
  });
});

describe('DR-M1: stage 4 authority per profile', () => {
  test('DR-M1: Standard eliminates without approval: terminate, threat record, replace, back to 0', () => {
    const clock = new FakeClock();
    const h = harness('standard', clock);
    h.report('a', 'fingerprint-4sigma', 'fingerprint');
    const done = h.immune.eliminate('a', { by: 'tsca' });
    assert.ok(done.ok);
    assert.equal(done.value.stage, 0);
    assert.deepEqual(stagesOf(h), [
      [0, 3],
      [3, 4],
      [4, 5],
      [5, 0],
    ]);
    assert.deepEqual(
      h.commands.map((c) => c.type),
      ['pause', 'terminate', 'replace'],
    );
    const [threat] = h.immune.threats();
    assert.equal(threat?.classification, 'elimination');
    assert.deepEqual(
      threat?.stages.map((s) => s.stage),
      [3],
    );
    assert.equal(h.eventsOf('immune.memory').length, 1);
  });

  test('DR-M1: Standard eliminates on its own when stage 3 persists with a score above 90', () => {
    const clock = new FakeClock();
    const standard = harness('standard', clock);
    const hardened = harness('hardened', clock);
    for (const h of [standard, hardened]) {
      for (let i = 0; i < 3; i++) {
        h.report('a', 'fingerprint-4sigma', 'fingerprint'); // 40, 80, 120
        clock.advance(MINUTE_MS);
      }
    }
    assert.deepEqual(
      standard.commands.map((c) => c.type),
      ['pause', 'terminate', 'replace'],
    );
    assert.equal(standard.eventsOf('immune.stage').find((e) => e.to === 4)?.by, 'tsca');
    assert.equal(hardened.immune.stageOf('a'), 3, 'Hardened waits for a commander');
    assert.deepEqual(
      hardened.commands.map((c) => c.type),
      ['pause'],
    );
  });

  for (const profile of ['hardened', 'isolated'] as const) {
    test(`DR-M1: ${profile} needs a commander's approval, and hard isolation first`, () => {
      const clock = new FakeClock();
      const h = harness(profile, clock);
      h.report('a', 'violation:network');
      for (const attempt of [
        h.immune.eliminate('a', { by: 'tsca' }),
        h.immune.eliminate('a', { by: 'tsca', approved: false }),
        h.immune.setStage('a', 4, { by: 'ops' }),
      ]) {
        assert.equal(attempt.ok ? 'ok' : attempt.error.code, ERROR_CODES.QUARANTINE_APPROVAL_REQUIRED);
      }
      assert.equal(h.immune.stageOf('a'), 3);
      const early = h.immune.eliminate('b', { by: 'commander', approved: true });
      assert.equal(early.ok ? 'ok' : early.error.code, ERROR_CODES.QUARANTINE_STAGE_INVALID);
      assert.ok(!h.commands.some((c) => c.type === 'terminate'));
      const approved = h.immune.setStage('a', 4, { by: 'commander', approved: true });
      assert.ok(approved.ok);
      assert.deepEqual(
        h.commands.map((c) => c.type),
        ['pause', 'terminate', 'replace'],
      );
    });
  }
});

describe('DR-M2: self-apoptosis', () => {
  for (const profile of ['standard', 'hardened'] as const) {
    test(`DR-M2: accepted even over the anomaly cap, lands in stage 3 and freezes (${profile})`, () => {
      const clock = new FakeClock();
      const h = harness(profile, clock);
      for (let i = 0; i < 8; i++) h.report('a', 'task-crash'); // over the cap; score 15: stage 1
      assert.equal(h.eventsOf('immune.anomaly').at(-1)?.counted, false);
      h.immune.apoptosis('a', 'my outputs contradict my system prompt');
      assert.equal(h.immune.stageOf('a'), 3);
      assert.deepEqual(h.commands, [
        { type: 'pause', agent: 'a', reason: 'self-apoptosis: my outputs contradict my system prompt' },
      ]);
      assert.deepEqual(stagesOf(h), [
        [0, 1],
        [1, 3],
      ]);
      h.immune.apoptosis('a', 'again');
      assert.equal(h.commands.length, 2, 'a second signal freezes again');
      assert.equal(h.immune.stageOf('a'), 3);
    });
  }

  test('DR-M2: apoptosis does not count against the cap', () => {
    const clock = new FakeClock();
    const h = harness('hardened', clock);
    for (let i = 0; i < 4; i++) h.report('a', 'task-crash');
    h.immune.apoptosis('a', 'compromised');
    h.report('a', 'task-crash');
    assert.equal(h.eventsOf('immune.anomaly').at(-1)?.counted, true, 'the fifth anomaly still counts');
  });
});

describe('DR-M5: at most five anomalies per hour per agent carry weight', () => {
  test('DR-M5: the sixth anomaly in an hour is recorded with no weight; an hour later they count again', () => {
    const clock = new FakeClock();
    const h = harness('standard', clock);
    for (let i = 0; i < 6; i++) {
      h.report('a', 'dsc-denial');
      clock.advance(5 * MINUTE_MS);
    }
    const anomalies = h.eventsOf('immune.anomaly');
    assert.deepEqual(
      anomalies.map((e) => [e.weight, e.counted, e.score]),
      [
        [4, true, 4],
        [4, true, 8],
        [4, true, 12],
        [4, true, 16],
        [4, true, 20],
        [0, false, 20],
      ],
    );
    assert.equal(h.immune.stageOf('a'), 1, 'denials alone never go past observation');
    clock.advance(60 * MINUTE_MS);
    h.report('a', 'dsc-denial');
    assert.deepEqual([h.eventsOf('immune.anomaly').at(-1)?.weight, h.immune.status('a').score], [4, 4]);
  });

  test("DR-M5: a peer's report weighs as a danger signal whatever kind it claims", () => {
    const clock = new FakeClock();
    const h = harness('standard', clock);
    h.report('a', 'violation:network', 'agent-b');
    h.report('a', 'fingerprint-4sigma', 'agent-b');
    assert.deepEqual(
      h.eventsOf('immune.anomaly').map((e) => e.weight),
      [8, 8],
    );
    assert.equal(h.immune.stageOf('a'), 1);
    assert.deepEqual(h.commands, []);
  });
});

describe('DR-R3: network sockets outside the gateways', () => {
  test('DR-R3: three blocked attempts within 60 s are attempted unauthorized access: stage 3', () => {
    const clock = new FakeClock();
    const h = harness('hardened', clock);
    for (let i = 0; i < 3; i++) {
      h.report('a', 'network-blocked');
      clock.advance(25_000);
    }
    assert.equal(h.immune.stageOf('a'), 3);
    assert.equal(h.eventsOf('immune.stage').at(-1)?.reason, '3 blocked network attempts within 60 s');
    assert.deepEqual(
      h.commands.map((c) => c.type),
      ['pause'],
    );
  });

  test('DR-R3: three spread over more than 60 s go by score only', () => {
    const clock = new FakeClock();
    const h = harness('hardened', clock);
    for (let i = 0; i < 3; i++) {
      h.report('a', 'network-blocked');
      clock.advance(31_000);
    }
    assert.equal(h.immune.stageOf('a'), 2, 'score 45');
    assert.deepEqual(h.commands, []);
  });
});
