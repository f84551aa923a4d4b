// `declassify` lines in replayed traces (§11.3, issue 7): parsed strictly, decided now by the same
// three-gate protocol; replay has no evaluators and no human, so it escalates or denies and releases
// nothing, unless a program injects evaluators, in which case an allow releases the text.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Gate2Evaluator } from '../../src/ifc/declassify/index.ts';
import {
  type CallOutcome,
  type DeclassifyLine,
  parseTraceLine,
  Replayer,
  type ReplayLine,
  TRACE_LINE_BYTES_MAX,
} from '../../src/replay/index.ts';
import { parseConfig } from '../../src/runtime/config.ts';
import { verifies } from '../invariants.ts';

const CONFIG = `version: 1
storage: { kind: memory }
agents:
  a: { ring: 3, clearance: CONFIDENTIAL, capabilities: [{ action: '*', resource: 'tool:/**' }] }
actions:
  read_doc:
    sideEffect: read
    output: { confidentiality: CONFIDENTIAL, integrity: UNTRUSTED }
  post_wiki:
    destination: INTERNAL
`;
const REPORT =
  'Project Falcon quarterly review. Revenue for the third quarter reached 4.2 million euros, up 18 ' +
  'percent, driven by the new logistics contracts in Rotterdam and Hamburg.';
const SUMMARY = 'Sales grew strongly last quarter thanks to new shipping deals.';

const approving = (model: string): Gate2Evaluator => ({
  id: model,
  model,
  evaluate: async () => ({ approve: true, reason: 'fine' }),
});

function replayer(evaluators: Gate2Evaluator[] = []) {
  const loaded = parseConfig(CONFIG, 'maos.yaml');
  assert.ok(loaded.ok, loaded.ok ? '' : loaded.error.message);
  const declassified: DeclassifyLine[] = [];
  const r = new Replayer(loaded.value.policy, undefined, {
    evaluators,
    onDeclassify: (line) => declassified.push(line),
  });
  return { r, declassified };
}

async function run(r: Replayer, lines: readonly unknown[]): Promise<ReplayLine[]> {
  const out: ReplayLine[] = [];
  for await (const line of r.replay(lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l)))))
    out.push(line);
  return out;
}

const READ = [
  { kind: 'task', agent: 'a', text: 'Summarize the quarterly review for the wiki.' },
  { kind: 'call', id: 'c1', agent: 'a', tool: 'read_doc', args: {} },
  { kind: 'result', call: 'c1', output: { text: REPORT } },
];
const ask = (id: string, text: string, to = 'INTERNAL') => ({
  kind: 'declassify',
  id,
  agent: 'a',
  text,
  to,
  justification: 'wiki digest',
});
const post = (id: string, body: string) => ({
  kind: 'call',
  id,
  agent: 'a',
  tool: 'post_wiki',
  args: { body },
});

describe('DR-I3 declassification in replay', () => {
  test('without evaluators gate 2 falls to a human: escalate, said in the reason, and nothing is released', async () => {
    const { r, declassified } = replayer();
    const out = (await run(r, [...READ, ask('d1', SUMMARY), post('c2', SUMMARY)])) as CallOutcome[];
    assert.equal(declassified.length, 1);
    const line = declassified[0];
    assert.equal(line?.declassify, 'd1');
    assert.equal(line?.verdict, 'escalate');
    assert.match(line?.reason ?? '', /DECLASSIFY_GATE3/);
    assert.match(line?.reason ?? '', /replay runs no gate-2 evaluators.*nothing is released/);
    assert.deepEqual(
      line?.gates.map((g) => `${g.gate}:${g.result}`),
      ['1:pass', '2:human', '3:human'],
    );
    assert.deepEqual(Object.keys(line ?? {}), ['declassify', 'verdict', 'reason', 'gates']);
    const posted = out.find((o) => o.call === 'c2');
    assert.equal(posted?.verdict, 'escalate');
    assert.equal(posted?.checks.find((c) => c.check === 'ifc')?.code, 'IFC_WRITE_DOWN');
    assert.deepEqual(r.summary.declassifications, { requests: 1, allowed: 0, escalated: 1, denied: 0 });
  });

  test('gate 1 blocks a near-copy of what the trace read: deny with the gate-1 code', async () => {
    const { r, declassified } = replayer();
    await run(r, [...READ, ask('d1', REPORT.replace('18', 'eighteen'))]);
    assert.equal(declassified[0]?.verdict, 'deny');
    assert.match(declassified[0]?.reason ?? '', /^DECLASSIFY_GATE1: /);
    assert.deepEqual(r.summary.declassifications, { requests: 1, allowed: 0, escalated: 0, denied: 1 });
  });

  test(`${verifies('DR-I2')}with injected evaluators an allow releases the text in the trace's session only`, async () => {
    const { r, declassified } = replayer([approving('model-a'), approving('model-b')]);
    const out = (await run(r, [
      ...READ,
      ask('d1', SUMMARY),
      post('c2', SUMMARY),
      post('c3', 'Revenue reached 4.2 million euros.'),
    ])) as CallOutcome[];
    assert.equal(declassified[0]?.verdict, 'allow');
    assert.match(declassified[0]?.reason ?? '', /released to INTERNAL/);
    assert.deepEqual(
      out.map((o) => [o.call, o.verdict]),
      [
        ['c1', 'allow'],
        ['c2', 'allow'],
        ['c3', 'escalate'],
      ],
    );
    // A new trace is a new session: the grant does not carry over.
    const next = (await run(r, [...READ, post('c2', SUMMARY)])) as CallOutcome[];
    assert.equal(next.at(-1)?.verdict, 'escalate');
    assert.deepEqual(r.summary.declassifications, { requests: 1, allowed: 1, escalated: 0, denied: 0 });
  });

  test('hostile or oversized declassify lines are refused with stable codes and decide nothing', async () => {
    const { r, declassified } = replayer();
    const out = await run(r, [
      ...READ,
      { ...ask('d1', SUMMARY), to: 'SECRET' },
      { ...ask('d2', SUMMARY), extra: true },
      { ...ask('d3', ''), text: '' },
      { ...ask('d4', SUMMARY), justification: 'x'.repeat(5000) },
      { ...ask('d5', SUMMARY), agent: 'x'.repeat(10_000) },
      ask('d6', 'é'.repeat(1024 * 1024 + 1)),
      '{"kind":"declassify","id":"d7","agent":"a","text":"t","to":"INTERNAL","__proto__":{"x":1}}',
      `{"kind":"declassify","id":"d8","agent":"a","to":"INTERNAL","text":"${'a'.repeat(TRACE_LINE_BYTES_MAX)}"}`,
    ]);
    const errors = out.filter((line): line is Extract<ReplayLine, { error: unknown }> => 'error' in line);
    assert.deepEqual(
      errors.map((e) => e.error.code),
      [
        'INVALID_INPUT',
        'INVALID_INPUT',
        'INVALID_INPUT',
        'INVALID_INPUT',
        'INVALID_INPUT',
        'INVALID_INPUT',
        'FORBIDDEN_KEY',
        'OVERSIZED_INPUT',
      ],
    );
    assert.equal(declassified.length, 0);
    assert.equal(r.summary.errors, 8);
    assert.equal(r.summary.declassifications.requests, 0);
  });

  test('parseTraceLine reads a declassify line; justification defaults to empty', () => {
    const parsed = parseTraceLine('{"kind":"declassify","id":"d1","agent":"a","text":"t","to":"PUBLIC"}');
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.value, {
      kind: 'declassify',
      id: 'd1',
      agent: 'a',
      text: 't',
      to: 'PUBLIC',
      justification: '',
    });
  });
});
