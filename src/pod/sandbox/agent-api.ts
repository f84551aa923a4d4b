// The `maos` object agent code receives, built on the agent side (worker or child process) after
// lockdown by the trusted bootstrap. Every method turns into one `call` message on the wire and
// settles with the matching `reply`; values cross as JSON only, checked here so a function or a
// cycle fails in the agent's own stack with a clear error. The object is hardened: agent code can
// neither replace a method nor reach a host object through it.

import { POD_MESSAGE_BYTES_MAX } from '../protocol.ts';

/** JSON as it crosses the wire (kept local: this file must not load src/shared on the agent side). */
type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

/** Outstanding gateway calls one agent may have before further calls fail POD_BUSY. */
export const AGENT_CALLS_PENDING_MAX = 256;
/** Messages kept for `maos.inbox()` when the agent exported no `onMessage`. */
export const AGENT_INBOX_QUEUED_MAX = 1024;
/** The longest `maos.sleep`, in ms. */
export const AGENT_SLEEP_MS_MAX = 60_000;
const JSON_DEPTH_MAX = 64;
const JSON_NODES_MAX = 100_000;
const LOG_CHARS_MAX = 4000;
const NAME_CHARS_MAX = 1024;

type Harden = <T>(value: T) => T;

/** What the bootstrap gives the API: the wire, a host timer and the agent's state. */
export type AgentApiHost = {
  readonly agent: string;
  readonly post: (message: Json) => void;
  readonly setTimer: (callback: () => void, ms: number) => void;
};

/** The bootstrap's handle on the API it built. */
export type AgentApi = {
  readonly maos: object;
  readonly console: object;
  /** Settles call `id` from a host `reply`; unknown ids are ignored. */
  settle(id: number, ok: boolean, value: unknown, error: unknown): void;
  /** Keeps a message for `maos.inbox()`; false when the queue is full and it was dropped. */
  enqueue(message: Json): boolean;
  interrupt(): void;
};

/**
 * Copies `value` as plain JSON, or throws a TypeError naming `what` (functions, symbols, bigints,
 * non-finite numbers, cycles, class instances and over-deep values are refused). The copy is fresh:
 * later mutation or getters of the agent's object cannot change what was sent.
 */
export function toJson(value: unknown, what: string): Json {
  let nodes = 0;
  const ancestors = new Set<object>();
  const walk = (v: unknown, depth: number): Json => {
    nodes += 1;
    if (nodes > JSON_NODES_MAX) throw new TypeError(`${what} is too large`);
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new TypeError(`${what} holds a non-finite number`);
      return v;
    }
    if (typeof v !== 'object') throw new TypeError(`${what} is not JSON: it holds a ${typeof v}`);
    if (depth > JSON_DEPTH_MAX) throw new TypeError(`${what} is nested too deeply`);
    if (ancestors.has(v)) throw new TypeError(`${what} is not JSON: it holds a cycle`);
    ancestors.add(v);
    try {
      if (Array.isArray(v)) {
        const out: Json[] = [];
        for (let i = 0; i < v.length; i++) out.push(v[i] === undefined ? null : walk(v[i], depth + 1));
        return out;
      }
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) {
        throw new TypeError(`${what} is not JSON: it holds a class instance`);
      }
      const out: { [key: string]: Json } = {};
      for (const key of Object.keys(v)) {
        const item = (v as Record<string, unknown>)[key];
        if (item === undefined) continue;
        Object.defineProperty(out, key, { value: walk(item, depth + 1), enumerable: true, writable: true });
      }
      return out;
    } finally {
      ancestors.delete(v);
    }
  };
  return walk(value, 0);
}

function checkName(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > NAME_CHARS_MAX) {
    throw new TypeError(`${what} must be a non-empty string of at most ${NAME_CHARS_MAX} characters`);
  }
  return value;
}

/** Formats `maos.log` / `console.*` arguments into one bounded line; never throws. */
export function formatLog(args: readonly unknown[]): string {
  const parts: string[] = [];
  for (const arg of args) {
    let text: string;
    try {
      if (typeof arg === 'string') text = arg;
      else if (arg instanceof Error) text = `${arg.name}: ${arg.message}`;
      else text = JSON.stringify(toJson(arg, 'log argument'));
    } catch {
      text = `[${typeof arg}]`;
    }
    parts.push(text);
  }
  const line = parts.join(' ');
  return line.length > LOG_CHARS_MAX ? line.slice(0, LOG_CHARS_MAX) : line;
}

function makeCodedError(code: unknown, message: unknown): Error {
  const error = new Error(
    typeof message === 'string' ? message.slice(0, LOG_CHARS_MAX) : 'gateway call failed',
  );
  Object.defineProperty(error, 'code', {
    value: typeof code === 'string' ? code : 'CALL_FAILED',
    enumerable: true,
  });
  return error;
}

/** Builds the hardened `maos` API and `console` for one agent. Call only after `lockdown()`. */
export function makeAgentApi(host: AgentApiHost): AgentApi {
  const harden = (globalThis as unknown as { harden: Harden }).harden;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  const queued: Json[] = [];
  let nextId = 1;
  let interrupted = false;

  const call = (gateway: string, op: string, payload: Json): Promise<unknown> => {
    if (pending.size >= AGENT_CALLS_PENDING_MAX) {
      return Promise.reject(
        makeCodedError('POD_BUSY', `too many calls in flight (${AGENT_CALLS_PENDING_MAX})`),
      );
    }
    const text = JSON.stringify(payload);
    if (
      text.length > POD_MESSAGE_BYTES_MAX / 4 &&
      new TextEncoder().encode(text).length > POD_MESSAGE_BYTES_MAX
    ) {
      return Promise.reject(
        makeCodedError('POD_CALL_TOO_LARGE', `call payload exceeds ${POD_MESSAGE_BYTES_MAX} bytes`),
      );
    }
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      host.post({ kind: 'call', id, gateway, op, payload });
    });
  };
  // WHY: argument errors become rejected promises, like any other failed call.
  const guarded =
    <A extends unknown[]>(build: (...args: A) => [string, string, Json]) =>
    (...args: A): Promise<unknown> => {
      try {
        const [gateway, op, payload] = build(...args);
        return call(gateway, op, payload);
      } catch (error) {
        return Promise.reject(error);
      }
    };

  const log = (...args: unknown[]): void => host.post({ kind: 'log', text: formatLog(args) });
  const maos = {
    agent: host.agent,
    workspace: '/',
    get interrupted(): boolean {
      return interrupted;
    },
    call: guarded((action: unknown, resource: unknown, args?: unknown, options?: unknown) => {
      const payload: { [key: string]: Json } = {
        action: checkName(action, 'action'),
        resource: checkName(resource, 'resource'),
        args: args === undefined ? {} : toJson(args, 'args'),
      };
      if (options !== undefined) {
        const o = toJson(options, 'options');
        if (o === null || typeof o !== 'object' || Array.isArray(o))
          throw new TypeError('options must be an object');
        const { sideEffect, idempotencyKey } = o as { [key: string]: Json };
        if (sideEffect !== undefined) payload.sideEffect = checkName(sideEffect, 'options.sideEffect');
        if (idempotencyKey !== undefined)
          payload.idempotencyKey = checkName(idempotencyKey, 'options.idempotencyKey');
      }
      return ['tool', 'intent', payload];
    }),
    llm: {
      complete: guarded((request: unknown) => ['llm', 'complete', toJson(request, 'llm request')]),
    },
    fs: {
      read: guarded((path: unknown) => ['fs', 'read', { path: checkName(path, 'path') }]),
      // `seen`: under /session/<id>, the session commitment the change builds on (from stat or the last write).
      write: guarded((path: unknown, text: unknown, seen?: unknown) => {
        if (typeof text !== 'string') throw new TypeError('text must be a string');
        return ['fs', 'write', { path: checkName(path, 'path'), text, ...seenOf(seen) }];
      }),
      list: guarded((path: unknown) => ['fs', 'list', { path: checkName(path, 'path') }]),
      remove: guarded((path: unknown, seen?: unknown) => [
        'fs',
        'remove',
        { path: checkName(path, 'path'), ...seenOf(seen) },
      ]),
      stat: guarded((path: unknown) => ['fs', 'stat', { path: checkName(path, 'path') }]),
    },
    session: {
      // Mounts shared session `id` at `/session/<id>` with the join token the operator handed over.
      join: guarded((id: unknown, token: unknown) => [
        'fs',
        'join',
        { path: `/session/${checkName(id, 'session id')}`, token: checkName(token, 'join token') },
      ]),
    },
    send: guarded((to: unknown, type: unknown, body: unknown, options?: unknown) => [
      'outbound',
      'send',
      {
        to: checkName(to, 'to'),
        type: checkName(type, 'type'),
        body: toJson(body ?? null, 'message body'),
        ...subjectOf(options),
      },
    ]),
    vouch: guarded((agent: unknown, subject: unknown) => [
      'outbound',
      'vouch',
      { vouchee: checkName(agent, 'agent'), subject: checkName(subject, 'subject') },
    ]),
    // Messages queued here (no onMessage export) come first, then what the host still holds.
    inbox: async (): Promise<Json[]> => {
      const local = queued.splice(0, queued.length);
      const held = await call('inbound', 'take', {});
      return Array.isArray(held) ? [...local, ...(held as Json[])] : local;
    },
    log,
    apoptosis: (reason?: unknown): void => {
      host.post({ kind: 'apoptosis', reason: typeof reason === 'string' ? reason : 'no reason given' });
    },
    sleep: (ms: unknown): Promise<void> => {
      if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > AGENT_SLEEP_MS_MAX) {
        return Promise.reject(new RangeError(`sleep takes 0 to ${AGENT_SLEEP_MS_MAX} ms`));
      }
      return new Promise((resolve) => host.setTimer(() => resolve(), ms));
    },
  };
  const agentConsole = { log, info: log, warn: log, error: log, debug: log };

  return {
    maos: harden(maos),
    console: harden(agentConsole),
    settle(id, ok, value, error) {
      const entry = pending.get(id);
      if (entry === undefined) return;
      pending.delete(id);
      if (ok) entry.resolve(value);
      else {
        const wire = (typeof error === 'object' && error !== null ? error : {}) as {
          code?: unknown;
          message?: unknown;
        };
        entry.reject(makeCodedError(wire.code, wire.message));
      }
    },
    enqueue(message) {
      if (queued.length >= AGENT_INBOX_QUEUED_MAX) return false;
      queued.push(message);
      return true;
    },
    interrupt() {
      interrupted = true;
    },
  };
}

function subjectOf(options: unknown): { subject?: string } {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object') throw new TypeError('send options must be an object');
  const subject: unknown = (options as { subject?: unknown }).subject;
  return subject === undefined ? {} : { subject: checkName(subject, 'subject') };
}

function seenOf(seen: unknown): { seen?: string } {
  if (seen === undefined) return {};
  if (typeof seen !== 'string' || seen.length > 256)
    throw new TypeError('seen must be a session commitment string');
  return { seen };
}
