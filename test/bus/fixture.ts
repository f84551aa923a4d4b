// Shared set-up for the bus tests: a key ring with three senders, recipients with receive
// policies, one schema, a fake clock, and small helpers to sign drafts and wait for deliveries.
// `signAll` signs the fixture's way: each draft alone (`single`), or all handed to a batch signer
// within one turn (`batched`), so each sender's drafts share one signature (decision 0010).

import {
  BatchSigner,
  type Bus,
  BusKeyRing,
  type BusOptions,
  type Delivery,
  type Envelope,
  type EnvelopeDraft,
  type ReceivePolicy,
  SchemaRegistry,
  signEnvelope,
} from '../../src/bus/index.ts';
import type { Label } from '../../src/ifc/index.ts';
import type { JsonValue } from '../../src/shared/index.ts';
import { FakeClock } from '../../src/testing/fake-clock.ts';
import { SeededRandom } from '../../src/testing/seeded-random.ts';

export const NOTE_SCHEMA = 'note.v1';
export const INTERNAL: Label = { confidentiality: 'INTERNAL', integrity: 'TRUSTED' };

export type SigningMode = 'single' | 'batched';

export type BusFixture = {
  readonly mode: SigningMode;
  readonly clock: FakeClock;
  readonly keys: BusKeyRing;
  readonly signer: BatchSigner;
  readonly schemas: SchemaRegistry;
  readonly policies: Map<string, ReceivePolicy>;
  options(extra?: Partial<BusOptions>): BusOptions;
  draft(
    from: string,
    to: readonly string[],
    payload?: JsonValue,
    over?: Partial<EnvelopeDraft>,
  ): EnvelopeDraft;
  /** Signs one draft alone, whatever the mode. */
  sign(from: string, to: readonly string[], payload?: JsonValue, over?: Partial<EnvelopeDraft>): Envelope;
  /** Signs drafts in the fixture's mode; results in draft order. */
  signAll(drafts: readonly EnvelopeDraft[]): Promise<Envelope[]>;
};

export function busFixture(seed = 1, mode: SigningMode = 'single'): BusFixture {
  const clock = new FakeClock();
  const keys = new BusKeyRing({ clock, random: new SeededRandom(seed) });
  for (const sender of ['alice', 'bob', 'mallory']) keys.generate(sender);
  const schemas = new SchemaRegistry({
    [NOTE_SCHEMA]: {
      type: 'object',
      properties: { text: { type: 'string', maxLength: 2000 }, n: { type: 'integer' } },
      required: ['text'],
      additionalProperties: false,
    },
  });
  const policy = (clearance: ReceivePolicy['clearance']): ReceivePolicy => ({
    senders: ['alice', 'bob'],
    clearance,
    rate: { perSecond: 1_000, burst: 1_000_000 },
    dlp: 'block',
    schemas,
  });
  const policies = new Map<string, ReceivePolicy>([
    ['carol', policy('CONFIDENTIAL')],
    ['dave', policy('INTERNAL')],
    ['erin', policy('INTERNAL')],
    ['team.lead', policy('INTERNAL')],
  ]);
  const draft = (
    from: string,
    to: readonly string[],
    payload: JsonValue = { text: 'hello' },
    over: Partial<EnvelopeDraft> = {},
  ): EnvelopeDraft => ({ from, to, type: 'note', schema: NOTE_SCHEMA, payload, label: INTERNAL, ...over });
  const signer = new BatchSigner(keys);
  const single = (one: EnvelopeDraft): Envelope => {
    const signed = signEnvelope(one, keys);
    if (!signed.ok) throw signed.error;
    return signed.value;
  };
  return {
    mode,
    clock,
    keys,
    signer,
    schemas,
    policies,
    options: (extra = {}) => ({ keys, policies: (recipient) => policies.get(recipient), clock, ...extra }),
    draft,
    sign: (from, to, payload, over) => single(draft(from, to, payload, over)),
    signAll: async (drafts) => {
      if (mode === 'single') return drafts.map(single);
      const signed = await Promise.all(drafts.map((one) => signer.sign(one)));
      return signed.map((one) => {
        if (!one.ok) throw one.error;
        return one.value;
      });
    },
  };
}

/** Collects what a subscriber receives. */
export function inbox(): { readonly got: Delivery[]; readonly handler: (d: Delivery) => void } {
  const got: Delivery[] = [];
  return { got, handler: (delivery) => void got.push(delivery) };
}

/** Waits until `ready()` holds; throws after `limitMs` so a broken adapter fails instead of hanging. */
export async function until(ready: () => boolean, what: string, limitMs = 10_000): Promise<void> {
  const started = performance.now();
  while (!ready()) {
    if (performance.now() - started > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** Publishes and throws on failure (for set-up steps whose success is not the point). */
export async function mustPublish(bus: Bus, envelope: Envelope): Promise<void> {
  const sent = await bus.publish(envelope);
  if (!sent.ok) throw sent.error;
}

export function reasons(bus: Bus, kind?: string): string[] {
  return bus
    .records()
    .filter((record) => kind === undefined || record.kind === kind)
    .map((record) => record.reason);
}
