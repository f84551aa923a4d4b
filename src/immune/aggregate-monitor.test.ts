import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Intent } from '../kernel/index.ts';
import { ERROR_CODES } from '../shared/index.ts';
import { FakeClock } from '../testing/fake-clock.ts';
import { testIntent } from '../testing/fixtures.ts';
import { ImmuneSystem } from './immune-system.ts';
import { intentTypeOf } from './standing.ts';
import { type Harness, harness, MINUTE_MS } from './test-harness.ts';

const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

const API = testIntent({
  agent: 'a',
  action: 'http.get',
  resource: 'https://api.example/x',
  sideEffect: 'read',
});
const WRITE = testIntent({
  agent: 'a',
  action: 'fs.write',
  resource: 'fs:/workspace/a.txt',
  sideEffect: 'write',
});
const READ = testIntent({
  agent: 'a',
  action: 'fs.read',
  resource: 'fs:/workspace/a.txt',
  sideEffect: 'read',
});
const MESSAGE = testIntent({ agent: 'a', action: 'message.send', resource: 'agent:b', sideEffect: 'write' });
const DECLASSIFY = testIntent({
  agent: 'a',
  action: 'ifc.declassify',
  resource: 'ifc:doc-1',
  sideEffect: 'write',
});

const escalated = (h: Harness, intent: Intent) => h.immune.standingOf(intent, intent.sideEffect).escalate;
const kindOf = (h: Harness, intent: Intent) => escalated(h, intent)?.detail?.kind;

function apiCalls(h: Harness, count: number, agent = 'a'): void {
  for (let i = 0; i < count; i++) h.immune.aggregate({ agent, kind: 'api-call', bytes: 100, atMs: 0 });
}

describe('§49.11: aggregate monitoring', () => {
  test('§49.11: intents map to aggregate types by action, resource scheme and side effect', () => {
    assert.equal(intentTypeOf(API, 'read'), 'api-call');
    assert.equal(intentTypeOf(testIntent({ resource: 'mcp:server/tool' }), 'read'), 'api-call');
    assert.equal(intentTypeOf(testIntent({ resource: 'TOOL:search' }), 'read'), 'api-call');
    assert.equal(intentTypeOf(WRITE, 'write'), 'api-call');
    assert.equal(intentTypeOf(READ, 'read'), undefined);
    assert.equal(intentTypeOf(MESSAGE, 'write'), 'message');
    assert.equal(intentTypeOf(DECLASSIFY, 'write'), 'declassification');
  });

  test('§49.11: after 500 API calls in 24 h the 501st escalates, and only API calls', () => {
    const clock = new FakeClock();
    const h = harness('hardened', clock);
    apiCalls(h, 499);
    assert.equal(escalated(h, API), undefined);
    apiCalls(h, 1);
    assert.deepEqual(escalated(h, API), {
      code: 'AGGREGATE_THRESHOLD',
      reason: 'agent reached the aggregate threshold `api-calls` (500 of 500 in 24 h)',
      detail: { kind: 'api-calls', count: 500, limit: 500, windowMs: DAY_MS },
    });
    assert.equal(kindOf(h, WRITE), 'api-calls', 'a write is an external effect too');
    assert.equal(escalated(h, READ), undefined);
    assert.equal(escalated(h, MESSAGE), undefined);
    assert.equal(escalated(h, DECLASSIFY), undefined);
    assert.equal(escalated(h, { ...API, agent: 'other' }), undefined, 'per agent');
    assert.equal(h.immune.standingOf(API, 'read').rateFactor, 1);
    apiCalls(h, 100);
    assert.deepEqual(
      h.eventsOf('immune.aggregate').map((e) => [e.kind, e.crossed, e.count]),
      [['api-calls', true, 500]],
      'a crossing is reported once',
    );
  });

  test('§49.11: the window expiring lifts the escalation', () => {
    const clock = new FakeClock();
    const h = harness('hardened', clock);
    apiCalls(h, 500);
    clock.advance(DAY_MS);
    h.immune.tick();
    assert.equal(kindOf(h, API), 'api-calls', 'still counted at exactly 24 h (buckets err long)');
    clock.advance(HOUR_MS);
    h.immune.tick();
    assert.equal(escalated(h, API), undefined);
    assert.deepEqual(
      h.eventsOf('immune.aggregate').map((e) => [e.kind, e.crossed]),
      [
        ['api-calls', true],
        ['api-calls', false],
      ],
    );
  });

  test('§49.11: the 51st unique external recipient in 7 days escalates messages', () => {
    const clock = new FakeClock();
    const h = harness('standard', clock);
    const send = (peer: string) =>
      h.immune.aggregate({ agent: 'a', kind: 'message', bytes: 10, peer, atMs: 0 });
    for (let i = 0; i < 49; i++) {
      send(`user${i}@example.org`);
      send(`USER${i}@example.org`); // the same recipient
      clock.advance(3 * HOUR_MS);
    }
    assert.equal(escalated(h, MESSAGE), undefined);
    send('user49@example.org');
    assert.equal(kindOf(h, MESSAGE), 'recipients');
    assert.equal(escalated(h, API), undefined, 'recipients restrict messages only');
    clock.advance(21 * HOUR_MS + 1); // the first recipient was seen more than 7 days ago
    h.immune.tick();
    assert.equal(escalated(h, MESSAGE), undefined);
  });

  test('§49.11: recipients older than 7 days do not count when a new one arrives between ticks', () => {
    const clock = new FakeClock();
    const h = harness('standard', clock);
    const send = (peer: string) =>
      h.immune.aggregate({ agent: 'a', kind: 'message', bytes: 10, peer, atMs: 0 });
    for (let i = 0; i < 49; i++) send(`user${i}@example.org`);
    clock.advance(8 * 24 * HOUR_MS); // no tick: the 49 are stale but still held
    send('new@example.org');
    assert.equal(escalated(h, MESSAGE), undefined, 'one recipient in the last 7 days, not 50');
  });

  test('§49.11: 10 declassifications, 100 MB outbound and 50 MB to one peer in 24 h', () => {
    const clock = new FakeClock();
    const h = harness('isolated', clock);
    for (let i = 0; i < 10; i++)
      h.immune.aggregate({ agent: 'a', kind: 'declassification', bytes: 0, atMs: 0 });
    assert.equal(kindOf(h, DECLASSIFY), 'declassifications');
    assert.equal(escalated(h, MESSAGE), undefined);
    h.immune.aggregate({ agent: 'b', kind: 'message', bytes: 50_000_000, peer: 'peer-x', atMs: 0 });
    assert.equal(kindOf(h, { ...MESSAGE, agent: 'b' }), 'peer-bytes');
    assert.equal(kindOf(h, { ...API, agent: 'b' }), 'peer-bytes');
    for (let i = 0; i < 4; i++) {
      h.immune.aggregate({ agent: 'c', kind: 'api-call', bytes: 25_000_000, peer: `host-${i}`, atMs: 0 });
    }
    assert.equal(kindOf(h, { ...API, agent: 'c' }), 'outbound-bytes');
  });

  test('§49.11: memory stays bounded over 100 000 samples', () => {
    const clock = new FakeClock();
    const h = harness('standard', clock, { agentsMax: 1_000 });
    for (let i = 0; i < 50_000; i++) {
      h.immune.aggregate({ agent: 'a', kind: 'message', bytes: 1, peer: `peer-${i}`, atMs: 0 });
      h.immune.aggregate({ agent: `agent-${i}`, kind: 'api-call', bytes: 1, atMs: 0 });
      if (i % 500 === 0) clock.advance(MINUTE_MS);
    }
    const stats = h.immune.aggregateStats();
    assert.ok(stats.agents <= 1_000, `agents ${stats.agents}`);
    assert.ok(stats.recipientsMax <= 50, `recipients ${stats.recipientsMax}`);
    assert.ok(stats.peersMax <= 32, `peers ${stats.peersMax}`);
    assert.equal(kindOf(h, MESSAGE), 'recipients', 'the agent that crossed is never forgotten');
  });

  test('§49.11: a heavy peer among many is still caught (space-saving never undercounts)', () => {
    const clock = new FakeClock();
    const h = harness('standard', clock);
    for (let round = 0; round < 50; round++) {
      h.immune.aggregate({ agent: 'a', kind: 'api-call', bytes: 1_000_000, peer: 'heavy', atMs: 0 });
      for (let i = 0; i < 40; i++) {
        h.immune.aggregate({ agent: 'a', kind: 'api-call', bytes: 1, peer: `light-${round}-${i}`, atMs: 0 });
      }
    }
    const crossed = h
      .eventsOf('immune.aggregate')
      .filter((e) => e.crossed)
      .map((e) => e.kind);
    assert.deepEqual(crossed, ['api-calls', 'peer-bytes']);
    assert.equal(h.immune.aggregateStats().peersMax, 32);
  });

  test('§49.11: limits are configurable but never disabled', () => {
    const clock = new FakeClock();
    const h = harness('standard', clock, { aggregate: { 'api-calls': { limit: 3 } } });
    apiCalls(h, 3);
    assert.equal(kindOf(h, API), 'api-calls');
    for (const limit of [0, Number.POSITIVE_INFINITY, 1.5]) {
      const made = ImmuneSystem.create({ profile: 'hardened', clock, aggregate: { 'api-calls': { limit } } });
      assert.equal(made.ok ? 'ok' : made.error.code, ERROR_CODES.CONFIG_INVALID, String(limit));
    }
    const unknown = ImmuneSystem.create({
      profile: 'hardened',
      clock,
      aggregate: { bogus: { limit: 1 } } as never,
    });
    assert.equal(unknown.ok ? 'ok' : unknown.error.code, ERROR_CODES.CONFIG_INVALID);
  });
});
