import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../testing/fake-clock.ts';
import { SeededRandom } from '../testing/seeded-random.ts';
import { signEnvelope } from './batch.ts';
import type { EnvelopeDraft } from './envelope.ts';
import { BusKeyRing } from './key-ring.ts';
import { BUS_REASONS, reasonOf } from './reasons.ts';
import { type ReceivePolicy, Receiver } from './receive-checks.ts';
import { ReplayWindow } from './replay-window.ts';
import { SchemaRegistry } from './schema-registry.ts';

const schemas = new SchemaRegistry({
  'note.v1': { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
});

function setup(policy: Partial<ReceivePolicy> = {}) {
  const clock = new FakeClock();
  const keys = new BusKeyRing({ clock, random: new SeededRandom(3) });
  keys.generate('alice');
  const base: ReceivePolicy = {
    senders: ['alice'],
    clearance: 'INTERNAL',
    rate: { perSecond: 10, burst: 100 },
    dlp: 'block',
    schemas,
    ...policy,
  };
  const receiver = new Receiver({ keys, clock, policies: (r) => (r === 'bob' ? base : undefined) });
  const sign = (over: Partial<EnvelopeDraft> = {}) => {
    const signed = signEnvelope(
      {
        from: 'alice',
        to: ['bob'],
        type: 'note',
        schema: 'note.v1',
        payload: { text: 'hello' },
        label: { confidentiality: 'PUBLIC', integrity: 'TRUSTED' },
        ...over,
      },
      keys,
    );
    assert.ok(signed.ok);
    return signed.value;
  };
  const receive = (value: unknown, recipient = 'bob') =>
    receiver.receive(recipient, Buffer.from(JSON.stringify(value)));
  const reason = (value: unknown, recipient = 'bob') => {
    const got = receive(value, recipient);
    return got.ok ? 'delivered' : reasonOf(got.error);
  };
  return { clock, keys, sign, receive, reason, receiver };
}

test('issue 5: the first failing check in the documented order gives the reason', () => {
  const { sign, reason } = setup();
  // Above clearance and an unknown schema: the schema check comes first.
  const both = sign({ schema: 'nope', label: { confidentiality: 'RESTRICTED', integrity: 'TRUSTED' } });
  assert.equal(reason(both), BUS_REASONS.BUS_SCHEMA_UNKNOWN);
  // Forged and replayed: the signature check comes first, and a forgery leaves no replay state.
  const good = sign();
  assert.equal(reason({ ...good, type: 'other' }), BUS_REASONS.BUS_SIGNATURE_INVALID);
  assert.equal(reason(good), 'delivered');
  assert.equal(reason(good), BUS_REASONS.BUS_REPLAY);
  assert.equal(reason(sign({ to: ['carol'] })), BUS_REASONS.BUS_NOT_ADDRESSED);
  assert.equal(reason(sign({ to: ['dan'] }), 'dan'), BUS_REASONS.BUS_RECIPIENT_UNKNOWN);
  assert.equal(reason({ ...sign(), keyId: 'ed25519:unknown' }), BUS_REASONS.BUS_KEY_UNKNOWN);
});

test('issue 5: signed messages to recipients without a policy leave no replay state behind', () => {
  const { sign, reason, receiver } = setup();
  for (let i = 0; i < 1_000; i++) {
    assert.equal(reason(sign({ to: [`ghost${i}`] }), `ghost${i}`), BUS_REASONS.BUS_RECIPIENT_UNKNOWN);
  }
  assert.equal(receiver.statePairs, 0);
  assert.equal(reason(sign()), 'delivered');
  assert.equal(receiver.statePairs, 1);
});

test('DR-I1: no write-down: a label above the clearance is refused, at or below it delivered', () => {
  const { sign, reason } = setup({ clearance: 'INTERNAL' });
  const at = (confidentiality: 'PUBLIC' | 'INTERNAL' | 'CONFIDENTIAL' | 'RESTRICTED') =>
    reason(sign({ label: { confidentiality, integrity: 'TRUSTED' } }));
  assert.deepEqual(
    [at('PUBLIC'), at('INTERNAL'), at('CONFIDENTIAL'), at('RESTRICTED')],
    ['delivered', 'delivered', BUS_REASONS.BUS_LABEL_ABOVE_CLEARANCE, BUS_REASONS.BUS_LABEL_ABOVE_CLEARANCE],
  );
});

test('issue 5: a sender below the trust threshold is refused; a sender the ledger does not know scores 0', () => {
  const scores = new Map<string, number>([['alice', 0.4]]);
  const { sign, reason } = setup({ trust: { min: 0.5, scoreOf: (sender) => scores.get(sender) } });
  assert.equal(reason(sign()), BUS_REASONS.BUS_TRUST_BELOW_THRESHOLD);
  scores.set('alice', 0.5);
  assert.equal(reason(sign()), 'delivered');
  scores.delete('alice');
  assert.equal(reason(sign()), BUS_REASONS.BUS_TRUST_BELOW_THRESHOLD);
});

test('issue 5: envelope time outside the allowed skew is refused either way', () => {
  const { clock, sign, reason } = setup();
  const old = sign();
  clock.advance(5 * 60_000 + 1);
  assert.equal(reason(old), BUS_REASONS.BUS_CLOCK_SKEW);
  const early = sign();
  clock.setWall(clock.wallMs() - 5 * 60_000 - 1);
  assert.equal(reason(early), BUS_REASONS.BUS_CLOCK_SKEW);
});

test('issue 5: the rate per sender is a token bucket on the monotonic clock', () => {
  const { clock, sign, reason } = setup({ rate: { perSecond: 2, burst: 3 } });
  const got = Array.from({ length: 4 }, () => reason(sign()));
  assert.deepEqual(got, ['delivered', 'delivered', 'delivered', BUS_REASONS.BUS_RATE_LIMITED]);
  clock.advance(500);
  assert.equal(reason(sign()), 'delivered');
  assert.equal(reason(sign()), BUS_REASONS.BUS_RATE_LIMITED);
});

test('issue 5: DLP blocks a payload with a secret, or delivers it redacted, per policy', () => {
  const payload = { text: 'write to jane.doe@example.com, card 4111 1111 1111 1111' };
  const blocking = setup({ dlp: 'block' });
  const blocked = blocking.receive(blocking.sign({ payload }));
  assert.ok(!blocked.ok);
  assert.equal(reasonOf(blocked.error), BUS_REASONS.BUS_DLP_BLOCKED);
  const redacting = setup({ dlp: 'redact' });
  const redacted = redacting.receive(redacting.sign({ payload }));
  assert.ok(redacted.ok);
  assert.ok(redacted.value.findings.length >= 2);
  assert.doesNotMatch(JSON.stringify(redacted.value), /jane\.doe|4111/);
});

test('issue 5: the replay window accepts late arrivals inside it and stays bounded', () => {
  const window = new ReplayWindow(8);
  const accept = (seq: number) => {
    const problem = window.problem(seq, `id${seq}`, `n${seq}`);
    if (problem === undefined) window.accept(seq, `id${seq}`, `n${seq}`);
    return problem ?? 'ok';
  };
  assert.equal(accept(10), 'ok');
  assert.equal(accept(4), 'ok');
  assert.equal(accept(2), BUS_REASONS.BUS_SEQ_TOO_OLD);
  assert.equal(accept(4), BUS_REASONS.BUS_REPLAY);
  assert.equal(window.problem(11, 'id10', 'fresh'), BUS_REASONS.BUS_REPLAY);
  assert.equal(window.problem(11, 'fresh', 'n10'), BUS_REASONS.BUS_REPLAY);
  for (let seq = 11; seq < 2_000; seq++) accept(seq);
  assert.ok(window.size <= 8);
  assert.equal(window.highest, 1_999);
});
