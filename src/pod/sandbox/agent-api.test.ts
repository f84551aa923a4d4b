// Unit tests for the agent side's JSON copy and log formatting (the parts that need no lockdown).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatLog, toJson } from './agent-api.ts';

test('POD_CALL_INVALID: toJson copies plain JSON and refuses everything else by name', () => {
  const source = { a: [1, 'x', null, undefined], b: { c: true }, skipped: undefined };
  const copy = toJson(source, 'args');
  assert.deepEqual(copy, { a: [1, 'x', null, null], b: { c: true } });
  source.b.c = false;
  assert.deepEqual(copy, { a: [1, 'x', null, null], b: { c: true } }, 'the copy is detached');
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;
  assert.throws(() => toJson(cycle, 'args'), /args is not JSON: it holds a cycle/);
  assert.throws(() => toJson({ f: () => 1 }, 'args'), /args is not JSON: it holds a function/);
  assert.throws(() => toJson(Symbol('s'), 'args'), /it holds a symbol/);
  assert.throws(() => toJson(1n, 'args'), /it holds a bigint/);
  assert.throws(() => toJson(Number.NaN, 'args'), /non-finite number/);
  assert.throws(() => toJson(new Date(0), 'args'), /class instance/);
  let deep: unknown = 1;
  for (let i = 0; i < 100; i++) deep = [deep];
  assert.throws(() => toJson(deep, 'args'), /nested too deeply/);
  const shared = { n: 1 };
  assert.deepEqual(
    toJson([shared, shared], 'args'),
    [{ n: 1 }, { n: 1 }],
    'a repeated object is not a cycle',
  );
});

test('INV-9: a `__proto__` key stays data and does not change the copy prototype', () => {
  const parsed = JSON.parse('{"__proto__": {"polluted": true}}') as unknown;
  const copy = toJson(parsed, 'args') as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(copy), Object.prototype);
  assert.deepEqual(Object.keys(copy), ['__proto__']);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('formatLog joins arguments into one bounded line and never throws', () => {
  assert.equal(formatLog(['a', 1, { b: 2 }, new TypeError('bad')]), 'a 1 {"b":2} TypeError: bad');
  assert.equal(formatLog([() => 1]), '[function]');
  assert.equal(formatLog(['x'.repeat(5000)]).length, 4000);
});
