import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasNestedQuantifier } from './regex-safety.ts';

test('flags a repeated group holding a quantifier', () => {
  for (const source of [
    '(a+)+',
    '(?:\\w+\\s?)*',
    '(a|b*){2,}',
    '((ab)*c)+',
    '(x{1,3}){1,20}',
    '([a-z]+)*$',
  ]) {
    assert.equal(hasNestedQuantifier(source), true, source);
  }
});

test('accepts optional and bounded groups, classes and escapes', () => {
  for (const source of [
    'a+b*c?',
    '(?:ab)+',
    '(?:a+ )?b',
    '(a+){2}',
    '[(+)]+',
    '\\(a+\\)+',
    '\\p{L}+',
    '(?:x[^\\n]{0,40}?y)?',
    'a{2,}',
  ]) {
    assert.equal(hasNestedQuantifier(source), false, source);
  }
});
