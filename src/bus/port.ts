// The bus port: what the pod layer needs to move signed envelopes between agents. Adapters (memory,
// NATS JetStream) implement it and pass one conformance suite (test/bus/conformance.ts).

import type { KernelError, Result } from '../shared/index.ts';
import type { Envelope } from './envelope.ts';
import type { BusReason } from './reasons.ts';
import type { Delivery } from './receive-checks.ts';

/** Called once per delivered message, in the sender's order; a throw is recorded, not retried. */
export type BusHandler = (delivery: Delivery) => void | Promise<void>;

/** A message the bus refused at receipt, or dropped because its recipient was blocked. */
export type BusRecord = {
  readonly kind: 'rejected' | 'dropped' | 'handler_failed';
  readonly recipient: string;
  readonly reason: BusReason;
  readonly message: string;
  readonly id?: string;
  readonly from?: string;
  readonly seq?: number;
};

export interface Subscription {
  unsubscribe(): Promise<void>;
}

export interface Bus {
  /**
   * Queues a signed envelope for each of its recipients. Fails with `BUS_QUEUE_FULL` when a
   * recipient's queue is full (back-pressure: retry later), `BUS_RECIPIENT_BLOCKED` when one is
   * blocked, `BUS_OVERSIZED` / `BUS_MALFORMED` when it cannot be sent at all.
   */
  publish(envelope: Envelope): Promise<Result<void, KernelError>>;
  /** Queues raw bytes for one recipient, as a hostile peer on the wire could; checked at receipt. */
  publishRaw(recipient: string, wire: Uint8Array): Promise<Result<void, KernelError>>;
  /** Starts delivery to `handler`; one subscription per recipient. */
  subscribe(recipient: string, handler: BusHandler): Promise<Result<Subscription, KernelError>>;
  /** Blocks a quarantined or killed recipient: queued messages are dropped (recorded), none delivered. */
  block(recipient: string): Promise<void>;
  unblock(recipient: string): Promise<void>;
  /** Refusals and drops so far (bounded; oldest discarded first). */
  records(): readonly BusRecord[];
  close(): Promise<void>;
}
