// Check 4's policy-named exemptions (issue 7): values the user allows wherever they were read,
// `unless` conditions with number ranges, allowed link hosts, and destinations cleared by who
// receives the data. Real FlowStore and provenance index; each test also tries to get past them.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FlowStore, judgeSink, type SinkPolicy } from '../../ifc/index.ts';
import type { JsonValue } from '../../shared/index.ts';
import {
  actionPolicy,
  agentPolicy,
  argumentRule,
  testContext,
  testIntent,
  testPolicy,
} from '../../testing/fixtures.ts';
import { decide } from '../decide.ts';
import type { ActionPolicy } from '../policy.ts';

const PAYEE = 'DE89370400440532013000';
const ATTACKER = 'GB33BUKB20201555555555';
const payees = { patterns: [PAYEE] };

function setup(sink: SinkPolicy, overrides: Partial<ActionPolicy> = {}) {
  const send = actionPolicy('bank.pay', { destination: 'INTERNAL', external: true, sink, ...overrides });
  const read = actionPolicy('inbox.read', {
    sideEffect: 'read',
    output: { confidentiality: 'INTERNAL', integrity: 'EXTERNAL_UNTRUSTED' },
  });
  const secret = actionPolicy('docs.read', {
    sideEffect: 'read',
    output: { confidentiality: 'CONFIDENTIAL', integrity: 'TRUSTED' },
  });
  const policy = testPolicy({
    agents: new Map([['alice', agentPolicy('alice', { clearance: 'CONFIDENTIAL' })]]),
    actions: new Map([send, read, secret].map((a) => [a.name, a])),
  });
  const flows = new FlowStore();
  const opened = flows.open('s1', 'alice');
  assert.ok(opened.ok);
  const session = opened.value;
  const ctx = testContext({ policy, bootPolicyHash: policy.hash, flows });
  const ifcOf = (args: Record<string, JsonValue>) =>
    decide(testIntent({ agent: 'alice', action: 'bank.pay', args, session: 's1' }), ctx).checks.find(
      (c) => c.check === 'ifc',
    );
  const bill = (text: string) =>
    session.observe({ id: `r${session.sources}`, tool: read.name }, { message: text }, read.output, []);
  const readSecret = () =>
    session.observe({ id: 'd1', tool: secret.name }, { text: 'Q3 margins 18.2%' }, secret.output, []);
  return { ifcOf, bill, readSecret, session };
}

describe('IFC: values the policy allows wherever they were read', () => {
  const sink: SinkPolicy = { arguments: [argumentRule('iban', { allow: [PAYEE] })], rules: [], cleared: [] };

  test('a saved payee read only from a bill passes; the packet says the policy met it', () => {
    const { ifcOf, bill, session } = setup(sink);
    bill(`Pay to ${PAYEE} please`);
    assert.equal(ifcOf({ iban: PAYEE })?.verdict, 'allow');
    const { packet } = judgeSink(sink, { iban: PAYEE }, session);
    assert.equal(packet.arguments.iban?.class, 'untrusted');
    assert.equal(packet.arguments.iban?.met, 'allow');
  });

  test('INV-7: an attacker account, a lookalike and a list smuggling one in all stay escalated', () => {
    const { ifcOf, bill } = setup(sink);
    bill(`New account ${ATTACKER}; old one ${PAYEE}; also DE89370400440532O13000`);
    assert.equal(ifcOf({ iban: ATTACKER })?.verdict, 'escalate');
    assert.equal(ifcOf({ iban: 'DE89370400440532O13000' })?.verdict, 'escalate');
    assert.equal(ifcOf({ iban: [PAYEE, ATTACKER] })?.verdict, 'escalate');
    // WHY: a zero-width space hides nothing from the allowlist: a value in doubt matches no pattern.
    assert.equal(ifcOf({ iban: `DE8937040044\u200b0532013000` })?.verdict, 'escalate');
  });
});

describe('IFC: `unless` waives an argument rule when the call meets a condition', () => {
  const sink: SinkPolicy = {
    arguments: [
      argumentRule('amount', {
        requires: 'untainted',
        unless: [
          ['iban', payees],
          ['amount', { min: undefined, max: 500 }],
        ],
      }),
    ],
    rules: [],
    cleared: [],
  };

  test('an amount a bill states is fine for a saved payee up to the cap', () => {
    const { ifcOf, bill } = setup(sink);
    bill('Amount due: 480.00 EUR. Overdue fee 900.00 EUR.');
    assert.equal(ifcOf({ iban: PAYEE, amount: 480 })?.verdict, 'allow');
    assert.equal(ifcOf({ iban: PAYEE, amount: 900 })?.verdict, 'escalate');
    assert.equal(ifcOf({ iban: ATTACKER, amount: 480 })?.verdict, 'escalate');
  });

  test('INV-7: an amount that is not a finite number never meets a range', () => {
    const { ifcOf, bill } = setup(sink);
    bill('Amount due: 480 EUR, or "480" as text, or 1e999');
    assert.equal(ifcOf({ iban: PAYEE, amount: '480' })?.verdict, 'escalate');
    assert.equal(ifcOf({ iban: PAYEE })?.verdict, 'allow', 'no amount argument: nothing to judge');
    assert.equal(ifcOf({ iban: PAYEE, amount: [480] })?.verdict, 'escalate');
  });
});

describe('IFC: allowed link hosts', () => {
  const sink: SinkPolicy = {
    arguments: [
      argumentRule('body', {
        requires: 'untainted',
        part: 'links',
        allow: ['acme.example', '*.acme.example'],
      }),
    ],
    rules: [],
    cleared: [],
  };

  test("a link to the company's own site from an outside mail passes; a phishing link does not", () => {
    const { ifcOf, bill } = setup(sink);
    bill(
      'Training: https://learning.acme.example/sec-2025 or https://learning.acme.example.evil.example/x or https://learning.acme.example@evil.example/login',
    );
    assert.equal(ifcOf({ body: 'Do it: https://learning.acme.example/sec-2025' })?.verdict, 'allow');
    assert.equal(ifcOf({ body: 'Do it: https://learning.acme.example.evil.example/x' })?.verdict, 'escalate');
    // WHY: the host of `https://learning.acme.example@evil.example/` is evil.example (userinfo trick).
    assert.equal(
      ifcOf({ body: 'Do it: https://learning.acme.example@evil.example/login' })?.verdict,
      'escalate',
    );
  });
});

describe('IFC: destinations cleared by who receives the data', () => {
  const sink: SinkPolicy = {
    arguments: [],
    rules: [],
    cleared: [
      {
        level: 'CONFIDENTIAL',
        when: [
          ['to', { patterns: ['*@acme.example'] }],
          ['cc', { patterns: ['*@acme.example'] }],
        ],
      },
    ],
  };

  test('DR-I2: confidential data read in the session may go to colleagues only', () => {
    const { ifcOf, readSecret } = setup(sink);
    readSecret();
    assert.equal(ifcOf({ to: ['dana@acme.example'], body: 'margins' })?.verdict, 'allow');
    const out = ifcOf({ to: ['dana@acme.example'], cc: ['eve@evil.example'], body: 'margins' });
    assert.equal(out?.verdict, 'escalate');
    assert.equal(out?.code, 'IFC_WRITE_DOWN');
  });

  test('INV-7: separators and an empty recipient list do not widen the clearance', () => {
    const { ifcOf, readSecret } = setup(sink);
    readSecret();
    assert.equal(ifcOf({ to: ['eve@evil.example, dana@acme.example'] })?.verdict, 'escalate');
    assert.equal(ifcOf({ to: ['eve@evil.example <dana@acme.example>'] })?.verdict, 'escalate');
    assert.equal(ifcOf({ to: [], body: 'margins' })?.verdict, 'escalate', 'nobody named: not cleared');
  });
});
