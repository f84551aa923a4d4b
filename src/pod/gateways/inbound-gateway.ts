// Inbound message gateway (§41.3): who may send to the agent. The host offers each message with
// `accept` (sender and type allowlists, size, rate, a bounded queue); the agent takes what waits
// with `maos.inbox()` (op `take`), or the pod pushes messages one by one (`next`) to `onMessage`.

import type { Clock, KernelError, Result } from '../../shared/index.ts';
import { ERROR_CODES, fail, ok } from '../../shared/index.ts';
import { type Allowlist, nameAllowlist } from '../allowlist.ts';
import { TokenBucket } from '../call-limiter.ts';
import type { GatewayConfig } from '../gateway-config.ts';
import { answer, refuse } from './answer.ts';
import type { Gateway, GatewayAnswer, GatewayCall, PodMessage } from './port.ts';

/** Messages one `take` returns at most; the rest stay queued. */
export const TAKE_MESSAGES_MAX = 100;

export type InboundGatewayOptions = {
  readonly config: GatewayConfig['inbound'];
  readonly clock: Clock;
};

type Queued = { readonly message: PodMessage; readonly bytes: number };

export class InboundGateway implements Gateway {
  readonly name = 'inbound' as const;
  readonly #config: GatewayConfig['inbound'];
  readonly #senders: Allowlist;
  readonly #types: Allowlist;
  readonly #rate: TokenBucket;
  // WHY: a plain array with a head index: `next` and `take` are O(1) per message, no shifting.
  #queue: (Queued | undefined)[] = [];
  #head = 0;

  constructor(options: InboundGatewayOptions) {
    this.#config = options.config;
    this.#senders = nameAllowlist(options.config.senders);
    this.#types = nameAllowlist(options.config.types);
    this.#rate = new TokenBucket(options.config.perMinute, 60_000, options.clock);
  }

  /** Messages waiting. */
  get queued(): number {
    return this.#queue.length - this.#head;
  }

  /** Host side: queues a message for the agent, or refuses it (`MESSAGE_DENIED`, `GATEWAY_RATE_LIMITED`). */
  accept(message: PodMessage): Result<void, KernelError> {
    if (!this.#senders.matches(message.from)) {
      return fail(
        ERROR_CODES.MESSAGE_DENIED,
        `agent \`${message.to}\` does not accept messages from \`${message.from}\``,
      );
    }
    if (!this.#types.matches(message.type)) {
      return fail(
        ERROR_CODES.MESSAGE_DENIED,
        `agent \`${message.to}\` does not accept messages of type \`${message.type}\``,
      );
    }
    const text = JSON.stringify(message.body);
    const bytes = text === undefined ? 0 : Buffer.byteLength(text);
    if (bytes > this.#config.payloadBytesMax) {
      return fail(
        ERROR_CODES.MESSAGE_DENIED,
        `message body has ${bytes} bytes, more than the ${this.#config.payloadBytesMax} agent \`${message.to}\` accepts`,
      );
    }
    if (this.queued >= this.#config.queueMax) {
      return fail(
        ERROR_CODES.MESSAGE_DENIED,
        `agent \`${message.to}\` has ${this.#config.queueMax} messages waiting already`,
      );
    }
    if (!this.#rate.take()) {
      return fail(
        ERROR_CODES.GATEWAY_RATE_LIMITED,
        `agent \`${message.to}\` accepts ${this.#config.perMinute} messages per minute`,
        {
          retryAfterMs: this.#rate.waitMs(),
        },
      );
    }
    this.#queue.push({ message, bytes });
    return ok(undefined);
  }

  /** The oldest waiting message, removed from the queue (for an agent exporting `onMessage`). */
  next(): PodMessage | undefined {
    const item = this.#queue[this.#head];
    if (item === undefined) return undefined;
    this.#queue[this.#head] = undefined;
    this.#head += 1;
    this.#compact();
    return item.message;
  }

  async handle(call: GatewayCall): Promise<GatewayAnswer> {
    if (call.op !== 'take') {
      const error = fail(ERROR_CODES.POD_CALL_INVALID, `unknown inbound operation \`${call.op}\``);
      return refuse('', call.bytes, error);
    }
    const end = Math.min(this.#queue.length, this.#head + TAKE_MESSAGES_MAX);
    const taken = this.#queue.slice(this.#head, end);
    for (let i = this.#head; i < end; i++) this.#queue[i] = undefined;
    this.#head = end;
    this.#compact();
    let bytesIn = 0;
    const messages = [];
    for (const item of taken) {
      if (item === undefined) continue;
      bytesIn += item.bytes;
      messages.push({ from: item.message.from, type: item.message.type, body: item.message.body });
    }
    return answer('inbox', call.bytes, bytesIn, ok(messages), false);
  }

  #compact(): void {
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }
}
