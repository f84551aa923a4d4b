// Declassification end to end (§11.3, issue 7): a live session asks through the HTTP API, the
// runtime's Declassifier runs the three gates with injected evaluators, `ifc.declassify` is
// journaled (the text hashed, never stored), and an allow lets check 4 pass the released text.

import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildHttpApp } from '../../src/http/server.ts';
import type { Gate2Evaluator } from '../../src/ifc/declassify/index.ts';
import { type OpenService, openKernelService } from '../../src/runtime/kernel-service.ts';
import type { DeclassifyView } from '../../src/runtime/service.ts';
import { hashHex, systemClock, systemRandom, uuidv7 } from '../../src/shared/index.ts';
import { verifies } from '../invariants.ts';

const CONFIG = `version: 1
storage: { kind: memory }
agents:
  app: { ring: 2, clearance: CONFIDENTIAL, capabilities: [{ action: "kv.*", resource: "kv:/**" }] }
actions:
  kv.get:
    sideEffect: read
    output: { confidentiality: CONFIDENTIAL, integrity: UNTRUSTED }
  kv.put:
    sideEffect: write
    destination: INTERNAL
`;
const TOKEN = 'declassify-test-token-0123456789abcdef';
const REPORT =
  'Project Falcon quarterly review. Revenue for the third quarter reached 4.2 million euros, up 18 ' +
  'percent, driven by the new logistics contracts in Rotterdam and Hamburg. The board approved hiring.';
const SUMMARY = 'Sales grew strongly last quarter thanks to new shipping deals; hiring is planned.';

const approving = (model: string): Gate2Evaluator => ({
  id: `eval-${model}`,
  model,
  evaluate: async () => ({ approve: true, reason: 'nothing sensitive' }),
});
const TWO = [approving('model-a'), approving('model-b')];

type Harness = { svc: OpenService; app: FastifyInstance; session: string };

async function open(evaluators: readonly Gate2Evaluator[]): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'maos-declassify-'));
  const configPath = join(dir, 'maos.yaml');
  await writeFile(configPath, CONFIG);
  const opened = await openKernelService({
    configPath,
    dataDir: join(dir, 'data'),
    declassifyEvaluators: evaluators,
  });
  assert.ok(opened.ok, opened.ok ? '' : opened.error.message);
  const svc = opened.value;
  // The report enters the store from a session whose task holds it, then a second session reads it.
  const writer = await svc.service.openSession('app', `store this report: ${REPORT}`);
  assert.ok(writer.ok);
  assert.equal((await put(svc, writer.value.session, REPORT, 'report')).state, 'committed');
  const reader = await svc.service.openSession('app', 'Summarize the report for the team wiki.');
  assert.ok(reader.ok);
  const read = await svc.service.submit(await intent(svc, 'kv.get', 'report', {}, reader.value.session));
  assert.ok(read.ok);
  assert.equal(read.value.state, 'committed');
  const app = buildHttpApp(svc.service, { token: TOKEN, version: 'test' });
  return { svc, app, session: reader.value.session };
}

async function intent(
  svc: OpenService,
  action: string,
  key: string,
  args: Record<string, unknown>,
  session: string,
) {
  const minted = await svc.runtime.kernel.mint({
    sub: 'app',
    scopes: [{ action: 'kv.*', resource: 'kv:/**' }],
  });
  assert.ok(minted.ok);
  const id = uuidv7(systemClock, systemRandom);
  return { id, agent: 'app', action, resource: `kv:/${key}`, args, token: minted.value.token, session };
}

async function put(svc: OpenService, session: string, value: string, key = 'wiki') {
  const submitted = await svc.service.submit(await intent(svc, 'kv.put', key, { value }, session));
  assert.ok(submitted.ok, submitted.ok ? '' : submitted.error.message);
  return submitted.value;
}

async function declassify(h: Harness, body: unknown, session = h.session) {
  const response = await h.app.inject({
    method: 'POST',
    url: `/v1/sessions/${session}/declassify`,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return {
    status: response.statusCode,
    body: response.json() as DeclassifyView & { error?: { code: string } },
  };
}

async function records(h: Harness) {
  const entries = await h.svc.service.journal({ types: ['ifc.declassify'], fromSeq: 0 });
  assert.ok(entries.ok);
  return entries.value.map((entry) => entry.data as Record<string, unknown>);
}

async function close(h: Harness): Promise<void> {
  await h.app.close();
  await h.svc.close();
}

describe('DR-I3 declassification through the API', () => {
  test(`${verifies('DR-I2')}two evaluators on distinct models allow: journaled by hash, granted, and check 4 lets only that text through`, async () => {
    const h = await open(TWO);
    try {
      assert.equal((await put(h.svc, h.session, SUMMARY)).state, 'held', 'a write-down before the release');
      const { status, body } = await declassify(h, { text: SUMMARY, to: 'INTERNAL', justification: 'wiki' });
      assert.equal(status, 200);
      assert.equal(body.verdict, 'allow');
      assert.equal(body.granted, true);
      assert.equal(body.from, 'CONFIDENTIAL');
      assert.deepEqual(
        body.gates.map((g) => `${g.gate}:${g.result}`),
        ['1:pass', '2:pass', '3:skipped'],
      );
      const [record] = await records(h);
      assert.equal(record?.verdict, 'allow');
      assert.equal(record?.agent, 'app');
      assert.equal(record?.session, h.session);
      assert.equal(record?.to, 'INTERNAL');
      assert.equal(record?.granted, true);
      assert.equal(record?.textSha256, hashHex(SUMMARY));
      assert.equal(body.journalSeq > 0, true);
      assert.doesNotMatch(JSON.stringify(record), /Sales grew/, 'the journal holds no text');
      const released = await put(h.svc, h.session, SUMMARY);
      assert.equal(released.state, 'committed');
      const other = await put(h.svc, h.session, 'Revenue reached 4.2 million euros last quarter.');
      assert.equal(other.state, 'held');
      assert.equal(other.checks.find((c) => c.check === 'ifc')?.code, 'IFC_WRITE_DOWN');
    } finally {
      await close(h);
    }
  });

  test('one evaluator is not two models: escalate, journaled, nothing granted', async () => {
    const h = await open([approving('model-a')]);
    try {
      const { body } = await declassify(h, { text: SUMMARY, to: 'INTERNAL' });
      assert.equal(body.verdict, 'escalate');
      assert.equal(body.granted, false);
      assert.match(body.reason, /DECLASSIFY_GATE3/);
      assert.match(body.reason, /no human approval path/);
      assert.equal((await records(h))[0]?.granted, false);
      assert.equal((await put(h.svc, h.session, SUMMARY)).state, 'held');
    } finally {
      await close(h);
    }
  });

  test('gate 1 blocks a classification marking: deny with its code, journaled, nothing granted', async () => {
    const h = await open(TWO);
    try {
      const text = 'CONFIDENTIAL: sales grew last quarter.';
      const { body } = await declassify(h, { text, to: 'INTERNAL' });
      assert.equal(body.verdict, 'deny');
      assert.equal(body.code, 'DECLASSIFY_GATE1');
      assert.equal(body.granted, false);
      assert.equal((await records(h))[0]?.code, 'DECLASSIFY_GATE1');
      assert.equal((await put(h.svc, h.session, text)).state, 'held');
    } finally {
      await close(h);
    }
  });

  test(`${verifies('DR-H6')}the 11th declassification in the window escalates with DECLASSIFY_RATE and is not granted`, async () => {
    const h = await open(TWO);
    try {
      for (let i = 1; i <= 10; i++) {
        const { body } = await declassify(h, { text: `${SUMMARY} Part ${i}.`, to: 'INTERNAL' });
        assert.equal(body.verdict, 'allow', `request ${i}`);
      }
      const { body } = await declassify(h, { text: `${SUMMARY} Part 11.`, to: 'INTERNAL' });
      assert.equal(body.verdict, 'escalate');
      assert.match(body.reason, /DECLASSIFY_RATE/);
      assert.equal(body.granted, false);
      assert.equal((await put(h.svc, h.session, `${SUMMARY} Part 11.`)).state, 'held');
      assert.equal((await records(h)).length, 11);
    } finally {
      await close(h);
    }
  });

  test('hostile or malformed requests get stable codes and run no gate', async () => {
    const h = await open(TWO);
    try {
      const cases: Array<[unknown, number, string, string?]> = [
        [{ text: SUMMARY, to: 'INTERNAL' }, 404, 'SESSION_UNKNOWN', 'no-such-session'],
        [{ text: SUMMARY, to: 'SECRET' }, 400, 'INVALID_INPUT'],
        [{ text: SUMMARY }, 400, 'INVALID_INPUT'],
        [{ text: '   ', to: 'INTERNAL' }, 400, 'INVALID_INPUT'],
        [{ text: 42, to: 'INTERNAL' }, 400, 'INVALID_INPUT'],
        [{ text: SUMMARY, to: 'INTERNAL', extra: 1 }, 400, 'INVALID_INPUT'],
        [{ text: SUMMARY, to: 'INTERNAL', justification: 'x'.repeat(5000) }, 400, 'INVALID_INPUT'],
        [{ text: 'é'.repeat(600 * 1024), to: 'INTERNAL' }, 413, 'OVERSIZED_INPUT'],
        [[SUMMARY], 400, 'INVALID_INPUT'],
        ['{"text":"a","to":"INTERNAL","__proto__":{"x":1}}', 400, ''],
      ];
      for (const [body, status, code, session] of cases) {
        const answer = await declassify(h, body, session);
        assert.equal(answer.status, status, JSON.stringify(body).slice(0, 80));
        if (code !== '') assert.equal(answer.body.error?.code, code, JSON.stringify(body).slice(0, 80));
      }
      assert.equal((await records(h)).length, 0, 'nothing was decided');
    } finally {
      await close(h);
    }
  });

  test('a kernel that cannot commit grants no declassification (fail closed)', async () => {
    const h = await open(TWO);
    try {
      h.svc.runtime.kernel.enterMode('emergency');
      const { status, body } = await declassify(h, { text: SUMMARY, to: 'INTERNAL' });
      assert.equal(status, 503);
      assert.equal(body.error?.code, 'COMMIT_FROZEN');
      assert.equal((await records(h)).length, 0);
    } finally {
      await close(h);
    }
  });
});
