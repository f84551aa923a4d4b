import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../testing/fake-clock.ts';
import { SeededRandom } from '../testing/seeded-random.ts';
import { type Envelope, type EnvelopeDraft, signEnvelope, signingInput } from './envelope.ts';
import { BusKeyRing, verifySignature } from './key-ring.ts';
import { parseEnvelope } from './parse.ts';
import { BUS_REASONS, reasonOf } from './reasons.ts';

const draft: EnvelopeDraft = {
  from: 'alice',
  to: ['bob', 'team.lead'],
  type: 'task.handoff',
  schema: 'note.v1',
  payload: { text: 'hi', list: [1, 2, 3] },
  label: { confidentiality: 'INTERNAL', integrity: 'UNTRUSTED' },
  vouch: [{ voucher: 'carol', bond: 0.2, sig: 'x' }],
};

function ring(): BusKeyRing {
  const keys = new BusKeyRing({ clock: new FakeClock(), random: new SeededRandom(7) });
  keys.generate('alice');
  return keys;
}

function wire(value: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(value));
}

function sign(keys: BusKeyRing): Envelope {
  const signed = signEnvelope(draft, keys);
  assert.ok(signed.ok);
  return signed.value;
}

test('issue 5: an envelope carries every field, a per-sender sequence from 1 and a verifying signature', () => {
  const keys = ring();
  const first = sign(keys);
  const second = sign(keys);
  assert.deepEqual([first.seq, second.seq], [1, 2]);
  assert.notEqual(first.nonce, second.nonce);
  assert.equal(first.v, 1);
  assert.deepEqual(first.vouch, draft.vouch);
  const key = keys.publicKey(first.keyId);
  assert.ok(key !== undefined && key.sender === 'alice');
  const { sig, ...unsigned } = first;
  assert.ok(verifySignature(key.key, signingInput(unsigned), Buffer.from(sig, 'base64url')));
  // The vouch chain is covered by the signature like every other field.
  const changed = { ...unsigned, vouch: [{ voucher: 'mallory', bond: 1, sig: 'x' }] };
  assert.equal(verifySignature(key.key, signingInput(changed), Buffer.from(sig, 'base64url')), false);
});

test('MR-2: the key ring exposes no private key to whoever holds an envelope or the ring', () => {
  const keys = ring();
  const envelope = sign(keys);
  const visible = JSON.stringify({ envelope, keys, own: Object.getOwnPropertyNames(keys) });
  assert.doesNotMatch(visible, /PRIVATE KEY|privateKey/);
  assert.equal(keys.exportPublicKey(envelope.keyId)?.includes('PUBLIC KEY'), true);
});

test('issue 5: a sender without a key, a retired key and a malformed draft cannot sign', () => {
  const keys = ring();
  const stranger = signEnvelope({ ...draft, from: 'zed' }, keys);
  assert.ok(!stranger.ok);
  assert.equal(reasonOf(stranger.error), BUS_REASONS.BUS_SENDER_UNKNOWN);
  const bad = signEnvelope({ ...draft, to: ['bob', 'bob'] }, keys);
  assert.ok(!bad.ok);
  assert.equal(reasonOf(bad.error), BUS_REASONS.BUS_MALFORMED);
  const keyId = sign(keys).keyId;
  keys.retire(keyId);
  assert.equal(keys.publicKey(keyId)?.retired, true);
  assert.equal(signEnvelope(draft, keys).ok, false);
  // A new key continues the sequence, so old sequence numbers never come back.
  keys.generate('alice');
  const next = signEnvelope(draft, keys);
  assert.ok(next.ok);
  assert.equal(next.value.seq, 2);
});

test('issue 5: strict parsing accepts a signed envelope and nothing with a wrong field set or type', () => {
  const envelope = sign(ring());
  assert.ok(parseEnvelope(wire(envelope), 256 * 1024).ok);
  const cases: Array<[string, unknown]> = [
    ['extra field', { ...envelope, extra: 1 }],
    ['missing field', { ...envelope, sig: undefined }],
    ['version', { ...envelope, v: 2 }],
    ['id', { ...envelope, id: 'not-a-uuid' }],
    ['sender', { ...envelope, from: 'a b' }],
    ['no recipients', { ...envelope, to: [] }],
    ['recipient twice', { ...envelope, to: ['bob', 'bob'] }],
    ['label', { ...envelope, label: { confidentiality: 'TOP', integrity: 'TRUSTED' } }],
    ['label field', { ...envelope, label: { ...envelope.label, x: 1 } }],
    ['seq zero', { ...envelope, seq: 0 }],
    ['seq fraction', { ...envelope, seq: 1.5 }],
    ['nonce', { ...envelope, nonce: 'short' }],
    ['ts', { ...envelope, ts: -1 }],
    ['vouch', { ...envelope, vouch: {} }],
    ['sig', { ...envelope, sig: `${envelope.sig.slice(0, 85)}!` }],
    ['array', [envelope]],
    ['proto', JSON.parse(`{"__proto__":{"x":1},${JSON.stringify(envelope).slice(1)}`)],
  ];
  for (const [name, value] of cases) {
    const parsed = parseEnvelope(wire(value), 256 * 1024);
    assert.ok(!parsed.ok, name);
    assert.equal(reasonOf(parsed.error), BUS_REASONS.BUS_MALFORMED, name);
  }
  const oversized = parseEnvelope(wire({ ...envelope, payload: 'x'.repeat(2000) }), 1024);
  assert.ok(!oversized.ok);
  assert.equal(reasonOf(oversized.error), BUS_REASONS.BUS_OVERSIZED);
  assert.equal(parseEnvelope(Buffer.from('{"v":1,'), 1024).ok, false);
  assert.equal(parseEnvelope(Uint8Array.of(0xff, 0xfe), 1024).ok, false);
});
