// Records labelled by one of their fields (issue 7): a file inherits its channel's level. Only a
// field the policy trusts may lower a record below the output's label; anything odd keeps the
// output's (worst-case) label.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Label } from '../label.ts';
import { type FieldLabelRule, indexOutput, outputLeaves } from './output-leaves.ts';
import { ProvenanceIndex } from './provenance-index.ts';

const WORST: Label = { confidentiality: 'CONFIDENTIAL', integrity: 'EXTERNAL_UNTRUSTED' };
const byChannel: FieldLabelRule = {
  path: '',
  label: {},
  classifiedBy: {
    field: 'channel',
    levels: { leadership: 'CONFIDENTIAL', 'project-atlas': 'CONFIDENTIAL' },
    otherwise: 'INTERNAL',
  },
};
const trustedChannel: FieldLabelRule[] = [
  { path: 'channel', label: { integrity: 'TRUSTED' } },
  { path: '*.channel', label: { integrity: 'TRUSTED' } },
  byChannel,
];

function contextLabel(output: Parameters<typeof outputLeaves>[0], rules: readonly FieldLabelRule[]): Label {
  return indexOutput(
    new ProvenanceIndex(),
    { id: 'c1', kind: 'output', tool: 'read_file' },
    output,
    WORST,
    rules,
  );
}

describe('record classifier', () => {
  test('a file from #design is INTERNAL, one from #leadership CONFIDENTIAL', () => {
    assert.equal(
      contextLabel({ channel: 'design', content: 'notes' }, trustedChannel).confidentiality,
      'INTERNAL',
    );
    assert.equal(
      contextLabel({ channel: 'leadership', content: 'q3' }, trustedChannel).confidentiality,
      'CONFIDENTIAL',
    );
  });

  test('each item of a list gets its own level; the context joins them', () => {
    const files = [
      { channel: 'design', content: 'a' },
      { channel: 'project-atlas', content: 'b' },
    ];
    const leaves = outputLeaves(files, WORST, trustedChannel);
    const levelOf = (path: string) => leaves.find((leaf) => leaf.path === path)?.label.confidentiality;
    assert.equal(levelOf('0.content'), 'INTERNAL');
    assert.equal(levelOf('1.content'), 'CONFIDENTIAL');
    assert.equal(contextLabel(files, trustedChannel).confidentiality, 'CONFIDENTIAL');
  });

  test('INV-7: an untrusted field can raise a record but never lower it', () => {
    const untrusted = [byChannel];
    assert.equal(
      contextLabel({ channel: 'design', content: 'x' }, untrusted).confidentiality,
      'CONFIDENTIAL',
    );
    const raising: FieldLabelRule = {
      path: '',
      label: {},
      classifiedBy: { field: 'classification', levels: { restricted: 'RESTRICTED' }, otherwise: 'PUBLIC' },
    };
    assert.equal(contextLabel({ classification: 'restricted' }, [raising]).confidentiality, 'RESTRICTED');
    assert.equal(contextLabel({ classification: 'public' }, [raising]).confidentiality, 'CONFIDENTIAL');
  });

  test('INV-7: a missing, non-text or odd field keeps the worst case', () => {
    assert.equal(contextLabel({ content: 'no channel' }, trustedChannel).confidentiality, 'CONFIDENTIAL');
    assert.equal(
      contextLabel({ channel: { name: 'design' } }, trustedChannel).confidentiality,
      'CONFIDENTIAL',
    );
    assert.equal(contextLabel(['design'], trustedChannel).confidentiality, 'CONFIDENTIAL');
    assert.equal(
      contextLabel({}, trustedChannel).confidentiality,
      'CONFIDENTIAL',
      'an empty record joins the output label',
    );
  });

  test('field rules still apply inside a classified record', () => {
    const rules: FieldLabelRule[] = [
      ...trustedChannel,
      { path: 'salary', label: { confidentiality: 'RESTRICTED' } },
    ];
    const leaves = outputLeaves({ channel: 'design', salary: '90k', content: 'x' }, WORST, rules);
    assert.equal(leaves.find((leaf) => leaf.path === 'salary')?.label.confidentiality, 'RESTRICTED');
    assert.equal(leaves.find((leaf) => leaf.path === 'content')?.label.confidentiality, 'INTERNAL');
  });
});
