import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findCardNumbers, isCardNumber, passesLuhn } from './card.ts';

function kindsAndText(text: string): string[] {
  return findCardNumbers(text).map((found) => text.slice(found.start, found.end));
}

test('issue 5 DLP: test card numbers of every major brand are found, whole or grouped', () => {
  const cards = [
    '4111 1111 1111 1111',
    '4111-1111-1111-1111',
    '4111111111111111',
    '5555 5555 5555 4444',
    '2223 0031 2200 3222',
    '378282246310005',
    '3782 822463 10005',
    '6011 1111 1111 1117',
    '3566 0020 2036 0505',
    '3056 930902 5904',
    '4222222222222',
  ];
  for (const card of cards) assert.deepEqual(kindsAndText(`pay with ${card}, thanks`), [card], card);
});

test('issue 5 DLP: two cards in one run of groups are found separately', () => {
  const text = '4111 1111 1111 1111 5555 5555 5555 4444';
  assert.deepEqual(kindsAndText(text), ['4111 1111 1111 1111', '5555 5555 5555 4444']);
});

test('issue 5 DLP: luhn-failing numbers and numbers outside any issuer range are not cards', () => {
  assert.equal(passesLuhn('4111111111111112'), false);
  assert.deepEqual(kindsAndText('4111 1111 1111 1112'), []);
  assert.deepEqual(kindsAndText('5555555555554445'), []);
  // Luhn-valid, but 9 is no card brand's first digit.
  assert.equal(passesLuhn('9111111111111110'), true);
  assert.equal(isCardNumber('9111111111111110'), false);
  // Visa has no 17-digit numbers.
  assert.equal(isCardNumber('41111111111111113'), false);
});

test('issue 5 DLP: phone numbers, dates, timestamps and long digit runs are not cards', () => {
  const negatives = [
    'call +1 415 555 2671 or +44 20 7946 0958',
    'call +49 4111 1111 1111 1111',
    'on 2024-01-15 at 10:30, or 15.01.2024, or 2024-01-15 2024-02-16',
    'epoch 1718035200000 ms',
    'order 41111111111111111111111 shipped',
    'ref 41 11 11 11 11 11 11 11',
    'hex 4b825dc642cb6eb9a060e54bf8d69288fbee4904 and uuid 123e4567-e89b-12d3-a456-426614174000',
    'part no. x4111111111111111',
  ];
  for (const text of negatives) assert.deepEqual(kindsAndText(text), [], text);
});

test('issue 5 DLP: a card number is found in the string form of a json number', () => {
  assert.deepEqual(kindsAndText(String(4111111111111111)), ['4111111111111111']);
});
