import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeServices } from '../../../test/pod/gateway-fakes.ts';
import type { JsonValue } from '../../shared/index.ts';
import { ok } from '../../shared/index.ts';
import { FakeClock } from '../../testing/fake-clock.ts';
import { defaultGatewayConfig, type GatewayConfig } from '../gateway-config.ts';
import type { GatewayCall } from './port.ts';
import { networkHost, ToolGateway } from './tool-gateway.ts';

function call(payload: JsonValue, op = 'intent'): GatewayCall {
  return { agent: 'alice', gateway: 'tool', op, payload, bytes: Buffer.byteLength(JSON.stringify(payload)) };
}

function setup(tool: Partial<GatewayConfig['tool']> = {}) {
  const services = new FakeServices();
  const clock = new FakeClock();
  const config = {
    ...defaultGatewayConfig().tool,
    resources: ['https://api.example.com/**', 'kv:notes/*'],
    ...tool,
  };
  return { services, clock, gateway: new ToolGateway({ config, services, clock }) };
}

test('tool gateway: an allowed resource becomes an intent; committed writes count as api calls', async () => {
  const { gateway, services } = setup();
  const answer = await gateway.handle(
    call({
      action: 'http.post',
      resource: 'https://api.example.com/v1/items',
      args: { name: 'x' },
      idempotencyKey: 'k1',
    }),
  );
  assert.deepEqual(answer.result, { ok: true, value: { done: 'http.post' } });
  assert.deepEqual(services.submitted[0], {
    agent: 'alice',
    request: {
      action: 'http.post',
      resource: 'https://api.example.com/v1/items',
      args: { name: 'x' },
      idempotencyKey: 'k1',
    },
  });
  assert.deepEqual(answer.facts.external, { kind: 'api-call', peer: 'api.example.com' });
  assert.equal(answer.facts.blocked, false);
  const read = await gateway.handle(call({ action: 'kv.get', resource: 'kv:notes/a', sideEffect: 'read' }));
  assert.ok(read.result.ok);
  assert.equal(read.facts.external, undefined);
  assert.deepEqual(services.submitted[1]?.request, {
    action: 'kv.get',
    resource: 'kv:notes/a',
    args: {},
    sideEffect: 'read',
  });
});

test('DR-R3: a network destination off the allowlist never reaches the kernel and is a network violation', async () => {
  const { gateway, services } = setup();
  for (const resource of [
    'https://evil.example.net/upload',
    'https://api.example.com.evil.net/x',
    'https://api.example.com@evil.net/x',
    'tcp://10.0.0.1:22',
    'wss://api.example.com/socket',
  ]) {
    const answer = await gateway.handle(call({ action: 'http.post', resource }));
    assert.equal(answer.result.ok ? '' : answer.result.error.code, 'GATEWAY_DENIED', resource);
    assert.equal(answer.facts.violation, 'network', resource);
    assert.equal(answer.facts.blocked, true);
  }
  const local = await gateway.handle(call({ action: 'kv.put', resource: 'kv:secrets/a' }));
  assert.equal(local.result.ok ? '' : local.result.error.code, 'GATEWAY_DENIED');
  assert.equal(local.facts.violation, undefined);
  assert.equal(services.submitted.length, 0);
});

test('INV-4: a resource that climbs with dot segments or escapes is refused before matching', async () => {
  const { gateway, services } = setup();
  for (const resource of [
    'https://api.example.com/../admin',
    'https://api.example.com/%2e%2e/admin',
    'https://api.example.com/a%2fb',
    'kv:notes/..',
    'https://api.example.com/a\\b',
  ]) {
    const answer = await gateway.handle(call({ action: 'http.get', resource }));
    assert.equal(answer.result.ok ? '' : answer.result.error.code, 'GATEWAY_DENIED', resource);
  }
  assert.equal(services.submitted.length, 0);
});

test('tool gateway: messages to agents must use the outbound gateway', async () => {
  const { gateway, services } = setup({ resources: ['**'] });
  for (const payload of [
    { action: 'message.send', resource: 'agent:bob', args: { type: 't', body: 1 } },
    { action: 'kv.put', resource: 'agent:bob' },
  ]) {
    const answer = await gateway.handle(call(payload));
    assert.equal(answer.result.ok ? '' : answer.result.error.code, 'GATEWAY_DENIED');
  }
  assert.equal(services.submitted.length, 0);
});

test('tool gateway: a DSC denial names the check that denied; held intents tell the agent they wait', async () => {
  const { gateway, services } = setup();
  services.outcome = (_request, intentId) =>
    ok({
      intentId,
      state: 'denied',
      verdict: 'deny',
      checks: [
        { check: 'rate-limit', verdict: 'escalate', code: 'AGGREGATE_THRESHOLD', reason: 'too many calls' },
        { check: 'capability', verdict: 'deny', code: 'TOKEN_SCOPE', reason: 'no scope for `http.post`' },
      ],
    });
  const denied = await gateway.handle(call({ action: 'http.post', resource: 'https://api.example.com/x' }));
  assert.equal(denied.result.ok, false);
  if (!denied.result.ok) {
    assert.equal(denied.result.error.code, 'GATEWAY_DENIED');
    assert.match(denied.result.error.message, /capability.*TOKEN_SCOPE: no scope/);
    assert.equal(denied.result.error.details?.source, 'dsc');
  }
  assert.equal(denied.facts.blocked, true);
  assert.equal(denied.facts.external, undefined);
  services.outcome = (_request, intentId) => ok({ intentId, state: 'held', verdict: 'escalate', checks: [] });
  const held = await gateway.handle(call({ action: 'http.post', resource: 'https://api.example.com/x' }));
  assert.ok(held.result.ok);
  assert.equal((held.result.value as { held: boolean }).held, true);
  assert.equal(held.facts.blocked, false);
  services.outcome = (_request, intentId) =>
    ok({
      intentId,
      state: 'failed',
      verdict: 'allow',
      checks: [],
      error: { code: 'CONNECTOR_FAILED', message: 'http 503' },
    });
  const failed = await gateway.handle(call({ action: 'http.post', resource: 'https://api.example.com/x' }));
  assert.equal(failed.result.ok ? '' : failed.result.error.code, 'CONNECTOR_FAILED');
  assert.equal(failed.facts.blocked, false);
});

test('§41.3 tool: bandwidth per minute counts payloads out and results in', async () => {
  const { gateway, clock } = setup({ bytesPerMinute: 300 });
  const payload = {
    action: 'http.post',
    resource: 'https://api.example.com/x',
    args: { data: 'x'.repeat(60) },
  };
  let allowed = 0;
  for (let i = 0; i < 5; i++) if ((await gateway.handle(call(payload))).result.ok) allowed += 1;
  assert.ok(allowed >= 1 && allowed < 5, `allowed ${allowed}`);
  const limited = await gateway.handle(call(payload));
  assert.equal(limited.result.ok ? '' : limited.result.error.code, 'GATEWAY_RATE_LIMITED');
  clock.advance(60_000);
  assert.ok((await gateway.handle(call(payload))).result.ok);
});

test('tool gateway: malformed payloads fail POD_CALL_INVALID', async () => {
  const { gateway, services } = setup();
  for (const payload of [
    null,
    'x',
    [],
    { action: 'a b', resource: 'kv:notes/a' },
    { action: 'a', resource: '' },
    { action: 'a', resource: 'kv:notes/a', extra: 1 },
    { action: 'a', resource: 'kv:notes/a', args: [] },
    { action: 'a', resource: 'kv:notes/a', args: JSON.parse('{"__proto__": {"x": 1}}') },
    { action: 'a', resource: 'kv:notes/a', sideEffect: 'harmless' },
    { action: 'a', resource: 'kv:notes/a', idempotencyKey: 7 },
  ]) {
    const answer = await gateway.handle(call(payload));
    assert.equal(
      answer.result.ok ? '' : answer.result.error.code,
      'POD_CALL_INVALID',
      JSON.stringify(payload),
    );
  }
  assert.equal(services.submitted.length, 0);
  await gateway.handle(call({ action: 'kv.put', resource: 'kv:notes/a', sideEffect: 'unknown' }));
  assert.equal(services.submitted[0]?.request.sideEffect, 'write');
});

test('tool gateway: network hosts are read from the authority', () => {
  assert.equal(networkHost('https://API.example.com:8443/x?y'), 'api.example.com:8443');
  assert.equal(networkHost('https://user:pw@evil.net/x'), 'evil.net');
  assert.equal(networkHost('kv:notes/a'), undefined);
  assert.equal(networkHost('mcp://server/tool'), undefined);
});
