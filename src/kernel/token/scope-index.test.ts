// Unit tests for the scope index: covering scopes by action and resource tries, constraint outcomes,
// and agreement with a naive linear scan.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Scope } from './claims.ts';
import { actionMatches, resourceMatches } from './pattern.ts';
import { buildScopeIndex, type ScopeIndex } from './scope-index.ts';
import type { ConstraintVars } from './verified-token.ts';

const VARS: ConstraintVars = { args: { size: 10 }, resource: '', action: '', agent: 'alice' };

function index(scopes: readonly Scope[]): ScopeIndex {
  const built = buildScopeIndex(scopes);
  assert.ok(built.ok);
  return built.value;
}

test('DR-T1: a scope covers only its actions and resources', () => {
  const idx = index([
    { action: 'fs.write', resource: '/workspace/*' },
    { action: 'email.*', resource: 'api.gmail.com' },
  ]);
  assert.equal(idx.match('fs.write', '/workspace/a', VARS).kind, 'covered');
  assert.equal(idx.match('fs.write', '/workspace/a/b', VARS).kind, 'not-covered');
  assert.equal(idx.match('fs.read', '/workspace/a', VARS).kind, 'not-covered');
  assert.equal(idx.match('email.send', 'api.gmail.com', VARS).kind, 'covered');
  assert.equal(idx.match('email.x.y', 'api.gmail.com', VARS).kind, 'covered');
  assert.equal(idx.match('email', 'api.gmail.com', VARS).kind, 'not-covered');
  assert.equal(idx.match('email.send', 'evil.com', VARS).kind, 'not-covered');
});

test('`**` in the middle of a pattern absorbs any number of segments', () => {
  const idx = index([{ action: '*', resource: '/a/**/z' }]);
  for (const path of ['/a/z', '/a/b/z', '/a/b/c/d/z'])
    assert.equal(idx.match('x', path, VARS).kind, 'covered', path);
  for (const path of ['/a', '/a/b', '/a/z/b', '/b/z'])
    assert.equal(idx.match('x', path, VARS).kind, 'not-covered', path);
});

test('the first covering scope whose constraints hold wins, in scope order', () => {
  const small: Scope = { action: 'fs.write', resource: '/workspace/**', constraint: ['args.size < 5'] };
  const medium: Scope = { action: 'fs.*', resource: '/workspace/*', constraint: ['args.size < 50'] };
  const any: Scope = { action: '*', resource: '**' };
  const idx = index([small, medium, any]);
  const covered = (size: number) => {
    const m = idx.match('fs.write', '/workspace/a', { ...VARS, args: { size } });
    return m.kind === 'covered' ? m.scope : undefined;
  };
  assert.equal(covered(1), small);
  assert.equal(covered(10), medium);
  assert.equal(covered(100), any);
});

test('constraints false on every covering scope report constraint-failed with the expression', () => {
  const idx = index([
    { action: 'fs.write', resource: '/workspace/*', constraint: ['true', 'args.size < 5'] },
  ]);
  const m = idx.match('fs.write', '/workspace/a', VARS);
  assert.equal(m.kind, 'constraint-failed');
  assert.equal(m.kind === 'constraint-failed' ? m.expression : '', 'args.size < 5');
});

test('a constraint error fails closed unless another scope covers', () => {
  const broken: Scope = { action: 'fs.write', resource: '/workspace/*', constraint: ['args.missing == 1'] };
  const alone = index([broken]).match('fs.write', '/workspace/a', VARS);
  assert.equal(alone.kind, 'constraint-error');
  assert.match(alone.kind === 'constraint-error' ? alone.message : '', /missing/);
  const failing: Scope = { action: 'fs.*', resource: '/workspace/*', constraint: ['false'] };
  assert.equal(index([failing, broken]).match('fs.write', '/workspace/a', VARS).kind, 'constraint-error');
  const fallback: Scope = { action: 'fs.*', resource: '/workspace/**' };
  const rescued = index([broken, fallback]).match('fs.write', '/workspace/a', VARS);
  assert.deepEqual(rescued, { kind: 'covered', scope: fallback });
});

test('building refuses a constraint that does not compile', () => {
  const built = buildScopeIndex([{ action: '*', resource: '**', constraint: ['args.(('] }]);
  assert.ok(!built.ok);
  assert.equal(built.error.code, 'TOKEN_CLAIMS_INVALID');
});

test('the index agrees with a linear scan on a grid of actions and resources', () => {
  const scopes: Scope[] = [
    { action: 'fs.write', resource: '/w/*' },
    { action: 'fs.*', resource: '/w/**/log' },
    { action: 'fs.x.*', resource: '/*/b' },
    { action: '*', resource: '/public/**' },
    { action: 'net.get', resource: '**' },
    { action: 'fs.read', resource: '/w/*/c' },
  ];
  const idx = index(scopes);
  const actions = ['fs.write', 'fs.read', 'fs.x.y', 'fs', 'net.get', 'net.put', 'other'];
  const paths = [
    '/w/a',
    '/w/log',
    '/w/a/log',
    '/w/a/b/log',
    '/a/b',
    '/public',
    '/public/x/y',
    '/w/a/c',
    '',
    '/',
  ];
  for (const action of actions) {
    for (const path of paths) {
      const expected = scopes.find(
        (s) => actionMatches(s.action, action) && resourceMatches(s.resource, path),
      );
      const got = idx.match(action, path, VARS);
      assert.deepEqual(
        got,
        expected === undefined ? { kind: 'not-covered' } : { kind: 'covered', scope: expected },
        `${action} ${path}`,
      );
    }
  }
});

test('matching cost does not grow with the number of scopes', () => {
  const many: Scope[] = Array.from({ length: 4000 }, (_, i) => ({
    action: `svc${i}.call`,
    resource: `/data/${i}/**`,
  }));
  const idx = index(many);
  assert.equal(idx.match('svc3999.call', '/data/3999/x', VARS).kind, 'covered');
  // WHY the fastest of five rounds: a loaded machine that stops this process for a while slows
  // some rounds, never all of them.
  let perCallUs = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 5; round++) {
    const started = performance.now();
    for (let i = 0; i < 4_000; i++) idx.match('svc3999.call', '/data/3999/x', VARS);
    perCallUs = Math.min(perCallUs, ((performance.now() - started) * 1000) / 4_000);
  }
  // WHY: a linear scan over 4000 scopes costs hundreds of microseconds; the trie costs about one.
  assert.ok(perCallUs < 50, `match took ${perCallUs.toFixed(1)} us`);
});

test('the index agrees with a linear scan on random scopes, actions and paths', () => {
  const segment = fc.constantFrom('a', 'b', '', '*', '**');
  const pattern = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join('/'));
  const actionPattern = fc.constantFrom('*', 'fs.*', 'fs.read', 'fs.x.*', 'fs.x', 'a.b.c', 'a.*');
  const scope = fc.record({ action: actionPattern, resource: pattern });
  const action = fc.constantFrom(
    'fs.read',
    'fs.',
    'fs..x',
    '.fs',
    'fs.x',
    'fs.x.y',
    'a.b.c',
    'a.',
    'fs',
    'zz',
  );
  const path = fc
    .array(fc.constantFrom('a', 'b', 'c', ''), { minLength: 1, maxLength: 5 })
    .map((s) => s.join('/'));
  fc.assert(
    fc.property(fc.array(scope, { minLength: 1, maxLength: 6 }), action, path, (scopes, act, res) => {
      const expected = scopes.find((s) => actionMatches(s.action, act) && resourceMatches(s.resource, res));
      const got = index(scopes).match(act, res, VARS);
      assert.deepEqual(
        got,
        expected === undefined ? { kind: 'not-covered' } : { kind: 'covered', scope: expected },
      );
    }),
    { seed: 99, numRuns: 3000 },
  );
});
