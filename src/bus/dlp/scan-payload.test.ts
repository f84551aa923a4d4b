import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deepFreeze, type JsonValue } from '../../shared/index.ts';
import { DLP_KINDS, DLP_LIMITS, scanPayload, scanText } from './index.ts';

const CARD = '4111 1111 1111 1111';

test('issue 5 DLP: findings carry their kind and the json path in nested objects and arrays', () => {
  const payload: JsonValue = {
    body: { text: 'reach me at ada@example.com' },
    items: ['first', 'second', `card ${CARD}`],
    'x-meta': [{ deep: [null, true, 'IBAN DE89 3704 0044 0532 0130 00'] }],
  };
  const { findings } = scanPayload(payload, 'block');
  assert.deepEqual(findings, [
    { kind: 'email', path: '$.body.text' },
    { kind: 'card-number', path: '$.items[2]' },
    { kind: 'iban', path: '$["x-meta"][0].deep[2]' },
  ]);
  for (const found of findings) assert.ok(DLP_KINDS.includes(found.kind));
});

test('issue 5 DLP: block mode returns the same value; redact mode a copy that keeps the rest', () => {
  const payload = deepFreeze({
    text: `Pay ${CARD} by Friday, then mail ada@example.com. Thanks!`,
    count: 3,
    ok: true,
    none: null,
  }) as JsonValue;
  const blocked = scanPayload(payload, 'block');
  assert.equal(blocked.value, payload);
  const redacted = scanPayload(payload, 'redact');
  assert.deepEqual(redacted.findings, blocked.findings);
  assert.deepEqual(redacted.value, {
    text: 'Pay [REDACTED:card-number] by Friday, then mail [REDACTED:email]. Thanks!',
    count: 3,
    ok: true,
    none: null,
  });
});

test('issue 5 DLP: a clean payload has no findings and redacts to an equal copy', () => {
  const payload: JsonValue = {
    task: 'Summarise the quarterly report and list three risks.',
    ids: ['123e4567-e89b-12d3-a456-426614174000', '4b825dc642cb6eb9a060e54bf8d69288fbee4904'],
    when: '2024-01-15T10:30:00Z',
    phone: '+1 415 555 2671',
    tokens: 4096,
  };
  const { findings, value } = scanPayload(payload, 'redact');
  assert.deepEqual(findings, []);
  assert.deepEqual(value, payload);
});

test('issue 5 DLP: object keys are scanned and paths never repeat the detected data', () => {
  const payload: JsonValue = { contacts: { 'ada@example.com': { note: `card ${CARD}` } } };
  const { findings, value } = scanPayload(payload, 'redact');
  assert.deepEqual(findings, [
    { kind: 'email', path: '$.contacts["[REDACTED:email]"]' },
    { kind: 'card-number', path: '$.contacts["[REDACTED:email]"].note' },
  ]);
  assert.deepEqual(value, { contacts: { '[REDACTED:email]': { note: 'card [REDACTED:card-number]' } } });
});

test('issue 5 DLP: keys that collide once redacted are all kept, and __proto__ stays data', () => {
  const payload = JSON.parse(
    '{"a@b.com": 1, "c@d.com": 2, "[REDACTED:email] #2": 3, "__proto__": "e@f.com"}',
  );
  const { findings, value } = scanPayload(payload, 'redact');
  assert.equal(findings.length, 3);
  assert.deepEqual(Object.keys(value as object), [
    '[REDACTED:email]',
    '[REDACTED:email] #2',
    '[REDACTED:email] #2 #2',
    '__proto__',
  ]);
  assert.equal(Object.getPrototypeOf(value), Object.prototype);
  assert.equal((value as Record<string, JsonValue>)['[REDACTED:email] #2'], 2);
  assert.equal(Object.getOwnPropertyDescriptor(value, '__proto__')?.value, '[REDACTED:email]');
});

test('issue 5 DLP: a string under a credential-named key is a finding as a whole', () => {
  const payload: JsonValue = {
    password: 'letmein1',
    db: { apiKey: 'abcd-1234', DB_PASSWORD: '  s3cret  ' },
    aws_secret_access_key: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    github_token: `ghp_${'a1B2'.repeat(9)}`,
    nextPageToken: 'CAUQAA',
    max_tokens: 4096,
    password_hint: 'the usual',
    token: 'none',
  };
  const { findings, value } = scanPayload(payload, 'redact');
  assert.deepEqual(findings, [
    { kind: 'credential-assignment', path: '$.password' },
    { kind: 'credential-assignment', path: '$.db.apiKey' },
    { kind: 'credential-assignment', path: '$.db.DB_PASSWORD' },
    { kind: 'aws-secret-access-key', path: '$.aws_secret_access_key' },
    { kind: 'github-token', path: '$.github_token' },
  ]);
  assert.deepEqual((value as Record<string, JsonValue>).db, {
    apiKey: '[REDACTED:credential-assignment]',
    DB_PASSWORD: '  [REDACTED:credential-assignment]  ',
  });
});

test('issue 5 DLP: a card number written as a json number is found and redacted to a string', () => {
  const { findings, value } = scanPayload({ pan: 4111111111111111, qty: 2 }, 'redact');
  assert.deepEqual(findings, [{ kind: 'card-number', path: '$.pan' }]);
  assert.deepEqual(value, { pan: '[REDACTED:card-number]', qty: 2 });
});

test('issue 5 DLP: invisible characters and compatibility forms do not hide data', () => {
  const evasions = [
    ['card 4111\u200B1111\u200B1111\u200B1111 end', 'card-number'],
    [
      'card \uFF14\uFF11\uFF11\uFF11 \uFF11\uFF11\uFF11\uFF11 \uFF11\uFF11\uFF11\uFF11 \uFF11\uFF11\uFF11\uFF11 end',
      'card-number',
    ],
    ['mail ada\u00AD@exam\u2060ple.com end', 'email'],
    ['key AKIA\u200DIOSFODNN7EXAMPLE end', 'aws-access-key-id'],
    ['iban DE89\u00A03704\u00A00044\u00A00532\u00A00130\u00A000 end', 'iban'],
  ] as const;
  for (const [text, kind] of evasions) {
    const { findings, redacted } = scanText(text);
    assert.deepEqual(
      findings.map((found) => found.kind),
      [kind],
      text,
    );
    assert.equal(redacted, `${text.slice(0, text.indexOf(' '))} [REDACTED:${kind}] end`, text);
  }
});

test('issue 5 DLP: a payload past the character budget fails closed with `oversized`', () => {
  const chunk = 'x'.repeat(60_000);
  const strings = Array.from({ length: 20 }, (_, i) => (i === 18 ? `${chunk} ada@example.com` : chunk));
  const payload: JsonValue = { strings };
  const blocked = scanPayload(payload, 'block');
  assert.equal(blocked.value, payload);
  assert.deepEqual(blocked.findings, [{ kind: 'oversized', path: '$.strings[17]' }]);
  const redacted = scanPayload(payload, 'redact');
  const out = (redacted.value as { strings: string[] }).strings;
  assert.equal(out[16], chunk);
  assert.deepEqual(out.slice(17), ['[REDACTED:oversized]', '[REDACTED:oversized]', '[REDACTED:oversized]']);
  assert.deepEqual(scanPayload('y'.repeat(DLP_LIMITS.scannedCharsMax + 1), 'block').findings, [
    { kind: 'oversized', path: '$' },
  ]);
});

test('issue 5 DLP: hostile nesting is walked without recursion and fails closed past the depth bound', () => {
  let deep: JsonValue = 'ada@example.com';
  for (let i = 0; i < 100_000; i++) deep = [deep];
  const { findings, value } = scanPayload(deep, 'redact');
  assert.deepEqual(
    findings.map((found) => found.kind),
    ['oversized'],
  );
  let cursor: JsonValue = value;
  let depth = 0;
  while (Array.isArray(cursor)) {
    cursor = cursor[0] ?? null;
    depth++;
  }
  assert.equal(depth, DLP_LIMITS.depthMax);
  assert.equal(cursor, '[REDACTED:oversized]');
});

test('issue 5 DLP: too many values fail closed, and custom limits are honoured', () => {
  const many = Array.from({ length: DLP_LIMITS.valuesMax }, () => 1);
  assert.deepEqual(scanPayload({ many }, 'block').findings, [{ kind: 'oversized', path: '$.many' }]);
  const limits = { scannedCharsMax: 10, valuesMax: 100, depthMax: 2 };
  assert.deepEqual(scanPayload({ a: { b: {} } }, 'block', limits).findings, [
    { kind: 'oversized', path: '$.a.b' },
  ]);
  assert.deepEqual(scanPayload(['12345', '123456'], 'block', limits).findings, [
    { kind: 'oversized', path: '$[1]' },
  ]);
});
