// Unit tests for CEL scope constraints: compilation, caching and fail-closed evaluation.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ERROR_CODES } from '../../shared/index.ts';
import { LIMITS } from '../limits.ts';
import { compileConstraint, compileConstraints, constraintCacheSize } from './constraint.ts';
import type { ConstraintVars } from './verified-token.ts';

const vars = (args: ConstraintVars['args'], resource = '/workspace/a'): ConstraintVars => ({
  args,
  resource,
  action: 'fs.write',
  agent: 'alice',
});

test('a constraint sees args, resource, action and agent', () => {
  const compiled = compileConstraint(
    'args.size < 100 && resource.startsWith("/workspace/") && action == "fs.write" && agent == "alice"',
  );
  assert.ok(compiled.ok);
  assert.deepEqual(compiled.value.evaluate(vars({ size: 5 })), { kind: 'true' });
  assert.deepEqual(compiled.value.evaluate(vars({ size: 500 })), { kind: 'false' });
  assert.deepEqual(compiled.value.evaluate(vars({ size: 5 }, '/shared/a')), { kind: 'false' });
});

test('a missing field, a type error or a non-boolean result is an error, never true', () => {
  const missing = compileConstraint('args.size < 100');
  assert.ok(missing.ok);
  assert.equal(missing.value.evaluate(vars({})).kind, 'error');
  assert.equal(missing.value.evaluate(vars({ size: 'big' })).kind, 'error');
  const nonBoolean = compileConstraint('args.size');
  assert.ok(nonBoolean.ok);
  const outcome = nonBoolean.value.evaluate(vars({ size: 1 }));
  assert.equal(outcome.kind, 'error');
  assert.match(outcome.kind === 'error' ? outcome.message : '', /boolean/);
});

test('a syntax error is refused at compile time with the expression in backticks', () => {
  const bad = compileConstraint('args.size <');
  assert.ok(!bad.ok);
  assert.equal(bad.error.code, ERROR_CODES.TOKEN_CLAIMS_INVALID);
  assert.match(bad.error.message, /`args\.size <`/);
  assert.doesNotMatch(bad.error.message, /\n/);
});

test('an over-long expression is refused before parsing', () => {
  const bad = compileConstraint(`true && ${'true && '.repeat(LIMITS.constraintLengthMax / 8)}true`);
  assert.ok(!bad.ok);
  assert.equal(bad.error.code, ERROR_CODES.TOKEN_CLAIMS_INVALID);
  assert.match(bad.error.message, /longer than/);
});

test('compilation is cached by expression text and the cache is bounded', () => {
  const first = compileConstraint('args.n == 1');
  const second = compileConstraint('args.n == 1');
  assert.ok(first.ok && second.ok);
  assert.equal(first.value, second.value);
  for (let i = 0; i < LIMITS.constraintCacheEntriesMax + 10; i++) compileConstraint(`args.n == ${i}`);
  assert.ok(constraintCacheSize() <= LIMITS.constraintCacheEntriesMax);
});

test('compileConstraints returns the first failure of a list', () => {
  const result = compileConstraints(['true', 'args.(', 'false']);
  assert.ok(!result.ok);
  assert.match(result.error.message, /`args\.\(`/);
  const none = compileConstraints(undefined);
  assert.ok(none.ok);
  assert.equal(none.value.length, 0);
});
