// What both adapters share: options, the encoding of an envelope for the wire, the blocked
// recipients and the refusals at publish time, the checks-then-handler step each delivered message
// goes through, and the bounded log of refusals and drops.

import {
  type Clock,
  type Err,
  isAgentId,
  type KernelError,
  ok,
  pushBounded,
  type Result,
  systemClock,
} from '../shared/index.ts';
import type { Envelope } from './envelope.ts';
import type { KeyDirectory } from './key-ring.ts';
import {
  ENVELOPE_BYTES_MAX,
  QUEUE_DEPTH_DEFAULT,
  QUEUE_DEPTH_MAX,
  RECIPIENTS_MAX,
  RECORDS_MAX,
} from './limits.ts';
import type { BusHandler, BusRecord } from './port.ts';
import { BUS_REASONS, type BusReason, busFail, reasonOf } from './reasons.ts';
import { type PolicyLookup, Receiver } from './receive-checks.ts';

export type BusOptions = {
  /** Public keys of every sender (the host's `BusKeyRing`, or a directory of other nodes' keys). */
  readonly keys: KeyDirectory;
  /** Each recipient's receive policy; a recipient without one accepts nothing. */
  readonly policies: PolicyLookup;
  readonly clock?: Clock;
  readonly bytesMax?: number;
  /** Messages waiting per recipient before publishing fails with `BUS_QUEUE_FULL`. */
  readonly queueDepth?: number;
  /** Replay window in sequence numbers. */
  readonly window?: number;
  /** Told of every refusal and drop, for the journal and the immune system. */
  readonly onRecord?: (record: BusRecord) => void;
};

export class DeliveryCore {
  readonly #receiver: Receiver;
  readonly bytesMax: number;
  readonly queueDepth: number;
  readonly #onRecord: ((record: BusRecord) => void) | undefined;
  readonly #records: BusRecord[] = [];
  readonly #blocked = new Set<string>();

  constructor(options: BusOptions) {
    this.bytesMax = options.bytesMax ?? ENVELOPE_BYTES_MAX;
    this.queueDepth = Math.min(QUEUE_DEPTH_MAX, Math.max(1, options.queueDepth ?? QUEUE_DEPTH_DEFAULT));
    this.#onRecord = options.onRecord;
    this.#receiver = new Receiver({
      keys: options.keys,
      policies: options.policies,
      clock: options.clock ?? systemClock,
      bytesMax: this.bytesMax,
      ...(options.window === undefined ? {} : { window: options.window }),
    });
  }

  /** Serializes an envelope for the wire, refusing what no receiver would accept in size or routing. */
  encode(envelope: Envelope): Result<Uint8Array, KernelError> {
    const to: unknown = envelope?.to;
    if (!Array.isArray(to) || to.length === 0 || to.length > RECIPIENTS_MAX || !to.every(isAgentId)) {
      return busFail(BUS_REASONS.BUS_MALFORMED, 'envelope has no valid recipient list');
    }
    let text: string;
    try {
      text = JSON.stringify(envelope);
    } catch (error) {
      return busFail(BUS_REASONS.BUS_MALFORMED, `envelope is not json: ${(error as Error).message}`);
    }
    const wire = Buffer.from(text, 'utf8');
    if (wire.byteLength > this.bytesMax) {
      return busFail(BUS_REASONS.BUS_OVERSIZED, `envelope is larger than ${this.bytesMax} bytes`, {
        bytes: wire.byteLength,
      });
    }
    return ok(wire);
  }

  block(recipient: string): void {
    this.#blocked.add(recipient);
  }

  unblock(recipient: string): void {
    this.#blocked.delete(recipient);
  }

  isBlocked(recipient: string): boolean {
    return this.#blocked.has(recipient);
  }

  /** The refusal of a message or subscription for a blocked recipient, or undefined. */
  refuseBlocked(recipient: string): Err<KernelError> | undefined {
    if (!this.#blocked.has(recipient)) return undefined;
    return busFail(BUS_REASONS.BUS_RECIPIENT_BLOCKED, `recipient \`${recipient}\` is blocked`, { recipient });
  }

  /** `refuseBlocked`, after refusing a recipient that is not an agent id (raw publishing, subscribing). */
  refuseRecipient(recipient: string): Err<KernelError> | undefined {
    if (!isAgentId(recipient)) return busFail(BUS_REASONS.BUS_MALFORMED, 'recipient is not an agent id');
    return this.refuseBlocked(recipient);
  }

  /** Back-pressure: the refusal of a message for a recipient whose queue is full. */
  queueFull(recipient: string): Err<KernelError> {
    return busFail(BUS_REASONS.BUS_QUEUE_FULL, `queue of \`${recipient}\` is full; retry later`, {
      recipient,
      depth: this.queueDepth,
    });
  }

  /** Checks one message for `recipient` and, when it passes, hands it to the handler once. */
  async deliver(recipient: string, wire: Uint8Array, handler: BusHandler): Promise<void> {
    const checked = this.#receiver.receive(recipient, wire);
    if (!checked.ok) {
      this.#rejected(recipient, checked.error);
      return;
    }
    try {
      await handler(checked.value);
    } catch (error) {
      const { id, from, seq } = checked.value.envelope;
      this.#push({
        kind: 'handler_failed',
        recipient,
        reason: BUS_REASONS.BUS_HANDLER_FAILED,
        message: `handler failed: ${error instanceof Error ? error.message : String(error)}`,
        id,
        from,
        seq,
      });
    }
  }

  /** Records a message dropped unread because its recipient is blocked. */
  dropped(recipient: string, wire: Uint8Array): void {
    const about = peek(wire);
    this.#push({
      kind: 'dropped',
      recipient,
      reason: BUS_REASONS.BUS_RECIPIENT_BLOCKED,
      message: `recipient \`${recipient}\` is blocked`,
      ...about,
    });
  }

  records(): readonly BusRecord[] {
    return [...this.#records];
  }

  #rejected(recipient: string, error: KernelError): void {
    const reason: BusReason = reasonOf(error) ?? BUS_REASONS.BUS_MALFORMED;
    const details = error.details ?? {};
    this.#push({
      kind: 'rejected',
      recipient,
      reason,
      message: error.message,
      ...(typeof details.id === 'string' ? { id: details.id } : {}),
      ...(typeof details.from === 'string' ? { from: details.from } : {}),
      ...(typeof details.seq === 'number' ? { seq: details.seq } : {}),
    });
  }

  #push(record: BusRecord): void {
    pushBounded(this.#records, record, RECORDS_MAX);
    this.#onRecord?.(record);
  }
}

// WHY: a dropped message is never checked, so what it claims about itself is only a hint for the
// record; nothing here is trusted or acted on.
function peek(wire: Uint8Array): { id?: string; from?: string } {
  if (wire.byteLength > ENVELOPE_BYTES_MAX) return {};
  try {
    const value: unknown = JSON.parse(Buffer.from(wire).toString('utf8'));
    if (value === null || typeof value !== 'object') return {};
    const { id, from } = value as { id?: unknown; from?: unknown };
    return {
      ...(typeof id === 'string' ? { id: id.slice(0, 64) } : {}),
      ...(typeof from === 'string' ? { from: from.slice(0, 128) } : {}),
    };
  } catch {
    return {};
  }
}
