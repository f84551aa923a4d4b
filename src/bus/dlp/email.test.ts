import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findEmails } from './email.ts';

function found(text: string): string[] {
  return findEmails(text).map((email) => text.slice(email.start, email.end));
}

test('issue 5 DLP: e-mail addresses in the practical rfc 5322 subset are found', () => {
  assert.deepEqual(found('write to john.doe@example.com.'), ['john.doe@example.com']);
  assert.deepEqual(found('<first.last+tag@mail.example.co.uk>'), ['first.last+tag@mail.example.co.uk']);
  assert.deepEqual(found('a@b.io, x_y-z%q@sub-domain.example.org'), [
    'a@b.io',
    'x_y-z%q@sub-domain.example.org',
  ]);
  assert.deepEqual(found('mailto:m\u00fcller@b\u00fccher.de'), ['m\u00fcller@b\u00fccher.de']);
  assert.deepEqual(found('user@xn--bcher-kva.example'), ['user@xn--bcher-kva.example']);
});

test('issue 5 DLP: things with an at sign that are not addresses are not reported', () => {
  const negatives = [
    'follow @maos on social media',
    'user@localhost',
    'npm install @scope/pkg@1.2.3',
    'icon@2x.png and logo@3x.webp',
    'john..doe@example.com',
    'john@-example.com',
    'price: 3 @ 4.00 each',
    `${'a'.repeat(65)}@example.com`,
  ];
  for (const text of negatives) assert.deepEqual(found(text), [], text);
});

test('issue 5 DLP: many at signs cost one bounded look each', () => {
  const text = `${'@'.repeat(10_000)}x@y.com`;
  assert.deepEqual(found(text), ['x@y.com']);
});

test('issue 5 DLP: an address glued to a dot, hyphen or digits after its domain is still found', () => {
  assert.deepEqual(found('ada@example.com.4111'), ['ada@example.com']);
  assert.deepEqual(found('ada@example.com-378282246310005'), ['ada@example.com']);
  assert.deepEqual(found('ada@example.com1234'), ['ada@example.com']);
});
