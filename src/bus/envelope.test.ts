import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { canonicalJson, type JsonValue } from '../shared/index.ts';
import { FakeClock } from '../testing/fake-clock.ts';
import { SeededRandom } from '../testing/seeded-random.ts';
import { signEnvelope, signEnvelopes } from './batch.ts';
import { base64url, type Envelope, type EnvelopeDraft, leafText, signingInput } from './envelope.ts';
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
    ['sig not canonical', { ...envelope, sig: `${envelope.sig.slice(0, 85)}B` }],
    ['nonce not canonical', { ...envelope, nonce: `${envelope.nonce.slice(0, 21)}B` }],
    ['no proof', { ...envelope, proof: undefined }],
    ['array', [envelope]],
    ['proto', JSON.parse(`{"__proto__":{"x":1},${JSON.stringify(envelope).slice(1)}`)],
  ];
  for (const [name, value] of cases) {
    const parsed = parseEnvelope(wire(value), 256 * 1024);
    assert.ok(!parsed.ok, name);
    assert.equal(reasonOf(parsed.error), BUS_REASONS.BUS_MALFORMED, name);
  }
  // The free-form fields are walked whole: forbidden keys, depth, numbers and strings JSON.parse lets by.
  const text = JSON.stringify(envelope);
  const withPayload = (raw: string) => Buffer.from(text.replace(/"payload":\{[^}]*\}/, `"payload":${raw}`));
  const withVouch = (raw: string) => Buffer.from(text.replace(/"vouch":\[[^\]]*\]/, `"vouch":${raw}`));
  assert.ok(parseEnvelope(withPayload('{"text":"fine"}'), 256 * 1024).ok);
  const deep = (levels: number) => `${'['.repeat(levels)}1${']'.repeat(levels)}`;
  assert.ok(parseEnvelope(withPayload(deep(63)), 256 * 1024).ok, 'depth 64 counting the envelope');
  const freeForm: Array<[string, Uint8Array]> = [
    ['payload __proto__', withPayload('{"a":{"__proto__":{"x":1}}}')],
    ['payload constructor', withPayload('[{"constructor":1}]')],
    ['payload too deep', withPayload(deep(64))],
    ['payload infinite number', withPayload('{"n":1e999}')],
    ['payload lone surrogate', withPayload('{"t":"\\ud800"}')],
    ['vouch __proto__', withVouch('[{"__proto__":1}]')],
    ['vouch lone surrogate', withVouch('["\\udc00"]')],
  ];
  for (const [name, bytes] of freeForm) {
    const parsed = parseEnvelope(bytes, 256 * 1024);
    assert.ok(!parsed.ok, name);
    assert.equal(reasonOf(parsed.error), BUS_REASONS.BUS_MALFORMED, name);
  }
  const oversized = parseEnvelope(wire({ ...envelope, payload: 'x'.repeat(2000) }), 1024);
  assert.ok(!oversized.ok);
  assert.equal(reasonOf(oversized.error), BUS_REASONS.BUS_OVERSIZED);
  assert.equal(parseEnvelope(Buffer.from('{"v":1,'), 1024).ok, false);
  assert.equal(parseEnvelope(Uint8Array.of(0xff, 0xfe), 1024).ok, false);
});

test('decision 0010: a batch proof parses only with exact fields, ranges and path length', () => {
  const signed = signEnvelopes([draft, draft, draft, draft, draft], ring());
  assert.ok(signed.ok);
  const [first, , , , last] = signed.value as [Envelope, Envelope, Envelope, Envelope, Envelope];
  assert.ok(parseEnvelope(wire(first), 256 * 1024).ok);
  assert.ok(parseEnvelope(wire(last), 256 * 1024).ok);
  const proof = first.proof as NonNullable<Envelope['proof']>;
  const hash = proof.path[0] as string;
  const cases: Array<[string, unknown]> = [
    ['not an object', 'proof'],
    ['an array', [proof]],
    ['extra key', { ...proof, x: 1 }],
    ['missing key', { n: proof.n, i: proof.i }],
    ['n of one', { ...proof, n: 1 }],
    ['n above the bound', { ...proof, n: 65 }],
    ['n fraction', { ...proof, n: 5.5 }],
    ['n as text', { ...proof, n: '5' }],
    ['i negative', { ...proof, i: -1 }],
    ['i equal to n', { ...proof, i: 5 }],
    ['i fraction', { ...proof, i: 0.5 }],
    ['path not an array', { ...proof, path: hash }],
    ['path too short', { ...proof, path: proof.path.slice(1) }],
    ['path too long', { ...proof, path: [...proof.path, hash] }],
    ['hash too short', { ...proof, path: [hash.slice(1), ...proof.path.slice(1)] }],
    ['hash not canonical', { ...proof, path: [`${hash.slice(0, 42)}B`, ...proof.path.slice(1)] }],
    ['hash padded', { ...proof, path: [`${hash}=`, ...proof.path.slice(1)] }],
    ['hash a number', { ...proof, path: [1, ...proof.path.slice(1)] }],
    ['index of another length', { ...proof, i: 4 }],
  ];
  for (const [name, bad] of cases) {
    const parsed = parseEnvelope(wire({ ...first, proof: bad }), 256 * 1024);
    assert.ok(!parsed.ok, name);
    assert.equal(reasonOf(parsed.error), BUS_REASONS.BUS_MALFORMED, name);
  }
});

test('decision 0010: fixed-length base64url fields are accepted exactly in their canonical encoding', () => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const envelope = sign(ring());
  const signed = signEnvelopes([draft, draft], ring());
  assert.ok(signed.ok);
  const member = signed.value[0] as Envelope;
  const proof = member.proof as NonNullable<Envelope['proof']>;
  for (const last of alphabet) {
    const sig = `${envelope.sig.slice(0, 85)}${last}`;
    const nonce = `${envelope.nonce.slice(0, 21)}${last}`;
    const hash = `${(proof.path[0] as string).slice(0, 42)}${last}`;
    const canonical = (text: string) => Buffer.from(text, 'base64url').toString('base64url') === text;
    const accepted = (value: unknown) => parseEnvelope(wire(value), 256 * 1024).ok;
    assert.equal(accepted({ ...envelope, sig }), canonical(sig), `sig ending ${last}`);
    assert.equal(accepted({ ...envelope, nonce }), canonical(nonce), `nonce ending ${last}`);
    const path = [hash, ...proof.path.slice(1)];
    assert.equal(accepted({ ...member, proof: { ...proof, path } }), canonical(hash), `hash ending ${last}`);
  }
});

test('decision 0010: what is signed is the canonical JSON of every field but sig (leaves: and proof)', () => {
  const keys = ring();
  const json = fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<JsonValue>;
  fc.assert(
    fc.property(json, json, fc.boolean(), (payload, vouchEntry, batched) => {
      const one: EnvelopeDraft = { ...draft, payload, vouch: [vouchEntry] };
      const signed = batched ? signEnvelopes([one, one], keys) : signEnvelopes([one], keys);
      assert.ok(signed.ok);
      const { sig: _, ...unsigned } = signed.value[0] as Envelope;
      const { proof: __, ...fields } = unsigned;
      assert.equal(
        Buffer.from(signingInput(unsigned)).toString('utf8'),
        `maos.bus.envelope.v1\n${canonicalJson(unsigned)}`,
      );
      assert.equal(leafText(fields), `maos.bus.leaf.v1\n${canonicalJson(fields)}`);
    }),
    { seed: 5, numRuns: 300 },
  );
});

test('decision 0010: the signed text equals canonical JSON for any field values, not only valid ones', () => {
  const text = fc.oneof(
    fc.string(),
    fc.string({ unit: 'grapheme' }),
    fc.constantFrom('a"b', 'a\\b', '\u0001', '\ud800'),
  );
  const number = fc.oneof(fc.integer(), fc.double(), fc.constant(2 ** 60));
  const label = fc.oneof(
    fc.constant({ confidentiality: 'INTERNAL', integrity: 'TRUSTED' }),
    fc.record({ confidentiality: text, integrity: text }),
    fc.constant({ confidentiality: 'PUBLIC', integrity: 'TRUSTED', extra: 1 }),
  );
  const outcome = (run: () => string) => {
    try {
      return run();
    } catch (error) {
      return `throws ${(error as Error).name}`;
    }
  };
  fc.assert(
    fc.property(
      fc.record({
        v: number,
        id: text,
        from: text,
        to: fc.array(text, { maxLength: 3 }),
        type: text,
        schema: text,
        payload: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<JsonValue>,
        label,
        seq: number,
        nonce: text,
        ts: number,
        vouch: fc.array(fc.jsonValue({ maxDepth: 1 }) as fc.Arbitrary<JsonValue>, { maxLength: 2 }),
        keyId: text,
      }),
      (fields) => {
        const unsigned = { ...fields, proof: null } as unknown as Omit<Envelope, 'sig'>;
        assert.equal(
          outcome(() => Buffer.from(signingInput(unsigned)).toString('utf8')),
          outcome(() => `maos.bus.envelope.v1\n${canonicalJson(unsigned)}`),
        );
        assert.equal(
          outcome(() => leafText(fields as unknown as Omit<Envelope, 'sig' | 'proof'>)),
          outcome(() => `maos.bus.leaf.v1\n${canonicalJson(fields)}`),
        );
      },
    ),
    { seed: 9, numRuns: 500 },
  );
});

test('issue 5: the nonce encoder writes exactly what base64url encoding gives', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
      assert.equal(base64url(bytes), Buffer.from(bytes).toString('base64url'));
    }),
    { seed: 3, numRuns: 500 },
  );
});
