// Unit tests for scope containment: targets within, and constraints kept (a conjunction only narrows).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeScope, missingConstraints, scopeWithin, withinAny } from './scope-containment.ts';

const outer = { action: 'fs.*', resource: '/w/**', constraint: ['args.size < 10', 'agent == "a"'] };

test('INV-4: a scope is within another only if it keeps every outer constraint', () => {
  assert.equal(
    scopeWithin(outer, { action: 'fs.read', resource: '/w/x', constraint: [...outer.constraint, 'true'] }),
    true,
  );
  assert.equal(
    scopeWithin(outer, { action: 'fs.read', resource: '/w/x', constraint: ['args.size < 10'] }),
    false,
  );
  assert.deepEqual(missingConstraints(outer, { action: 'fs.read', resource: '/w/x' }), outer.constraint);
  assert.deepEqual(missingConstraints({ action: '*', resource: '**' }, outer), []);
});

test('INV-4: targets must be within too, whatever the constraints', () => {
  assert.equal(scopeWithin(outer, { ...outer, action: 'net.get' }), false);
  assert.equal(scopeWithin(outer, { ...outer, resource: '/v/x' }), false);
  assert.equal(
    withinAny([outer, { action: 'net.get', resource: '*' }], { action: 'net.get', resource: 'h' }),
    true,
  );
  assert.equal(withinAny([], outer), false);
  assert.equal(describeScope(outer), '`fs.*` on `/w/**`');
});
