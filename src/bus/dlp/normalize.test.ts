import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeForDlp, originalRange } from './normalize.ts';

test('issue 5 DLP: plain ascii and already-normal text keep the identity map', () => {
  for (const text of ['card 4111 1111 1111 1111', 'Gr\u00fc\u00dfe aus K\u00f6ln']) {
    const normal = normalizeForDlp(text);
    assert.equal(normal.text, text);
    assert.equal(normal.starts, undefined);
    assert.deepEqual(originalRange(normal, 5, 9), [5, 9]);
  }
});

test('issue 5 DLP: full-width digits and odd spaces fold, invisible characters go', () => {
  assert.equal(normalizeForDlp('\uFF14\uFF11\uFF11\uFF11').text, '4111');
  assert.equal(normalizeForDlp('4111\u00A01111\u20091111').text, '4111 1111 1111');
  const hidden = '4\u200B1\u200C1\u200D1\u2060\uFEFF1\u00AD1\u{E0041}1\uFE0F1\u202E';
  assert.equal(normalizeForDlp(hidden).text, '41111111');
});

test('issue 5 DLP: a normalised span maps back over the invisible characters inside it', () => {
  const text = 'x 41\u200B11 y';
  const normal = normalizeForDlp(text);
  assert.equal(normal.text, 'x 4111 y');
  assert.deepEqual(originalRange(normal, 2, 6), [2, 7]);
  assert.equal(text.slice(2, 7), '41\u200B11');
});

test('issue 5 DLP: a match inside an expanded character maps to the whole character', () => {
  // U+FB01 (the fi ligature) becomes two letters; a span starting on its "i" covers all of it.
  const text = 'a\uFB01b';
  const normal = normalizeForDlp(text);
  assert.equal(normal.text, 'afib');
  assert.deepEqual(originalRange(normal, 2, 4), [1, 3]);
  // A base letter and its combining mark are one segment.
  const composed = normalizeForDlp('e\u0301\u200Bx');
  assert.equal(composed.text, '\u00e9x');
  assert.deepEqual(originalRange(composed, 0, 1), [0, 2]);
});
