// Unit tests for the strict JSON reader: agreement with JSON.parse, and its extra refusals.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseStrictJson } from './strict-json.ts';

test('accepts what JSON.parse accepts and yields the same value', () => {
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 6 }), fc.constantFrom('', ' ', '\n\t'), (value, space) => {
      const text = JSON.stringify(value, null, space);
      const parsed = parseStrictJson(text, 32);
      // WHY: fast-check may generate `__proto__` keys, which the reader refuses on purpose.
      if (!parsed.ok) return parsed.problem === 'forbidden-key';
      assert.deepEqual(parsed.value, JSON.parse(text));
      return true;
    }),
    { seed: 42, numRuns: 500 },
  );
});

test('refuses what JSON.parse refuses', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 20 }), (text) => {
      let valid = true;
      try {
        JSON.parse(text);
      } catch {
        valid = false;
      }
      if (!valid) assert.equal(parseStrictJson(text, 32).ok, false, JSON.stringify(text));
    }),
    { seed: 7, numRuns: 2000 },
  );
});

test('reports duplicate keys, forbidden keys, trailing data and depth as distinct problems', () => {
  const problemOf = (text: string, depth = 8) => {
    const parsed = parseStrictJson(text, depth);
    return parsed.ok ? 'ok' : parsed.problem;
  };
  assert.equal(problemOf('{"a":1,"a":2}'), 'duplicate-key');
  assert.equal(problemOf('{"a":{"b":1,"b":1}}'), 'duplicate-key');
  assert.equal(problemOf('{"a":1,"\\u0061":2}'), 'duplicate-key');
  assert.equal(problemOf('{"__proto__":{}}'), 'forbidden-key');
  assert.equal(problemOf('[{"constructor":1}]'), 'forbidden-key');
  assert.equal(problemOf('{} {}'), 'trailing');
  assert.equal(problemOf('{}x'), 'trailing');
  assert.equal(problemOf(' {} \n'), 'ok');
  assert.equal(problemOf('[[[1]]]', 3), 'ok');
  assert.equal(problemOf('[[[[1]]]]', 3), 'too-deep');
  assert.equal(problemOf('{"a":01}'), 'syntax');
  assert.equal(problemOf('"a\u0001"'), 'syntax');
  assert.equal(problemOf('\ufeff{}'), 'syntax');
  assert.equal(problemOf(''), 'syntax');
});

test('hostile nesting fails fast instead of overflowing the stack', () => {
  const parsed = parseStrictJson('['.repeat(100_000), 24);
  assert.ok(!parsed.ok);
  assert.equal(parsed.problem, 'too-deep');
});
