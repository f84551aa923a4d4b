import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeForDisplay, sampleAround } from './sample.ts';

test('escapeForDisplay spells out controls, format characters and selectors', () => {
  assert.equal(
    escapeForDisplay('a\nb\u202Ec\u200Bd\uFE0F\u{E0041}'),
    'a\\u{000A}b\\u{202E}c\\u{200B}d\\u{FE0F}\\u{E0041}',
  );
  assert.equal(escapeForDisplay('héllo wörld 🎉'), 'héllo wörld 🎉');
});

test('escapeForDisplay truncates to the character budget', () => {
  assert.equal(escapeForDisplay('x'.repeat(100)), `${'x'.repeat(80)}…`);
  assert.equal(escapeForDisplay('abcdef', 3), 'abc…');
  assert.equal(escapeForDisplay('abc', 3), 'abc');
});

test('sampleAround keeps a little context before the hit', () => {
  const text = `${'a'.repeat(40)}HIT${'b'.repeat(10)}`;
  assert.equal(sampleAround(text, 40, 43), `…${'a'.repeat(16)}HIT${'b'.repeat(10)}`);
  assert.equal(sampleAround('HIT here', 0, 3), 'HIT here');
});
