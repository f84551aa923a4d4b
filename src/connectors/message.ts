// The pod-message connector: `message.send` to `agent:<id>` hands a message to the recipient pod's
// inbound gateway. Messages between pods are intents like any other effect, so the DSC decides
// them (capability, rate, IFC, pre-filter) and the journal records them. Delivery cannot be undone:
// the plan is `none`, and recovery cannot tell whether a pod that no longer exists got it.

import { ERROR_CODES, type JsonValue, KernelError, type Result } from '../shared/index.ts';
import type { Connector, EffectRequest, ProbeResult, UndoPlan } from './port.ts';

export const MESSAGE_RESOURCE_PREFIX = 'agent:';

export type OutgoingMessage = {
  readonly from: string;
  readonly to: string;
  readonly type: string;
  readonly body: JsonValue;
  /** The subject the sender's vouchers stand behind, when the sender named one. */
  readonly subject?: string;
};

/** Delivers to the recipient; the sender is the intent's agent, set by the commit layer's caller. */
export type Deliver = (message: OutgoingMessage) => Promise<Result<void, KernelError>>;

/** Intent ids delivered by this process, for `probe` (bounded). */
const DELIVERED_MAX = 10_000;

export function createMessageConnector(
  deliver: Deliver,
  senderOf: (intentId: string) => string | undefined,
): Connector {
  const delivered = new Set<string>();
  return {
    name: 'message',
    actions: { 'message.send': 'write' },
    stateHash: async () => 'absent',
    prepare: async (): Promise<UndoPlan> => ({ kind: 'none' }),
    execute: async (request: EffectRequest) => {
      const to = recipientOf(request.resource);
      const { type, body, subject } = request.args;
      if (typeof type !== 'string' || type.length === 0 || type.length > 128) {
        throw new KernelError(ERROR_CODES.INVALID_INPUT, '`message.send` needs a string `type`');
      }
      const from = senderOf(request.intentId);
      if (from === undefined) {
        throw new KernelError(
          ERROR_CODES.MESSAGE_DENIED,
          `no sender is known for intent \`${request.intentId}\``,
        );
      }
      if (
        subject !== undefined &&
        (typeof subject !== 'string' || subject.length === 0 || subject.length > 256)
      ) {
        throw new KernelError(ERROR_CODES.INVALID_INPUT, '`message.send` `subject` must be a short string');
      }
      const sent = await deliver({
        from,
        to,
        type,
        body: body ?? null,
        ...(subject === undefined ? {} : { subject }),
      });
      if (!sent.ok) throw sent.error;
      if (delivered.size >= DELIVERED_MAX) delivered.clear();
      delivered.add(request.intentId);
      return { delivered: true, to };
    },
    probe: async (request): Promise<ProbeResult> => (delivered.has(request.intentId) ? 'applied' : 'unknown'),
    undo: async () => {},
    discard: async () => {},
  };
}

function recipientOf(resource: string): string {
  if (!resource.startsWith(MESSAGE_RESOURCE_PREFIX) || resource.length === MESSAGE_RESOURCE_PREFIX.length) {
    throw new KernelError(
      ERROR_CODES.INVALID_INPUT,
      `message resource \`${resource}\` must be \`agent:<id>\``,
    );
  }
  return resource.slice(MESSAGE_RESOURCE_PREFIX.length);
}
