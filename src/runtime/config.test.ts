// Unit tests of the `maos.yaml` loader: the example loads, every kind of bad input gets its stable
// code and position, the JSON Schema is usable, and the compiled policy is frozen (MR-1).

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { test } from 'node:test';
import { verifies } from '../../test/invariants.ts';
import { actionPatternProblem, resourcePatternProblem } from '../kernel/token/index.ts';
import type { ErrorCode, KernelError, Result } from '../shared/index.ts';
import { hashCanonical } from '../shared/index.ts';
import { compilePolicy, configJsonSchema, type LoadedConfig, loadConfig, parseConfig } from './config.ts';

const EXAMPLE = join(import.meta.dirname, '..', '..', 'examples', 'maos.yaml');

function loaded(result: Result<LoadedConfig, KernelError>): LoadedConfig {
  if (!result.ok) assert.fail(`expected a config, got ${result.error.code}: ${result.error.message}`);
  return result.value;
}

function failure(result: Result<LoadedConfig, KernelError>): KernelError {
  if (result.ok) assert.fail('expected an error, the config loaded');
  return result.error;
}

function parse(text: string): Result<LoadedConfig, KernelError> {
  return parseConfig(text, 'maos.yaml');
}

const AGENT = 'version: 1\nagents:\n  researcher:\n';

test('the example config loads into a policy', async () => {
  const { config, policy, dataDir, file } = loaded(await loadConfig(EXAMPLE));
  assert.equal(file, EXAMPLE);
  assert.ok(isAbsolute(dataDir) && dataDir.endsWith(join('examples', '.maos')));
  assert.equal(policy.nodeId, 'maos-local');
  assert.equal(policy.profile, 'standard');
  assert.deepEqual([...policy.agents.keys()], ['researcher', 'writer', 'web-scout']);
  const writer = policy.agents.get('writer');
  assert.equal(writer?.ring, 2);
  assert.equal(writer?.trust, 'internal');
  assert.deepEqual(writer?.budget, { tokens: 100000, apiCalls: 500, costMicros: Number.POSITIVE_INFINITY });
  assert.deepEqual(writer?.grants[1]?.constraint, [
    'size(args.content) < 10000',
    "!args.content.contains('BEGIN PRIVATE KEY')",
  ]);
  assert.deepEqual(policy.agents.get('researcher')?.grants[1]?.constraint, ['size(args.content) < 100000']);
  assert.equal('constraint' in (policy.agents.get('researcher')?.grants[0] ?? {}), false);
  assert.equal(policy.agents.get('web-scout')?.trust, 'external');
  assert.deepEqual(policy.actions.get('email.send'), {
    name: 'email.send',
    sideEffect: 'irreversible',
    output: { confidentiality: 'INTERNAL', integrity: 'UNTRUSTED' },
    outputFields: [],
    quarantine: false,
    sink: undefined,
    destination: 'PUBLIC',
    external: true,
    snapshot: false,
    approval: true,
    holdMs: 60 * 60_000,
  });
  assert.equal(policy.actions.get('fs.delete')?.holdMs, 24 * 3_600_000, 'file deletions are held 24 h (§35)');
  assert.equal(policy.actions.get('fs.write')?.holdMs, 24 * 3_600_000);
  assert.equal(policy.approvalTtlMs, 3_600_000);
  assert.deepEqual(
    policy.rateRules.map((rule) => rule.windowMs),
    [3_600_000, 60_000, 86_400_000],
  );
  assert.equal(policy.prefilter.signatures.length, 1);
  assert.equal(policy.hash, hashCanonical(config));
});

test('a minimal config gets every default', () => {
  const { config, policy } = loaded(parse('version: 1\n'));
  assert.deepEqual(config.node, { id: 'maos-local' });
  assert.equal(config.dataDir, '.maos');
  assert.equal(policy.agents.size, 0);
  assert.equal(policy.actions.size, 0);
  assert.deepEqual(policy.rateRules, []);
  assert.deepEqual(policy.prefilter, {
    enabled: true,
    fieldBytesMax: 65536,
    blockScore: 10,
    escalateScore: 5,
    signatures: [],
  });
  const agent = loaded(parse(`${AGENT}    ring: 3\n`)).policy.agents.get('researcher');
  assert.deepEqual(agent, {
    id: 'researcher',
    ring: 3,
    trust: 'internal',
    clearance: 'INTERNAL',
    grants: [],
    budget: undefined,
  });
});

test(`${verifies('DR-C10', 'INV-7')}a missing or \`unknown\` side effect compiles to write`, () => {
  const { policy } = loaded(parse('version: 1\nactions:\n  a.b: {}\n  c.d: { sideEffect: unknown }\n'));
  assert.equal(policy.actions.get('a.b')?.sideEffect, 'write');
  assert.equal(policy.actions.get('c.d')?.sideEffect, 'write');
  assert.deepEqual(policy.actions.get('a.b')?.output, {
    confidentiality: 'INTERNAL',
    integrity: 'UNTRUSTED',
  });
  assert.equal(policy.actions.get('a.b')?.destination, 'INTERNAL');
});

type BadCase = {
  readonly name: string;
  readonly text: string;
  readonly code: ErrorCode;
  readonly line: number;
  readonly column?: number;
  readonly path?: string;
  readonly includes?: string;
};

const BAD: readonly BadCase[] = [
  {
    name: 'ring 0',
    text: `${AGENT}    ring: 0\n`,
    code: 'CONFIG_INVALID',
    line: 4,
    column: 11,
    path: 'agents.researcher.ring',
    includes: 'must be 1, 2 or 3: ring 0 is the kernel',
  },
  {
    name: 'ring 4',
    text: `${AGENT}    ring: 4\n`,
    code: 'CONFIG_INVALID',
    line: 4,
    path: 'agents.researcher.ring',
  },
  {
    name: 'missing ring',
    text: `${AGENT}    trust: internal\n`,
    code: 'CONFIG_INVALID',
    line: 3,
    column: 3,
    path: 'agents.researcher.ring',
    includes: 'is required',
  },
  {
    name: 'misspelt key',
    text: `${AGENT}    ring: 2\n    clearence: PUBLIC\n`,
    code: 'CONFIG_INVALID',
    line: 5,
    column: 5,
    path: 'agents.researcher.clearence',
    includes: 'is not a known field',
  },
  {
    name: 'misspelt key reported before the missing field it explains',
    text: `${AGENT}    rign: 2\n`,
    code: 'CONFIG_INVALID',
    line: 4,
    path: 'agents.researcher.rign',
  },
  {
    name: 'unknown top-level key',
    text: 'version: 1\nprofiles: standard\n',
    code: 'CONFIG_INVALID',
    line: 2,
    column: 1,
    path: 'profiles',
  },
  {
    name: 'bad cel constraint',
    text: `${AGENT}    ring: 2\n    capabilities:\n      - { action: fs.read, resource: /x, constraint: "size(args.content <" }\n`,
    code: 'CONFIG_INVALID',
    line: 6,
    path: 'agents.researcher.capabilities[0].constraint',
    includes: 'is not a valid cel expression',
  },
  {
    name: 'bad cel constraint in a list',
    text: `${AGENT}    ring: 2\n    capabilities:\n      - action: fs.read\n        resource: /x\n        constraint:\n          - "true"\n          - "args.x &&"\n`,
    code: 'CONFIG_INVALID',
    line: 10,
    column: 13,
    path: 'agents.researcher.capabilities[0].constraint[1]',
  },
  {
    name: 'bad action pattern',
    text: `${AGENT}    ring: 2\n    capabilities: [{ action: "fs.*.x", resource: /x }]\n`,
    code: 'CONFIG_INVALID',
    line: 5,
    path: 'agents.researcher.capabilities[0].action',
  },
  {
    name: 'empty resource',
    text: `${AGENT}    ring: 2\n    capabilities: [{ action: fs.read, resource: "" }]\n`,
    code: 'CONFIG_INVALID',
    line: 5,
    path: 'agents.researcher.capabilities[0].resource',
    includes: 'must not be empty',
  },
  {
    name: 'bad agent id',
    text: 'version: 1\nagents:\n  "bad id!":\n    ring: 2\n',
    code: 'CONFIG_INVALID',
    line: 3,
    column: 3,
    path: 'agents["bad id!"]',
    includes: 'is not a valid agent id',
  },
  {
    name: 'negative budget',
    text: `${AGENT}    ring: 2\n    budget: { tokens: -1 }\n`,
    code: 'CONFIG_INVALID',
    line: 5,
    path: 'agents.researcher.budget.tokens',
    includes: 'must be at least 0',
  },
  {
    name: 'fractional budget',
    text: `${AGENT}    ring: 2\n    budget:\n      apiCalls: 1.5\n`,
    code: 'CONFIG_INVALID',
    line: 6,
    path: 'agents.researcher.budget.apiCalls',
    includes: 'whole number',
  },
  {
    name: 'bad side effect',
    text: 'version: 1\nactions:\n  fs.read: { sideEffect: maybe }\n',
    code: 'CONFIG_INVALID',
    line: 3,
    column: 26,
    path: 'actions["fs.read"].sideEffect',
    includes: '`read`, `write`',
  },
  {
    name: 'bad label',
    text: 'version: 1\nactions:\n  fs.read:\n    output: { confidentiality: SECRET }\n',
    code: 'CONFIG_INVALID',
    line: 4,
    path: 'actions["fs.read"].output.confidentiality',
  },
  { name: 'version 2', text: 'version: 2\n', code: 'CONFIG_INVALID', line: 1, column: 10, path: 'version' },
  { name: 'missing version', text: 'profile: standard\n', code: 'CONFIG_INVALID', line: 1, path: 'version' },
  {
    name: 'bad profile',
    text: 'version: 1\nprofile: paranoid\n',
    code: 'CONFIG_INVALID',
    line: 2,
    path: 'profile',
  },
  { name: 'empty file', text: '', code: 'CONFIG_INVALID', line: 1, column: 1, path: '' },
  { name: 'a list, not a mapping', text: '- 1\n', code: 'CONFIG_INVALID', line: 1, path: '' },
  {
    name: 'escalate above block',
    text: 'version: 1\nprefilter:\n  blockScore: 4\n',
    code: 'CONFIG_INVALID',
    line: 2,
    path: 'prefilter.escalateScore',
    includes: 'must not exceed `blockScore`',
  },
  {
    name: 'bad signature',
    text: 'version: 1\nprefilter:\n  signatures: ["(unclosed"]\n',
    code: 'CONFIG_INVALID',
    line: 3,
    path: 'prefilter.signatures[0]',
  },
  {
    name: 'rate limit for an unknown agent',
    text: 'version: 1\nrateLimits:\n  - { agent: nobody, action: x, max: 1, window: 1h }\n',
    code: 'CONFIG_INVALID',
    line: 3,
    path: 'rateLimits[0].agent',
  },
  {
    name: 'bad window',
    text: 'version: 1\nrateLimits:\n  - { agent: "*", action: x, max: 1, window: 1w }\n',
    code: 'CONFIG_INVALID',
    line: 3,
    path: 'rateLimits[0].window',
  },
  {
    name: 'window and windowMs both given',
    text: 'version: 1\nrateLimits:\n  - { agent: "*", action: x, max: 1, window: 1h, windowMs: 5 }\n',
    code: 'CONFIG_INVALID',
    line: 3,
    path: 'rateLimits[0].windowMs',
    includes: 'must not be given together with `window`',
  },
  {
    name: 'no window',
    text: 'version: 1\nrateLimits:\n  -\n    agent: "*"\n    action: x\n    max: 1\n',
    code: 'CONFIG_INVALID',
    line: 4,
    path: 'rateLimits[0].window',
  },
  { name: 'duplicate key', text: 'version: 1\nversion: 1\n', code: 'CONFIG_YAML', line: 2, column: 1 },
  { name: 'unclosed quote', text: 'version: 1\nnode: { id: "x }\n', code: 'CONFIG_YAML', line: 3 },
  {
    name: 'bad indentation',
    text: 'version: 1\nagents:\n  a:\n    ring: 2\n   trust: x\n',
    code: 'CONFIG_YAML',
    line: 5,
  },
  { name: 'custom tag', text: 'version: 1\ndataDir: !env HOME\n', code: 'CONFIG_YAML', line: 2, column: 10 },
  {
    name: 'two documents',
    text: 'version: 1\n---\nversion: 1\n',
    code: 'CONFIG_YAML',
    line: 2,
    includes: 'exactly one yaml document',
  },
  {
    name: 'alias bomb',
    text: [
      'a: &a [x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
    ].join('\n'),
    code: 'CONFIG_YAML',
    line: 1,
    includes: 'alias',
  },
  {
    name: 'self-containing alias',
    text: 'version: 1\nx: &x\n  y: *x\n',
    code: 'CONFIG_YAML',
    line: 3,
    column: 6,
  },
  {
    name: 'alias without anchor',
    text: 'version: 1\nx: *nowhere\n',
    code: 'CONFIG_YAML',
    line: 2,
    column: 4,
  },
  { name: 'collection as key', text: 'version: 1\n? [a]\n: 1\n', code: 'CONFIG_YAML', line: 2, column: 3 },
  {
    name: '__proto__ key',
    text: `${AGENT}    ring: 2\n    __proto__: { ring: 1 }\n`,
    code: 'FORBIDDEN_KEY',
    line: 5,
    column: 5,
    includes: 'key `__proto__` is not allowed',
  },
  {
    name: 'constructor key deep inside',
    text: 'version: 1\nactions:\n  a.b:\n    output:\n      constructor: x\n',
    code: 'FORBIDDEN_KEY',
    line: 5,
    column: 7,
  },
  { name: 'prototype key', text: 'prototype: 1\n', code: 'FORBIDDEN_KEY', line: 1, column: 1 },
];

for (const bad of BAD) {
  test(`bad config: ${bad.name} is ${bad.code} at line ${bad.line}`, () => {
    const error = failure(parse(bad.text));
    assert.equal(error.code, bad.code, error.message);
    assert.equal(error.details?.line, bad.line, error.message);
    if (bad.column !== undefined) assert.equal(error.details?.column, bad.column, error.message);
    if (bad.path !== undefined) assert.equal(error.details?.path, bad.path, error.message);
    if (bad.includes !== undefined) assert.ok(error.message.includes(bad.includes), error.message);
    // Cedar style: file:line:column prefix, one line, no final period.
    assert.match(error.message, new RegExp(`^maos\\.yaml:${bad.line}:\\d+: [^\\n]*[^.]$`));
    assert.equal(error.details?.file, 'maos.yaml');
  });
}

test('every issue is listed in the details, in file order', () => {
  const error = failure(parse(`${AGENT}    ring: 0\n    trust: alien\nprofile: x\n`));
  const issues = error.details?.issues as readonly { line: number; path: string }[];
  assert.deepEqual(
    issues.map((issue) => [issue.line, issue.path]),
    [
      [4, 'agents.researcher.ring'],
      [5, 'agents.researcher.trust'],
      [6, 'profile'],
    ],
  );
});

test('a file over 1 MiB is refused before parsing', () => {
  const error = failure(parse(`version: 1\n#${'x'.repeat(1024 * 1024)}\n`));
  assert.equal(error.code, 'OVERSIZED_INPUT');
});

test('loadConfig reports a missing file, a directory and invalid utf-8 with stable codes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'maos-config-'));
  const missing = await loadConfig(join(dir, 'absent.yaml'));
  assert.equal(missing.ok ? '' : missing.error.code, 'CONFIG_NOT_FOUND');
  const directory = await loadConfig(dir);
  assert.equal(directory.ok ? '' : directory.error.code, 'CONFIG_NOT_FOUND');
  const binary = join(dir, 'binary.yaml');
  writeFileSync(binary, Uint8Array.from([0x76, 0x3a, 0x20, 0xff, 0xfe, 0x0a]));
  const invalid = await loadConfig(binary);
  assert.equal(invalid.ok ? '' : invalid.error.code, 'INVALID_UTF8');
  const bom = join(dir, 'bom.yaml');
  writeFileSync(bom, '\uFEFFversion: 1\ndataDir: /var/lib/maos\n');
  const withBom = loaded(await loadConfig(bom));
  assert.equal(withBom.dataDir, '/var/lib/maos');
});

test('the JSON Schema is plain JSON describing agents and actions', () => {
  const schema = JSON.parse(JSON.stringify(configJsonSchema())) as {
    type: string;
    required: string[];
    additionalProperties: boolean;
    properties: Record<
      string,
      { additionalProperties?: { properties?: Record<string, { enum?: unknown[] }> } }
    >;
  };
  assert.equal(schema.type, 'object');
  assert.equal(schema.additionalProperties, false);
  assert.deepEqual(schema.required, ['version']);
  for (const key of [
    'version',
    'node',
    'profile',
    'dataDir',
    'agents',
    'actions',
    'rateLimits',
    'prefilter',
  ]) {
    assert.ok(key in schema.properties, key);
  }
  assert.deepEqual(schema.properties.agents?.additionalProperties?.properties?.ring?.enum, [1, 2, 3]);
  assert.ok(schema.properties.actions?.additionalProperties?.properties?.sideEffect);
});

test(`${verifies('MR-1')}the compiled policy and the config are deep-frozen`, () => {
  const { config, policy } = loaded(parse(readFileSync(EXAMPLE, 'utf8')));
  const agent = policy.agents.get('writer');
  const constraint = agent?.grants[1]?.constraint;
  assert.ok(agent !== undefined && constraint !== undefined);
  const attempts: Array<() => unknown> = [
    () => Object.assign(policy, { hash: 'x' }),
    () => Object.assign(agent, { ring: 1 }),
    () => (agent.grants as unknown as unknown[]).push({ action: '*', resource: '**' }),
    () => (constraint as string[]).pop(),
    () => Object.assign(policy.prefilter, { enabled: false }),
    () => (policy.rateRules as unknown as unknown[]).splice(0),
    () => (policy.agents as unknown as Map<string, unknown>).set('evil', agent),
    () => (policy.actions as unknown as Map<string, unknown>).delete('fs.write'),
    () => Map.prototype.set.call(policy.agents, 'evil', agent),
    () => Object.assign(config.agents, { evil: { ring: 1 } }),
    () => Object.assign(config.node, { id: 'other' }),
  ];
  for (const attempt of attempts) assert.throws(attempt, TypeError);
  assert.equal(policy.agents.get('writer')?.ring, 2);
  assert.equal(policy.agents.has('evil'), false);
  assert.equal(policy.actions.has('fs.write'), true);
});

test(`${verifies('MR-1')}the policy hash is stable across key order and changes with content`, () => {
  const a = loaded(
    parse('version: 1\nprofile: hardened\nagents:\n  x: { ring: 2, trust: internal }\n  y: { ring: 3 }\n'),
  );
  const b = loaded(
    parse('agents:\n  y:\n    ring: 3\n  x: { trust: internal, ring: 2 }\nprofile: hardened\nversion: 1\n'),
  );
  const c = loaded(parse('version: 1\nprofile: hardened\nagents:\n  x: { ring: 3 }\n  y: { ring: 3 }\n'));
  assert.match(a.policy.hash, /^[0-9a-f]{64}$/);
  assert.equal(a.policy.hash, b.policy.hash);
  assert.notEqual(a.policy.hash, c.policy.hash);
  assert.equal(compilePolicy(a.config).hash, a.policy.hash);
});

test('capability patterns are accepted exactly when the token layer accepts them', () => {
  const actions = [
    'fs.read',
    'fs.*',
    '*',
    'a.b.c',
    'a:b-c_d.*',
    'fs.',
    '.fs',
    'fs.*.x',
    'fs..read',
    '**',
    'f s',
    '',
  ];
  const resources = ['/workspace/**', 'mailto:a@b', '*', '', '/a'.repeat(63), '/a'.repeat(64)];
  const accepts = (action: string, resource: string) =>
    parse(`${AGENT}    ring: 2\n    capabilities:\n      - ${JSON.stringify({ action, resource })}\n`).ok;
  for (const action of actions) {
    assert.equal(accepts(action, '/x'), actionPatternProblem(action) === undefined, `action \`${action}\``);
  }
  for (const resource of resources) {
    assert.equal(
      accepts('fs.read', resource),
      resourcePatternProblem(resource) === undefined,
      `resource ${resource}`,
    );
  }
});
