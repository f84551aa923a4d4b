// The declassify route's body parsing: shape, level, bounds; each refusal with a stable code.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDeclassifyBody } from './declassify-route.ts';

test('a well-formed body is read; the justification defaults to empty', () => {
  const parsed = parseDeclassifyBody({ text: 'a summary', to: 'PUBLIC' });
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.value, { text: 'a summary', to: 'PUBLIC', justification: '' });
});

test('malformed bodies are refused with INVALID_INPUT or OVERSIZED_INPUT', () => {
  const cases: Array<[unknown, string, RegExp]> = [
    [undefined, 'INVALID_INPUT', /json object/],
    ['text', 'INVALID_INPUT', /json object/],
    [{ text: 'a', to: 'INTERNAL', by: 'x' }, 'INVALID_INPUT', /unknown field `by`/],
    [{ text: '', to: 'INTERNAL' }, 'INVALID_INPUT', /`text`/],
    [{ text: 'a', to: 'internal' }, 'INVALID_INPUT', /`to` must be one of/],
    [{ text: 'a', to: 'toString' }, 'INVALID_INPUT', /`to` must be one of/],
    [{ text: 'a', to: 'INTERNAL', justification: 7 }, 'INVALID_INPUT', /`justification`/],
    [{ text: 'x'.repeat(1024 * 1024 + 1), to: 'INTERNAL' }, 'OVERSIZED_INPUT', /at most 1048576 bytes/],
  ];
  for (const [body, code, message] of cases) {
    const parsed = parseDeclassifyBody(body);
    assert.equal(parsed.ok, false, JSON.stringify(body)?.slice(0, 60));
    if (parsed.ok) continue;
    assert.equal(parsed.error.code, code);
    assert.match(parsed.error.message, message);
  }
});
