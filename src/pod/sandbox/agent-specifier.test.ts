// Unit tests for the agent module specifier rule shared by the host loader and the compartment.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveAgentSpecifier } from './agent-specifier.ts';

test('INV-9: relative imports resolve inside the agent directory', () => {
  assert.deepEqual(resolveAgentSpecifier('./lib/util.js', 'main.js'), { ok: true, specifier: 'lib/util.js' });
  assert.deepEqual(resolveAgentSpecifier('../shared.js', 'lib/util.js'), {
    ok: true,
    specifier: 'shared.js',
  });
  assert.deepEqual(resolveAgentSpecifier('./a/./b/../c.js', 'x/m.js'), { ok: true, specifier: 'x/a/c.js' });
});

test('INV-9: bare specifiers, escapes and odd characters are refused with a reason', () => {
  const refused = (request: string, referrer = 'main.js') => {
    const result = resolveAgentSpecifier(request, referrer);
    return result.ok ? '' : result.reason;
  };
  assert.match(refused('node:fs'), /import of `node:fs` is refused: only relative imports/);
  assert.match(refused('lodash'), /only relative imports/);
  assert.match(refused('/etc/passwd'), /only relative imports/);
  assert.match(refused('../outside.js'), /leaves the agent directory/);
  assert.match(refused('./a/../../outside.js', 'main.js'), /leaves the agent directory/);
  assert.match(refused('./x.js?query'), /unsupported characters/);
  assert.match(refused('.\\x.js'), /only relative imports/);
  assert.match(refused('./'), /names no module/);
  assert.match(refused(`./${'a'.repeat(600)}`), /too long/);
});
