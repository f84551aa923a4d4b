import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeClock } from '../testing/fake-clock.ts';
import { type Harness, harness } from './test-harness.ts';

const WINDOW_MS = 10_000;

type Traffic = { calls: number; bytes?: number; targets?: number; blocked?: number };

/** Starts a fresh system on a clock at a window boundary. */
function setup(): { clock: FakeClock; h: Harness } {
  const clock = new FakeClock();
  clock.advance(WINDOW_MS - (clock.monotonicMs() % WINDOW_MS));
  return {
    clock,
    h: harness('hardened', clock, { fingerprint: { windowMs: WINDOW_MS, calibrationWindows: 6 } }),
  };
}

/** One window of traffic for `agent`, then the clock moves to the next window's start. */
function window(clock: FakeClock, h: Harness, agent: string, traffic: Traffic): void {
  const start = clock.monotonicMs();
  const bytes = traffic.bytes ?? 0;
  for (let i = 0; i < traffic.calls; i++) {
    h.immune.observe({
      agent,
      gateway: 'api',
      op: 'call',
      target: `host-${i % (traffic.targets ?? 1)}`,
      bytes: Math.floor(bytes / traffic.calls),
      blocked: i < (traffic.blocked ?? 0),
      atMs: clock.wallMs(),
    });
    clock.advance(50);
  }
  clock.advance(start + WINDOW_MS - clock.monotonicMs());
}

function calibrate(clock: FakeClock, h: Harness, agent: string, traffic: Traffic): void {
  for (let i = 0; i < 6; i++) window(clock, h, agent, traffic);
}

const STEADY: Traffic = { calls: 10, bytes: 10_000, targets: 2 };

describe('DR-M6: behavioural fingerprint (§41.2)', () => {
  test('DR-M6: steady traffic raises nothing', () => {
    const { clock, h } = setup();
    calibrate(clock, h, 'a', STEADY);
    for (let i = 0; i < 30; i++) window(clock, h, 'a', STEADY);
    h.immune.tick();
    assert.deepEqual(h.eventsOf('immune.fingerprint'), []);
    assert.deepEqual(h.eventsOf('immune.anomaly'), []);
  });

  test('DR-M6: a 5× burst is a 4σ deviation: anomaly, hard isolation and a pause pending review', () => {
    const { clock, h } = setup();
    calibrate(clock, h, 'a', STEADY);
    window(clock, h, 'a', STEADY);
    window(clock, h, 'a', { calls: 50, bytes: 50_000, targets: 2 });
    h.immune.tick(); // the burst's window closes on the tick
    const [finding] = h.eventsOf('immune.fingerprint');
    assert.equal(finding?.level, 'pause');
    assert.ok((finding?.z ?? 0) >= 4);
    assert.deepEqual(
      h.eventsOf('immune.anomaly').map((e) => [e.kind, e.source]),
      [['fingerprint-4sigma', 'fingerprint']],
    );
    assert.equal(h.immune.stageOf('a'), 3);
    assert.deepEqual(
      h.commands.map((c) => [c.type, c.agent]),
      [['pause', 'a']],
    );
  });

  test('DR-M6: 3σ asks for a security evaluation (an anomaly), 2σ only alerts the dashboard', () => {
    const { clock, h } = setup();
    calibrate(clock, h, 'a', { calls: 10 });
    window(clock, h, 'a', { calls: 17 }); // (17 - 10) / √10 = 2.2σ
    window(clock, h, 'a', { calls: 20 }); // 3.2σ
    h.immune.tick();
    assert.deepEqual(
      h.eventsOf('immune.fingerprint').map((e) => [e.level, e.feature]),
      [
        ['alert', 'calls'],
        ['anomaly', 'calls'],
      ],
    );
    assert.deepEqual(
      h.eventsOf('immune.anomaly').map((e) => e.kind),
      ['fingerprint-3sigma'],
    );
    assert.equal(h.immune.stageOf('a'), 1);
    assert.deepEqual(h.commands, []);
  });

  test('DR-M6: a zero-variance baseline does not turn a tiny change into an alert', () => {
    const { clock, h } = setup();
    calibrate(clock, h, 'a', STEADY);
    window(clock, h, 'a', { calls: 11, bytes: 10_450, targets: 2 });
    window(clock, h, 'a', { calls: 12, bytes: 10_900, targets: 3 });
    h.immune.tick();
    const levels = h.eventsOf('immune.fingerprint').map((e) => e.level);
    assert.ok(
      levels.every((level) => level === 'log'),
      levels.join(),
    );
    assert.deepEqual(h.eventsOf('immune.anomaly'), []);
  });

  test('DR-M6: quiet windows count in calibration, and an idle agent is no anomaly', () => {
    const { clock, h } = setup();
    window(clock, h, 'a', { calls: 2 });
    clock.advance(5 * WINDOW_MS);
    h.immune.tick(); // closes the five quiet windows: calibrated on 2, 0, 0, 0, 0, 0
    window(clock, h, 'a', { calls: 6 }); // mean 1/3, floor 1: 5.7σ
    h.immune.tick();
    assert.equal(h.eventsOf('immune.fingerprint')[0]?.level, 'pause');
    const idle = setup();
    calibrate(idle.clock, idle.h, 'b', STEADY);
    idle.clock.advance(1_000 * WINDOW_MS);
    idle.h.immune.tick();
    assert.deepEqual(idle.h.eventsOf('immune.fingerprint'), []);
  });

  test('DR-M6: the blocked share counts only in windows with enough calls', () => {
    const { clock, h } = setup();
    calibrate(clock, h, 'a', { calls: 10, targets: 2 });
    window(clock, h, 'a', { calls: 1, blocked: 1 }); // one blocked call of one: noise
    window(clock, h, 'a', { calls: 10, targets: 2, blocked: 1 }); // 10 %: 1σ, only logged
    window(clock, h, 'a', { calls: 20, targets: 2, blocked: 7 }); // 35 %: 3.5σ
    h.immune.tick();
    assert.deepEqual(
      h.eventsOf('immune.fingerprint').map((e) => [e.level, e.feature]),
      [
        ['log', 'blockedShare'],
        ['anomaly', 'blockedShare'],
      ],
    );
  });
});
