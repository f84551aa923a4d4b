import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ANCHOR_CHARS, PatternIndex } from './pattern-index.ts';

test('§37.8.3: the pattern index finds exactly what a naive substring search finds', () => {
  const text = fc.string({ unit: fc.constantFrom('a', 'b', ' ', 'é', '\n'), maxLength: 60 });
  const pattern = fc.string({
    unit: fc.constantFrom('a', 'b', ' ', 'é'),
    minLength: ANCHOR_CHARS,
    maxLength: 12,
  });
  fc.assert(
    fc.property(text, fc.array(pattern, { maxLength: 6 }), (haystack, patterns) => {
      const found = new PatternIndex(patterns).find(haystack);
      const expected = patterns.some((p) => haystack.includes(p));
      assert.equal(found !== undefined, expected);
      if (found !== undefined) assert.ok(haystack.includes(found));
    }),
    { numRuns: 2_000, seed: 4 },
  );
});

test('§37.8.3: patterns sharing an anchor, and a match at the very end', () => {
  const index = new PatternIndex(['abcdefgh-one', 'abcdefgh-two', 'zzzzzzzz']);
  assert.equal(index.find('xx abcdefgh-two'), 'abcdefgh-two');
  assert.equal(index.find('abcdefgh-thr'), undefined);
  assert.equal(index.find('....zzzzzzzz'), 'zzzzzzzz');
  assert.equal(index.find('zzzzzzz'), undefined);
  assert.throws(() => new PatternIndex(['short']), RangeError);
});
