import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonValue } from '../../shared/index.ts';
import type { Label } from '../label.ts';
import {
  type FieldLabelRule,
  indexOutput,
  OUTPUT_LEAVES_LIMITS,
  outputLeaves,
  stringifyBounded,
} from './output-leaves.ts';
import { ProvenanceIndex } from './provenance-index.ts';

const BASE: Label = { confidentiality: 'CONFIDENTIAL', integrity: 'EXTERNAL_UNTRUSTED' };
const TRUSTED_BASE: Label = { confidentiality: 'CONFIDENTIAL', integrity: 'TRUSTED' };

function labelsByPath(output: JsonValue, rules: readonly FieldLabelRule[], base: Label = BASE) {
  return outputLeaves(output, base, rules).map((leaf) => [leaf.path, leaf.text, leaf.label.integrity]);
}

describe('outputLeaves', () => {
  it('yields every string and finite number, keys too at the parent path', () => {
    const output: JsonValue = { id: 'm1', n: 3, ok: true, none: null, tags: ['a', 2.5] };
    assert.deepEqual(labelsByPath(output, []), [
      ['', 'id', 'EXTERNAL_UNTRUSTED'],
      ['id', 'm1', 'EXTERNAL_UNTRUSTED'],
      ['', 'n', 'EXTERNAL_UNTRUSTED'],
      ['n', 3, 'EXTERNAL_UNTRUSTED'],
      ['', 'ok', 'EXTERNAL_UNTRUSTED'],
      ['', 'none', 'EXTERNAL_UNTRUSTED'],
      ['', 'tags', 'EXTERNAL_UNTRUSTED'],
      ['tags.0', 'a', 'EXTERNAL_UNTRUSTED'],
      ['tags.1', 2.5, 'EXTERNAL_UNTRUSTED'],
    ]);
  });

  it('a string or number output is one leaf at the empty path; other roots give none', () => {
    assert.deepEqual(labelsByPath('hello', []), [['', 'hello', 'EXTERNAL_UNTRUSTED']]);
    assert.deepEqual(labelsByPath(42, []), [['', 42, 'EXTERNAL_UNTRUSTED']]);
    assert.deepEqual(labelsByPath(null, []), []);
    assert.deepEqual(labelsByPath(true, []), []);
  });

  it('a rule overrides only the parts of the label it gives', () => {
    const [leaf] = outputLeaves([{ from: 'a@b.example' }], BASE, [
      { path: '*.from', label: { integrity: 'TRUSTED' } },
    ]).filter((l) => l.path === '0.from');
    assert.deepEqual(leaf?.label, { confidentiality: 'CONFIDENTIAL', integrity: 'TRUSTED' });
  });

  it('the rule with most non-wildcard segments wins', () => {
    const rules: FieldLabelRule[] = [
      { path: '*.*.*', label: { confidentiality: 'PUBLIC' } },
      { path: 'messages.*.id', label: { confidentiality: 'INTERNAL', integrity: 'TRUSTED' } },
      { path: '*.*.id', label: { confidentiality: 'RESTRICTED' } },
    ];
    const leaves = outputLeaves({ messages: [{ id: 'm1', body: 'hi' }] }, BASE, rules);
    const byPath = new Map(
      leaves.filter((l) => typeof l.text === 'string' && l.text !== 'id').map((l) => [l.path, l.label]),
    );
    assert.deepEqual(byPath.get('messages.0.id'), { confidentiality: 'INTERNAL', integrity: 'TRUSTED' });
    assert.deepEqual(byPath.get('messages.0.body'), {
      confidentiality: 'PUBLIC',
      integrity: 'EXTERNAL_UNTRUSTED',
    });
  });

  it('a rule matching a prefix labels everything inside, keys of the labelled object too', () => {
    const output: JsonValue = [{ body: { text: 'x', parts: ['y'] }, from: 'f' }];
    const leaves = labelsByPath(output, [{ path: '*.body', label: { integrity: 'TRUSTED' } }], BASE);
    assert.deepEqual(leaves, [
      ['0', 'body', 'EXTERNAL_UNTRUSTED'],
      ['0.body', 'text', 'TRUSTED'],
      ['0.body.text', 'x', 'TRUSTED'],
      ['0.body', 'parts', 'TRUSTED'],
      ['0.body.parts.0', 'y', 'TRUSTED'],
      ['0', 'from', 'EXTERNAL_UNTRUSTED'],
      ['0.from', 'f', 'EXTERNAL_UNTRUSTED'],
    ]);
  });

  it('a rule longer than the path does not match it', () => {
    assert.deepEqual(labelsByPath({ from: 'f' }, [{ path: '*.from', label: { integrity: 'TRUSTED' } }]), [
      ['', 'from', 'EXTERNAL_UNTRUSTED'],
      ['from', 'f', 'EXTERNAL_UNTRUSTED'],
    ]);
    assert.deepEqual(labelsByPath({ from: 'f' }, [{ path: 'from', label: { integrity: 'TRUSTED' } }]), [
      ['', 'from', 'EXTERNAL_UNTRUSTED'],
      ['from', 'f', 'TRUSTED'],
    ]);
  });

  it('a rule can lower trust of a trusted tool field by field; bad rule labels are ignored', () => {
    const rules = [
      { path: 'note', label: { integrity: 'UNTRUSTED' } },
      { path: 'x', label: { integrity: 'NOPE' } },
    ] as unknown as FieldLabelRule[];
    assert.deepEqual(labelsByPath({ note: 'n', x: 'y' }, rules, TRUSTED_BASE), [
      ['', 'note', 'TRUSTED'],
      ['note', 'n', 'UNTRUSTED'],
      ['', 'x', 'TRUSTED'],
      ['x', 'y', 'TRUSTED'],
    ]);
  });

  it('strings that look like json are not parsed', () => {
    assert.deepEqual(
      labelsByPath({ raw: '{"from":"x"}' }, [{ path: 'raw.from', label: { integrity: 'TRUSTED' } }]),
      [
        ['', 'raw', 'EXTERNAL_UNTRUSTED'],
        ['raw', '{"from":"x"}', 'EXTERNAL_UNTRUSTED'],
      ],
    );
  });

  it('prototype-looking keys are ordinary leaves', () => {
    const output = JSON.parse('{"__proto__":{"polluted":"yes"},"constructor":"c"}') as JsonValue;
    const leaves = labelsByPath(output, []);
    assert.deepEqual(
      leaves.map(([path, text]) => `${path}=${text}`),
      ['=__proto__', '__proto__=polluted', '__proto__.polluted=yes', '=constructor', 'constructor=c'],
    );
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('a subtree deeper than the depth limit becomes one untrusted leaf of its json', () => {
    let deep: JsonValue = { secret: 'deep value' };
    for (let i = 0; i < OUTPUT_LEAVES_LIMITS.depthMax + 5; i++) deep = { d: deep };
    const rules: FieldLabelRule[] = [{ path: 'audit', label: { confidentiality: 'RESTRICTED' } }];
    const leaves = outputLeaves(deep, TRUSTED_BASE, rules);
    const cut = leaves.at(-1);
    assert.equal(leaves.length, OUTPUT_LEAVES_LIMITS.depthMax + 1);
    assert.equal(cut?.path.split('.').length, OUTPUT_LEAVES_LIMITS.depthMax);
    assert.ok(typeof cut?.text === 'string' && cut.text.includes('"secret":"deep value"'));
    assert.deepEqual(cut?.label, { confidentiality: 'RESTRICTED', integrity: 'UNTRUSTED' });
  });

  it('a pathologically deep output does not overflow the stack', () => {
    let deep: JsonValue = 'bottom';
    for (let i = 0; i < 200_000; i++) deep = [deep];
    const leaves = outputLeaves(deep, BASE, []);
    assert.equal(leaves.length, 1);
    const text = String(leaves[0]?.text);
    assert.ok(text.startsWith('[[[') && text.includes('["bottom"]') && text.endsWith(']]]'));
    assert.equal(leaves[0]?.label.integrity, 'EXTERNAL_UNTRUSTED');
  });

  it('past the leaf limit each open container yields one untrusted leaf of its remaining entries', () => {
    const items = Array.from({ length: OUTPUT_LEAVES_LIMITS.leavesMax + 10 }, (_, i) => `v${i}`);
    const leaves = outputLeaves({ first: items, second: 'later' }, TRUSTED_BASE, []);
    assert.ok(leaves.length <= OUTPUT_LEAVES_LIMITS.leavesMax + 3);
    const cuts = leaves.slice(OUTPUT_LEAVES_LIMITS.leavesMax);
    assert.deepEqual(
      cuts.map((leaf) => [leaf.path, leaf.label.integrity]),
      [
        ['first', 'UNTRUSTED'],
        ['', 'UNTRUSTED'],
      ],
    );
    assert.ok(String(cuts[0]?.text).includes(`"v${OUTPUT_LEAVES_LIMITS.leavesMax + 9}"`));
    assert.equal(cuts[1]?.text, '{"second":"later"}');
  });
});

describe('stringifyBounded', () => {
  it('equals JSON.stringify on ordinary values', () => {
    for (const value of [null, 1, 'a"b', [1, [2, { x: 'y' }]], { a: [], b: {}, c: true }]) {
      assert.equal(stringifyBounded(value, 1000), JSON.stringify(value));
    }
  });

  it('stops at the budget, on long strings too', () => {
    assert.equal(
      stringifyBounded(
        Array.from({ length: 10_000 }, () => 'abc'),
        50,
      ).length,
      50,
    );
    assert.equal(stringifyBounded('x'.repeat(10_000), 20), `"${'x'.repeat(19)}`);
    assert.equal(stringifyBounded([Number.NaN, undefined], 100), '[null,null]');
  });
});

describe('indexOutput', () => {
  it('indexes every leaf under its field label', () => {
    const index = new ProvenanceIndex();
    indexOutput(
      index,
      { id: 'c1', kind: 'output', tool: 'read_inbox' },
      [{ from: 'billing@power.example', body: 'Pay 120 to DE89 3704 0044 0532 0130 00', amount: 120 }],
      BASE,
      [{ path: '*.from', label: { integrity: 'TRUSTED' } }],
    );
    assert.equal(index.classify('billing@power.example').class, 'trusted');
    assert.equal(index.classify('DE89 3704 0044 0532 0130 00').class, 'untrusted');
    const amount = index.classify(120);
    assert.equal(amount.why, 'exact');
    assert.equal(amount.untrusted.find((hit) => hit.path === '0.amount')?.tool, 'read_inbox');
  });
});
