import assert from 'node:assert/strict';
import { test } from 'node:test';
import { actionPolicy, agentPolicy, testContext, testIntent, testPolicy } from '../../testing/fixtures.ts';
import { decide } from '../decide.ts';
import type { ActionPolicy } from '../policy.ts';

function ifcCode(
  action: ActionPolicy,
  labels: Parameters<typeof testIntent>[0] = {},
  clearance = 'INTERNAL' as const,
) {
  const policy = testPolicy({
    agents: new Map([['alice', agentPolicy('alice', { clearance })]]),
    actions: new Map([[action.name, action]]),
  });
  const decision = decide(
    testIntent({ action: action.name, sideEffect: action.sideEffect, ...labels }),
    testContext({ policy, bootPolicyHash: policy.hash }),
  );
  return decision.checks.find((c) => c.check === 'ifc')?.code;
}

test('DR-I1: reading above clearance is denied (no read-up)', () => {
  const read = actionPolicy('hr.read', {
    sideEffect: 'read',
    output: { confidentiality: 'CONFIDENTIAL', integrity: 'TRUSTED' },
  });
  assert.equal(ifcCode(read), 'IFC_READ_UP');
  assert.equal(ifcCode(read, {}, 'CONFIDENTIAL' as 'INTERNAL'), undefined);
});

test('DR-I1: writing CONFIDENTIAL data to an INTERNAL destination is denied (no write-down)', () => {
  const write = actionPolicy('wiki.write', { destination: 'INTERNAL' });
  const labels = { labels: { confidentiality: 'CONFIDENTIAL', integrity: 'TRUSTED' } } as const;
  assert.equal(ifcCode(write, labels, 'CONFIDENTIAL' as 'INTERNAL'), 'IFC_WRITE_DOWN');
  assert.equal(ifcCode(write, { labels: { confidentiality: 'INTERNAL', integrity: 'TRUSTED' } }), undefined);
});

test('a payload labelled above the agent clearance is refused', () => {
  const write = actionPolicy('wiki.write', { destination: 'RESTRICTED' });
  assert.equal(
    ifcCode(write, { labels: { confidentiality: 'RESTRICTED', integrity: 'TRUSTED' } }),
    'IFC_ABOVE_CLEARANCE',
  );
});

test('DR-I4: CONFIDENTIAL data mixed with EXTERNAL_UNTRUSTED input may not leave the system', () => {
  const send = actionPolicy('email.send', { destination: 'RESTRICTED', external: true });
  const tainted = { labels: { confidentiality: 'CONFIDENTIAL', integrity: 'EXTERNAL_UNTRUSTED' } } as const;
  assert.equal(ifcCode(send, tainted, 'CONFIDENTIAL' as 'INTERNAL'), 'IFC_UNTRUSTED_EXFILTRATION');
  const trusted = { labels: { confidentiality: 'CONFIDENTIAL', integrity: 'TRUSTED' } } as const;
  assert.equal(ifcCode(send, trusted, 'CONFIDENTIAL' as 'INTERNAL'), undefined);
  const internal = { labels: { confidentiality: 'INTERNAL', integrity: 'EXTERNAL_UNTRUSTED' } } as const;
  assert.equal(ifcCode(send, internal), undefined);
});

test('an unlabelled payload is assumed to carry up to the agent clearance', () => {
  const publish = actionPolicy('blog.post', { destination: 'PUBLIC', external: true });
  assert.equal(ifcCode(publish), 'IFC_WRITE_DOWN');
});
