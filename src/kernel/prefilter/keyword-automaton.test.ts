import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { KeywordAutomaton } from './keyword-automaton.ts';

function found(automaton: KeywordAutomaton, text: string): string[] {
  const seen = new Uint8Array(automaton.keywords.length);
  automaton.scan(text, seen);
  return automaton.keywords.filter((_, id) => seen[id] === 1);
}

test('finds every keyword, overlapping ones included, ascii case-insensitively', () => {
  const automaton = new KeywordAutomaton(['he', 'she', 'his', 'hers', '<|', '|>']);
  assert.deepEqual(found(automaton, 'USHERS'), ['he', 'she', 'hers']);
  assert.deepEqual(found(automaton, 'a <|im_start|> b'), ['<|', '|>']);
  assert.deepEqual(found(automaton, 'no match at all'), []);
  assert.deepEqual(found(automaton, ''), []);
});

test('a non-ascii character breaks a keyword', () => {
  const automaton = new KeywordAutomaton(['ignore']);
  assert.deepEqual(found(automaton, 'ign\u00f6re'), []);
  assert.deepEqual(found(automaton, '\u00e9ignore\u00e9'), ['ignore']);
});

test('property: agrees with a naive substring search', () => {
  const alphabet = fc.constantFrom('a', 'b', 'A', 'B', 'c', ':', ' ', '\u00e9');
  const word = fc.string({ unit: alphabet, minLength: 1, maxLength: 4 }).filter((w) => !w.includes('\u00e9'));
  fc.assert(
    fc.property(
      fc.uniqueArray(word, { minLength: 1, maxLength: 8 }),
      fc.string({ unit: alphabet, maxLength: 40 }),
      (keywords, text) => {
        const automaton = new KeywordAutomaton(keywords);
        const expected = automaton.keywords.filter((k) => text.toLowerCase().includes(k));
        assert.deepEqual(found(automaton, text), expected);
      },
    ),
    { numRuns: 1000 },
  );
});
