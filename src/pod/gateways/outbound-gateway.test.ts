import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeServices } from '../../../test/pod/gateway-fakes.ts';
import type { JsonValue } from '../../shared/index.ts';
import { ok } from '../../shared/index.ts';
import { FakeClock } from '../../testing/fake-clock.ts';
import { defaultGatewayConfig, type GatewayConfig } from '../gateway-config.ts';
import { OutboundGateway } from './outbound-gateway.ts';
import type { GatewayCall } from './port.ts';

function call(payload: JsonValue, op = 'send'): GatewayCall {
  return {
    agent: 'alice',
    gateway: 'outbound',
    op,
    payload,
    bytes: Buffer.byteLength(JSON.stringify(payload)),
  };
}

function setup(outbound: Partial<GatewayConfig['outbound']> = {}) {
  const services = new FakeServices();
  const clock = new FakeClock();
  const config = {
    ...defaultGatewayConfig().outbound,
    recipients: ['bob', 'worker-*'],
    types: ['task.*', 'note'],
    ...outbound,
  };
  return { services, clock, gateway: new OutboundGateway({ config, services, clock }) };
}

test('outbound gateway: an allowed message becomes a message.send intent and an aggregate message', async () => {
  const { gateway, services } = setup();
  const answer = await gateway.handle(call({ to: 'worker-7', type: 'task.assign', body: { job: 1 } }));
  assert.ok(answer.result.ok);
  assert.deepEqual(services.submitted[0], {
    agent: 'alice',
    request: {
      action: 'message.send',
      resource: 'agent:worker-7',
      args: { type: 'task.assign', body: { job: 1 } },
      sideEffect: 'write',
    },
  });
  assert.deepEqual(answer.facts.external, { kind: 'message', peer: 'worker-7' });
  assert.equal(answer.facts.target, 'worker-7');
});

test('§41.3 outbound: recipients and types off the allowlists are MESSAGE_DENIED', async () => {
  const { gateway, services } = setup();
  for (const payload of [
    { to: 'mallory', type: 'note', body: 'hi' },
    { to: 'worker', type: 'note', body: 'hi' },
    { to: 'bob', type: 'command', body: 'hi' },
  ]) {
    const answer = await gateway.handle(call(payload));
    assert.equal(answer.result.ok ? '' : answer.result.error.code, 'MESSAGE_DENIED', JSON.stringify(payload));
    assert.equal(answer.facts.blocked, true);
  }
  const { gateway: silent } = setup({ recipients: [] });
  const none = await silent.handle(call({ to: 'bob', type: 'note', body: 'hi' }));
  assert.equal(none.result.ok ? '' : none.result.error.code, 'MESSAGE_DENIED');
  assert.equal(services.submitted.length, 0);
});

test('§41.3 outbound: payload size and rate per minute', async () => {
  const { gateway, clock } = setup({ payloadBytesMax: 100, perMinute: 2 });
  const big = await gateway.handle(call({ to: 'bob', type: 'note', body: 'x'.repeat(200) }));
  assert.equal(big.result.ok ? '' : big.result.error.code, 'MESSAGE_DENIED');
  const small = { to: 'bob', type: 'note', body: 'hi' };
  assert.ok((await gateway.handle(call(small))).result.ok);
  assert.ok((await gateway.handle(call(small))).result.ok);
  const limited = await gateway.handle(call(small));
  assert.equal(limited.result.ok ? '' : limited.result.error.code, 'GATEWAY_RATE_LIMITED');
  clock.advance(30_000);
  assert.ok((await gateway.handle(call(small))).result.ok);
});

test('outbound gateway: the DSC decides; its denial is MESSAGE_DENIED with the check', async () => {
  const { gateway, services } = setup();
  services.outcome = (_request, intentId) =>
    ok({
      intentId,
      state: 'denied',
      verdict: 'deny',
      checks: [{ check: 'ifc', verdict: 'deny', code: 'IFC_WRITE_DOWN', reason: 'confidential data' }],
    });
  const answer = await gateway.handle(call({ to: 'bob', type: 'note', body: 'secret' }));
  assert.equal(answer.result.ok ? '' : answer.result.error.code, 'MESSAGE_DENIED');
  assert.match(answer.result.ok ? '' : answer.result.error.message, /IFC_WRITE_DOWN/);
  assert.equal(answer.facts.blocked, true);
  assert.equal(answer.facts.external, undefined);
});

test('outbound gateway: malformed sends fail POD_CALL_INVALID', async () => {
  const { gateway } = setup();
  for (const payload of [
    null,
    { to: 'bob', type: 'note' },
    { to: 'b o b', type: 'note', body: 1 },
    { to: 'bob', type: 'note', body: 1, cc: 'x' },
  ]) {
    const answer = await gateway.handle(call(payload));
    assert.equal(
      answer.result.ok ? '' : answer.result.error.code,
      'POD_CALL_INVALID',
      JSON.stringify(payload),
    );
  }
});
