// The in-process bus adapter: one bounded FIFO queue per recipient, drained by one loop per
// recipient so each sender's order holds. Messages travel as bytes, exactly as on the network,
// and every one goes through the receiving side's checks before its handler sees it.

import { type KernelError, ok, type Result } from '../shared/index.ts';
import { type BusOptions, DeliveryCore } from './delivery.ts';
import type { Envelope } from './envelope.ts';
import type { Bus, BusHandler, BusRecord, Subscription } from './port.ts';
import { BUS_REASONS, busFail } from './reasons.ts';

type Inbox = { readonly queue: Uint8Array[]; handler: BusHandler | undefined; draining: boolean };

export class MemoryBus implements Bus {
  readonly #core: DeliveryCore;
  readonly #inboxes = new Map<string, Inbox>();
  #closed = false;

  constructor(options: BusOptions) {
    this.#core = new DeliveryCore(options);
  }

  async publish(envelope: Envelope): Promise<Result<void, KernelError>> {
    if (this.#closed) return busFail(BUS_REASONS.BUS_CLOSED, 'the bus is closed');
    const wire = this.#core.encode(envelope);
    if (!wire.ok) return wire;
    // INVARIANT: all or nothing: every recipient's queue is checked before any is written.
    for (const recipient of envelope.to) {
      const problem = this.#core.refuseBlocked(recipient) ?? this.#refuseFull(recipient);
      if (problem !== undefined) return problem;
    }
    for (const recipient of envelope.to) this.#enqueue(recipient, wire.value);
    return ok(undefined);
  }

  async publishRaw(recipient: string, wire: Uint8Array): Promise<Result<void, KernelError>> {
    if (this.#closed) return busFail(BUS_REASONS.BUS_CLOSED, 'the bus is closed');
    const problem = this.#core.refuseRecipient(recipient) ?? this.#refuseFull(recipient);
    if (problem !== undefined) return problem;
    this.#enqueue(recipient, Uint8Array.from(wire));
    return ok(undefined);
  }

  async subscribe(recipient: string, handler: BusHandler): Promise<Result<Subscription, KernelError>> {
    if (this.#closed) return busFail(BUS_REASONS.BUS_CLOSED, 'the bus is closed');
    const problem = this.#core.refuseRecipient(recipient);
    if (problem !== undefined) return problem;
    const inbox = this.#inbox(recipient);
    if (inbox.handler !== undefined) {
      return busFail(BUS_REASONS.BUS_SUBSCRIBED, `recipient \`${recipient}\` already has a subscriber`);
    }
    inbox.handler = handler;
    void this.#drain(recipient, inbox);
    return ok({
      unsubscribe: async () => {
        if (inbox.handler === handler) inbox.handler = undefined;
      },
    });
  }

  async block(recipient: string): Promise<void> {
    this.#core.block(recipient);
    const inbox = this.#inboxes.get(recipient);
    if (inbox === undefined) return;
    for (const wire of inbox.queue.splice(0)) this.#core.dropped(recipient, wire);
  }

  async unblock(recipient: string): Promise<void> {
    this.#core.unblock(recipient);
  }

  records(): readonly BusRecord[] {
    return this.#core.records();
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const inbox of this.#inboxes.values()) {
      inbox.handler = undefined;
      inbox.queue.length = 0;
    }
  }

  #refuseFull(recipient: string): Result<never, KernelError> | undefined {
    const queued = this.#inboxes.get(recipient)?.queue.length ?? 0;
    return queued >= this.#core.queueDepth ? this.#core.queueFull(recipient) : undefined;
  }

  #inbox(recipient: string): Inbox {
    let inbox = this.#inboxes.get(recipient);
    if (inbox === undefined) {
      inbox = { queue: [], handler: undefined, draining: false };
      this.#inboxes.set(recipient, inbox);
    }
    return inbox;
  }

  #enqueue(recipient: string, wire: Uint8Array): void {
    const inbox = this.#inbox(recipient);
    inbox.queue.push(wire);
    void this.#drain(recipient, inbox);
  }

  // INVARIANT: at most one drain runs per recipient, so messages reach the handler one at a time
  // in queue order. It never rejects: the delivery step records every failure itself.
  async #drain(recipient: string, inbox: Inbox): Promise<void> {
    if (inbox.draining) return;
    inbox.draining = true;
    try {
      // WHY: yield once so a publisher's burst is queued (and back-pressure can bite) before delivery.
      await Promise.resolve();
      for (;;) {
        const handler = inbox.handler;
        if (handler === undefined || this.#core.isBlocked(recipient)) return;
        const wire = inbox.queue.shift();
        if (wire === undefined) return;
        await this.#core.deliver(recipient, wire, handler);
      }
    } finally {
      inbox.draining = false;
    }
  }
}
