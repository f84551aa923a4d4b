import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../testing/fake-clock.ts';
import { SeededRandom } from '../testing/seeded-random.ts';
import { signEnvelope, signEnvelopes } from './batch.ts';
import { BatchSigner } from './batch-signer.ts';
import type { Envelope, EnvelopeDraft } from './envelope.ts';
import { BusKeyRing } from './key-ring.ts';
import { BATCH_MAX } from './limits.ts';
import { BUS_REASONS, reasonOf } from './reasons.ts';
import { type ReceivePolicy, Receiver } from './receive-checks.ts';
import { SchemaRegistry } from './schema-registry.ts';
import { VerifiedBatches } from './verified-batches.ts';

const schemas = new SchemaRegistry({
  'note.v1': { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
});
const policy: ReceivePolicy = {
  senders: ['alice', 'bob'],
  clearance: 'INTERNAL',
  rate: { perSecond: 1_000, burst: 10_000 },
  dlp: 'block',
  schemas,
};
const R = BUS_REASONS;

function setup() {
  const clock = new FakeClock();
  const keys = new BusKeyRing({ clock, random: new SeededRandom(11) });
  keys.generate('alice');
  keys.generate('bob');
  const receiver = (directory = keys) =>
    new Receiver({
      keys: directory,
      clock,
      policies: (r) => (['carol', 'dave'].includes(r) ? policy : undefined),
    });
  const draft = (text: string, to: readonly string[] = ['carol'], from = 'alice'): EnvelopeDraft => ({
    from,
    to,
    type: 'note',
    schema: 'note.v1',
    payload: { text },
    label: { confidentiality: 'INTERNAL', integrity: 'TRUSTED' },
  });
  const batch = (n: number, to?: readonly string[], from?: string): Envelope[] => {
    const signed = signEnvelopes(
      Array.from({ length: n }, (_, i) => draft(`m${i}`, to, from)),
      keys,
    );
    assert.ok(signed.ok);
    return signed.value;
  };
  return { clock, keys, receiver, draft, batch };
}

const wire = (value: unknown) => Buffer.from(JSON.stringify(value));
function reason(receiver: Receiver, value: unknown, recipient = 'carol'): string | undefined {
  const got = receiver.receive(recipient, wire(value));
  return got.ok ? 'delivered' : reasonOf(got.error);
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

test('decision 0010: batches of 2, 3, 5 and 64 share one signature; each member verifies alone and in any order', () => {
  const { batch, receiver } = setup();
  for (const n of [2, 3, 5, 64]) {
    const envelopes = batch(n);
    assert.equal(new Set(envelopes.map((e) => e.sig)).size, 1, `one signature for n=${n}`);
    assert.deepEqual(
      envelopes.map((e) => e.seq),
      envelopes.map((_, i) => (envelopes[0]?.seq ?? 0) + i),
    );
    assert.deepEqual(
      envelopes.map((e) => [e.proof?.n, e.proof?.i]),
      envelopes.map((_, i) => [n, i]),
    );
    for (const envelope of envelopes) assert.equal(reason(receiver(), envelope), 'delivered', `alone n=${n}`);
    const one = receiver();
    for (const envelope of shuffled(envelopes, n)) assert.equal(reason(one, envelope), 'delivered');
  }
});

test('decision 0010: a batch of one is signed alone, and more than BATCH_MAX drafts make several batches', () => {
  const { batch, receiver, keys, draft } = setup();
  const [lone] = batch(1);
  assert.equal(lone?.proof, null);
  assert.equal(reason(receiver(), lone), 'delivered');
  const many = batch(BATCH_MAX + 1);
  assert.equal(new Set(many.map((e) => e.sig)).size, 2);
  assert.equal(many[BATCH_MAX]?.proof, null);
  const r = receiver();
  for (const envelope of many) assert.equal(reason(r, envelope), 'delivered');
  assert.equal(signEnvelopes([], keys).ok, true);
  const mixed = signEnvelopes([draft('a'), draft('b', ['carol'], 'bob')], keys);
  assert.ok(!mixed.ok);
  assert.equal(reasonOf(mixed.error), R.BUS_MALFORMED);
  const bad = signEnvelopes([draft('a'), { ...draft('b'), to: [] }], keys);
  assert.ok(!bad.ok);
  assert.equal(reasonOf(bad.error), R.BUS_MALFORMED);
  const stranger = signEnvelopes([draft('a', ['carol'], 'zed'), draft('b', ['carol'], 'zed')], keys);
  assert.ok(!stranger.ok);
  assert.equal(reasonOf(stranger.error), R.BUS_SENDER_UNKNOWN);
  // Nothing was signed, and no number taken, for the refused batches.
  const next = signEnvelope(draft('next'), keys);
  assert.ok(next.ok);
  assert.equal(next.value.seq, BATCH_MAX + 3);
});

test('decision 0010: a batch split across recipients and nodes verifies at each, from exported public keys', () => {
  const { keys, clock, receiver, draft } = setup();
  const signed = signEnvelopes(
    [draft('to carol', ['carol']), draft('to dave', ['dave']), draft('to both', ['carol', 'dave'])],
    keys,
  );
  assert.ok(signed.ok);
  const [toCarol, toDave, toBoth] = signed.value as [Envelope, Envelope, Envelope];
  const remote = new BusKeyRing({ clock });
  remote.importPublicKey(toCarol.keyId, 'alice', keys.exportPublicKey(toCarol.keyId) as string);
  const here = receiver();
  const there = receiver(remote);
  assert.equal(reason(here, toCarol, 'carol'), 'delivered');
  assert.equal(reason(there, toDave, 'dave'), 'delivered');
  assert.equal(reason(there, toBoth, 'carol'), 'delivered');
  assert.equal(reason(here, toBoth, 'dave'), 'delivered');
  assert.equal(reason(here, toDave, 'carol'), R.BUS_NOT_ADDRESSED);
});

test('decision 0010: every tampering with a batch member is refused with a stable reason', () => {
  const { batch, receiver, keys, draft } = setup();
  const a = batch(5);
  const b = batch(5);
  const [a0, a1, , , a4] = a as [Envelope, Envelope, Envelope, Envelope, Envelope];
  const [b0] = b as [Envelope];
  const proof = a0.proof as NonNullable<Envelope['proof']>;
  const other = (hash: string) => (hash[0] === 'A' ? `B${hash.slice(1)}` : `A${hash.slice(1)}`);
  const flip = (sig: string) => `${sig.slice(0, 10)}${sig[10] === 'A' ? 'B' : 'A'}${sig.slice(11)}`;
  keys.generate('alice');
  const rotated = batch(2);
  const cases: Array<[string, unknown, string]> = [
    ['a payload byte', { ...a0, payload: { text: 'm1' } }, R.BUS_SIGNATURE_INVALID],
    ['the index, same path length', { ...a0, proof: { ...proof, i: 1 } }, R.BUS_SIGNATURE_INVALID],
    ['the index, other path length', { ...a0, proof: { ...proof, i: 4 } }, R.BUS_MALFORMED],
    ['the batch size', { ...a0, proof: { ...proof, n: 6 } }, R.BUS_SIGNATURE_INVALID],
    ['the batch size beyond the bound', { ...a0, proof: { ...proof, n: BATCH_MAX + 1 } }, R.BUS_MALFORMED],
    [
      'a path element',
      { ...a0, proof: { ...proof, path: [other(proof.path[0] as string), ...proof.path.slice(1)] } },
      R.BUS_SIGNATURE_INVALID,
    ],
    ['a shorter path', { ...a0, proof: { ...proof, path: proof.path.slice(1) } }, R.BUS_MALFORMED],
    ['a longer path', { ...a0, proof: { ...proof, path: [...proof.path, proof.path[0]] } }, R.BUS_MALFORMED],
    ['the signature', { ...a0, sig: flip(a0.sig) }, R.BUS_SIGNATURE_INVALID],
    ['another key of the sender', { ...a0, keyId: rotated[0]?.keyId }, R.BUS_SIGNATURE_INVALID],
    ['an unknown key', { ...a0, keyId: `ed25519:${'A'.repeat(22)}` }, R.BUS_KEY_UNKNOWN],
    ['the sender', { ...a0, from: 'bob' }, R.BUS_KEY_MISMATCH],
    ['proofs swapped within a batch', { ...a0, proof: a1.proof }, R.BUS_SIGNATURE_INVALID],
    ["batch B's proof and signature", { ...a0, proof: b0.proof, sig: b0.sig }, R.BUS_SIGNATURE_INVALID],
    ["batch B's proof", { ...a0, proof: b0.proof }, R.BUS_SIGNATURE_INVALID],
    ['no proof', { ...a0, proof: null }, R.BUS_SIGNATURE_INVALID],
    ['the last member as the first', { ...a4, proof: { ...a4.proof, i: 0 } }, R.BUS_MALFORMED],
    ['the last member with the proof of the first', { ...a4, proof }, R.BUS_SIGNATURE_INVALID],
  ];
  // A warm cache changes nothing: the batch's genuine members are accepted first.
  const r = receiver();
  assert.equal(reason(r, a0), 'delivered');
  assert.equal(reason(r, b0), 'delivered');
  for (const [name, forged, expected] of cases) {
    assert.equal(reason(r, forged), expected, name);
    assert.equal(reason(receiver(), forged), expected, `${name}, cold`);
  }
  // A lone envelope given a proof, and a lone signature passed off as a batch's.
  const lone = signEnvelope(draft('alone'), keys);
  assert.ok(lone.ok);
  assert.equal(reason(r, { ...lone.value, proof: b0.proof }), R.BUS_SIGNATURE_INVALID);
  assert.equal(reason(r, { ...b0, sig: lone.value.sig }), R.BUS_SIGNATURE_INVALID);
});

test('decision 0010: a retired key is refused even when its batch is already verified; a replayed member is refused', () => {
  const { batch, receiver, keys } = setup();
  const [first, second, third] = batch(3) as [Envelope, Envelope, Envelope];
  const r = receiver();
  assert.equal(reason(r, first), 'delivered');
  assert.equal(reason(r, first), R.BUS_REPLAY);
  assert.equal(reason(r, second), 'delivered');
  keys.retire(third.keyId);
  assert.equal(reason(r, third), R.BUS_KEY_RETIRED);
  assert.equal(reason(r, second), R.BUS_KEY_RETIRED);
});

test('decision 0010: the batch signer coalesces one turn of drafts per sender, in call order', async () => {
  const { keys, draft, receiver } = setup();
  const signer = new BatchSigner(keys);
  const pending = [
    signer.sign(draft('a1')),
    signer.sign(draft('b1', ['carol'], 'bob')),
    signer.sign(draft('a2')),
    signer.sign({
      ...draft('bad'),
      label: { confidentiality: 'NOPE', integrity: 'TRUSTED' },
    } as unknown as EnvelopeDraft),
    signer.sign(draft('a3')),
    signer.sign(draft('z', ['carol'], 'zed')),
  ];
  const [a1, b1, a2, bad, a3, zed] = await Promise.all(pending);
  assert.ok(a1?.ok && a2?.ok && a3?.ok && b1?.ok);
  assert.deepEqual(
    [a1.value, a2.value, a3.value].map((e) => [e.seq, e.proof?.i, e.proof?.n]),
    [
      [1, 0, 3],
      [2, 1, 3],
      [3, 2, 3],
    ],
  );
  assert.equal(b1.value.proof, null, 'a lone draft of its sender is signed alone');
  assert.ok(bad !== undefined && !bad.ok);
  assert.equal(reasonOf(bad.error), R.BUS_MALFORMED);
  assert.ok(zed !== undefined && !zed.ok);
  assert.equal(reasonOf(zed.error), R.BUS_SENDER_UNKNOWN);
  assert.deepEqual(signer.stats, { envelopes: 4, signatures: 2 });
  const r = receiver();
  for (const signed of [a3, b1, a1, a2]) assert.equal(reason(r, signed.value), 'delivered');
});

test('decision 0010: the batch signer signs at once when BATCH_MAX drafts of a sender wait', async () => {
  const { keys, draft } = setup();
  const signer = new BatchSigner(keys);
  const pending = Array.from({ length: BATCH_MAX + 1 }, (_, i) => signer.sign(draft(`m${i}`)));
  assert.deepEqual(signer.stats, { envelopes: BATCH_MAX, signatures: 1 }, 'before the turn ends');
  const signed = await Promise.all(pending);
  assert.deepEqual(signer.stats, { envelopes: BATCH_MAX + 1, signatures: 2 });
  const last = signed.at(-1);
  assert.ok(last?.ok);
  assert.equal(last.value.proof, null);
});

test('decision 0010: a key retired before the batch is signed fails every waiting draft; the payload is copied', async () => {
  const { keys, draft, receiver } = setup();
  const signer = new BatchSigner(keys);
  const bobKey = signEnvelopes([draft('x', ['carol'], 'bob')], keys);
  assert.ok(bobKey.ok);
  const doomed = [signer.sign(draft('1', ['carol'], 'bob')), signer.sign(draft('2', ['carol'], 'bob'))];
  keys.retire(bobKey.value[0]?.keyId as string);
  for (const result of await Promise.all(doomed)) {
    assert.ok(!result.ok);
    assert.equal(reasonOf(result.error), R.BUS_SENDER_UNKNOWN);
  }
  const mutable = { text: 'as handed over' };
  const pending = [signer.sign({ ...draft(''), payload: mutable }), signer.sign(draft('other'))];
  mutable.text = 'changed afterwards';
  const [first] = await Promise.all(pending);
  assert.ok(first?.ok);
  assert.deepEqual(first.value.payload, { text: 'as handed over' });
  assert.equal(reason(receiver(), first.value), 'delivered');
  signer.flush();
  assert.doesNotMatch(
    JSON.stringify({ signer, own: Object.getOwnPropertyNames(signer) }),
    /PRIVATE KEY|privateKey/,
  );
});

test('decision 0010: with verified batches remembered, every verdict equals the verdict of a fresh receiver', () => {
  const { batch, receiver } = setup();
  for (let seed = 1; seed <= 6; seed++) {
    const a = batch(3 + seed * 9);
    const b = batch(2 + seed);
    const pick = <T>(items: readonly T[], k: number): T => items[k % items.length] as T;
    const forged = a.flatMap((e, k): unknown[] => {
      const proof = e.proof as NonNullable<Envelope['proof']>;
      const other = pick(a, k + 1 + seed);
      const foreign = pick(b, k);
      const path = [...proof.path];
      path[k % path.length] = pick(other.proof?.path ?? [], k + 1);
      return [
        { ...e, payload: { text: `x${k}` } },
        ...(other.id === e.id ? [] : [{ ...e, proof: other.proof }]),
        ...(path.join() === proof.path.join() ? [] : [{ ...e, proof: { ...proof, path } }]),
        { ...e, proof: foreign.proof, sig: foreign.sig },
      ];
    });
    const traffic = shuffled([...a, ...b, ...forged], seed);
    const warm = receiver();
    for (const message of traffic) {
      assert.equal(reason(warm, message), reason(receiver(), message), `seed ${seed}`);
    }
  }
});

test('decision 0010: the verified-batch memory is bounded and bound to the key object', () => {
  const [first, second] = [new BusKeyRing(), new BusKeyRing()];
  const keyA = first.publicKey(first.generate('alice'))?.key;
  const keyB = second.publicKey(second.generate('alice'))?.key;
  assert.ok(keyA !== undefined && keyB !== undefined);
  const memory = new VerifiedBatches(2);
  const entry = (root: string) => ({ key: keyA, root, last: { i: 0, nodes: [root], path: [] } });
  memory.add('one', entry('r1'));
  memory.add('two', entry('r2'));
  assert.equal(memory.get('one', keyB), undefined, 'another key object under the same id');
  assert.equal(memory.get('one', keyA)?.root, 'r1');
  memory.add('three', entry('r3'));
  assert.equal(memory.size, 2);
  assert.equal(memory.get('two', keyA), undefined, 'the least recently used is forgotten');
  assert.equal(memory.get('one', keyA)?.root, 'r1');
});
