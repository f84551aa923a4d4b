// Unit tests for the envelope's structural checks: each defect is refused before any crypto runs,
// with its own error code.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../testing/fake-clock.ts';
import { SeededRandom } from '../../testing/seeded-random.ts';
import { LIMITS } from '../limits.ts';
import { generateIssuerKeyPair, publicKeysOf } from './key-material.ts';
import { formatEnvelope, parseEnvelope } from './token-envelope.ts';
import { mintToken } from './token-mint.ts';
import { verifyToken } from './token-verify.ts';

const key = generateIssuerKeyPair('k-envelope');
const keys = publicKeysOf([key]);
const minted = await mintToken(
  {
    sub: 'alice',
    aud: 'node-1',
    ring: 2,
    trust: 'internal',
    scopes: [{ action: 'fs.*', resource: '/w/**' }],
  },
  key,
  { clock: new FakeClock(), random: new SeededRandom(7), epoch: 0 },
);
assert.ok(minted.ok);
const TOKEN = minted.value.token;

type Wire = { payload: string; signatures: { protected: string; signature: string }[] };
const wire = (): Wire => JSON.parse(TOKEN) as Wire;
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const header = (entry: { protected: string }) =>
  JSON.parse(Buffer.from(entry.protected, 'base64url').toString()) as Record<string, unknown>;

/** Rewrites the protected header of signature `index` (the signature itself is left alone). */
function withHeader(index: number, edit: (h: Record<string, unknown>) => Record<string, unknown>): string {
  const w = wire();
  const entry = w.signatures[index];
  assert.ok(entry !== undefined);
  entry.protected = b64(edit(header(entry)));
  return JSON.stringify(w);
}

function codeOf(serialized: string): string | undefined {
  const parsed = parseEnvelope(serialized);
  return parsed.ok ? undefined : parsed.error.code;
}

async function verifyCode(serialized: string): Promise<string | undefined> {
  const verified = await verifyToken(serialized, keys);
  return verified.ok ? undefined : verified.error.code;
}

test('DR-T1: the minted token parses: two signatures, EdDSA then ML-DSA-65, one kid', () => {
  const parsed = parseEnvelope(TOKEN);
  assert.ok(parsed.ok);
  assert.deepEqual(
    parsed.value.signatures.map((s) => s.header),
    [
      { alg: 'EdDSA', kid: 'k-envelope', typ: 'maos-cap+jws' },
      { alg: 'ML-DSA-65', kid: 'k-envelope', typ: 'maos-cap+jws' },
    ],
  );
  assert.equal(parsed.value.kid, 'k-envelope');
});

test('DR-T1: token with one signature stripped is rejected', async () => {
  for (const keep of [0, 1]) {
    const w = wire();
    w.signatures = w.signatures.filter((_, i) => i === keep);
    assert.equal(await verifyCode(JSON.stringify(w)), 'TOKEN_SIGNATURE_MISSING');
  }
  const w = wire();
  assert.equal(codeOf(JSON.stringify({ ...w, signatures: [] })), 'TOKEN_SIGNATURE_MISSING');
  assert.equal(codeOf(JSON.stringify({ payload: w.payload })), 'TOKEN_SIGNATURE_MISSING');
});

test('DR-T1: a third signature or an extra member is malformed', () => {
  const w = wire();
  const [first, second] = w.signatures;
  assert.ok(first !== undefined && second !== undefined);
  assert.equal(codeOf(JSON.stringify({ ...w, signatures: [first, second, second] })), 'TOKEN_MALFORMED');
  assert.equal(codeOf(JSON.stringify({ ...w, extra: 1 })), 'TOKEN_MALFORMED');
  assert.equal(codeOf(JSON.stringify({ ...w, protected: first.protected })), 'TOKEN_MALFORMED');
  const entryExtra = { ...w, signatures: [{ ...first, note: 'x' }, second] };
  assert.equal(codeOf(JSON.stringify(entryExtra)), 'TOKEN_MALFORMED');
  assert.equal(codeOf(JSON.stringify({ ...w, signatures: [first, 'x'] })), 'TOKEN_MALFORMED');
});

test('DR-T1: swapped, doubled or misplaced algorithms are an order error', () => {
  const w = wire();
  const [first, second] = w.signatures;
  assert.ok(first !== undefined && second !== undefined);
  assert.equal(codeOf(JSON.stringify({ ...w, signatures: [second, first] })), 'TOKEN_SIGNATURE_ORDER');
  assert.equal(codeOf(JSON.stringify({ ...w, signatures: [first, first] })), 'TOKEN_SIGNATURE_ORDER');
  assert.equal(codeOf(JSON.stringify({ ...w, signatures: [second, second] })), 'TOKEN_SIGNATURE_ORDER');
  assert.equal(codeOf(withHeader(1, (h) => ({ ...h, alg: 'EdDSA' }))), 'TOKEN_SIGNATURE_ORDER');
});

test('DR-T1: algorithm `none` in any case is refused with its own code', () => {
  for (const alg of ['none', 'NONE', 'None', 'nOnE']) {
    assert.equal(codeOf(withHeader(0, (h) => ({ ...h, alg }))), 'TOKEN_ALG_NONE', alg);
    assert.equal(codeOf(withHeader(1, (h) => ({ ...h, alg }))), 'TOKEN_ALG_NONE', alg);
  }
});

test('DR-T1: algorithm confusion (HS256, RS256, ES256, Ed25519, ML-DSA-44) is unsupported', () => {
  for (const alg of ['HS256', 'RS256', 'ES256', 'PS256', 'Ed25519', 'ML-DSA-44', 'eddsa', 'EdDSA ']) {
    assert.equal(codeOf(withHeader(0, (h) => ({ ...h, alg }))), 'TOKEN_ALG_UNSUPPORTED', alg);
  }
  assert.equal(codeOf(withHeader(0, (h) => ({ ...h, alg: 7 }))), 'TOKEN_HEADER_INVALID');
  assert.equal(codeOf(withHeader(0, ({ alg: _, ...h }) => h)), 'TOKEN_HEADER_INVALID');
});

test('a `crit` header naming anything is refused', () => {
  assert.equal(codeOf(withHeader(0, (h) => ({ ...h, crit: ['exp'], exp: 1 }))), 'TOKEN_CRIT_UNKNOWN');
  assert.equal(codeOf(withHeader(1, (h) => ({ ...h, crit: ['b64'], b64: false }))), 'TOKEN_CRIT_UNKNOWN');
  assert.equal(codeOf(withHeader(1, (h) => ({ ...h, crit: [] }))), 'TOKEN_CRIT_UNKNOWN');
});

test('key-carrying, unknown and unprotected headers are invalid', () => {
  for (const name of ['jwk', 'jku', 'x5u', 'x5c', 'x5t', 'b64', 'zip']) {
    assert.equal(codeOf(withHeader(0, (h) => ({ ...h, [name]: 'x' }))), 'TOKEN_HEADER_INVALID', name);
  }
  const w = wire();
  const [first, second] = w.signatures;
  assert.ok(first !== undefined && second !== undefined);
  const unprotected = { ...w, signatures: [{ ...first, header: { kid: 'k-envelope' } }, second] };
  assert.equal(codeOf(JSON.stringify(unprotected)), 'TOKEN_HEADER_INVALID');
  assert.equal(codeOf(withHeader(0, (h) => ({ ...h, typ: 'JWT' }))), 'TOKEN_HEADER_INVALID');
  assert.equal(codeOf(withHeader(0, (h) => ({ ...h, kid: '' }))), 'TOKEN_HEADER_INVALID');
});

test('the two headers must name the same kid', () => {
  assert.equal(codeOf(withHeader(1, (h) => ({ ...h, kid: 'k-other' }))), 'TOKEN_HEADER_INVALID');
});

test('non-base64url characters, padding and non-canonical encodings are refused', () => {
  const w = wire();
  const [first, second] = w.signatures;
  assert.ok(first !== undefined && second !== undefined);
  const variants = [
    { ...first, protected: `${first.protected}=` },
    { ...first, protected: `${first.protected.slice(0, 4)}+${first.protected.slice(5)}` },
    { ...first, signature: `${first.signature.slice(0, -1)}/` },
    { ...first, signature: `${first.signature}==` },
  ];
  for (const entry of variants) {
    assert.equal(codeOf(JSON.stringify({ ...w, signatures: [entry, second] })), 'TOKEN_HEADER_INVALID');
  }
  // WHY: an Ed25519 signature is 64 bytes: 86 characters whose last one carries 4 unused bits.
  const last = first.signature.at(-1) ?? 'A';
  const sibling = String.fromCharCode(last.charCodeAt(0) ^ 1);
  const nonCanonical = { ...first, signature: first.signature.slice(0, -1) + sibling };
  assert.equal(codeOf(JSON.stringify({ ...w, signatures: [nonCanonical, second] })), 'TOKEN_HEADER_INVALID');
  assert.equal(codeOf(JSON.stringify({ ...w, payload: `${w.payload}!` })), 'TOKEN_MALFORMED');
});

test('a signature of the wrong length is refused without crypto', () => {
  const w = wire();
  const [first, second] = w.signatures;
  assert.ok(first !== undefined && second !== undefined);
  const short = { ...first, signature: first.signature.slice(0, 40) };
  assert.equal(codeOf(JSON.stringify({ ...w, signatures: [short, second] })), 'TOKEN_SIGNATURE_INVALID');
  const empty = { ...second, signature: '' };
  assert.equal(codeOf(JSON.stringify({ ...w, signatures: [first, empty] })), 'TOKEN_SIGNATURE_INVALID');
});

test('duplicate keys and prototype keys are detected', () => {
  const w = wire();
  const duplicated = `{"payload":"${w.payload}","payload":"${w.payload}","signatures":${JSON.stringify(w.signatures)}}`;
  assert.equal(codeOf(duplicated), 'TOKEN_HEADER_INVALID');
  const proto = `{"__proto__":{},"payload":"${w.payload}","signatures":${JSON.stringify(w.signatures)}}`;
  assert.equal(codeOf(proto), 'TOKEN_HEADER_INVALID');
  const ctor = TOKEN.replace('{"payload"', '{"constructor":1,"payload"');
  assert.equal(codeOf(ctor), 'TOKEN_HEADER_INVALID');
  const first = w.signatures[0];
  assert.ok(first !== undefined);
  const h = Buffer.from(first.protected, 'base64url').toString();
  const dupHeader = Buffer.from(h.replace('{', '{"alg":"EdDSA",')).toString('base64url');
  assert.equal(codeOf(TOKEN.replace(first.protected, dupHeader)), 'TOKEN_HEADER_INVALID');
});

test('data after the closing brace is trailing data; whitespace is fine', async () => {
  for (const tail of ['x', '{}', TOKEN, ' 1', '\u0000', '}']) {
    assert.equal(codeOf(TOKEN + tail), 'TOKEN_TRAILING_DATA', JSON.stringify(tail.slice(0, 5)));
  }
  assert.equal(await verifyCode(`${TOKEN} \n\t`), undefined);
  assert.equal(await verifyCode(`\n ${TOKEN}`), undefined);
});

test('input that is not a json object is malformed', () => {
  for (const text of [
    '',
    'null',
    '[]',
    '"x"',
    '42',
    '{',
    TOKEN.slice(0, -1),
    `\ufeff${TOKEN}`,
    'eyJhbGciOi.x.y',
  ]) {
    assert.equal(codeOf(text), 'TOKEN_MALFORMED', text.slice(0, 20));
  }
});

test('an oversized token is refused before parsing', () => {
  const huge = `{"payload":"${'A'.repeat(LIMITS.tokenBytesMax)}","signatures":[]}`;
  const parsed = parseEnvelope(huge);
  assert.ok(!parsed.ok);
  assert.equal(parsed.error.code, 'TOKEN_MALFORMED');
  assert.match(parsed.error.message, /exceeds/);
  const multibyte = `{"payload":"${'é'.repeat(LIMITS.tokenBytesMax / 2 + 1)}"}`;
  assert.equal(codeOf(multibyte), 'TOKEN_MALFORMED');
});

test('formatEnvelope writes the one accepted layout', () => {
  const parsed = parseEnvelope(TOKEN);
  assert.ok(parsed.ok);
  const [a, b] = parsed.value.signatures;
  assert.equal(formatEnvelope(parsed.value.payload, [a, b]), TOKEN);
});
