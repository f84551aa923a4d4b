// Fuzz of the receiving side (issue 5 target): 10,000 hostile messages from a seeded generator —
// forged, wrongly keyed, replayed, reordered beyond the window, oversized, mislabelled, unknown or
// violated schemas, garbled JSON, extra fields, and batch forgeries (decision 0010: a tampered
// member, proofs swapped within a batch or taken from another, a changed index, size or sibling
// hash, a dropped or malformed proof) — interleaved with valid traffic, itself signed in batches
// of 1 to 8. None of the hostile messages may be delivered, each gets exactly one refusal record,
// and every valid message still arrives, in order. Reproduce a failure with `BUS_FUZZ_SEED=<seed>`.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { signingInput } from '../../src/bus/envelope.ts';
import {
  BUS_REASONS,
  type BusRecord,
  type Envelope,
  MemoryBus,
  type MerkleProof,
  signEnvelopes,
} from '../../src/bus/index.ts';
import { uuidv7 } from '../../src/shared/index.ts';
import { busFixture, inbox, until } from './fixture.ts';

const HOSTILE_TOTAL = 10_000;
const WINDOW = 64;
const HELD_BACK = 40;
const BYTES_MAX = 16 * 1024;
const SEED = Number(process.env.BUS_FUZZ_SEED ?? 20_260_105);

const KINDS = [
  'forged',
  'wrongKey',
  'unknownKey',
  'replayed',
  'nonceReused',
  'reordered',
  'oversized',
  'mislabelled',
  'unknownSchema',
  'schemaViolation',
  'truncated',
  'garbled',
  'extraField',
  'notAllowed',
  'batchTampered',
  'proofSwapped',
  'proofForeign',
  'proofIndex',
  'proofSize',
  'proofSibling',
  'proofDropped',
  'proofMalformed',
] as const;
type Kind = (typeof KINDS)[number];

const R = BUS_REASONS;
const EXPECTED: Readonly<Record<Kind, readonly string[]>> = {
  forged: [R.BUS_SIGNATURE_INVALID, R.BUS_MALFORMED, R.BUS_KEY_MISMATCH, R.BUS_KEY_UNKNOWN],
  wrongKey: [R.BUS_KEY_MISMATCH],
  unknownKey: [R.BUS_KEY_UNKNOWN],
  replayed: [R.BUS_REPLAY, R.BUS_SEQ_TOO_OLD],
  nonceReused: [R.BUS_REPLAY],
  reordered: [R.BUS_SEQ_TOO_OLD],
  oversized: [R.BUS_OVERSIZED],
  mislabelled: [R.BUS_LABEL_ABOVE_CLEARANCE],
  unknownSchema: [R.BUS_SCHEMA_UNKNOWN],
  schemaViolation: [R.BUS_SCHEMA_INVALID],
  truncated: [R.BUS_MALFORMED],
  garbled: [R.BUS_MALFORMED, R.BUS_SIGNATURE_INVALID, R.BUS_KEY_UNKNOWN, R.BUS_KEY_MISMATCH, R.BUS_REPLAY],
  extraField: [R.BUS_MALFORMED],
  notAllowed: [R.BUS_SENDER_NOT_ALLOWED],
  batchTampered: [R.BUS_SIGNATURE_INVALID],
  proofSwapped: [R.BUS_SIGNATURE_INVALID, R.BUS_MALFORMED],
  proofForeign: [R.BUS_SIGNATURE_INVALID, R.BUS_MALFORMED],
  proofIndex: [R.BUS_SIGNATURE_INVALID, R.BUS_MALFORMED],
  proofSize: [R.BUS_SIGNATURE_INVALID, R.BUS_MALFORMED],
  proofSibling: [R.BUS_SIGNATURE_INVALID],
  proofDropped: [R.BUS_SIGNATURE_INVALID],
  proofMalformed: [R.BUS_MALFORMED],
};

type Step = { readonly kind: Kind; readonly valid: boolean; readonly n: number; readonly noise: number[] };

test(`issue 5: ${HOSTILE_TOTAL} hostile messages, none delivered, valid traffic intact (seed ${SEED})`, async () => {
  const f = busFixture(SEED);
  const records: BusRecord[] = [];
  const bus = new MemoryBus(
    f.options({
      window: WINDOW,
      bytesMax: BYTES_MAX,
      queueDepth: 65_536,
      onRecord: (r) => void records.push(r),
    }),
  );
  const box = inbox();
  await bus.subscribe('dave', box.handler);
  const wire = (value: unknown) => Buffer.from(JSON.stringify(value));
  const held = Array.from({ length: HELD_BACK }, (_, i) => f.sign('alice', ['dave'], { text: 'held', n: i }));
  const validSent: Envelope[] = [];
  const sentKinds: Kind[] = [];
  let counter = 0;
  const fresh = (over: Parameters<typeof f.sign>[3] = {}) => {
    counter += 1;
    return f.sign('alice', ['dave'], { text: 'ok', n: counter }, over);
  };
  /** A batch of 2 to 9 members from alice to dave (members used here are only ever forged). */
  const batchOf = (size: number): Envelope[] => {
    const drafts = Array.from({ length: 2 + (size % 8) }, () => {
      counter += 1;
      return f.draft('alice', ['dave'], { text: 'ok', n: counter });
    });
    const signed = signEnvelopes(drafts, f.keys);
    assert.ok(signed.ok);
    return signed.value;
  };
  // Valid traffic is signed in batches of 1 to 8, published at once: signed messages that pass
  // the replay check before another check refuses them (schema, label) move the window on, so a
  // valid message signed earlier and held back would rightly be refused as too old.
  const validBatch = (size: number): Envelope[] => {
    const drafts = Array.from({ length: 1 + (size % 8) }, () => {
      counter += 1;
      return f.draft('alice', ['dave'], { text: 'ok', n: counter });
    });
    const signed = signEnvelopes(drafts, f.keys);
    assert.ok(signed.ok);
    return signed.value;
  };

  const hostile = (step: Step): Uint8Array | undefined => {
    const last = validSent.at(-1);
    switch (step.kind) {
      case 'forged':
        return wire(forge(fresh(), step.n));
      case 'wrongKey':
        return wire({ ...f.sign('mallory', ['dave']), from: 'alice' });
      case 'unknownKey':
        return wire({ ...fresh(), keyId: `ed25519:${'A'.repeat(22)}` });
      case 'replayed':
        return last === undefined ? undefined : wire(validSent[step.n % validSent.length]);
      case 'nonceReused': {
        if (last === undefined) return undefined;
        // WHY: a nonce is remembered within the window only; once signed messages that passed
        // the replay check moved the window past `last`, its nonce may rightly be used again.
        const again = resign(last);
        return again.seq - last.seq < WINDOW ? wire(again) : undefined;
      }
      case 'reordered': {
        const highest = last?.seq ?? 0;
        const old = held.filter((e) => e.seq <= highest - WINDOW);
        return old.length === 0 ? undefined : wire(old[step.n % old.length]);
      }
      case 'oversized':
        return wire({ ...fresh(), payload: { text: 'x'.repeat(BYTES_MAX + (step.n % 4096)) } });
      case 'mislabelled':
        return wire(
          fresh({
            label: { confidentiality: step.n % 2 ? 'CONFIDENTIAL' : 'RESTRICTED', integrity: 'TRUSTED' },
          }),
        );
      case 'unknownSchema':
        return wire(fresh({ schema: `unknown.v${step.n % 100}` }));
      case 'schemaViolation':
        return wire(f.sign('alice', ['dave'], step.n % 2 ? { text: step.n } : { text: 'a', extra: true }));
      case 'truncated': {
        const bytes = wire(fresh());
        return bytes.subarray(0, step.n % bytes.byteLength);
      }
      case 'garbled': {
        const bytes = Buffer.from(wire(fresh()));
        // WHY one flip per byte: two flips of one byte by the same mask would cancel out and
        // leave the message intact (and rightly delivered).
        const flips = new Map(step.noise.map((at) => [at % bytes.byteLength, 1 + (at % 255)]));
        for (const [at, mask] of flips) bytes[at] = (bytes[at] ?? 0) ^ mask;
        return bytes;
      }
      case 'extraField':
        return wire({ ...fresh(), [`x${step.n % 7}`]: step.n });
      case 'notAllowed':
        return wire(f.sign('mallory', ['dave']));
      default:
        return wire(forgeBatch(step.kind, batchOf(step.n), batchOf(step.n >> 3), step.n, step.noise));
    }
  };
  const resign = (old: Envelope): Envelope => {
    const { sig: _, ...rest } = old;
    const base = { ...rest, id: uuidv7(f.clock, f.keys.random), proof: null };
    let unsigned: Omit<Envelope, 'sig'> = base;
    const signed = f.keys.signRun('alice', 1, (keyId, seq) => {
      unsigned = { ...base, keyId, seq };
      return signingInput(unsigned);
    });
    assert.ok(signed !== undefined);
    return { ...unsigned, sig: Buffer.from(signed.sig).toString('base64url') } as Envelope;
  };

  const steps = fc.sample(
    fc.record({
      kind: fc.constantFrom(...KINDS),
      valid: fc.boolean(),
      n: fc.nat(),
      noise: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
    }),
    { seed: SEED, numRuns: HOSTILE_TOTAL * 2 },
  );
  for (const step of steps) {
    if (sentKinds.length >= HOSTILE_TOTAL) break;
    if (step.valid || validSent.length < WINDOW + HELD_BACK) {
      for (const envelope of validBatch(step.n)) {
        validSent.push(envelope);
        assert.ok((await bus.publish(envelope)).ok);
      }
    }
    const bytes = hostile(step);
    if (bytes === undefined) continue;
    sentKinds.push(step.kind);
    assert.ok((await bus.publishRaw('dave', bytes)).ok);
  }
  await until(
    () => box.got.length + records.length >= validSent.length + sentKinds.length,
    'the bus to drain',
  );

  assert.equal(sentKinds.length, HOSTILE_TOTAL);
  assert.deepEqual(
    box.got.map((d) => d.envelope.id),
    validSent.map((e) => e.id),
    'exactly the valid messages are delivered, in order',
  );
  assert.equal(records.length, HOSTILE_TOTAL, 'each hostile message is refused once');
  const unexpected = records
    .map((record, i) => ({ kind: sentKinds[i] as Kind, record: record.kind, reason: record.reason }))
    .filter((got) => got.record !== 'rejected' || !EXPECTED[got.kind].includes(got.reason));
  assert.deepEqual(unexpected.slice(0, 3), []);
  const kindsSeen = new Set(sentKinds);
  assert.equal(kindsSeen.size, KINDS.length, 'every kind of hostile message was tried');
  assert.ok(
    box.got.filter((d) => d.envelope.proof !== null).length > validSent.length / 2,
    'most valid traffic was batched',
  );
  await bus.close();
});

/** Changes one signed field (or the signature) without re-signing. */
function forge(envelope: Envelope, n: number): unknown {
  switch (n % 8) {
    case 0:
      return { ...envelope, payload: { text: 'ok', n: -1 } };
    case 1:
      return { ...envelope, seq: envelope.seq + 1 + (n % 1000) };
    case 2:
      return { ...envelope, to: ['dave', 'erin'] };
    case 3:
      return { ...envelope, label: { confidentiality: 'PUBLIC', integrity: 'TRUSTED' } };
    case 4:
      return { ...envelope, ts: envelope.ts + 1 };
    case 5:
      return { ...envelope, vouch: [{ voucher: 'bob', bond: 0.8, sig: 'x' }] };
    case 6: {
      const flip = envelope.sig[10] === 'A' ? 'B' : 'A';
      return { ...envelope, sig: `${envelope.sig.slice(0, 10)}${flip}${envelope.sig.slice(11)}` };
    }
    default:
      return { ...envelope, from: 'bob' };
  }
}

/** A batch forgery of `kind` built from member `n` of batch `a` (and batch `b` for foreign proofs). */
function forgeBatch(kind: string, a: Envelope[], b: Envelope[], n: number, noise: number[]): unknown {
  const member = a[n % a.length] as Envelope;
  const proof = member.proof as MerkleProof;
  const other = a[(n + 1 + ((noise[0] ?? 0) % (a.length - 1))) % a.length] as Envelope;
  const foreign = b[n % b.length] as Envelope;
  const size = proof.n;
  switch (kind) {
    case 'batchTampered':
      return { ...member, payload: { text: 'ok', n: -1 - (n % 100) } };
    case 'proofSwapped':
      return { ...member, proof: other.proof };
    case 'proofForeign':
      return n % 2 === 0
        ? { ...member, proof: foreign.proof }
        : { ...member, proof: foreign.proof, sig: foreign.sig };
    case 'proofIndex':
      return { ...member, proof: { ...proof, i: (proof.i + 1 + (n % (size - 1))) % size } };
    case 'proofSize': {
      const changed = 2 + ((size - 1 + (n % 62)) % 63);
      return { ...member, proof: { ...proof, n: changed === size ? (size === 64 ? 2 : size + 1) : changed } };
    }
    case 'proofSibling': {
      const path = [...proof.path];
      const at = n % path.length;
      const replacement =
        (other.proof as MerkleProof).path.find((hash) => hash !== path[at]) ??
        (foreign.proof as MerkleProof).path[0];
      path[at] = replacement as string;
      return { ...member, proof: { ...proof, path } };
    }
    case 'proofDropped':
      return { ...member, proof: null };
    default: {
      const hash = proof.path[0] as string;
      const malformed = [
        { ...proof, n: 1 },
        { ...proof, extra: true },
        { ...proof, path: [...proof.path, hash] },
        {
          ...proof,
          path: [`${hash.slice(0, 42)}${hash.at(-1) === 'B' ? 'C' : 'B'}`, ...proof.path.slice(1)],
        },
        { n: proof.n, i: proof.i },
        [proof],
      ];
      return { ...member, proof: malformed[n % malformed.length] };
    }
  }
}
