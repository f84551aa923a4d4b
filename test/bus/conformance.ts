// The bus port's conformance suite (Hono's common.case.test.ts): every adapter runs these cases
// through `runBusConformance`, once with senders that sign each envelope alone and once with
// senders that sign through a batch signer (one signature per batch, decision 0010). Each case
// opens a fresh bus (a fresh stream on NATS).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BUS_REASONS, type Bus, type BusOptions, type Envelope } from '../../src/bus/index.ts';
import { ERROR_CODES } from '../../src/shared/index.ts';
import { busFixture, inbox, mustPublish, reasons, type SigningMode, until } from './fixture.ts';

export type OpenedBus = {
  readonly bus: Bus;
  /** Another handle on the same bus (another connection), to publish while `bus` is away. */
  peer(): Promise<Bus>;
  /**
   * Takes the receiving side away, runs `during`, and brings it back. Undefined when the adapter
   * has no connection to lose; the suite then restarts the subscriber instead.
   */
  readonly interrupt?: (during: () => Promise<void>) => Promise<void>;
  dispose(): Promise<void>;
};

export type AdapterUnderTest = {
  readonly name: string;
  /** A reason to skip every case (e.g. the server is unreachable outside CI), or undefined. */
  readonly skip?: string | undefined;
  open(options: BusOptions): Promise<OpenedBus>;
};

/**
 * Publishes a copy of an envelope already sent. An adapter may refuse it at once (a stream that
 * deduplicates ids) or let the receiver's replay check refuse it; either way it is never delivered.
 * Returns the publish-time refusal's reason, if any.
 */
async function publishCopy(bus: Bus, envelope: Envelope): Promise<string[]> {
  const sent = await bus.publish(envelope);
  if (sent.ok) return [];
  const reason = sent.error.details?.reason;
  return [typeof reason === 'string' ? reason : sent.error.code];
}

export function runBusConformance(adapter: AdapterUnderTest, mode: SigningMode = 'single'): void {
  const skip = adapter.skip ?? false;
  const withBus = async (
    extra: Partial<BusOptions>,
    body: (opened: OpenedBus, f: ReturnType<typeof busFixture>) => Promise<void>,
  ) => {
    const f = busFixture(1, mode);
    const opened = await adapter.open(f.options({ queueDepth: 16, window: 32, ...extra }));
    try {
      await body(opened, f);
    } finally {
      await opened.dispose();
    }
  };

  describe(`bus conformance: ${adapter.name}, ${mode} signatures`, { skip }, () => {
    test('issue 5: per-sender order is kept for each recipient, senders interleaved', () =>
      withBus({}, async ({ bus }, f) => {
        const box = inbox();
        const sub = await bus.subscribe('carol', box.handler);
        assert.ok(sub.ok);
        const drafts = Array.from({ length: 12 }, (_, i) => [
          f.draft('alice', ['carol', 'dave'], { text: 'a', n: i + 1 }),
          f.draft('bob', ['carol'], { text: 'b', n: i + 1 }),
        ]).flat();
        for (const envelope of await f.signAll(drafts)) await mustPublish(bus, envelope);
        await until(() => box.got.length === 24, '24 deliveries');
        // Batched, each sender's 12 drafts were signed as one batch, and each member verified alone.
        const sizes = box.got.map((d) => d.envelope.proof?.n ?? 1);
        assert.deepEqual(sizes, Array(24).fill(f.mode === 'batched' ? 12 : 1));
        for (const sender of ['alice', 'bob']) {
          const seqs = box.got.filter((d) => d.envelope.from === sender).map((d) => d.envelope.seq);
          assert.deepEqual(
            seqs,
            [...seqs].sort((a, b) => a - b),
          );
          const ns = box.got
            .filter((d) => d.envelope.from === sender)
            .map((d) => (d.payload as { n: number }).n);
          assert.deepEqual(
            ns,
            Array.from({ length: 12 }, (_, i) => i + 1),
          );
        }
      }));

    test('issue 5: a duplicate envelope is delivered once and the copy is refused as a replay', () =>
      withBus({}, async ({ bus }, f) => {
        const box = inbox();
        await bus.subscribe('carol', box.handler);
        const [envelope, marker] = (await f.signAll([
          f.draft('alice', ['carol']),
          f.draft('alice', ['carol'], { text: 'marker' }),
        ])) as [Envelope, Envelope];
        await mustPublish(bus, envelope);
        const copy = await publishCopy(bus, envelope);
        await mustPublish(bus, marker);
        await until(() => box.got.some((d) => d.envelope.id === marker.id), 'the marker');
        assert.deepEqual(
          box.got.map((d) => d.envelope.id),
          [envelope.id, marker.id],
        );
        assert.deepEqual([...copy, ...reasons(bus, 'rejected')], [BUS_REASONS.BUS_REPLAY]);
      }));

    test('MR-2: a forged signature, a foreign key and a retired key (even one verified before) are refused', () =>
      withBus({}, async ({ bus }, f) => {
        const box = inbox();
        await bus.subscribe('carol', box.handler);
        const [good, late, marker, mallory, , bob1, bob2] = (await f.signAll([
          f.draft('alice', ['carol'], { text: 'original' }),
          f.draft('alice', ['carol'], { text: 'late' }),
          f.draft('alice', ['carol'], { text: 'marker' }),
          f.draft('mallory', ['carol']),
          f.draft('mallory', ['carol']),
          f.draft('bob', ['carol'], { text: 'bob 1' }),
          f.draft('bob', ['carol'], { text: 'bob 2' }),
        ])) as Envelope[] as [Envelope, Envelope, Envelope, Envelope, Envelope, Envelope, Envelope];
        await mustPublish(bus, { ...good, payload: { text: 'tampered' } });
        await mustPublish(bus, { ...mallory, from: 'alice' });
        await mustPublish(bus, bob1);
        await until(() => box.got.length === 1, 'bob before the retirement');
        f.keys.retire(bob1.keyId);
        // Batched, bob 2 shares bob 1's verified batch signature: the retirement still wins.
        await mustPublish(bus, bob2);
        await mustPublish(bus, { ...late, keyId: bob1.keyId });
        await mustPublish(bus, marker);
        await until(() => box.got.some((d) => d.envelope.id === marker.id), 'the marker');
        assert.deepEqual(
          box.got.map((d) => d.envelope.id),
          [bob1.id, marker.id],
        );
        assert.deepEqual(reasons(bus, 'rejected'), [
          BUS_REASONS.BUS_SIGNATURE_INVALID,
          BUS_REASONS.BUS_KEY_MISMATCH,
          BUS_REASONS.BUS_KEY_RETIRED,
          BUS_REASONS.BUS_KEY_RETIRED,
        ]);
      }));

    test('issue 5: a replay, and a sequence number behind the window, are refused', () =>
      withBus({}, async ({ bus }, f) => {
        const box = inbox();
        await bus.subscribe('carol', box.handler);
        const signed = await f.signAll(
          Array.from({ length: 40 }, (_, i) => f.draft('alice', ['carol'], { text: 'x', n: i })),
        );
        const [first, ...rest] = signed;
        assert.ok(first !== undefined);
        for (const envelope of rest) await mustPublish(bus, envelope);
        await mustPublish(bus, first);
        const copy = await publishCopy(bus, rest[20] as Envelope);
        const [marker] = (await f.signAll([f.draft('alice', ['carol'], { text: 'marker' })])) as [Envelope];
        await mustPublish(bus, marker);
        await until(() => box.got.some((d) => d.envelope.id === marker.id), 'the marker');
        assert.equal(box.got.length, 40);
        assert.deepEqual(
          [...reasons(bus, 'rejected'), ...copy],
          [BUS_REASONS.BUS_SEQ_TOO_OLD, BUS_REASONS.BUS_REPLAY],
        );
      }));

    test('issue 5: back-pressure: a full queue refuses with BUS_QUEUE_FULL, then drains', () =>
      withBus({}, async ({ bus }, f) => {
        const queued = await f.signAll(
          Array.from({ length: 17 }, (_, i) => f.draft('alice', ['erin'], { text: 'q', n: i })),
        );
        for (const envelope of queued.slice(0, 16)) await mustPublish(bus, envelope);
        const refused = await bus.publish(queued[16] as Envelope);
        assert.equal(refused.ok, false);
        assert.ok(!refused.ok);
        assert.equal(refused.error.code, ERROR_CODES.POD_BUSY);
        assert.equal(refused.error.details?.reason, BUS_REASONS.BUS_QUEUE_FULL);
        const box = inbox();
        await bus.subscribe('erin', box.handler);
        await until(() => box.got.length === 16, 'the queued 16');
        const [again] = (await f.signAll([f.draft('alice', ['erin'], { text: 'after drain' })])) as [
          Envelope,
        ];
        // WHY: a networked queue frees its slots when the acks land, a moment after delivery.
        let sent = await bus.publish(again);
        const deadline = performance.now() + 10_000;
        while (!sent.ok && performance.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 10));
          sent = await bus.publish(again);
        }
        assert.ok(sent.ok);
        await until(() => box.got.length === 17, 'the message after the drain');
      }));

    test('issue 5: messages published while the receiver is away arrive once after it returns', () =>
      withBus({}, async (opened, f) => {
        const { bus } = opened;
        const box = inbox();
        let sub = await bus.subscribe('carol', box.handler);
        assert.ok(sub.ok);
        const [before, ...rest] = await f.signAll([
          f.draft('alice', ['carol'], { text: 'before' }),
          ...Array.from({ length: 5 }, (_, i) => f.draft('alice', ['carol'], { text: 'm', n: i })),
          f.draft('alice', ['carol'], { text: 'marker' }),
        ]);
        const marker = rest.pop() as Envelope;
        const meanwhile = rest;
        await mustPublish(bus, before as Envelope);
        await until(() => box.got.length === 1, 'the first message');
        if (opened.interrupt !== undefined) {
          const peer = await opened.peer();
          await opened.interrupt(async () => {
            for (const envelope of meanwhile) await mustPublish(peer, envelope);
          });
        } else {
          await sub.value.unsubscribe();
          for (const envelope of meanwhile) await mustPublish(bus, envelope);
          sub = await bus.subscribe('carol', box.handler);
          assert.ok(sub.ok);
        }
        await mustPublish(bus, marker);
        await until(() => box.got.some((d) => d.envelope.id === marker.id), 'the marker');
        assert.deepEqual(
          box.got.slice(1).map((d) => d.envelope.id),
          [...meanwhile.map((e) => e.id), marker.id],
        );
      }));

    test('issue 5: nothing reaches a blocked (quarantined or killed) recipient; its queue is dropped', () =>
      withBus({}, async ({ bus }, f) => {
        const [refusedOne, after, ...queued] = await f.signAll([
          f.draft('alice', ['dave']),
          f.draft('alice', ['dave'], { text: 'after release' }),
          ...[1, 2, 3].map((n) => f.draft('alice', ['dave'], { text: 'q', n })),
        ]);
        for (const envelope of queued) await mustPublish(bus, envelope);
        await bus.block('dave');
        await until(() => reasons(bus, 'dropped').length === 3, 'three drop records');
        assert.deepEqual(
          bus
            .records()
            .filter((r) => r.kind === 'dropped')
            .map((r) => r.id),
          queued.map((e) => e.id),
        );
        const refused = await bus.publish(refusedOne as Envelope);
        assert.ok(!refused.ok);
        assert.equal(refused.error.details?.reason, BUS_REASONS.BUS_RECIPIENT_BLOCKED);
        const box = inbox();
        const sub = await bus.subscribe('dave', box.handler);
        assert.ok(!sub.ok);
        assert.equal(sub.error.details?.reason, BUS_REASONS.BUS_RECIPIENT_BLOCKED);
        await bus.unblock('dave');
        const fresh = await bus.subscribe('dave', box.handler);
        assert.ok(fresh.ok);
        await mustPublish(bus, after as Envelope);
        await until(() => box.got.length === 1, 'the message after release');
        assert.deepEqual(
          box.got.map((d) => d.envelope.id),
          [after?.id],
        );
      }));

    test('DR-I1: a label above the clearance, a stranger and an unknown schema are refused', () =>
      withBus({}, async ({ bus }, f) => {
        const box = inbox();
        await bus.subscribe('dave', box.handler);
        const secret = { confidentiality: 'CONFIDENTIAL', integrity: 'TRUSTED' } as const;
        const signed = await f.signAll([
          f.draft('alice', ['dave'], { text: 's' }, { label: secret }),
          f.draft('mallory', ['dave']),
          f.draft('alice', ['dave'], { text: 'u' }, { schema: 'unknown.v9' }),
          f.draft('alice', ['dave'], { text: 1 }),
          f.draft('alice', ['dave'], { text: 'marker' }),
        ]);
        for (const envelope of signed) await mustPublish(bus, envelope);
        const marker = signed.at(-1) as Envelope;
        await until(() => box.got.length === 1, 'the marker');
        assert.equal(box.got[0]?.envelope.id, marker.id);
        assert.deepEqual(reasons(bus, 'rejected'), [
          BUS_REASONS.BUS_LABEL_ABOVE_CLEARANCE,
          BUS_REASONS.BUS_SENDER_NOT_ALLOWED,
          BUS_REASONS.BUS_SCHEMA_UNKNOWN,
          BUS_REASONS.BUS_SCHEMA_INVALID,
        ]);
      }));
  });
}
