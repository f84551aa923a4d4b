// Unit tests of the gateway's pure parts: tool names, resource templates, input-schema checks,
// pin hashes, and the policy's prefix lookup the gateway relies on.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { actionPolicyOf } from '../kernel/index.ts';
import { parseConfig } from '../runtime/config.ts';
import { compileInputSchema } from './input-schema.ts';
import { fillResource } from './resource-template.ts';
import { exposedToolName, splitToolName, toolAction, toolNameProblem } from './tool-names.ts';
import { toolView, viewHash } from './tool-pins.ts';

test('tool names: prefixed for the client, split at the first separator, refused when unsafe', () => {
  assert.equal(exposedToolName('files', 'write_file'), 'files__write_file');
  assert.deepEqual(splitToolName('files__write__file'), { server: 'files', tool: 'write__file' });
  assert.equal(splitToolName('nofiles'), undefined);
  assert.equal(splitToolName('__x'), undefined);
  assert.equal(toolAction('files', 'a.b'), 'mcp.files.a.b');
  assert.equal(toolNameProblem('read_file'), undefined);
  for (const bad of [
    '',
    '../../etc/passwd',
    'a..b',
    '.a',
    'a.',
    'a b',
    'x'.repeat(129),
    'resources.read',
    'prompts.get',
  ]) {
    assert.notEqual(toolNameProblem(bad), undefined, bad);
  }
});

test('resource templates fill top-level string or number arguments and fail closed otherwise', () => {
  assert.deepEqual(fillResource('{path}', { path: '/w/a.md' }), { ok: true, value: '/w/a.md' });
  assert.deepEqual(fillResource('acct:/{id}/x', { id: 42 }), { ok: true, value: 'acct:/42/x' });
  for (const args of [{}, { path: '' }, { path: { nested: 1 } }, { path: ['a'] }, { path: Number.NaN }]) {
    const filled = fillResource('{path}', args);
    assert.equal(filled.ok, false);
    assert.equal(filled.ok ? '' : filled.error.code, 'MCP_RESOURCE_UNRESOLVED');
  }
});

test('input schemas from a server are bounded before ajv compiles them', () => {
  const echo = compileInputSchema({ type: 'object', properties: { m: { type: 'string' } }, required: ['m'] });
  assert.ok(echo.ok);
  assert.equal(echo.value({ m: 'x' }), undefined);
  assert.match(echo.value({}) ?? '', /required property 'm'/);
  assert.match(echo.value({ m: 3 }) ?? '', /`\/m` must be string/);
  const refused = [
    { type: 'string' },
    [],
    { type: 'object', properties: { a: { type: 'string', pattern: '(a+)+$' } } },
    { type: 'object', properties: { a: { $ref: 'https://evil.example/schema.json' } } },
    { type: 'object', properties: { a: { type: 'string', description: 'x'.repeat(300_000) } } },
    { type: 'object', properties: { a: nest(40) } },
  ];
  for (const schema of refused) {
    const compiled = compileInputSchema(schema);
    assert.equal(compiled.ok, false, JSON.stringify(schema).slice(0, 80));
  }
});

test('a pin hash covers what the model reads, independent of key order', () => {
  const a = toolView({
    name: 't',
    description: 'd',
    inputSchema: { type: 'object', properties: { x: { type: 'string' } } },
  });
  const b = toolView({
    inputSchema: { properties: { x: { type: 'string' } }, type: 'object' },
    description: 'd',
    name: 't',
  });
  assert.equal(viewHash(a), viewHash(b));
  const changedDescription = toolView({ ...a, description: 'd ' });
  const changedSchema = toolView({
    ...a,
    inputSchema: { type: 'object', properties: { y: { type: 'string' } } },
  });
  const changedHint = toolView({ ...a, annotations: { readOnlyHint: true } });
  for (const changed of [changedDescription, changedSchema, changedHint])
    assert.notEqual(viewHash(changed), viewHash(a));
});

test('DR-C10: action entries may be prefixes; exact wins, then the longest prefix, then the strict default', () => {
  const loaded = parseConfig(
    [
      'version: 1',
      'agents: { a: { ring: 2 } }',
      'actions:',
      "  'mcp.files.*': { sideEffect: read }",
      "  'mcp.files.write_file': { sideEffect: write, approval: true }",
      'mcp:',
      '  agent: a',
      '  servers: { files: { command: x }, other: { url: "http://127.0.0.1:9/mcp" } }',
    ].join('\n'),
    'maos.yaml',
  );
  assert.ok(loaded.ok, loaded.ok ? '' : loaded.error.message);
  const policy = loaded.value.policy;
  assert.equal(actionPolicyOf(policy, 'mcp.files.read_file').sideEffect, 'read');
  assert.equal(actionPolicyOf(policy, 'mcp.files.read_file').name, 'mcp.files.read_file');
  assert.equal(actionPolicyOf(policy, 'mcp.files.write_file').approval, true);
  // Unnamed MCP tools of another server: the gateway's default, a write with untrusted output.
  const other = actionPolicyOf(policy, 'mcp.other.anything');
  assert.equal(other.sideEffect, 'write');
  assert.deepEqual(other.output, { confidentiality: 'INTERNAL', integrity: 'UNTRUSTED' });
  // Resource reads and prompts are observations, labelled like the entry that covers them.
  assert.equal(actionPolicyOf(policy, 'mcp.other.resources.read').sideEffect, 'read');
  assert.equal(actionPolicyOf(policy, 'mcp.files.prompts.get').sideEffect, 'read');
  // Outside MCP nothing changed: an unknown action is still the strictest reading.
  const unknown = actionPolicyOf(policy, 'email.send');
  assert.equal(unknown.sideEffect, 'write');
  assert.equal(unknown.external, true);
});

test('the mcp section is validated: agent must exist, server names may not hold `.` or `__`', () => {
  const base = ['version: 1', 'agents: { a: { ring: 2 } }', 'mcp:'];
  const cases = [
    ['  agent: nobody', '  servers: {}'],
    ['  agent: a', '  servers: { "a.b": { command: x } }'],
    ['  agent: a', '  servers: { "a__b": { command: x } }'],
    ['  agent: a', '  servers: { s: { command: x, url: "http://x" } }'],
    ['  agent: a', '  servers: { s: { url: "file:///etc/passwd" } }'],
  ];
  for (const lines of cases) {
    const loaded = parseConfig([...base, ...lines].join('\n'), 'maos.yaml');
    assert.equal(loaded.ok, false, lines.join(' '));
    assert.equal(loaded.ok ? '' : loaded.error.code, 'CONFIG_INVALID');
  }
});

function nest(depth: number): Record<string, unknown> {
  let schema: Record<string, unknown> = { type: 'string' };
  for (let i = 0; i < depth; i += 1) schema = { type: 'object', properties: { x: schema } };
  return schema;
}
