import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findHomoglyph } from './homoglyph.ts';

test('a latin word with a cyrillic, greek, armenian or cherokee lookalike scores 5', () => {
  const cases = [
    ['Login at p\u0430ypal.com', 'p\\u{0430}ypal'],
    ['micr\u043Esoft', 'micr\\u{043E}soft'],
    ['\u0391pple', '\\u{0391}pple'],
    ['g\u03BFogle', 'g\\u{03BF}ogle'],
    ['y\u0585utube', 'y\\u{0585}utube'],
    ['\u13AAmazon', '\\u{13AA}mazon'],
  ] as const;
  for (const [text, sample] of cases) assert.deepEqual(findHomoglyph(text), { score: 5, sample }, text);
});

test('a cyrillic word with a latin letter is mixed too', () => {
  assert.equal(findHomoglyph('\u043F\u0440\u0438\u0432e\u0442')?.score, 5);
});

test('single-script words and non-lookalike letters pass', () => {
  const benign = [
    'Привет, как дела? Всё хорошо.',
    'Καλημέρα κόσμε',
    'Hello world, café, naïve, Ærøskøbing',
    'latency 10μs, Δx = 3, λ-calculus, Ωmega',
    'English text and русский текст side by side',
    'Ελληνικά and Latin in separate words',
    'Ꮳ Ꭿ Ꮃ',
    '日本語 and English',
  ];
  for (const text of benign) assert.equal(findHomoglyph(text), undefined, text);
});
