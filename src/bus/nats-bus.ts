// The NATS JetStream bus adapter. One work-queue stream holds every recipient's queue as a subject
// (`<prefix>.<recipient>`, `.` in ids written `~`), capped per subject so a full queue refuses new
// messages (back-pressure). Each recipient has one durable pull consumer with explicit acks; a
// message is acked (and so removed) after its checks and handler ran. See docs/decisions/0010.

import {
  AckPolicy,
  type ConsumerMessages,
  DeliverPolicy,
  DiscardPolicy,
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
} from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { ERROR_CODES, fail, type KernelError, ok, type Result } from '../shared/index.ts';
import { type BusOptions, DeliveryCore } from './delivery.ts';
import type { Envelope } from './envelope.ts';
import type { Bus, BusHandler, BusRecord, Subscription } from './port.ts';
import { BUS_REASONS, busFail } from './reasons.ts';

export type NatsBusOptions = BusOptions & {
  readonly servers?: string | readonly string[];
  /** Stream name; every node of one deployment uses the same. */
  readonly stream?: string;
  readonly subjectPrefix?: string;
  readonly connectTimeoutMs?: number;
  readonly publishTimeoutMs?: number;
};

type Sub = {
  readonly recipient: string;
  /** Undefined for a blocked recipient's drop-only consumer. */
  handler: BusHandler | undefined;
  messages: ConsumerMessages | undefined;
  loop: Promise<void> | undefined;
};

const STREAM = /^[A-Za-z0-9_-]{1,64}$/;
const SUBJECT_PREFIX = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
const QUEUE_FULL_CODE = 10077;
const PULL_BATCH = 256;
const DRAIN_WAIT_MS_MAX = 5_000;

type Link = { readonly nc: NatsConnection; readonly js: JetStreamClient; readonly jsm: JetStreamManager };

export class NatsBus implements Bus {
  readonly #core: DeliveryCore;
  readonly #options: NatsBusOptions;
  readonly #stream: string;
  readonly #prefix: string;
  readonly #subs = new Map<string, Sub>();
  #link: Link | undefined;
  #closed = false;

  private constructor(options: NatsBusOptions, stream: string, prefix: string) {
    this.#core = new DeliveryCore(options);
    this.#options = options;
    this.#stream = stream;
    this.#prefix = prefix;
  }

  /** Connects and makes sure the stream exists (creating it with this bus's queue depth if not). */
  static async connect(options: NatsBusOptions): Promise<Result<NatsBus, KernelError>> {
    const stream = options.stream ?? 'MAOS_BUS';
    const prefix = options.subjectPrefix ?? 'maos.bus';
    if (!STREAM.test(stream) || !SUBJECT_PREFIX.test(prefix)) {
      return fail(ERROR_CODES.CONFIG_INVALID, `invalid stream \`${stream}\` or subject prefix \`${prefix}\``);
    }
    const bus = new NatsBus(options, stream, prefix);
    const linked = await bus.#connect();
    if (!linked.ok) return linked;
    return ok(bus);
  }

  async publish(envelope: Envelope): Promise<Result<void, KernelError>> {
    const wire = this.#core.encode(envelope);
    if (!wire.ok) return wire;
    for (const recipient of envelope.to) {
      const blocked = this.#core.refuseBlocked(recipient);
      if (blocked !== undefined) return blocked;
    }
    // WHY: every recipient's copy is written to the connection at once, in this call, and the
    // acks awaited together: a fan-out costs one round trip, not one per recipient, and publishes
    // made one after another reach each recipient's subject in the order they were made.
    // JetStream has no transaction across subjects; a fan-out that fails for some recipients
    // reports the ones queued, and the per-recipient message id makes a retry idempotent.
    const sent = await Promise.all(
      envelope.to.map((recipient) => this.#send(recipient, wire.value, `${envelope.id}:${recipient}`)),
    );
    const queued = envelope.to.filter((_, at) => sent[at]?.ok === true);
    const failed = sent.find((one) => !one.ok);
    if (failed !== undefined && !failed.ok) {
      return fail(failed.error.code, failed.error.message, { ...failed.error.details, queued });
    }
    return ok(undefined);
  }

  async publishRaw(recipient: string, wire: Uint8Array): Promise<Result<void, KernelError>> {
    return this.#core.refuseRecipient(recipient) ?? this.#send(recipient, wire, undefined);
  }

  async subscribe(recipient: string, handler: BusHandler): Promise<Result<Subscription, KernelError>> {
    const problem = this.#core.refuseRecipient(recipient);
    if (problem !== undefined) return problem;
    if (this.#subs.has(recipient)) {
      return busFail(BUS_REASONS.BUS_SUBSCRIBED, `recipient \`${recipient}\` already has a subscriber`);
    }
    const sub: Sub = { recipient, handler, messages: undefined, loop: undefined };
    this.#subs.set(recipient, sub);
    const started = await this.#start(sub);
    if (!started.ok) {
      this.#subs.delete(recipient);
      return started;
    }
    return ok({
      unsubscribe: async () => {
        if (this.#subs.get(recipient) !== sub) return;
        this.#subs.delete(recipient);
        await stop(sub);
      },
    });
  }

  /**
   * Blocks a recipient: its consumer from now on acks and records every message without delivering
   * it, and this call waits (bounded) until its queue is empty. Publishing to it fails here at once;
   * other nodes learn of the block through their own host (see the decision record).
   */
  async block(recipient: string): Promise<void> {
    this.#core.block(recipient);
    if (!this.#subs.has(recipient)) {
      const sub: Sub = { recipient, handler: undefined, messages: undefined, loop: undefined };
      this.#subs.set(recipient, sub);
      const started = await this.#start(sub);
      if (!started.ok) this.#subs.delete(recipient);
    }
    await this.#waitDrained(recipient);
  }

  async unblock(recipient: string): Promise<void> {
    this.#core.unblock(recipient);
    const sub = this.#subs.get(recipient);
    if (sub !== undefined && sub.handler === undefined) {
      this.#subs.delete(recipient);
      await stop(sub);
    }
  }

  records(): readonly BusRecord[] {
    return this.#core.records();
  }

  /** Drops the connection (consumers stop; registrations are kept for `reconnect`). */
  async disconnect(): Promise<void> {
    const link = this.#link;
    this.#link = undefined;
    for (const sub of this.#subs.values()) await stop(sub);
    if (link !== undefined) await link.nc.close();
  }

  /** Opens a new connection and restarts every consumer from what the stream still holds. */
  async reconnect(): Promise<Result<void, KernelError>> {
    if (this.#closed) return busFail(BUS_REASONS.BUS_CLOSED, 'the bus is closed');
    if (this.#link !== undefined) await this.disconnect();
    const linked = await this.#connect();
    if (!linked.ok) return linked;
    for (const sub of this.#subs.values()) {
      const started = await this.#start(sub);
      if (!started.ok) return started;
    }
    return ok(undefined);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.disconnect();
    this.#subs.clear();
  }

  /** Deletes the stream and every queue in it (administration and tests). */
  async deleteStream(): Promise<void> {
    await this.#link?.jsm.streams.delete(this.#stream).catch(() => false);
  }

  async #connect(): Promise<Result<Link, KernelError>> {
    const servers = this.#options.servers ?? '127.0.0.1:4222';
    try {
      const nc = await connect({
        servers: typeof servers === 'string' ? servers : [...servers],
        timeout: this.#options.connectTimeoutMs ?? 2_000,
        name: 'maos-bus',
        // WHY: with async traces on, the client builds two Error objects (stack traces) for every
        // publish it sends, a fifth of the CPU at 15,000 publishes/s; errors keep their messages.
        noAsyncTraces: true,
      });
      const jsm = await jetstreamManager(nc);
      await this.#ensureStream(jsm);
      const link = { nc, js: jetstream(nc), jsm };
      this.#link = link;
      void this.#watch(link);
      return ok(link);
    } catch (error) {
      return busFail(
        BUS_REASONS.BUS_TRANSPORT,
        `nats at \`${String(servers)}\` is unreachable: ${message(error)}`,
      );
    }
  }

  async #ensureStream(jsm: JetStreamManager): Promise<void> {
    const known = await jsm.streams.info(this.#stream).catch(() => undefined);
    if (known !== undefined) return;
    await jsm.streams.add({
      name: this.#stream,
      subjects: [`${this.#prefix}.>`],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
      discard: DiscardPolicy.New,
      discard_new_per_subject: true,
      max_msgs_per_subject: this.#core.queueDepth,
      max_msg_size: this.#core.bytesMax,
    });
  }

  // WHY: after the client reconnects by itself, in-flight messages come back only after the ack
  // wait, behind newer ones; restarting the consumers re-reads the queue in order instead.
  async #watch(link: Link): Promise<void> {
    try {
      for await (const status of link.nc.status()) {
        if (status.type !== 'reconnect' || this.#link !== link) continue;
        for (const sub of this.#subs.values()) await this.#start(sub);
      }
    } catch {
      // The status stream ends with the connection.
    }
  }

  async #send(
    recipient: string,
    wire: Uint8Array,
    msgID: string | undefined,
  ): Promise<Result<void, KernelError>> {
    const link = this.#link;
    if (link === undefined) return busFail(BUS_REASONS.BUS_CLOSED, 'the bus is not connected');
    try {
      const ack = await link.js.publish(this.#subject(recipient), wire, {
        ...(msgID === undefined ? {} : { msgID }),
        timeout: this.#options.publishTimeoutMs ?? 5_000,
      });
      // WHY: the stream drops a copy of a message id it holds in its duplicate window before any
      // receiver sees it; the publisher is told, as the receiver's replay check would have said.
      if (ack.duplicate) {
        return busFail(BUS_REASONS.BUS_REPLAY, `message \`${msgID}\` was already published`, { recipient });
      }
      return ok(undefined);
    } catch (error) {
      if ((error as { code?: unknown }).code === QUEUE_FULL_CODE) return this.#core.queueFull(recipient);
      return busFail(BUS_REASONS.BUS_TRANSPORT, `publish to \`${recipient}\` failed: ${message(error)}`, {
        recipient,
      });
    }
  }

  /**
   * (Re)creates the recipient's durable consumer and starts its loop. Recreating it makes the
   * server deliver what the queue still holds from the start, in stream order: acked messages are
   * gone from a work-queue stream, so nothing is delivered twice and nothing jumps the queue.
   */
  async #start(sub: Sub): Promise<Result<void, KernelError>> {
    await stop(sub);
    const link = this.#link;
    if (link === undefined) return busFail(BUS_REASONS.BUS_CLOSED, 'the bus is not connected');
    const durable = this.#durable(sub.recipient);
    try {
      await link.jsm.consumers.delete(this.#stream, durable).catch(() => false);
      await link.jsm.consumers.add(this.#stream, {
        durable_name: durable,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        filter_subject: this.#subject(sub.recipient),
        max_ack_pending: PULL_BATCH * 2,
      });
      const consumer = await link.js.consumers.get(this.#stream, durable);
      const messages = await consumer.consume({ max_messages: PULL_BATCH });
      sub.messages = messages;
      sub.loop = this.#run(sub, messages);
      return ok(undefined);
    } catch (error) {
      return busFail(BUS_REASONS.BUS_TRANSPORT, `cannot consume for \`${sub.recipient}\`: ${message(error)}`);
    }
  }

  async #run(sub: Sub, messages: ConsumerMessages): Promise<void> {
    try {
      for await (const m of messages) {
        const handler = sub.handler;
        if (handler === undefined || this.#core.isBlocked(sub.recipient))
          this.#core.dropped(sub.recipient, m.data);
        else await this.#core.deliver(sub.recipient, m.data, handler);
        // INVARIANT: acked only after the checks (and handler) ran: a crash before this point
        // leaves the message queued, and the replay window refuses it if it had been delivered.
        m.ack();
      }
    } catch {
      // The iterator ends with an error when its connection closes; the consumer is restarted then.
    }
  }

  async #waitDrained(recipient: string): Promise<void> {
    const link = this.#link;
    if (link === undefined) return;
    const durable = this.#durable(recipient);
    for (let waitedMs = 0; waitedMs < DRAIN_WAIT_MS_MAX; waitedMs += 20) {
      const info = await link.jsm.consumers.info(this.#stream, durable).catch(() => undefined);
      if (info === undefined || info.num_pending + info.num_ack_pending === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  #subject(recipient: string): string {
    return `${this.#prefix}.${recipient.replaceAll('.', '~')}`;
  }

  #durable(recipient: string): string {
    return `rcpt_${recipient.replaceAll('.', '~')}`;
  }
}

async function stop(sub: Sub): Promise<void> {
  const { messages, loop } = sub;
  sub.messages = undefined;
  sub.loop = undefined;
  if (messages !== undefined) await messages.close().catch(() => undefined);
  if (loop !== undefined) await loop;
}

function message(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
