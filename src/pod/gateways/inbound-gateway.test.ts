import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../testing/fake-clock.ts';
import { defaultGatewayConfig, type GatewayConfig } from '../gateway-config.ts';
import { InboundGateway, TAKE_MESSAGES_MAX } from './inbound-gateway.ts';
import type { GatewayCall, PodMessage } from './port.ts';

const TAKE: GatewayCall = { agent: 'bob', gateway: 'inbound', op: 'take', payload: null, bytes: 4 };

function setup(inbound: Partial<GatewayConfig['inbound']> = {}) {
  const clock = new FakeClock();
  const config = {
    ...defaultGatewayConfig().inbound,
    senders: ['alice', 'team-*'],
    types: ['note'],
    ...inbound,
  };
  return { clock, gateway: new InboundGateway({ config, clock }) };
}

const message = (from: string, body: PodMessage['body'] = 'hi', type = 'note'): PodMessage => ({
  from,
  to: 'bob',
  type,
  body,
});

test('§41.3 inbound: senders and types off the allowlists, and oversized bodies, are MESSAGE_DENIED', () => {
  const { gateway } = setup({ payloadBytesMax: 50 });
  assert.ok(gateway.accept(message('alice')).ok);
  assert.ok(gateway.accept(message('team-red')).ok);
  for (const refused of [
    message('mallory'),
    message('alice', 'hi', 'command'),
    message('alice', 'x'.repeat(60)),
  ]) {
    const accepted = gateway.accept(refused);
    assert.equal(accepted.ok ? '' : accepted.error.code, 'MESSAGE_DENIED');
  }
  assert.equal(gateway.queued, 2);
  const { gateway: closed } = setup({ senders: [] });
  assert.equal(closed.accept(message('alice')).ok, false);
});

test('§41.3 inbound: rate per minute and a bounded queue', () => {
  const { gateway, clock } = setup({ perMinute: 3, queueMax: 2 });
  assert.ok(gateway.accept(message('alice')).ok);
  assert.ok(gateway.accept(message('alice')).ok);
  const full = gateway.accept(message('alice'));
  assert.equal(full.ok ? '' : full.error.code, 'MESSAGE_DENIED');
  assert.equal(gateway.next()?.from, 'alice');
  assert.ok(gateway.accept(message('alice')).ok);
  gateway.next();
  const limited = gateway.accept(message('alice'));
  assert.equal(limited.ok ? '' : limited.error.code, 'GATEWAY_RATE_LIMITED');
  clock.advance(20_000);
  assert.ok(gateway.accept(message('alice')).ok);
});

test('inbound gateway: take returns and clears waiting messages, a bounded number at a time', async () => {
  const { gateway } = setup({ perMinute: 1000, queueMax: 1000 });
  for (let i = 0; i < TAKE_MESSAGES_MAX + 5; i++) assert.ok(gateway.accept(message('alice', i)).ok);
  const first = await gateway.handle(TAKE);
  assert.ok(first.result.ok);
  const taken = first.result.value as { body: number }[];
  assert.equal(taken.length, TAKE_MESSAGES_MAX);
  assert.deepEqual(taken[0], { from: 'alice', type: 'note', body: 0 });
  assert.equal(first.facts.bytesIn > 0, true);
  assert.equal(gateway.next()?.body, TAKE_MESSAGES_MAX);
  const rest = await gateway.handle(TAKE);
  assert.equal((rest.result.ok ? (rest.result.value as unknown[]) : []).length, 4);
  assert.equal(gateway.queued, 0);
  assert.equal(gateway.next(), undefined);
  const empty = await gateway.handle(TAKE);
  assert.deepEqual(empty.result, { ok: true, value: [] });
});
