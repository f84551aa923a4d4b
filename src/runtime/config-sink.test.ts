// The sink-policy parts of maos.yaml added for issue 7's policy exemptions: `allow`, `unless` with
// number ranges, `cleared` destinations and `classifiedBy` records. Broken ones are refused with
// INVALID_CONFIG and a message that names the field.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KernelError, Result } from '../shared/index.ts';
import { type LoadedConfig, parseConfig } from './config.ts';

const HEAD = 'version: 1\nagents:\n  a: { ring: 3 }\nactions:\n';

function parse(actions: string): Result<LoadedConfig, KernelError> {
  return parseConfig(`${HEAD}${actions}`, 'maos.yaml');
}

const PAY = `  pay:
    sink:
      arguments:
        iban: { requires: trusted, allow: ['DE89*'] }
        amount: { requires: untainted, unless: { iban: ['DE89*'], amount: { max: 500 } } }
      cleared:
        - level: CONFIDENTIAL
          when: { to: ['*@acme.example'] }
      rules:
        - when: { read: EXTERNAL_UNTRUSTED }
          unless: { amount: { min: 0, max: 10 } }
  read_file:
    sideEffect: read
    output:
      confidentiality: CONFIDENTIAL
      fields: { channel: { integrity: TRUSTED } }
      classifiedBy: { field: channel, levels: { design: INTERNAL }, otherwise: CONFIDENTIAL }
`;

test('allow, unless ranges, cleared and classifiedBy compile into the policy', () => {
  const result = parse(PAY);
  if (!result.ok) assert.fail(result.error.message);
  const pay = result.value.policy.actions.get('pay');
  assert.deepEqual(pay?.sink?.arguments[0]?.allow, ['DE89*']);
  assert.deepEqual(pay?.sink?.arguments[1]?.unless, [
    ['iban', { patterns: ['DE89*'] }],
    ['amount', { min: undefined, max: 500 }],
  ]);
  assert.deepEqual(pay?.sink?.rules[0]?.unless, [['amount', { min: 0, max: 10 }]]);
  assert.deepEqual(pay?.sink?.cleared, [
    { level: 'CONFIDENTIAL', when: [['to', { patterns: ['*@acme.example'] }]] },
  ]);
  const file = result.value.policy.actions.get('read_file');
  assert.deepEqual(file?.outputFields.at(-1)?.classifiedBy, {
    field: 'channel',
    levels: { design: 'INTERNAL' },
    otherwise: 'CONFIDENTIAL',
  });
});

test('broken exemptions are refused with CONFIG_INVALID naming the problem', () => {
  const cases: Array<[string, RegExp]> = [
    [
      '  pay:\n    sink:\n      arguments:\n        amount: { requires: untainted, unless: { amount: {} } }\n',
      /min|max|range/,
    ],
    [
      '  pay:\n    sink:\n      arguments:\n        amount: { requires: untainted, unless: { amount: { min: 9, max: 1 } } }\n',
      /exceed|range/,
    ],
    ['  pay:\n    sink:\n      arguments:\n        iban: { requires: trusted, allow: [] }\n', /allow/],
    ['  pay:\n    sink:\n      cleared:\n        - { level: CONFIDENTIAL, when: {} }\n', /argument/],
    ['  pay:\n    sink:\n      cleared:\n        - { level: SECRET, when: { to: ["*"] } }\n', /level/],
    [
      '  f:\n    output:\n      classifiedBy: { field: channel, levels: { a: TOP } , otherwise: INTERNAL }\n',
      /classifiedBy/,
    ],
    ['  f:\n    output:\n      classifiedBy: { field: channel, levels: {} }\n', /otherwise/],
  ];
  for (const [actions, message] of cases) {
    const result = parse(actions);
    assert.equal(result.ok, false, actions);
    if (result.ok) continue;
    assert.equal(result.error.code, 'CONFIG_INVALID', actions);
    assert.match(result.error.message, message, actions);
  }
});
