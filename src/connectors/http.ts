// The http connector: one request per intent, an `Idempotency-Key` on every change, no redirects
// followed, bounded responses, and undo by a compensating request the configuration names (MR-5).

import type { SideEffectClass } from '../kernel/side-effect.ts';
import {
  checkJsonValue,
  ERROR_CODES,
  hashHex,
  isKernelError,
  type JsonValue,
  KernelError,
  readBodyBounded,
} from '../shared/index.ts';
import { compensationUrl, parseResourceUrl, requestParts } from './http-request.ts';
import { toResult } from './http-response.ts';
import { resolveTemplate, templateProblem } from './http-template.ts';
import type { Connector, EffectRequest, ProbeResult, UndoPlan } from './port.ts';

/** A compensating request run by `undo`; `url` is a template (see `resolveTemplate`). */
export type HttpCompensation = {
  readonly method: 'DELETE' | 'POST' | 'PUT' | 'PATCH';
  readonly url: string;
  readonly body?: JsonValue;
};

export type HttpConnectorOptions = {
  /** Compensation per write action (`http.post`, …); a write without one is irreversible. */
  readonly compensations?: Readonly<Record<string, HttpCompensation>>;
  /** Per request, on top of the commit's own signal. Default 30 000. */
  readonly timeoutMs?: number;
  /** Response bodies beyond this fail with OVERSIZED_INPUT. Default 1 MiB. */
  readonly responseBytesMax?: number;
  /** For tests and custom transports; default the global `fetch`. */
  readonly fetch?: typeof fetch;
};

const ACTIONS = {
  'http.get': 'read',
  'http.head': 'read',
  'http.options': 'read',
  'http.put': 'write',
  'http.patch': 'write',
  'http.post': 'write',
  'http.delete': 'destructive',
} as const satisfies Readonly<Record<string, SideEffectClass>>;

type HttpAction = keyof typeof ACTIONS;
const COMPENSATION_METHODS: readonly string[] = ['DELETE', 'POST', 'PUT', 'PATCH'];
const COMPENSATION_BODY_LIMITS = { bytesMax: 64 * 1024, depthMax: 32 } as const;

type Context = {
  readonly fetch: typeof fetch;
  readonly timeoutMs: number;
  readonly bytesMax: number;
  readonly compensations: Readonly<Record<string, HttpCompensation>>;
};

type Outgoing = {
  readonly method: string;
  readonly url: URL;
  readonly headers: Headers;
  readonly body?: string;
};

/**
 * HTTP as a connector. Reads (`get`, `head`, `options`) return any status; a write (`put`, `patch`,
 * `post`) or `delete` that does not answer 2xx fails with CONNECTOR_FAILED so the commit rolls back.
 * `stateHash` GETs the resource: the ETag if there is one, else the body; 404/410 are `absent`,
 * 405/501 `unversioned` (nothing to compare); any other failure throws, so OCC fails closed.
 */
export function createHttpConnector(options: HttpConnectorOptions = {}): Connector {
  const context: Context = {
    fetch: options.fetch ?? globalThis.fetch,
    timeoutMs: positive(options.timeoutMs ?? 30_000, 'timeoutMs'),
    bytesMax: positive(options.responseBytesMax ?? 1024 * 1024, 'responseBytesMax'),
    compensations: checkCompensations(options.compensations ?? {}),
  };
  return {
    name: 'http',
    actions: ACTIONS,
    stateHash: (resource) => stateHash(context, resource),
    prepare: async (request) => prepare(context, request),
    execute: (request, { signal }) => execute(context, request, signal),
    probe: async (request): Promise<ProbeResult> =>
      ACTIONS[actionOf(request)] === 'read' ? 'not-applied' : 'unknown',
    undo: (request, plan, result) => undo(context, request, plan, result),
    discard: async (request) => {
      actionOf(request);
    },
  };
}

function configInvalid(message: string): KernelError {
  return new KernelError(ERROR_CODES.CONFIG_INVALID, message);
}

function positive(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value <= 0)
    throw configInvalid(`http \`${name}\` must be a positive integer`);
  return value;
}

function checkCompensations(
  compensations: Readonly<Record<string, HttpCompensation>>,
): Readonly<Record<string, HttpCompensation>> {
  for (const [action, compensation] of Object.entries(compensations)) {
    if (!Object.hasOwn(ACTIONS, action) || ACTIONS[action as HttpAction] === 'read') {
      throw configInvalid(`http compensation for \`${action}\`: not a write action`);
    }
    if (!COMPENSATION_METHODS.includes(compensation.method)) {
      throw configInvalid(
        `http compensation for \`${action}\`: method \`${compensation.method}\` is not allowed`,
      );
    }
    const problem = templateProblem(compensation.url);
    if (problem !== undefined) throw configInvalid(`http compensation for \`${action}\`: ${problem}`);
    if (compensation.body !== undefined && !checkJsonValue(compensation.body, COMPENSATION_BODY_LIMITS).ok) {
      throw configInvalid(`http compensation for \`${action}\`: body is not bounded json`);
    }
  }
  return { ...compensations };
}

function actionOf(request: EffectRequest): HttpAction {
  if (!Object.hasOwn(ACTIONS, request.action)) {
    throw new KernelError(ERROR_CODES.INVALID_INPUT, `http connector has no action \`${request.action}\``);
  }
  return request.action as HttpAction;
}

function methodOf(action: HttpAction): string {
  return action.slice('http.'.length).toUpperCase();
}

type Sent = { readonly response: Response; readonly what: string; readonly timeout: AbortSignal };

/** Sends one request with redirects off and the timeout on; network failures become KernelErrors. */
async function send(context: Context, outgoing: Outgoing, signal: AbortSignal | undefined): Promise<Sent> {
  const what = `\`${outgoing.method}\` \`${outgoing.url.href}\``;
  if (signal?.aborted === true) {
    throw new KernelError(ERROR_CODES.CONNECTOR_FAILED, `${what} was aborted before it was sent`, {
      aborted: true,
    });
  }
  const timeout = AbortSignal.timeout(context.timeoutMs);
  const init: RequestInit = {
    method: outgoing.method,
    headers: outgoing.headers,
    // INVARIANT: a redirect is returned, never followed, so it cannot carry the effect elsewhere.
    redirect: 'manual',
    signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
  };
  if (outgoing.body !== undefined) init.body = outgoing.body;
  try {
    return { response: await context.fetch(outgoing.url, init), what, timeout };
  } catch (error) {
    throw transportError(error, what, signal, timeout, context.timeoutMs);
  }
}

/** Reads the whole body within the bound; a failure while streaming is mapped like one in `send`. */
async function readAll(context: Context, sent: Sent, signal: AbortSignal | undefined): Promise<Uint8Array> {
  try {
    return await readBodyBounded(sent.response, context.bytesMax);
  } catch (error) {
    throw transportError(error, sent.what, signal, sent.timeout, context.timeoutMs);
  }
}

/** Frees a body nobody will read. */
async function drop(sent: Sent): Promise<void> {
  // WHY: cleanup only; a stream that already failed rejects its cancel, and that changes nothing.
  await sent.response.body?.cancel().catch(() => undefined);
}

function transportError(
  error: unknown,
  what: string,
  signal: AbortSignal | undefined,
  timeout: AbortSignal,
  timeoutMs: number,
): KernelError {
  if (isKernelError(error)) return error;
  if (signal?.aborted === true) {
    return new KernelError(ERROR_CODES.CONNECTOR_FAILED, `${what} was aborted`, { aborted: true });
  }
  if (timeout.aborted) {
    return new KernelError(ERROR_CODES.CONNECTOR_FAILED, `${what} timed out after ${timeoutMs} ms`, {
      timeoutMs,
    });
  }
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  const reason = typeof cause === 'string' ? cause : 'network error';
  return new KernelError(ERROR_CODES.CONNECTOR_FAILED, `${what} failed: ${reason}`, { cause: reason });
}

async function stateHash(context: Context, resource: string): Promise<string> {
  const url = parseResourceUrl(resource);
  const sent = await send(context, { method: 'GET', url, headers: new Headers() }, undefined);
  const { status } = sent.response;
  const etag = sent.response.headers.get('etag');
  if (ok(status) && etag === null) return hashHex(await readAll(context, sent, undefined));
  await drop(sent);
  if (ok(status)) return hashHex(`etag:${etag}`);
  if (status === 404 || status === 410) return 'absent';
  if (status === 405 || status === 501) return 'unversioned';
  throw failedStatus('GET', url, status);
}

function ok(status: number): boolean {
  return status >= 200 && status <= 299;
}

function failedStatus(method: string, url: URL, status: number): KernelError {
  return new KernelError(ERROR_CODES.CONNECTOR_FAILED, `\`${method}\` \`${url.href}\` answered ${status}`, {
    status,
  });
}

function prepare(context: Context, request: EffectRequest): UndoPlan {
  const action = actionOf(request);
  parseResourceUrl(request.resource);
  if (ACTIONS[action] === 'read') return { kind: 'none' };
  const compensation = Object.hasOwn(context.compensations, action)
    ? context.compensations[action]
    : undefined;
  if (compensation === undefined) return { kind: 'irreversible' };
  const data: Record<string, JsonValue> = { method: compensation.method, url: compensation.url };
  if (compensation.body !== undefined) data.body = compensation.body;
  return { kind: 'compensation', data };
}

async function execute(context: Context, request: EffectRequest, signal: AbortSignal): Promise<JsonValue> {
  const action = actionOf(request);
  const method = methodOf(action);
  const url = parseResourceUrl(request.resource);
  const { headers, body } = requestParts(action, method, request.args);
  const changes = ACTIONS[action] !== 'read';
  // INVARIANT: every change carries the intent id, so a replay after a crash is not a second effect.
  if (changes) headers.set('idempotency-key', request.intentId);
  const outgoing: Outgoing = body === undefined ? { method, url, headers } : { method, url, headers, body };
  const sent = await send(context, outgoing, signal);
  const bytes = await readAll(context, sent, signal);
  if (changes && !ok(sent.response.status)) throw failedStatus(method, url, sent.response.status);
  return toResult(sent.response, bytes, context.bytesMax);
}

async function undo(
  context: Context,
  request: EffectRequest,
  plan: UndoPlan,
  result: JsonValue | undefined,
): Promise<void> {
  const action = actionOf(request);
  if (plan.kind === 'none') return;
  if (plan.kind !== 'compensation') {
    throw new KernelError(
      ERROR_CODES.UNDO_IMPOSSIBLE,
      `\`${action}\` on \`${request.resource}\` cannot be undone: no compensation is configured`,
    );
  }
  const compensation = parseCompensation(plan.data);
  const url = compensationUrl(resolveTemplate(compensation.url, request.resource, result), request.resource);
  const headers = new Headers({ 'idempotency-key': `${request.intentId}.undo` });
  let body: string | undefined;
  if (compensation.body !== undefined) {
    headers.set('content-type', 'application/json');
    body = JSON.stringify(compensation.body);
  }
  const outgoing: Outgoing =
    body === undefined
      ? { method: compensation.method, url, headers }
      : { method: compensation.method, url, headers, body };
  const sent = await send(context, outgoing, undefined);
  await drop(sent);
  const { status } = sent.response;
  // WHY: undo is idempotent; a second DELETE of what the first one removed finds nothing, and that is success.
  const gone = compensation.method === 'DELETE' && (status === 404 || status === 410);
  if (!ok(status) && !gone) throw failedStatus(compensation.method, url, status);
}

function parseCompensation(data: JsonValue | undefined): HttpCompensation {
  if (
    data === null ||
    typeof data !== 'object' ||
    Array.isArray(data) ||
    typeof data.method !== 'string' ||
    !COMPENSATION_METHODS.includes(data.method) ||
    typeof data.url !== 'string' ||
    templateProblem(data.url) !== undefined
  ) {
    throw new KernelError(ERROR_CODES.UNDO_IMPOSSIBLE, 'compensation plan is malformed');
  }
  const method = data.method as HttpCompensation['method'];
  return data.body === undefined ? { method, url: data.url } : { method, url: data.url, body: data.body };
}
