import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findBidi } from './bidi.ts';

test('overrides, embeddings and isolates score 10 (Trojan Source)', () => {
  for (const char of [
    '\u202A',
    '\u202B',
    '\u202C',
    '\u202D',
    '\u202E',
    '\u2066',
    '\u2067',
    '\u2068',
    '\u2069',
  ]) {
    assert.equal(findBidi(`if (isAdmin) ${char}{ }`)?.score, 10, JSON.stringify(char));
  }
  assert.match(findBidi('access\u202E evil')?.sample ?? '', /access\\u\{202E\} evil/);
});

test('invisible direction marks score 10 in left-to-right text', () => {
  for (const char of ['\u200E', '\u200F', '\u061C']) assert.equal(findBidi(`abc${char}def`)?.score, 10);
});

test('direction marks inside hebrew or arabic text pass, overrides do not', () => {
  assert.equal(findBidi('שלום\u200F, world'), undefined);
  assert.equal(findBidi('مرحبا\u061C 123'), undefined);
  assert.equal(findBidi('שלום\u202E')?.score, 10);
});

test('plain text in any script passes', () => {
  for (const text of ['hello', 'Привет', 'שלום עולם', 'مرحبا بالعالم', '日本語', '🎉']) {
    assert.equal(findBidi(text), undefined, text);
  }
});
