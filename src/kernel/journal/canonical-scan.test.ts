// The one-pass canonical check against its reference, canonicalJson(parse(text)) === text,
// on canonical texts, loosely serialised texts (spaces, key order, escapes, number spellings) and noise.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { verifies } from '../../../test/invariants.ts';
import { canonicalJson } from '../../shared/index.ts';
import { parseStrictJson } from '../token/strict-json.ts';
import { scanCanonical } from './canonical-scan.ts';

/**
 * Whether `canonicalJson` of the parsed text gives the text back. WHY not plain `JSON.parse`: V8
 * (Node 24 and 26) can decode an escaped object key as `\\` once another `\\` key was parsed in the
 * process (nodejs/node#63785), which made this reference, not the scanner, wrong on some seeds. The
 * token reader decodes keys as bare strings, which that bug does not touch. Canonical JSON has no
 * duplicate keys; a text with a forbidden key (`__proto__`) is read by `JSON.parse` as before.
 */
function reference(text: string): boolean {
  try {
    const strict = parseStrictJson(text, 1000);
    if (!strict.ok && strict.problem !== 'forbidden-key') return false;
    return canonicalJson(strict.ok ? strict.value : JSON.parse(text)) === text;
  } catch {
    return false;
  }
}

const accepts = (text: string) => scanCanonical(text, []) === undefined;

// WHY: code units, not code points, so lone surrogates, controls and quotes turn up often.
const unit = fc.oneof(
  fc.constantFrom('a', 'b', 'Z', '1', '"', '\\', '/', '\n', '\b', '\u0001', '\u001f', '\u007f', '\u2028'),
  fc.constantFrom('\ud800', '\udc00', '😀', 'é', '\ud83d', '\ude00'),
  fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)),
);
const text = fc.string({ unit, maxLength: 8 });
const number = fc.oneof(
  fc.integer(),
  fc.constantFrom(0, -0, 1e21, 1e-7, 123.456, -1.5, 2 ** 53, 2 ** 53 + 2, 5e-324),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);
const { value } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    text,
    number,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(text, fc.constantFrom('1', '10', '9', '__proto__', 'a')), tie('value'), {
      maxKeys: 4,
    }),
  ),
}));

/** Serialises `value` as valid JSON that is often not canonical, steered by `coin`. */
function loosely(value: unknown, coin: () => boolean): string {
  const space = () => (coin() && coin() ? ' ' : '');
  if (typeof value === 'string') return looseString(value, coin);
  if (typeof value === 'number') {
    if (!coin()) return Object.is(value, -0) && coin() ? '-0' : JSON.stringify(value);
    return coin() ? value.toExponential() : `${JSON.stringify(value)}${Number.isInteger(value) ? '.0' : '0'}`;
  }
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((item) => space() + loosely(item, coin)).join(',')}]`;
  const keys = Object.keys(value).sort();
  if (coin() && coin()) keys.reverse();
  if (keys.length > 0 && coin() && coin() && coin()) keys.push(keys[0] ?? '');
  const members = keys.map(
    (key) => `${looseString(key, coin)}:${space()}${loosely((value as Record<string, unknown>)[key], coin)}`,
  );
  return `{${space()}${members.join(',')}}`;
}

function looseString(value: string, coin: () => boolean): string {
  if (coin()) return JSON.stringify(value);
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    const hex = code.toString(16).padStart(4, '0');
    const asUnicode = coin() && coin();
    const slash = code === 0x2f && coin();
    const raw = (code < 0x20 || (code >= 0xd800 && code <= 0xdfff)) && coin();
    if (asUnicode) out += `\\u${coin() ? hex : hex.toUpperCase()}`;
    else if (slash) out += '\\/';
    else if (raw) out += value[i];
    else out += JSON.stringify(value[i]).slice(1, -1);
  }
  return `${out}"`;
}

test(`${verifies('MR-3')}the scan accepts whatever canonicalJson writes`, () => {
  fc.assert(
    fc.property(value, (input) => {
      let canonical: string;
      try {
        canonical = canonicalJson(input);
      } catch {
        return; // lone surrogates: canonicalJson refuses them, so no journal body holds one
      }
      assert.equal(scanCanonical(canonical, []), undefined, canonical);
    }),
    { numRuns: 2000 },
  );
});

test(`${verifies('MR-3')}the scan agrees with the reference on loosely serialised json`, () => {
  fc.assert(
    fc.property(value, fc.array(fc.boolean(), { minLength: 64, maxLength: 64 }), (input, coins) => {
      let next = 0;
      const coin = () => coins[next++ % coins.length] === true;
      const json = loosely(input, coin);
      assert.equal(accepts(json), reference(json), json);
    }),
    { numRuns: 5000 },
  );
});

test('the scan agrees with the reference on arbitrary text', () => {
  const noise = fc.string({
    unit: fc.constantFrom(
      '{',
      '}',
      '[',
      ']',
      ':',
      ',',
      '"',
      '\\',
      '1',
      '-',
      'e',
      '.',
      'a',
      'n',
      'u',
      'l',
      ' ',
    ),
  });
  fc.assert(
    fc.property(noise, (input) => {
      assert.equal(accepts(input), reference(input), input);
    }),
    { numRuns: 5000 },
  );
});

test('the scan handles hostile nesting without recursion and reports top-level members', () => {
  const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
  assert.equal(scanCanonical(deep, []), undefined);
  assert.notEqual(scanCanonical(`${deep}]`, []), undefined);
  const members: number[] = [];
  const body = '{"a":[1,{"b":2}],"b\\n":"x","c":{}}';
  assert.equal(scanCanonical(body, members), undefined);
  assert.deepEqual(members, [1, 5, 16, 17, 23, 26, 27, 31, 33]);
  assert.equal(body.slice(members[4], members[5]), '"x"');
});

test('known non-canonical spellings are refused', () => {
  for (const bad of [
    '{"b":1,"a":2}',
    '{"a":1,"a":1}',
    '{"a":1.0}',
    '{"a":-0}',
    '{"a":1E3}',
    '{"a":1e3}',
    '{"a":01}',
    '["\\/"]',
    '["\\u0041"]',
    '["\\u001F"]',
    '["\\u000a"]',
    '["\\ud800"]',
    '[1 ]',
    '[true,nul]',
    '["\u001f"]',
    '["a\u0000"]',
    '["\ud800"]',
    '["\udc00x"]',
    '["\ud800\ud800"]',
    '',
  ]) {
    assert.notEqual(scanCanonical(bad, []), undefined, bad);
    assert.equal(reference(bad), false, bad);
  }
  for (const good of ['{"10":1,"9":2}', '["\\u001f\\n"]', '[1e+21,1e-7,0.1,-5]', '{"":{"":[]}}', '"😀"']) {
    assert.equal(scanCanonical(good, []), undefined, good);
  }
});
