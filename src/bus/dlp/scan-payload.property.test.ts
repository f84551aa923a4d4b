import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { JsonValue } from '../../shared/index.ts';
import { scanPayload, scanText } from './index.ts';

/** Real-format sensitive data, separators, key words and invisible characters to mix into text. */
const PIECES = [
  '4111 1111 1111 1111',
  '5555-5555-5555-4444',
  '378282246310005',
  'DE89 3704 0044 0532 0130 00',
  'GB82WEST12345698765432',
  'ada@example.com',
  'first.last+tag@mail.example.co.uk',
  'AKIAIOSFODNN7EXAMPLE',
  `ghp_${'a1B2'.repeat(9)}`,
  'xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy',
  'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl',
  '-----BEGIN PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMx\n-----END PRIVATE KEY-----',
  'password=',
  'api_key: ',
  'token: "',
  'the signing key is ',
  'Zk8sLq2mVx9PqT4rWn7YbC3dHf6JuE1a',
  'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  '[REDACTED:email]',
  '@',
  ' ',
  '-',
  '\u200B',
  '\uFF14',
  '1234',
  '\n',
];

const text = fc
  .array(
    fc.oneof(
      fc.constantFrom(...PIECES),
      fc.string({ maxLength: 12 }),
      fc.string({ unit: 'binary', maxLength: 6 }),
    ),
    {
      maxLength: 8,
    },
  )
  .map((parts) => parts.join(''));

const key = fc.oneof(text, fc.constantFrom('password', 'apiKey', 'token', 'body', 'x-auth-token', 'notes'));

const payload = fc.letrec<{ value: JsonValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    text,
    fc.integer(),
    fc.constant(4111111111111111),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(key, tie('value'), { maxKeys: 4 }),
  ),
})).value;

test('issue 5 DLP: the redacted payload, scanned again, has no findings', () => {
  fc.assert(
    fc.property(payload, (value) => {
      const redacted = scanPayload(value, 'redact');
      assert.deepEqual(scanPayload(redacted.value, 'block').findings, []);
    }),
    { numRuns: 400 },
  );
});

test('issue 5 DLP: block and redact modes report the same findings; block returns the input', () => {
  fc.assert(
    fc.property(payload, (value) => {
      const blocked = scanPayload(value, 'block');
      assert.equal(blocked.value, value);
      assert.deepEqual(scanPayload(value, 'redact').findings, blocked.findings);
    }),
    { numRuns: 200 },
  );
});

test('issue 5 DLP: text redaction only replaces detected spans and is idempotent', () => {
  fc.assert(
    fc.property(text, (value) => {
      const first = scanText(value);
      if (first.findings.length === 0) assert.equal(first.redacted, value);
      const second = scanText(first.redacted);
      assert.deepEqual(second.findings, []);
      assert.equal(second.redacted, first.redacted);
    }),
    { numRuns: 500 },
  );
});
