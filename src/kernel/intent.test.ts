// Boundary tests of parseIntent, the kernel's first look at untrusted input: every kind of bad input
// maps to its stable code (and a field path), and the limits hold exactly at their edges.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KernelError, Result } from '../shared/index.ts';
import { type Intent, parseIntent } from './intent.ts';
import { LIMITS } from './limits.ts';

const ID = '01900000-0000-7000-8000-000000000001';
const BASE = {
  id: ID,
  agent: 'alice',
  action: 'fs.read',
  resource: '/workspace/a.md',
  token: 'tok:abc',
} as const;

function parsed(input: unknown): Intent {
  const result = parseIntent(input);
  assert.ok(result.ok, result.ok ? '' : `${result.error.code}: ${result.error.message}`);
  return result.value;
}

function refused(result: Result<Intent, KernelError>): KernelError {
  assert.ok(!result.ok, 'expected a refusal');
  return result.error;
}

function assertCode(input: unknown, code: string, path?: string[]): void {
  const error = refused(parseIntent(input));
  assert.equal(error.code, code, `${error.code}: ${error.message}`);
  if (path !== undefined) assert.deepEqual(error.details?.path, path, error.message);
}

/** `levels` nested objects, the outermost first. */
function nested(levels: number): unknown {
  let value: unknown = 'x';
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
}

test('a valid intent parses from an object, a string and bytes, with defaults filled in', () => {
  const expected: Intent = {
    ...BASE,
    args: {},
    sideEffect: 'write',
    labels: undefined,
    idempotencyKey: undefined,
    session: undefined,
    stateHash: undefined,
    cost: { tokens: 0, apiCalls: 0, costMicros: 0 },
  };
  assert.deepEqual(parsed(BASE), expected);
  assert.deepEqual(parsed(JSON.stringify(BASE)), expected);
  assert.deepEqual(parsed(new TextEncoder().encode(JSON.stringify(BASE))), expected);
  const full = parsed({
    ...BASE,
    args: { content: 'hi', n: [1, { b: null }] },
    sideEffect: 'read',
    labels: { confidentiality: 'INTERNAL', integrity: 'TRUSTED' },
    idempotencyKey: 'k-1',
    session: 's-1',
    cost: { tokens: 5, costMicros: Number.MAX_SAFE_INTEGER },
  });
  assert.equal(full.sideEffect, 'read');
  assert.deepEqual(full.labels, { confidentiality: 'INTERNAL', integrity: 'TRUSTED' });
  assert.deepEqual(full.cost, { tokens: 5, apiCalls: 0, costMicros: Number.MAX_SAFE_INTEGER });
  assert.equal(full.idempotencyKey, 'k-1');
});

test('INV-7: wrong types and missing fields are INVALID_INPUT naming the field', () => {
  const cases: Array<[Record<string, unknown>, string[]]> = [
    [{ ...BASE, agent: 5 }, ['agent']],
    [{ ...BASE, agent: '' }, ['agent']],
    [{ ...BASE, resource: undefined }, ['resource']],
    [{ ...BASE, resource: ['/a'] }, ['resource']],
    [{ ...BASE, token: '' }, ['token']],
    [{ ...BASE, token: null }, ['token']],
    [{ ...BASE, args: [] }, ['args']],
    [{ ...BASE, args: 'x' }, ['args']],
    [{ ...BASE, sideEffect: 5 }, ['sideEffect']],
    [
      { ...BASE, labels: { confidentiality: 'TOP_SECRET', integrity: 'TRUSTED' } },
      ['labels', 'confidentiality'],
    ],
    [{ ...BASE, labels: { confidentiality: 'PUBLIC' } }, ['labels', 'integrity']],
    [{ ...BASE, cost: { tokens: -1 } }, ['cost', 'tokens']],
    [{ ...BASE, cost: { apiCalls: 1.5 } }, ['cost', 'apiCalls']],
    [{ ...BASE, cost: { costMicros: Number.MAX_SAFE_INTEGER + 2 } }, ['cost', 'costMicros']],
    [{ ...BASE, cost: { tokens: Number.NaN } }, ['cost', 'tokens']],
    [{ ...BASE, session: 7 }, ['session']],
  ];
  for (const [input, path] of cases) assertCode(input, 'INVALID_INPUT', path);
  for (const input of [null, 42, 'null', '[]', '"intent"', [BASE], true])
    assertCode(input, 'INVALID_INPUT', []);
  for (const missing of Object.keys(BASE)) {
    const { [missing]: _gone, ...rest } = BASE as Record<string, unknown>;
    assertCode(rest, 'INVALID_INPUT', [missing]);
  }
});

test('INV-7: ids must be uuidv7; actions hold letters, digits and _ . : - only', () => {
  for (const id of [
    '',
    'not-a-uuid',
    '01900000-0000-4000-8000-000000000001',
    '01900000-0000-7000-c000-000000000001',
    `${ID} `,
    '01900000000070008000000000000001',
  ]) {
    assertCode({ ...BASE, id }, 'INVALID_INPUT', ['id']);
  }
  for (const action of ['fs/read', 'fs read', 'fs.read\n', 'fs.réad', 'fs.read;rm', '*', 'fs.*', '']) {
    assertCode({ ...BASE, action }, 'INVALID_INPUT', ['action']);
  }
  for (const action of ['fs.read', 'mcp:github.create_issue', 'a-b_c.d:e', 'x'])
    assert.equal(parsed({ ...BASE, action }).action, action);
});

test('INV-7: identifier and resource lengths hold at the limit and fail one past it', () => {
  const at = (n: number) => 'a'.repeat(n);
  assert.equal(parsed({ ...BASE, agent: at(LIMITS.idLengthMax) }).agent.length, LIMITS.idLengthMax);
  assertCode({ ...BASE, agent: at(LIMITS.idLengthMax + 1) }, 'INVALID_INPUT', ['agent']);
  assert.equal(parsed({ ...BASE, action: at(LIMITS.idLengthMax) }).action.length, LIMITS.idLengthMax);
  assertCode({ ...BASE, action: at(LIMITS.idLengthMax + 1) }, 'INVALID_INPUT', ['action']);
  assert.equal(
    parsed({ ...BASE, resource: at(LIMITS.resourceLengthMax) }).resource.length,
    LIMITS.resourceLengthMax,
  );
  assertCode({ ...BASE, resource: at(LIMITS.resourceLengthMax + 1) }, 'INVALID_INPUT', ['resource']);
  assertCode({ ...BASE, idempotencyKey: at(LIMITS.idLengthMax + 1) }, 'INVALID_INPUT', ['idempotencyKey']);
  assert.equal(parsed({ ...BASE, token: at(LIMITS.tokenBytesMax) }).token.length, LIMITS.tokenBytesMax);
  assertCode({ ...BASE, token: at(LIMITS.tokenBytesMax + 1) }, 'INVALID_INPUT', ['token']);
});

test('INV-7: serialized intents over intentBytesMax bytes are OVERSIZED_INPUT, counted in utf-8 bytes', () => {
  const empty = Buffer.byteLength(JSON.stringify({ ...BASE, args: { pad: '' } }));
  const withPad = (pad: string) => JSON.stringify({ ...BASE, args: { pad } });
  const exactly = (bytes: number) => withPad('x'.repeat(bytes - empty));
  assert.equal(Buffer.byteLength(exactly(LIMITS.intentBytesMax)), LIMITS.intentBytesMax);
  assert.equal(parsed(exactly(LIMITS.intentBytesMax)).agent, 'alice');
  assertCode(exactly(LIMITS.intentBytesMax + 1), 'OVERSIZED_INPUT');
  assertCode(new TextEncoder().encode(exactly(LIMITS.intentBytesMax + 1)), 'OVERSIZED_INPUT');
  // Two bytes per character: under the limit in characters, over it in bytes.
  const wide = withPad('é'.repeat(Math.ceil((LIMITS.intentBytesMax + 1 - empty) / 2)));
  assert.ok(wide.length < LIMITS.intentBytesMax && Buffer.byteLength(wide) > LIMITS.intentBytesMax);
  assertCode(wide, 'OVERSIZED_INPUT');
});

test('INV-7: nesting is allowed to intentDepthMax levels and OVERSIZED_INPUT one deeper, in every form', () => {
  // The intent object itself is the first level.
  const ok = { ...BASE, args: nested(LIMITS.intentDepthMax - 1) };
  const deep = { ...BASE, args: nested(LIMITS.intentDepthMax) };
  assert.ok(parseIntent(ok).ok);
  assert.ok(parseIntent(JSON.stringify(ok)).ok);
  assertCode(deep, 'OVERSIZED_INPUT');
  assertCode(JSON.stringify(deep), 'OVERSIZED_INPUT');
  assertCode(`${'['.repeat(10_000)}${']'.repeat(10_000)}`, 'OVERSIZED_INPUT');
  assertCode({ ...BASE, args: nested(10_000) }, 'OVERSIZED_INPUT');
  const cyclic: Record<string, unknown> = { ...BASE, args: {} };
  (cyclic.args as Record<string, unknown>).self = cyclic;
  assertCode(cyclic, 'OVERSIZED_INPUT');
});

test('INV-7: __proto__, constructor and prototype keys are FORBIDDEN_KEY at any depth', () => {
  for (const key of ['__proto__', 'constructor', 'prototype']) {
    assertCode(`{"${key}":{"polluted":true},"id":"${ID}"}`, 'FORBIDDEN_KEY');
    assertCode(`{"id":"${ID}","args":{"a":[{"b":{"${key}":{"polluted":true}}}]}}`, 'FORBIDDEN_KEY');
    assertCode(JSON.parse(`{"args":{"a":{"${key}":{}}}}`), 'FORBIDDEN_KEY');
  }
  assertCode(
    { ...BASE, args: Object.defineProperty({}, '__proto__', { value: 1, enumerable: true }) },
    'FORBIDDEN_KEY',
  );
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  // Only the exact names: keys that merely contain them are data.
  assert.ok(parseIntent({ ...BASE, args: { __proto: 1, Constructor: 2, prototypes: 3 } }).ok);
});

test('INV-7: bytes that are not utf-8 and strings with lone surrogates are INVALID_UTF8', () => {
  const text = (bytes: number[]) =>
    new Uint8Array([...Buffer.from(`{"id":"${ID}","agent":"`), ...bytes, ...Buffer.from('"}')]);
  for (const bad of [
    [0xff],
    [0xc0, 0xaf],
    [0xed, 0xa0, 0x80],
    [0xe2, 0x82],
    [0xf8, 0x88, 0x80, 0x80, 0x80],
    [0x80],
  ]) {
    assertCode(text(bad), 'INVALID_UTF8');
  }
  assertCode(`{"id":"${ID}","agent":"\ud800"}`, 'INVALID_UTF8');
  assertCode(`{"id":"${ID}","agent":"a\udc00b"}`, 'INVALID_UTF8');
  // Control: valid utf-8 (the euro sign) gets past decoding to the field checks.
  assertCode(text([0xe2, 0x82, 0xac]), 'INVALID_INPUT');
});

test('INV-7: lone surrogates written as json escapes or inside an object are INVALID_UTF8 too', {}, () => {
  assertCode(JSON.stringify({ ...BASE, resource: '/w/\ud800' }), 'INVALID_UTF8');
  assertCode({ ...BASE, resource: '/w/\ud800' }, 'INVALID_UTF8');
  assertCode({ ...BASE, args: { content: 'x\udfff' } }, 'INVALID_UTF8');
});

test('INV-7: text that is not json is INVALID_JSON', () => {
  for (const text of ['', ' ', '{', '{"id":1,}', "{'id':1}", 'NaN', 'undefined', '{"a":1}{"b":2}']) {
    assertCode(text, 'INVALID_JSON');
  }
  assertCode(new Uint8Array(), 'INVALID_JSON');
  // A leading byte-order mark is dropped from text as it is from bytes: both parse, neither is an intent.
  assertCode('\ufeff{}', 'INVALID_INPUT');
  assertCode(new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d]), 'INVALID_INPUT');
});

test('DR-C10: an unknown, misspelt or missing side effect is treated as a write', () => {
  for (const sideEffect of ['teleport', 'READ', 'reads', '', '__proto__', 'toString', undefined]) {
    assert.equal(parsed({ ...BASE, sideEffect }).sideEffect, 'write', String(sideEffect));
  }
  for (const sideEffect of ['read', 'write', 'destructive', 'irreversible'] as const) {
    assert.equal(parsed({ ...BASE, sideEffect }).sideEffect, sideEffect);
  }
});

test('INV-7: keys the schema does not know are rejected, at the top and inside labels and cost', () => {
  assertCode({ ...BASE, admin: true }, 'INVALID_INPUT');
  assertCode({ ...BASE, Agent: 'root' }, 'INVALID_INPUT');
  assertCode(
    { ...BASE, labels: { confidentiality: 'PUBLIC', integrity: 'TRUSTED', trusted: true } },
    'INVALID_INPUT',
  );
  assertCode({ ...BASE, cost: { tokens: 1, discount: 100 } }, 'INVALID_INPUT');
  const error = refused(parseIntent({ ...BASE, ring: 0 }));
  assert.match(error.message, /ring/, 'the message names the unknown key');
  assert.doesNotMatch(error.message, /\n/);
});
