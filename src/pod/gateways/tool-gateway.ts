// Tool / API gateway (§41.3): `maos.call(action, resource, args)` becomes an intent for the DSC and
// the commit layer. The gateway's own pre-check is the resource allowlist (domain and path patterns)
// and a bandwidth budget, so a network attempt outside the allowlist never reaches the kernel (DR-R3).

import { LIMITS, type SideEffectClass } from '../../kernel/index.ts';
import type { Clock, JsonValue, KernelError, Result } from '../../shared/index.ts';
import { checkJsonValue, ERROR_CODES, fail, ok } from '../../shared/index.ts';
import { type Allowlist, segmentAllowlist } from '../allowlist.ts';
import { TokenBucket } from '../call-limiter.ts';
import type { GatewayConfig } from '../gateway-config.ts';
import { POD_MESSAGE_BYTES_MAX } from '../protocol.ts';
import { answer, refuse } from './answer.ts';
import { answerOf, isRefused } from './intent-outcome.ts';
import { MESSAGE_SEND_ACTION } from './outbound-gateway.ts';
import type { Gateway, GatewayAnswer, GatewayCall, IntentRequest, PodServices } from './port.ts';

// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f]/;

const ACTION = /^[A-Za-z0-9_.:-]{1,256}$/;
const PAYLOAD_KEYS = new Set(['action', 'resource', 'args', 'sideEffect', 'idempotencyKey']);
const SIDE_EFFECTS: ReadonlyMap<string, SideEffectClass> = new Map([
  ['read', 'read'],
  ['write', 'write'],
  ['destructive', 'destructive'],
  ['irreversible', 'irreversible'],
  // WHY: an effect of unknown kind is treated as a write (ARCHITECTURE.md §2).
  ['unknown', 'write'],
]);
const ARGS_LIMITS = { depthMax: 32, bytesMax: POD_MESSAGE_BYTES_MAX };

type IntentPayload = {
  readonly action: string;
  readonly resource: string;
  readonly args: IntentRequest['args'];
  readonly sideEffect: SideEffectClass | undefined;
  readonly idempotencyKey: string | undefined;
};

/** Schemes whose resources are network destinations: a blocked one is a network violation. */
const NETWORK_SCHEMES = new Set([
  'http',
  'https',
  'ws',
  'wss',
  'tcp',
  'udp',
  'tls',
  'quic',
  'ftp',
  'ftps',
  'sftp',
  'ssh',
  'smtp',
  'smtps',
  'imap',
  'imaps',
  'pop3',
  'dns',
  'grpc',
  'grpcs',
]);
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]{0,31}):\/\//;

export type ToolGatewayOptions = {
  readonly config: GatewayConfig['tool'];
  readonly services: PodServices;
  readonly clock: Clock;
};

export class ToolGateway implements Gateway {
  readonly name = 'tool' as const;
  readonly #allowed: Allowlist;
  readonly #services: PodServices;
  readonly #bandwidth: TokenBucket | undefined;

  constructor(options: ToolGatewayOptions) {
    this.#allowed = segmentAllowlist(options.config.resources);
    this.#services = options.services;
    const perMinute = options.config.bytesPerMinute;
    this.#bandwidth = perMinute === undefined ? undefined : new TokenBucket(perMinute, 60_000, options.clock);
  }

  async handle(call: GatewayCall): Promise<GatewayAnswer> {
    if (call.op !== 'intent')
      return refuse(
        '',
        call.bytes,
        fail(ERROR_CODES.POD_CALL_INVALID, `unknown tool operation \`${call.op}\``),
      );
    const parsed = parsePayload(call.payload);
    if (!parsed.ok) return refuse('', call.bytes, parsed);
    const payload = parsed.value;
    const target = payload.resource;
    const problem = resourceProblem(payload.action, target);
    if (problem !== undefined) return refuse(target, call.bytes, fail(ERROR_CODES.GATEWAY_DENIED, problem));
    const network = networkHost(target);
    if (!this.#allowed.matches(target)) {
      const what = network === undefined ? 'resource' : 'network destination';
      const error = fail(
        ERROR_CODES.GATEWAY_DENIED,
        `${what} \`${target}\` is not on this agent's tool allowlist`,
      );
      return refuse(target, call.bytes, error, network === undefined ? undefined : 'network');
    }
    // WHY: bytesOut is the payload's size, which the Sentry measured already: the arguments plus
    // the resource and action, which leave the host as well.
    if (this.#bandwidth !== undefined && !this.#bandwidth.take(call.bytes)) {
      const error = fail(
        ERROR_CODES.GATEWAY_RATE_LIMITED,
        `tool bandwidth of ${this.#bandwidth.capacity} bytes per minute is used up`,
        {
          retryAfterMs: this.#bandwidth.waitMs(call.bytes),
        },
      );
      return refuse(target, call.bytes, error);
    }
    const { sideEffect, idempotencyKey } = payload;
    const request: IntentRequest = {
      action: payload.action,
      resource: target,
      args: payload.args,
      ...(sideEffect === undefined ? {} : { sideEffect }),
      ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
    };
    const submitted = await this.#services.submit(call.agent, request);
    if (!submitted.ok) return answer(target, call.bytes, 0, submitted, false);
    const outcome = submitted.value;
    const result = answerOf(outcome, ERROR_CODES.GATEWAY_DENIED);
    const bytesIn = result.ok ? jsonBytes(result.value) : 0;
    if (bytesIn > 0) this.#bandwidth?.charge(bytesIn);
    const blocked = isRefused(outcome);
    // A committed effect other than a read counts towards aggregate monitoring (§49.11).
    if (outcome.state !== 'committed' || payload.sideEffect === 'read')
      return answer(target, call.bytes, bytesIn, result, blocked);
    const peer = network === undefined ? {} : { peer: network };
    return answer(target, call.bytes, bytesIn, result, blocked, { external: { kind: 'api-call', ...peer } });
  }
}

/**
 * Checks the agent's untrusted payload by hand: this is the hottest gateway, and a schema library
 * costs microseconds here. The arguments are walked once with the kernel's JSON rules.
 */
function parsePayload(payload: JsonValue): Result<IntentPayload, KernelError> {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    return invalid('tool call needs `{ action, resource, args? }`');
  }
  const record = payload as { readonly [key: string]: JsonValue | undefined };
  for (const key in record)
    if (!PAYLOAD_KEYS.has(key)) return invalid(`tool call has an unknown field \`${key.slice(0, 64)}\``);
  const { action, resource, args, sideEffect, idempotencyKey } = record;
  if (typeof action !== 'string' || !ACTION.test(action))
    return invalid('tool call `action` must be a dotted name such as `http.get`');
  if (typeof resource !== 'string' || resource.length === 0 || resource.length > LIMITS.resourceLengthMax) {
    return invalid(`tool call \`resource\` must be a string of 1 to ${LIMITS.resourceLengthMax} characters`);
  }
  if (args !== undefined && (args === null || typeof args !== 'object' || Array.isArray(args))) {
    return invalid('tool call `args` must be an object');
  }
  const checked = args === undefined ? ok({}) : checkJsonValue(args, ARGS_LIMITS);
  if (!checked.ok) return invalid(`tool call \`args\`: ${checked.error.message}`);
  const effect = sideEffect === undefined ? undefined : SIDE_EFFECTS.get(String(sideEffect));
  if (sideEffect !== undefined && (typeof sideEffect !== 'string' || effect === undefined)) {
    return invalid(
      'tool call `sideEffect` must be `read`, `write`, `destructive`, `irreversible` or `unknown`',
    );
  }
  if (
    idempotencyKey !== undefined &&
    (typeof idempotencyKey !== 'string' ||
      idempotencyKey.length === 0 ||
      idempotencyKey.length > LIMITS.idLengthMax)
  ) {
    return invalid(`tool call \`idempotencyKey\` must be a string of 1 to ${LIMITS.idLengthMax} characters`);
  }
  return ok({
    action,
    resource,
    args: checked.value as IntentRequest['args'],
    sideEffect: effect,
    idempotencyKey: idempotencyKey as string | undefined,
  });
}

function invalid(message: string): Result<never, KernelError> {
  return fail(ERROR_CODES.POD_CALL_INVALID, message);
}

/** The host of a network resource (`https://api.example.com/x` → `api.example.com`); undefined otherwise. */
export function networkHost(resource: string): string | undefined {
  const match = SCHEME.exec(resource);
  if (match === null || !NETWORK_SCHEMES.has((match[1] ?? '').toLowerCase())) return undefined;
  const rest = resource.slice(match[0].length);
  const end = rest.search(/[/?#]/);
  const authority = end === -1 ? rest : rest.slice(0, end);
  const host = authority.slice(authority.lastIndexOf('@') + 1);
  return host.length === 0 ? '(none)' : host.toLowerCase();
}

function resourceProblem(action: string, resource: string): string | undefined {
  // WHY: messages between agents go through the outbound gateway, whose allowlists they must pass.
  if (action === MESSAGE_SEND_ACTION || resource.startsWith('agent:')) {
    return 'messages to agents go through `maos.send`, not `maos.call`';
  }
  if (CONTROL.test(resource) || resource.includes('\\')) {
    return `resource \`${JSON.stringify(resource).slice(1, -1)}\` contains a control character or a backslash`;
  }
  // INVARIANT: as the kernel's own check, a resource cannot climb out of the folder a pattern names.
  const path = resource.split(/[?#]/, 1)[0] ?? '';
  for (const segment of path.split('/')) {
    let decoded = segment;
    if (segment.includes('%')) {
      try {
        decoded = decodeURIComponent(segment);
      } catch {
        return `resource \`${resource}\` has malformed percent escapes`;
      }
    }
    if (
      decoded === '.' ||
      decoded === '..' ||
      (decoded !== segment && (/[/\\]/.test(decoded) || CONTROL.test(decoded)))
    ) {
      return `resource \`${resource}\` has a dot segment or an escaped separator`;
    }
  }
  return undefined;
}

/** Bytes of `value` as UTF-8 JSON. */
function jsonBytes(value: JsonValue): number {
  if (value === null) return 4;
  const text = JSON.stringify(value);
  return text === undefined ? 0 : Buffer.byteLength(text);
}
