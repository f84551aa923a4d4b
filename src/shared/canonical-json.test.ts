// Canonical JSON against the `canonicalize` reference implementation on random JSON values, plus
// the RFC 8785 cases that matter for hashing: key order, number forms, escapes, refusals.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { canonicalJson } from './canonical-json.ts';

test('canonical json equals the reference implementation on random json values', () => {
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
      assert.equal(canonicalJson(value), canonicalize(value));
    }),
    { numRuns: 3000 },
  );
  fc.assert(
    fc.property(
      fc.dictionary(fc.string({ unit: 'binary' }), fc.double({ noNaN: true, noDefaultInfinity: true })),
      (value) => {
        assert.equal(canonicalJson(value), canonicalize(value));
      },
    ),
    { numRuns: 2000 },
  );
});

test('rfc 8785 examples: key order by utf-16 code units, number forms, escapes', () => {
  assert.equal(
    canonicalJson({ b: 1, a: [true, null, 'x'], '\u20ac': 1, '\ud83d\ude00': 2, '\r': 3 }),
    canonicalize({ b: 1, a: [true, null, 'x'], '\u20ac': 1, '\ud83d\ude00': 2, '\r': 3 }),
  );
  assert.equal(
    canonicalJson([1e21, 1e-7, -0, 0.1, 333333333.3333333]),
    '[1e+21,1e-7,0,0.1,333333333.3333333]',
  );
  assert.equal(canonicalJson('\u2028\u0000"\\'), '"\u2028\\u0000\\"\\\\"');
  assert.equal(canonicalJson({ a: undefined, b: 1 }), '{"b":1}');
});

test('values json cannot represent are refused', () => {
  assert.throws(() => canonicalJson(Number.NaN), TypeError);
  assert.throws(() => canonicalJson(Number.POSITIVE_INFINITY), TypeError);
  assert.throws(() => canonicalJson('\ud800'), TypeError);
  assert.throws(() => canonicalJson(10n), TypeError);
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.throws(() => canonicalJson(cyclic), TypeError);
});
