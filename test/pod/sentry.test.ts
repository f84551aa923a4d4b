// The Sentry in front of the five real gateways, with a fake kernel around it (PodServices) and an
// immune recorder: order of checks, quarantine stages, hold, flood control, egress and reports.

import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultGatewayConfig, type GatewayConfig } from '../../src/pod/gateway-config.ts';
import { FsGateway } from '../../src/pod/gateways/fs-gateway.ts';
import { InboundGateway } from '../../src/pod/gateways/inbound-gateway.ts';
import { LlmGateway } from '../../src/pod/gateways/llm-gateway.ts';
import { OutboundGateway } from '../../src/pod/gateways/outbound-gateway.ts';
import type { Gateway } from '../../src/pod/gateways/port.ts';
import { ToolGateway } from '../../src/pod/gateways/tool-gateway.ts';
import { ScriptedProvider } from '../../src/pod/llm/scripted.ts';
import type { AgentGateway, HostMessage } from '../../src/pod/protocol.ts';
import { type CallMessage, Sentry } from '../../src/pod/sentry.ts';
import type { JsonValue } from '../../src/shared/index.ts';
import { ok } from '../../src/shared/index.ts';
import { FakeClock } from '../../src/testing/fake-clock.ts';
import { verifies } from '../invariants.ts';
import { FakeServices, ImmuneRecorder } from './gateway-fakes.ts';

type Overrides = { [K in keyof GatewayConfig]?: Partial<GatewayConfig[K]> };

async function setup(overrides: Overrides = {}, options: { egressEntriesMax?: number; open?: boolean } = {}) {
  const base = defaultGatewayConfig();
  const config: GatewayConfig = {
    tool: { ...base.tool, resources: ['https://api.example.com/**'], ...overrides.tool },
    llm: { ...base.llm, providers: ['local'], models: ['small'], ...overrides.llm },
    fs: { ...base.fs, ...overrides.fs },
    outbound: { ...base.outbound, recipients: ['bob'], ...overrides.outbound },
    inbound: { ...base.inbound, senders: ['bob'], ...overrides.inbound },
    sentry: { ...base.sentry, ...overrides.sentry },
  };
  const clock = new FakeClock();
  const services = new FakeServices();
  const immune = new ImmuneRecorder();
  const fs = await FsGateway.open({ config: config.fs, root: await mkdtemp(join(tmpdir(), 'maos-sentry-')) });
  assert.ok(fs.ok);
  const inbound = new InboundGateway({ config: config.inbound, clock });
  const gateways: Gateway[] = [
    new ToolGateway({ config: config.tool, services, clock }),
    new LlmGateway({
      config: config.llm,
      providers: [new ScriptedProvider({ name: 'local' })],
      services,
      clock,
    }),
    fs.value,
    new OutboundGateway({ config: config.outbound, services, clock }),
    inbound,
  ];
  const sentry = new Sentry({
    agent: 'alice',
    config,
    gateways,
    immune,
    services,
    clock,
    ...(options.egressEntriesMax === undefined ? {} : { egressEntriesMax: options.egressEntriesMax }),
  });
  if (options.open !== false) sentry.open();
  return { sentry, clock, services, immune, inbound };
}

let nextId = 1;
function call(gateway: AgentGateway, op: string, payload: JsonValue): CallMessage {
  return { kind: 'call', id: nextId++, gateway, op, payload };
}
const TOOL_OK = () =>
  call('tool', 'intent', { action: 'http.post', resource: 'https://api.example.com/v1/x', args: { a: 1 } });
const TAKE = () => call('inbound', 'take', null);

function codeOf(reply: HostMessage): string {
  assert.equal(reply.kind, 'reply');
  return reply.kind === 'reply' && !reply.ok ? reply.error.code : 'OK';
}

test(`${verifies('DR-D4', 'INV-13')}sentry: every gateway denies all until the pod opens it`, async () => {
  const { sentry, immune, services } = await setup({}, { open: false });
  assert.equal(sentry.state, 'closed');
  assert.equal(codeOf(await sentry.handle(TOOL_OK())), 'GATEWAY_CLOSED');
  assert.equal(services.submitted.length, 0);
  assert.equal(immune.samples.length, 1);
  assert.equal(sentry.egress()[0]?.allowed, false);
  sentry.open();
  assert.equal(codeOf(await sentry.handle(TOOL_OK())), 'OK');
});

test('§41.2 sentry: an allowed call is answered, logged, sampled and counted as an external effect', async () => {
  const { sentry, immune, services } = await setup();
  const message = TOOL_OK();
  const reply = await sentry.handle(message);
  assert.deepEqual(reply, { kind: 'reply', id: message.id, ok: true, value: { done: 'http.post' } });
  const [entry] = sentry.egress();
  assert.equal(entry?.gateway, 'tool');
  assert.equal(entry?.target, 'https://api.example.com/v1/x');
  assert.equal(entry?.allowed, true);
  assert.ok((entry?.bytesOut ?? 0) > 0);
  assert.equal(immune.samples[0]?.blocked, false);
  assert.deepEqual(
    immune.aggregates.map((a) => [a.kind, a.peer]),
    [['api-call', 'api.example.com']],
  );
  assert.equal(immune.reports.length, 0);
  assert.equal(services.records.length, 0);
});

test(`${verifies('DR-R3')}sentry: a blocked network destination is a network violation, journaled`, async () => {
  const { sentry, immune, services } = await setup();
  const reply = await sentry.handle(
    call('tool', 'intent', { action: 'http.post', resource: 'https://exfil.example.net/drop' }),
  );
  assert.equal(codeOf(reply), 'GATEWAY_DENIED');
  assert.deepEqual(immune.kinds(), ['violation:network', 'network-blocked']);
  assert.equal(immune.reports[0]?.evidence.target, 'https://exfil.example.net/drop');
  await Promise.resolve();
  assert.equal(services.records[0]?.type, 'pod.egress');
  assert.equal(services.records[0]?.data.allowed, false);
  assert.equal(services.records[0]?.data.code, 'GATEWAY_DENIED');
  assert.equal(services.submitted.length, 0);
});

test('sentry: a path outside the workspace is reported as gateway-blocked with fs-escape evidence', async () => {
  const { sentry, immune } = await setup();
  assert.equal(
    codeOf(await sentry.handle(call('fs', 'read', { path: '/../../etc/passwd' }))),
    'FS_PATH_OUTSIDE',
  );
  assert.deepEqual(immune.kinds(), ['gateway-blocked']);
  assert.equal(immune.reports[0]?.evidence.violation, 'fs-escape');
});

test('sentry: a DSC denial through the tool gateway is a dsc-denial anomaly', async () => {
  const { sentry, immune, services } = await setup();
  services.outcome = (_r, intentId) =>
    ok({
      intentId,
      state: 'denied',
      verdict: 'deny',
      checks: [{ verdict: 'deny', check: 'budget', code: 'BUDGET_EXHAUSTED', reason: 'no tokens left' }],
    });
  const reply = await sentry.handle(TOOL_OK());
  assert.equal(codeOf(reply), 'GATEWAY_DENIED');
  assert.match(reply.kind === 'reply' && !reply.ok ? reply.error.message : '', /budget.*BUDGET_EXHAUSTED/);
  assert.deepEqual(immune.kinds(), ['dsc-denial']);
  assert.deepEqual(immune.aggregates, []);
});

test('sentry: a blocked prompt is gateway-blocked, not a violation', async () => {
  const { sentry, immune, services } = await setup();
  services.screenWith = () => ({ verdict: 'deny', score: 10 });
  const reply = await sentry.handle(
    call('llm', 'complete', { model: 'small', messages: [{ role: 'user', content: 'x' }] }),
  );
  assert.equal(codeOf(reply), 'LLM_PROMPT_BLOCKED');
  assert.deepEqual(immune.kinds(), ['gateway-blocked']);
  assert.equal(immune.reports[0]?.evidence.violation, undefined);
});

test(`${verifies('INV-9')}sentry: quarantine stage 2 closes only the outbound gateway (soft isolation)`, async () => {
  const { sentry, immune, services } = await setup();
  immune.stages.set('alice', 2);
  const send = await sentry.handle(call('outbound', 'send', { to: 'bob', type: 'note', body: 'hi' }));
  assert.equal(codeOf(send), 'GATEWAY_CLOSED');
  assert.match(send.kind === 'reply' && !send.ok ? send.error.message : '', /soft isolation/);
  assert.equal(services.submitted.length, 0);
  assert.equal(codeOf(await sentry.handle(TOOL_OK())), 'OK');
  assert.equal(codeOf(await sentry.handle(call('fs', 'list', { path: '/' }))), 'OK');
  assert.equal(
    codeOf(
      await sentry.handle(
        call('llm', 'complete', { model: 'small', messages: [{ role: 'user', content: 'x' }] }),
      ),
    ),
    'OK',
  );
  assert.equal(codeOf(await sentry.handle(TAKE())), 'OK');
  assert.ok(sentry.accept({ from: 'bob', to: 'alice', type: 'note', body: 1 }).ok);
  // The closure is the immune system's own doing: it is not reported back as a new anomaly.
  assert.deepEqual(immune.kinds(), []);
});

test(`${verifies('INV-9')}sentry: quarantine stage 3 and above close every gateway and refuse inbound messages`, async () => {
  const { sentry, immune, services } = await setup();
  for (const stage of [3, 4, 5] as const) {
    immune.stages.set('alice', stage);
    for (const message of [
      TOOL_OK(),
      call('fs', 'list', { path: '/' }),
      call('llm', 'complete', { model: 'small', messages: [{ role: 'user', content: 'x' }] }),
      call('outbound', 'send', { to: 'bob', type: 'note', body: 'hi' }),
      TAKE(),
    ]) {
      assert.equal(
        codeOf(await sentry.handle(message)),
        'GATEWAY_CLOSED',
        `stage ${stage} ${message.gateway}`,
      );
    }
    const accepted = sentry.accept({ from: 'bob', to: 'alice', type: 'note', body: 1 });
    assert.equal(accepted.ok ? '' : accepted.error.code, 'MESSAGE_DENIED');
  }
  assert.equal(services.submitted.length, 0);
});

test('§41.3 sentry: held calls wait for release; closing answers them POD_TERMINATED', async () => {
  const { sentry, services } = await setup();
  sentry.hold();
  let answered: HostMessage | undefined;
  const waiting = sentry.handle(TOOL_OK()).then((reply) => {
    answered = reply;
    return reply;
  });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(answered, undefined);
  assert.equal(services.submitted.length, 0);
  sentry.release();
  assert.equal(codeOf(await waiting), 'OK');
  sentry.hold();
  const doomed = sentry.handle(TOOL_OK());
  sentry.close();
  assert.equal(codeOf(await doomed), 'POD_TERMINATED');
  assert.equal(codeOf(await sentry.handle(TOOL_OK())), 'POD_TERMINATED');
  sentry.open();
  assert.equal(sentry.state, 'terminated');
  assert.equal(services.submitted.length, 1);
});

test('sentry: an oversized payload fails POD_CALL_TOO_LARGE and is a malformed call', async () => {
  const { sentry, immune, services } = await setup({ sentry: { payloadBytesMax: 1_000 } });
  const reply = await sentry.handle(
    call('tool', 'intent', {
      action: 'a.b',
      resource: 'https://api.example.com/x',
      args: { blob: 'x'.repeat(2_000) },
    }),
  );
  assert.equal(codeOf(reply), 'POD_CALL_TOO_LARGE');
  assert.deepEqual(immune.kinds(), ['malformed-call']);
  assert.equal(services.submitted.length, 0);
});

test('sentry: a payload that is not plain json and an unknown operation are malformed calls', async () => {
  const { sentry, immune } = await setup();
  const cyclic: { self?: unknown } = {};
  cyclic.self = cyclic;
  assert.equal(codeOf(await sentry.handle(call('tool', 'intent', cyclic as JsonValue))), 'POD_CALL_INVALID');
  assert.equal(
    codeOf(await sentry.handle(call('tool', 'intent', { n: 10n } as unknown as JsonValue))),
    'POD_CALL_INVALID',
  );
  assert.equal(codeOf(await sentry.handle(call('fs', 'chmod', { path: '/a' }))), 'POD_CALL_INVALID');
  assert.equal(codeOf(await sentry.handle(call('admin' as AgentGateway, 'halt', null))), 'POD_CALL_INVALID');
  assert.deepEqual(immune.kinds(), ['malformed-call', 'malformed-call', 'malformed-call', 'malformed-call']);
});

test(`§41.2 sentry: a call flood is rate limited, with at most one flood anomaly a second`, async () => {
  const { sentry, immune, services, clock } = await setup({ sentry: { callsPerSecond: 10, burst: 10 } });
  const codes = [];
  for (let i = 0; i < 100; i++) codes.push(codeOf(await sentry.handle(TAKE())));
  assert.equal(codes.filter((c) => c === 'OK').length, 10);
  assert.equal(codes.filter((c) => c === 'GATEWAY_RATE_LIMITED').length, 90);
  assert.deepEqual(immune.kinds(), ['flood']);
  // Journal records of blocked calls are bounded too; the next one says how many were left out.
  assert.ok(services.records.length <= 20, `${services.records.length} records`);
  clock.advance(1_000);
  for (let i = 0; i < 30; i++) await sentry.handle(TAKE());
  assert.deepEqual(immune.kinds(), ['flood', 'flood']);
  assert.ok(services.records.some((r) => typeof r.data.suppressedBefore === 'number'));
  assert.equal(immune.samples.length, 130);
});

test('sentry: the egress log keeps only the newest entries', async () => {
  const { sentry } = await setup({}, { egressEntriesMax: 5 });
  const ids: number[] = [];
  for (let i = 0; i < 12; i++) {
    const message = call('fs', 'write', { path: `/f${i}.txt`, text: String(i) });
    ids.push(message.id);
    await sentry.handle(message);
  }
  const entries = sentry.egress();
  assert.deepEqual(
    entries.map((e) => e.target),
    ['/f7.txt', '/f8.txt', '/f9.txt', '/f10.txt', '/f11.txt'],
  );
  assert.deepEqual(
    sentry.egress(2).map((e) => e.target),
    ['/f10.txt', '/f11.txt'],
  );
});

test('sentry: an outbound message is an aggregate message; a journal that fails does not block answers', async () => {
  const { sentry, immune, services } = await setup();
  services.record = () => Promise.reject(new Error('journal down'));
  assert.equal(
    codeOf(await sentry.handle(call('outbound', 'send', { to: 'bob', type: 'note', body: 'hi' }))),
    'OK',
  );
  assert.deepEqual(
    immune.aggregates.map((a) => [a.kind, a.peer]),
    [['message', 'bob']],
  );
  assert.equal(
    codeOf(await sentry.handle(call('outbound', 'send', { to: 'eve', type: 'note', body: 'hi' }))),
    'MESSAGE_DENIED',
  );
  assert.deepEqual(immune.kinds(), ['gateway-blocked']);
});

test('sentry: a gateway that throws fails the call closed instead of the host', async () => {
  const broken: Gateway = {
    name: 'inbound',
    handle: () => Promise.reject(new Error('bug')),
  };
  const clock = new FakeClock();
  const immune = new ImmuneRecorder();
  const lone = new Sentry({
    agent: 'alice',
    config: defaultGatewayConfig(),
    gateways: [broken],
    immune,
    services: new FakeServices(),
    clock,
  });
  lone.open();
  assert.equal(codeOf(await lone.handle(TAKE())), 'IO');
  assert.equal(lone.egress()[0]?.code, 'IO');
  // The Sentry lives on: the next call is answered too.
  assert.equal(codeOf(await lone.handle(TOOL_OK())), 'POD_CALL_INVALID');
  assert.equal(lone.state, 'open');
});
