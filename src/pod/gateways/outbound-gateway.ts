// Outbound message gateway (§41.3): where the agent may send. Recipient and type allowlists, a rate
// and a payload bound here; then the message becomes an intent (`message.send` on `agent:<to>`), so
// the DSC decides it and the journal records it, and a connector delivers it to the recipient.

import { z } from 'zod';
import type { Clock } from '../../shared/index.ts';
import { ERROR_CODES, fail, MESSAGE_NAME_PATTERN } from '../../shared/index.ts';
import { type Allowlist, nameAllowlist } from '../allowlist.ts';
import { TokenBucket } from '../call-limiter.ts';
import type { GatewayConfig } from '../gateway-config.ts';
import { answer, refuse } from './answer.ts';
import { answerOf, isRefused } from './intent-outcome.ts';
import type { Gateway, GatewayAnswer, GatewayCall, PodServices } from './port.ts';

const AGENT_ID = /^[A-Za-z0-9_.:-]{1,256}$/;

const SendPayloadSchema = z.strictObject({
  to: z.string().regex(AGENT_ID),
  type: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/),
  body: z.json(),
  subject: z.string().regex(MESSAGE_NAME_PATTERN).optional(),
});

const VouchPayloadSchema = z.strictObject({
  vouchee: z.string().regex(AGENT_ID),
  subject: z.string().regex(MESSAGE_NAME_PATTERN),
});

/** The intent action a message becomes; the runtime routes it to the message connector. */
export const MESSAGE_SEND_ACTION = 'message.send';

export type OutboundGatewayOptions = {
  readonly config: GatewayConfig['outbound'];
  readonly services: PodServices;
  readonly clock: Clock;
};

export class OutboundGateway implements Gateway {
  readonly name = 'outbound' as const;
  readonly #config: GatewayConfig['outbound'];
  readonly #recipients: Allowlist;
  readonly #types: Allowlist;
  readonly #rate: TokenBucket;
  readonly #services: PodServices;

  constructor(options: OutboundGatewayOptions) {
    this.#config = options.config;
    this.#recipients = nameAllowlist(options.config.recipients);
    this.#types = nameAllowlist(options.config.types);
    this.#rate = new TokenBucket(options.config.perMinute, 60_000, options.clock);
    this.#services = options.services;
  }

  async handle(call: GatewayCall): Promise<GatewayAnswer> {
    if (call.op === 'vouch') return this.#vouch(call);
    if (call.op !== 'send')
      return refuse(
        '',
        call.bytes,
        fail(ERROR_CODES.POD_CALL_INVALID, `unknown outbound operation \`${call.op}\``),
      );
    const parsed = SendPayloadSchema.safeParse(call.payload);
    if (!parsed.success) {
      const where = parsed.error.issues[0]?.path.join('.') || 'payload';
      return refuse(
        '',
        call.bytes,
        fail(ERROR_CODES.POD_CALL_INVALID, `send: \`${where}\` is invalid; it needs \`{ to, type, body }\``),
      );
    }
    const { to, type, body, subject } = parsed.data;
    if (!this.#recipients.matches(to)) {
      return refuse(
        to,
        call.bytes,
        fail(ERROR_CODES.MESSAGE_DENIED, `agent \`${to}\` is not on this agent's recipient allowlist`),
      );
    }
    if (!this.#types.matches(type)) {
      return refuse(
        to,
        call.bytes,
        fail(ERROR_CODES.MESSAGE_DENIED, `message type \`${type}\` may not be sent by this agent`),
      );
    }
    // WHY: the payload's size bounds the body's from above; only a large payload is measured exactly.
    const bytes =
      call.bytes <= this.#config.payloadBytesMax ? call.bytes : Buffer.byteLength(JSON.stringify(body));
    if (bytes > this.#config.payloadBytesMax) {
      return refuse(
        to,
        call.bytes,
        fail(
          ERROR_CODES.MESSAGE_DENIED,
          `message body has ${bytes} bytes, more than the ${this.#config.payloadBytesMax} allowed`,
        ),
      );
    }
    const limited = this.#rateLimited(to, call.bytes);
    if (limited !== undefined) return limited;
    const submitted = await this.#services.submit(call.agent, {
      action: MESSAGE_SEND_ACTION,
      resource: `agent:${to}`,
      args: { type, body: body as never, ...(subject === undefined ? {} : { subject }) },
      sideEffect: 'write',
    });
    if (!submitted.ok) return answer(to, call.bytes, 0, submitted, false);
    const outcome = submitted.value;
    const result = answerOf(outcome, ERROR_CODES.MESSAGE_DENIED);
    const sent =
      outcome.state === 'committed' ? { external: { kind: 'message', peer: to } as const } : undefined;
    return answer(to, call.bytes, 0, result, isRefused(outcome), sent);
  }

  // WHY: a vouch spends the voucher's own trust, so it shares the send rate: an agent cannot
  // flood the ledger with bonds any faster than it can send.
  async #vouch(call: GatewayCall): Promise<GatewayAnswer> {
    const parsed = VouchPayloadSchema.safeParse(call.payload);
    if (!parsed.success)
      return refuse(
        '',
        call.bytes,
        fail(ERROR_CODES.POD_CALL_INVALID, 'vouch: it needs `{ vouchee, subject }` (agent id, subject id)'),
      );
    const { vouchee, subject } = parsed.data;
    // WHY: an agent may stand behind only agents its manifest lets it talk to.
    if (!this.#recipients.matches(vouchee))
      return refuse(
        vouchee,
        call.bytes,
        fail(ERROR_CODES.MESSAGE_DENIED, `agent \`${vouchee}\` is not on this agent's recipient allowlist`),
      );
    if (this.#services.vouch === undefined)
      return answer(
        vouchee,
        call.bytes,
        0,
        fail(ERROR_CODES.GATEWAY_DENIED, 'no trust ledger is hosted here'),
        false,
      );
    const limited = this.#rateLimited(vouchee, call.bytes);
    if (limited !== undefined) return limited;
    // A ledger refusal is an ok answer `{ granted: false, reason }`; only a failure of the ledger
    // itself is an error, and neither is a blocked call.
    const vouched = await this.#services.vouch(call.agent, vouchee, subject);
    return answer(vouchee, call.bytes, 0, vouched, false);
  }

  /** Takes one send from the per-minute rate; the refusal when none is left. */
  #rateLimited(target: string, bytes: number): GatewayAnswer | undefined {
    if (this.#rate.take()) return undefined;
    const error = fail(
      ERROR_CODES.GATEWAY_RATE_LIMITED,
      `this agent may send ${this.#config.perMinute} messages per minute`,
      { retryAfterMs: this.#rate.waitMs() },
    );
    return refuse(target, bytes, error);
  }
}
