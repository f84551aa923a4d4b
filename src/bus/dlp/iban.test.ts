import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findIbans, passesMod97 } from './iban.ts';

function found(text: string): string[] {
  return findIbans(text).map((iban) => text.slice(iban.start, iban.end));
}

test('issue 5 DLP: real-format ibans are found with and without spaces', () => {
  const ibans = [
    'DE89 3704 0044 0532 0130 00',
    'DE89370400440532013000',
    'GB82 WEST 1234 5698 7654 32',
    'FR14 2004 1010 0505 0001 3M02 606',
    'NL91 ABNA 0417 1643 00',
    'CH93 0076 2011 6238 5295 7',
    'NO93 8601 1117 947',
    'MT84 MALT 0110 0001 2345 MTLC AST0 01S',
  ];
  for (const iban of ibans) assert.deepEqual(found(`send to ${iban}.`), [iban], iban);
});

test('issue 5 DLP: ibans failing mod-97 are rejected', () => {
  assert.equal(passesMod97('DE89370400440532013001'), false);
  assert.deepEqual(found('DE89 3704 0044 0532 0130 01'), []);
  assert.deepEqual(found('GB83 WEST 1234 5698 7654 32'), []);
  assert.deepEqual(found('FR14 2004 1010 0505 0001 3M02 607'), []);
});

test('issue 5 DLP: wrong lengths, unknown countries and glued text are rejected', () => {
  assert.deepEqual(found('DE89 3704 0044 0532 0130 0'), []);
  assert.deepEqual(found('DE89370400440532013000123'), []);
  assert.deepEqual(found('DE89 3704 0044 0532 0130 0012'), []);
  assert.deepEqual(found('ZZ89370400440532013000'), []);
  assert.deepEqual(found('xDE89370400440532013000'), []);
  assert.deepEqual(found('Version DE12 of the manual, see AB12 and CD34.'), []);
});
