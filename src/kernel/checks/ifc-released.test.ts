// Check 4's declassification waiver (§11.3, issue 7): a session that read CONFIDENTIAL data may send
// a text a declassification released to INTERNAL to an INTERNAL destination, and nothing else.
// Real FlowStore, provenance index and decide; no mocks.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { verifies } from '../../../test/invariants.ts';
import { FlowStore } from '../../ifc/index.ts';
import { actionPolicy, agentPolicy, testContext, testIntent, testPolicy } from '../../testing/fixtures.ts';
import { decide } from '../decide.ts';
import type { Intent } from '../intent.ts';

const REPORT =
  'Project Falcon board minutes. Revenue for the third quarter reached 4.2 million euros, up 18 percent. ' +
  'The board approved hiring twelve engineers and postponed the Lisbon office. Contact cfo@falcon.example.';
const SUMMARY = 'Sales grew strongly last quarter; the team will grow.';
const TEAM = 'team@corp.example';

function setup() {
  const send = actionPolicy('mail.send', { destination: 'INTERNAL' });
  const publish = actionPolicy('web.publish', { destination: 'PUBLIC', external: true });
  const read = actionPolicy('doc.read', {
    sideEffect: 'read',
    output: { confidentiality: 'CONFIDENTIAL', integrity: 'UNTRUSTED' },
    outputFields: [{ path: 'owner', label: { integrity: 'TRUSTED' } }],
  });
  const policy = testPolicy({
    agents: new Map([['alice', agentPolicy('alice', { clearance: 'CONFIDENTIAL' })]]),
    actions: new Map([send, publish, read].map((action) => [action.name, action])),
  });
  const flows = new FlowStore();
  const opened = flows.open('s1', 'alice');
  assert.ok(opened.ok);
  const session = opened.value;
  session.task(`Summarize the board minutes for ${TEAM}.`);
  session.observe(
    { id: 'r1', tool: 'doc.read' },
    { owner: 'owner@falcon.example', text: REPORT },
    read.output,
    read.outputFields,
  );
  const ctx = testContext({ policy, bootPolicyHash: policy.hash, flows });
  const ifcOf = (args: Intent['args'], action = 'mail.send', labels: Intent['labels'] = undefined) =>
    decide(testIntent({ action, args, session: 's1', labels }), ctx).checks.find((c) => c.check === 'ifc');
  return { session, ifcOf };
}

describe('DR-I3 check 4 waives the session write-down for released text', () => {
  test(`${verifies('DR-I2')}before a release the summary escalates as a write-down; after it, it passes with the released argument named`, () => {
    const { session, ifcOf } = setup();
    assert.equal(session.label.confidentiality, 'CONFIDENTIAL');
    const before = ifcOf({ to: TEAM, body: SUMMARY });
    assert.equal(before?.verdict, 'escalate');
    assert.equal(before?.code, 'IFC_WRITE_DOWN');
    session.release(SUMMARY, 'INTERNAL');
    const after = ifcOf({ to: TEAM, body: SUMMARY });
    assert.equal(after?.verdict, 'allow');
    assert.deepEqual(after?.detail?.released, [{ path: 'body', to: 'INTERNAL' }]);
    // Case, spacing and quotes do not matter: the provenance match form.
    assert.equal(
      ifcOf({ to: TEAM, body: `  ${SUMMARY.toUpperCase().replaceAll(' ', '\n ')} ` })?.verdict,
      'allow',
    );
    assert.equal(ifcOf({ to: TEAM, parts: [{ text: SUMMARY }] })?.verdict, 'allow');
  });

  test(`${verifies('DR-I2')}the same session sending a different, unreleased generated text still escalates`, () => {
    const { session, ifcOf } = setup();
    session.release(SUMMARY, 'INTERNAL');
    const other = ifcOf({ to: TEAM, body: 'Revenue was 4.2 million euros, up 18 percent.' });
    assert.equal(other?.verdict, 'escalate');
    assert.equal(other?.code, 'IFC_WRITE_DOWN');
    assert.equal(other?.detail?.released, undefined);
    // Released text next to an unreleased one: the unreleased one carries the taint.
    assert.equal(ifcOf({ to: TEAM, body: SUMMARY, note: 'Lisbon is postponed' })?.verdict, 'escalate');
  });

  test(`${verifies('DR-I1')}a part of a released text, or a released text with more appended, is not released`, () => {
    const { session, ifcOf } = setup();
    session.release(SUMMARY, 'INTERNAL');
    assert.equal(ifcOf({ to: TEAM, body: 'Sales grew strongly last quarter' })?.verdict, 'escalate');
    assert.equal(ifcOf({ to: TEAM, body: `${SUMMARY} Revenue 4.2 million.` })?.verdict, 'escalate');
    // Hidden characters vanish in the match form, so they could carry data past the grant.
    assert.equal(ifcOf({ to: TEAM, body: SUMMARY.replace('grew', 'gr\u200Bew') })?.verdict, 'escalate');
  });

  test('a text released to INTERNAL does not clear a PUBLIC destination', () => {
    const { session, ifcOf } = setup();
    session.release(SUMMARY, 'INTERNAL');
    const outcome = ifcOf({ body: SUMMARY }, 'web.publish');
    assert.equal(outcome?.verdict, 'escalate');
    assert.equal(outcome?.code, 'IFC_WRITE_DOWN');
    session.release(SUMMARY, 'PUBLIC');
    assert.equal(ifcOf({ body: SUMMARY }, 'web.publish')?.verdict, 'allow');
    // A later grant to a higher level does not take the lower one back.
    session.release(SUMMARY, 'INTERNAL');
    assert.equal(session.releasedLevel(SUMMARY), 'PUBLIC');
  });

  test('every other leaf must be the user’s own: a generated or CONFIDENTIAL-trusted recipient keeps the escalation', () => {
    const { session, ifcOf } = setup();
    session.release(SUMMARY, 'INTERNAL');
    assert.equal(ifcOf({ to: 'someone@else.example', body: SUMMARY })?.verdict, 'escalate');
    // Trusted by provenance, but only through a CONFIDENTIAL field: not cleared for INTERNAL.
    assert.equal(session.classify('owner@falcon.example').class, 'trusted');
    assert.equal(ifcOf({ to: 'owner@falcon.example', body: SUMMARY })?.verdict, 'escalate');
    assert.equal(ifcOf({ to: TEAM, body: SUMMARY, count: 12 })?.verdict, 'escalate');
    // Booleans and null carry no text and are not judged.
    assert.equal(ifcOf({ to: TEAM, body: SUMMARY, urgent: true, cc: null })?.verdict, 'allow');
  });

  test('without any released text there is no waiver, even when every leaf is trusted', () => {
    const { ifcOf } = setup();
    const outcome = ifcOf({ to: TEAM });
    assert.equal(outcome?.verdict, 'escalate');
    assert.equal(outcome?.code, 'IFC_WRITE_DOWN');
  });

  test(`${verifies('DR-I1')}an explicitly declared CONFIDENTIAL label is still denied: only the session-label escalation is waived`, () => {
    const { session, ifcOf } = setup();
    session.release(SUMMARY, 'INTERNAL');
    const outcome = ifcOf({ to: TEAM, body: SUMMARY }, 'mail.send', {
      confidentiality: 'CONFIDENTIAL',
      integrity: 'UNTRUSTED',
    });
    assert.equal(outcome?.verdict, 'deny');
    assert.equal(outcome?.code, 'IFC_WRITE_DOWN');
  });

  test('arguments past the bounds get no waiver', () => {
    const { session, ifcOf } = setup();
    session.release(SUMMARY, 'INTERNAL');
    let deep: Intent['args'] = { body: SUMMARY };
    for (let i = 0; i < 20; i++) deep = { nested: deep };
    assert.equal(ifcOf(deep)?.verdict, 'escalate');
    const many = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`b${i}`, SUMMARY]));
    assert.equal(ifcOf(many)?.verdict, 'escalate');
  });
});
