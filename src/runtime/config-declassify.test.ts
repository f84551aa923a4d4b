// The `declassification:` section of maos.yaml (§11.3): defaults, templates, keywords, the
// aggregate window; broken sections are refused with CONFIG_INVALID naming the field.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_CLASSIFICATION_DICTIONARY } from '../ifc/declassify/index.ts';
import type { KernelError, Result } from '../shared/index.ts';
import { type LoadedConfig, parseConfig } from './config.ts';

const HEAD = 'version: 1\nagents:\n  a: { ring: 3 }\n';

function parse(section: string): Result<LoadedConfig, KernelError> {
  return parseConfig(`${HEAD}${section}`, 'maos.yaml');
}

test('without the section the policy carries the protocol defaults (10 in 24 h, similarity 0.7)', () => {
  const result = parse('');
  if (!result.ok) assert.fail(result.error.message);
  assert.deepEqual(result.value.policy.declassification, {
    templates: [],
    dictionary: [...DEFAULT_CLASSIFICATION_DICTIONARY],
    similarityMax: 0.7,
    perAgentMax: 10,
    windowMs: 24 * 60 * 60 * 1000,
  });
});

test('templates, extra keywords, similarity, threshold and window compile into the policy', () => {
  const result = parse(`declassification:
  templates:
    - { id: weekly, from: CONFIDENTIAL, to: INTERNAL, pattern: 'weekly status: .{1,200}' }
  dictionary: [PROJECT FALCON]
  similarityMax: 0.5
  perAgentMax: 3
  window: 1h
`);
  if (!result.ok) assert.fail(result.error.message);
  const declassification = result.value.policy.declassification;
  assert.deepEqual(declassification?.templates, [
    { id: 'weekly', from: 'CONFIDENTIAL', to: 'INTERNAL', pattern: 'weekly status: .{1,200}' },
  ]);
  // Configured keywords join the built-in markings; they never replace them.
  assert.ok(declassification?.dictionary.includes('PROJECT FALCON'));
  assert.ok(declassification?.dictionary.includes('CONFIDENTIAL'));
  assert.equal(declassification?.similarityMax, 0.5);
  assert.equal(declassification?.perAgentMax, 3);
  assert.equal(declassification?.windowMs, 3_600_000);
  assert.ok(Object.isFrozen(declassification?.templates));
});

test('broken declassification sections are refused with CONFIG_INVALID naming the field', () => {
  const cases: Array<[string, RegExp]> = [
    ['declassification: { similarityMax: 1.5 }\n', /declassification\.similarityMax/],
    ['declassification: { perAgentMax: -1 }\n', /declassification\.perAgentMax/],
    ['declassification: { perAgentMax: 2.5 }\n', /declassification\.perAgentMax/],
    ['declassification: { perAgentMax: 100000 }\n', /declassification\.perAgentMax/],
    ['declassification: { window: soon }\n', /declassification\.window.*duration/],
    ['declassification: { window: 0s }\n', /declassification\.window/],
    ['declassification: { dictionary: ["  "] }\n', /declassification\.dictionary\[0\].*empty/],
    ['declassification: { surprise: 1 }\n', /surprise/],
    [
      'declassification:\n  templates: [{ id: t, from: INTERNAL, to: CONFIDENTIAL, pattern: x }]\n',
      /templates\[0\]\.to.*below/,
    ],
    [
      'declassification:\n  templates: [{ id: t, from: INTERNAL, to: INTERNAL, pattern: x }]\n',
      /templates\[0\]\.to.*below/,
    ],
    [
      'declassification:\n  templates: [{ id: t, from: SECRET, to: PUBLIC, pattern: x }]\n',
      /templates\[0\]\.from/,
    ],
    [
      'declassification:\n  templates: [{ id: t, from: CONFIDENTIAL, to: PUBLIC, pattern: "(" }]\n',
      /templates\[0\]\.pattern.*regular expression/,
    ],
    [
      // WHY: a pattern that closes the template's own group would change what the anchors mean.
      'declassification:\n  templates: [{ id: t, from: CONFIDENTIAL, to: PUBLIC, pattern: "a)(b" }]\n',
      /templates\[0\]\.pattern.*regular expression/,
    ],
    [
      'declassification:\n  templates: [{ id: t, from: CONFIDENTIAL, to: PUBLIC, pattern: "a)|(?:b" }]\n',
      /templates\[0\]\.pattern.*regular expression/,
    ],
    [
      'declassification:\n  templates:\n    - { id: t, from: CONFIDENTIAL, to: PUBLIC, pattern: a }\n    - { id: t, from: RESTRICTED, to: PUBLIC, pattern: b }\n',
      /templates\[1\]\.id.*repeats/,
    ],
    [
      'declassification:\n  templates: [{ id: "bad id", from: CONFIDENTIAL, to: PUBLIC, pattern: a }]\n',
      /templates\[0\]\.id/,
    ],
  ];
  for (const [section, message] of cases) {
    const result = parse(section);
    assert.equal(result.ok, false, section);
    if (result.ok) continue;
    assert.equal(result.error.code, 'CONFIG_INVALID', section);
    assert.match(result.error.message, message, section);
  }
});

test('the JSON Schema of maos.yaml describes the section', async () => {
  const { configJsonSchema } = await import('./config.ts');
  const schema = configJsonSchema() as { properties: Record<string, { description?: string }> };
  assert.match(schema.properties.declassification?.description ?? '', /three-gate/);
});
