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

test('outbound: a send naming a subject carries it into the intent; a bad subject is POD_CALL_INVALID', async () => {
  const { gateway, services } = setup();
  const sent = await gateway.handle(call({ to: 'bob', type: 'note', body: 1, subject: 'report-1' }));
  assert.ok(sent.result.ok);
  assert.deepEqual(services.submitted[0]?.request.args, { type: 'note', body: 1, subject: 'report-1' });
  for (const subject of ['', 'has space', 'x'.repeat(257), 7]) {
    const bad = await gateway.handle(call({ to: 'bob', type: 'note', body: 1, subject }));
    assert.equal(bad.result.ok ? '' : bad.result.error.code, 'POD_CALL_INVALID', String(subject));
  }
  assert.equal(services.submitted.length, 1);
});

test('outbound: vouch asks the host for a bond as the calling agent, within the send rate', async () => {
  const { gateway, services } = setup({ perMinute: 2 });
  const asked: string[][] = [];
  services.vouch = async (voucher: string, vouchee: string, subject: string) => {
    asked.push([voucher, vouchee, subject]);
    return ok(asked.length === 1 ? { granted: true } : { granted: false, reason: 'vouch-session-cap' });
  };
  const granted = await gateway.handle(call({ vouchee: 'bob', subject: 'task-9' }, 'vouch'));
  assert.deepEqual(granted.result.ok ? granted.result.value : null, { granted: true });
  assert.deepEqual(asked, [['alice', 'bob', 'task-9']]);
  const malformed = await gateway.handle(call({ vouchee: 'bob' }, 'vouch'));
  assert.equal(malformed.result.ok ? '' : malformed.result.error.code, 'POD_CALL_INVALID');
  // A ledger refusal is data for the agent, not a blocked call the immune system would count.
  const capped = await gateway.handle(call({ vouchee: 'bob', subject: 'task-9' }, 'vouch'));
  assert.deepEqual(capped.result.ok ? capped.result.value : null, {
    granted: false,
    reason: 'vouch-session-cap',
  });
  assert.equal(capped.facts.blocked, false);
  const limited = await gateway.handle(call({ vouchee: 'bob', subject: 'task-9' }, 'vouch'));
  assert.equal(limited.result.ok ? '' : limited.result.error.code, 'GATEWAY_RATE_LIMITED');
  assert.equal(asked.length, 2);
});

test('outbound: an agent may vouch only for agents on its recipient allowlist', async () => {
  const { gateway, services } = setup();
  let asked = 0;
  services.vouch = async () => {
    asked += 1;
    return ok({ granted: true });
  };
  const refused = await gateway.handle(call({ vouchee: 'mallory', subject: 'task-9' }, 'vouch'));
  assert.equal(refused.result.ok ? '' : refused.result.error.code, 'MESSAGE_DENIED');
  assert.equal(refused.facts.blocked, true);
  assert.equal(asked, 0);
});

test('outbound: without a trust ledger a vouch is GATEWAY_DENIED, and not counted as blocked', async () => {
  const { gateway } = setup();
  const refused = await gateway.handle(call({ vouchee: 'bob', subject: 'task-9' }, 'vouch'));
  assert.equal(refused.result.ok ? '' : refused.result.error.code, 'GATEWAY_DENIED');
  assert.equal(refused.facts.blocked, false);
});
