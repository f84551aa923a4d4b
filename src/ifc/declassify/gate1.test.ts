// Gate 1 of declassification: PII, classification keywords, similarity to the source, size bound.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  DEFAULT_CLASSIFICATION_DICTIONARY,
  GATE1_TEXT_BYTES_MAX,
  gate1,
  ibanValid,
  luhnValid,
  trigramCosine,
} from './gate1.ts';

const ORIGINAL =
  'Project Falcon quarterly review. Revenue for the third quarter reached 4.2 million euros, up 18 ' +
  'percent on the previous quarter, driven by the new logistics contracts in Rotterdam and Hamburg. ' +
  'Operating costs rose 6 percent because of the warehouse expansion in Antwerp. The board approved ' +
  'hiring twelve engineers for the routing team and postponed the Lisbon office until next year. ' +
  'Customer churn fell to 3.1 percent after the support overhaul. Risks: the Hamburg contract renewal ' +
  'is uncertain and a key supplier has asked for a 9 percent price increase.';
const NEAR_COPY = ORIGINAL.replace('4.2 million', '4.3 million')
  .replace('twelve', '10')
  .replace('Risks:', 'Main risks:');
const SUMMARY =
  'Sales grew strongly last quarter thanks to new shipping deals; costs went up a little and hiring is planned.';

const kinds = (proposed: string, original = ORIGINAL) =>
  gate1({ original, proposed }).findings.map((finding) => `${finding.kind}:${finding.detail}`);

describe('DR-I3 three-gate declassification: gate 1', () => {
  test('a near-copy of the original is blocked above 0.70 similarity; a real summary passes', () => {
    const copy = gate1({ original: ORIGINAL, proposed: NEAR_COPY });
    assert.equal(copy.pass, false);
    assert.ok(copy.similarity > 0.7, String(copy.similarity));
    assert.deepEqual(
      copy.findings.map((finding) => finding.kind),
      ['similarity'],
    );
    const summary = gate1({ original: ORIGINAL, proposed: SUMMARY });
    assert.equal(summary.pass, true, JSON.stringify(summary.findings));
    assert.ok(summary.similarity < 0.7, String(summary.similarity));
    assert.deepEqual(summary.findings, []);
  });

  test('the similarity threshold is configurable and strict (equal does not block)', () => {
    const { similarity } = gate1({ original: ORIGINAL, proposed: SUMMARY });
    assert.equal(gate1({ original: ORIGINAL, proposed: SUMMARY }, { similarityMax: similarity }).pass, true);
    assert.equal(
      gate1({ original: ORIGINAL, proposed: SUMMARY }, { similarityMax: similarity / 2 }).pass,
      false,
    );
  });

  test('an IBAN with a valid mod-97 checksum blocks; a wrong checksum does not', () => {
    assert.deepEqual(kinds('Please pay to DE89 3704 0044 0532 0130 00 today.'), ['pii:IBAN']);
    assert.deepEqual(kinds('Please pay to DE89370400440532013000 today.'), ['pii:IBAN']);
    assert.deepEqual(kinds('Account GB82 WEST 1234 5698 7654 32.'), ['pii:IBAN']);
    assert.deepEqual(kinds('Please pay to DE89 3704 0044 0532 0130 01 today.'), []);
    // A 16-character IBAN followed by a 4-digit year is still found.
    assert.deepEqual(kinds('Paid from BE68 5390 0754 7034 2024 invoices.'), ['pii:IBAN']);
  });

  test('a card number passing the Luhn check blocks; a failing one does not', () => {
    assert.deepEqual(kinds('Card 4111 1111 1111 1111 was charged.'), ['pii:payment card number']);
    assert.deepEqual(kinds('Card 5500-0000-0000-0004 was charged.'), ['pii:payment card number']);
    assert.deepEqual(kinds('Card 4111 1111 1111 1112 was charged.'), []);
  });

  test('emails, phones, SSNs, API keys and private keys block; the audit excerpt is masked', () => {
    const result = gate1({ original: ORIGINAL, proposed: 'Contact jane.doe@example.com for details.' });
    assert.equal(result.pass, false);
    assert.deepEqual(result.findings, [
      { kind: 'pii', detail: 'email address', excerpt: 'ja************om' },
    ]);
    assert.deepEqual(kinds('Call (555) 123-4567.'), ['pii:phone number']);
    assert.deepEqual(kinds('Call +44 20 7946 0958.'), ['pii:phone number']);
    assert.deepEqual(kinds('SSN 123-45-6789.'), ['pii:US social security number']);
    assert.deepEqual(kinds('key sk-proj-abcdefghijklmnopqrstuvwxyz012345'), ['pii:API key (sk-)']);
    assert.deepEqual(kinds('AKIAIOSFODNN7EXAMPLE'), ['pii:AWS access key id']);
    assert.deepEqual(kinds(`ghp_${'a1B2'.repeat(9)}`), ['pii:GitHub token']);
    assert.deepEqual(kinds('-----BEGIN OPENSSH PRIVATE KEY-----'), ['pii:private key']);
  });

  test('dates, years, percentages and IPv4 addresses are not PII', () => {
    assert.deepEqual(kinds('On 2024-01-15 revenue rose 18% across 2023 2024 2025 at host 10.0.0.1.'), []);
  });

  test('classification keywords block, whole words only, whatever the case or spacing', () => {
    assert.deepEqual(kinds('This is confidential.'), ['keyword:classification keyword `CONFIDENTIAL`']);
    assert.deepEqual(kinds('TOP  SECRET plan'), ['keyword:classification keyword `TOP SECRET`']);
    assert.deepEqual(kinds('Do not\ndistribute this.'), [
      'keyword:classification keyword `DO NOT DISTRIBUTE`',
    ]);
    assert.deepEqual(kinds('Marked ＩＮＴＥＲＮＡＬ ＯＮＬＹ'), [
      'keyword:classification keyword `INTERNAL ONLY`',
    ]);
    assert.deepEqual(kinds('CONF\u200bIDENTIAL'), ['keyword:classification keyword `CONFIDENTIAL`']);
    assert.deepEqual(kinds('\u0421ONFIDENTIAL'), ['keyword:classification keyword `CONFIDENTIAL`']);
    assert.deepEqual(kinds('The secretary met the restrictedness committee.'), []);
    assert.ok(DEFAULT_CLASSIFICATION_DICTIONARY.includes('RESTRICTED'));
  });

  test('a custom dictionary replaces the default', () => {
    const dictionary = ['Project Falcon', 'a+b (beta)'];
    assert.equal(gate1({ original: '', proposed: 'about project   falcon' }, { dictionary }).pass, false);
    assert.equal(gate1({ original: '', proposed: 'the A+B (Beta) build' }, { dictionary }).pass, false);
    assert.equal(gate1({ original: '', proposed: 'this is confidential' }, { dictionary }).pass, true);
    assert.equal(gate1({ original: '', proposed: 'this is confidential' }, { dictionary: [] }).pass, true);
  });

  test('a text above 1 MiB fails as oversized without further screening', () => {
    const big = 'x'.repeat(GATE1_TEXT_BYTES_MAX + 1);
    const result = gate1({ original: big, proposed: 'a summary' });
    assert.equal(result.pass, false);
    assert.deepEqual(
      result.findings.map((finding) => finding.kind),
      ['oversized'],
    );
    // Multi-byte characters count by their UTF-8 size.
    assert.equal(gate1({ original: '', proposed: 'é'.repeat(GATE1_TEXT_BYTES_MAX / 2 + 1) }).pass, false);
  });

  test('findings are bounded', () => {
    const many = Array.from({ length: 100 }, (_, i) => `user${i}@example.com`).join(' ');
    assert.equal(gate1({ original: '', proposed: many }).findings.length, 32);
  });
});

test('checksums: IBAN mod 97 and Luhn', () => {
  assert.equal(ibanValid('DE89 3704 0044 0532 0130 00'), true);
  assert.equal(ibanValid('de89370400440532013000'), true);
  assert.equal(ibanValid('DE89 3704 0044 0532 0130 01'), false);
  assert.equal(ibanValid('DE89'), false);
  assert.equal(luhnValid('79927398713'), true);
  assert.equal(luhnValid('79927398710'), false);
  assert.equal(luhnValid(''), false);
});

test('trigram cosine is 1 for texts equal up to case and whitespace, and symmetric in [0, 1]', () => {
  assert.equal(trigramCosine('Hello   World', 'hello world'), 1);
  assert.equal(trigramCosine('abc', 'xyz'), 0);
  fc.assert(
    fc.property(fc.string(), fc.string(), (a, b) => {
      const forward = trigramCosine(a, b);
      assert.ok(forward >= 0 && forward <= 1);
      assert.ok(Math.abs(forward - trigramCosine(b, a)) < 1e-12);
    }),
  );
});

test('gate 1 never throws on text and passes only without findings', () => {
  fc.assert(
    fc.property(fc.string(), fc.string(), (original, proposed) => {
      const result = gate1({ original, proposed });
      assert.equal(result.pass, result.findings.length === 0);
    }),
  );
});
