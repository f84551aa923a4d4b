// The wire between a pod's agent side (sandboxed code plus its trusted bootstrap) and the host
// side (Sentry, gateways, pod). Plain structured-clone / JSON values only, so the same messages
// cross a worker's MessagePort and a child process's IPC channel. Everything arriving from the
// agent side is untrusted input: the host validates it (`parseAgentMessage`) before acting.

import type { JsonValue } from '../shared/index.ts';

/** The five gateways an agent can call; the sixth, admin, is host-only and never addressable. */
export const AGENT_GATEWAYS = ['tool', 'llm', 'fs', 'outbound', 'inbound'] as const;
export type AgentGateway = (typeof AGENT_GATEWAYS)[number];

/** Signals (Agent OS; §41.3 admin gateway). SIGSTOP and SIGKILL are never delivered to agent code. */
export const SIGNALS = ['SIGSTOP', 'SIGCONT', 'SIGINT', 'SIGTERM', 'SIGKILL'] as const;
export type Signal = (typeof SIGNALS)[number];

/** The largest message either side sends (a call's payload or a reply), in bytes of JSON. */
export const POD_MESSAGE_BYTES_MAX = 1_048_576;

export type WireError = { readonly code: string; readonly message: string };

/** Host → agent side. */
export type HostMessage =
  | { readonly kind: 'task'; readonly taskId: string; readonly task: JsonValue }
  | {
      readonly kind: 'message';
      readonly from: string;
      readonly type: string;
      readonly body: JsonValue;
    }
  /** The answer to the agent's call `id`. */
  | { readonly kind: 'reply'; readonly id: number; readonly ok: true; readonly value: JsonValue }
  | { readonly kind: 'reply'; readonly id: number; readonly ok: false; readonly error: WireError }
  /** Catchable signals only: the bootstrap runs the agent's `onSignal` handler, if it exported one. */
  | { readonly kind: 'signal'; readonly signal: 'SIGINT' | 'SIGTERM' };

/** Agent side → host. */
export type AgentMessage =
  /** The bootstrap loaded the agent module; `exports` names what it exported (onTask, onMessage, …). */
  | { readonly kind: 'ready'; readonly exports: readonly string[] }
  /** The module could not load (syntax error, forbidden import, missing onTask). */
  | { readonly kind: 'failed'; readonly error: WireError }
  /** A gateway call: `op` names the operation, `payload` its untrusted arguments. */
  | {
      readonly kind: 'call';
      readonly id: number;
      readonly gateway: AgentGateway;
      readonly op: string;
      readonly payload: JsonValue;
    }
  | { readonly kind: 'task.done'; readonly taskId: string; readonly ok: true; readonly value: JsonValue }
  | { readonly kind: 'task.done'; readonly taskId: string; readonly ok: false; readonly error: WireError }
  /** Self-termination (§37.11.2): always accepted, never rate limited, lands in quarantine stage 3. */
  | { readonly kind: 'apoptosis'; readonly reason: string }
  /** The agent's `maos.log(...)`: kept in the pod's log, never an effect. */
  | { readonly kind: 'log'; readonly text: string };

// What agent code receives as `maos` (hardened, frozen). Each method becomes one `call` message:
// - `maos.call(action, resource, args?, options?)` → tool gateway, op `intent` (an intent for the DSC)
// - `maos.llm.complete({ model, provider?, messages, maxTokens? })` → llm gateway, op `complete`
// - `maos.fs.read(path)`, `.write(path, text, seen?)`, `.list(path)`, `.remove(path, seen?)`, `.stat(path)`
//   → fs gateway: the workspace, or the agent's VFS under `/mem/`, `/policy`, `/session/<id>`;
//   `stat` and `seen` (a session's commitment) exist in the VFS only
// - `maos.send(to, type, body, { subject }?)` → outbound gateway, op `send`; a `subject` carries the
//   vouch chain other agents signed for it
// - `maos.vouch(agent, subject)` → outbound gateway, op `vouch`: bonds part of this agent's trust
//   behind `agent`'s messages about `subject` (decision 0011)
// - `maos.session.join(id, token)` → fs gateway, op `join`: mounts shared session `id` at `/session/<id>`
// - `maos.inbox()` → inbound gateway, op `take` (messages delivered while busy)
// - `maos.sleep(ms)` → resolved by the bootstrap's own timer, cancelled when the pod dies
// - `maos.interrupted` (getter, true after SIGINT), `maos.log(...)`, `maos.apoptosis(reason)`
// - `maos.agent` (the agent id), `maos.workspace` (the workspace root as the fs gateway names it: `/`)

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const AGENT_KINDS = new Set(['ready', 'failed', 'call', 'task.done', 'apoptosis', 'log']);

/**
 * Checks the shape of a message from the agent side; undefined when it is malformed. Payload and
 * values are left as JSON for the gateway that owns them to validate.
 */
export function parseAgentMessage(raw: unknown): AgentMessage | undefined {
  if (!isObject(raw) || typeof raw.kind !== 'string' || !AGENT_KINDS.has(raw.kind)) return undefined;
  switch (raw.kind) {
    case 'ready':
      return Array.isArray(raw.exports) && raw.exports.every((e) => typeof e === 'string')
        ? { kind: 'ready', exports: raw.exports as string[] }
        : undefined;
    case 'failed':
      return isWireError(raw.error) ? { kind: 'failed', error: raw.error } : undefined;
    case 'call':
      if (!Number.isSafeInteger(raw.id) || typeof raw.op !== 'string' || raw.op.length > 64) return undefined;
      if (!(AGENT_GATEWAYS as readonly unknown[]).includes(raw.gateway)) return undefined;
      return {
        kind: 'call',
        id: raw.id as number,
        gateway: raw.gateway as AgentGateway,
        op: raw.op,
        payload: (raw.payload ?? null) as JsonValue,
      };
    case 'task.done':
      if (typeof raw.taskId !== 'string') return undefined;
      if (raw.ok === true)
        return { kind: 'task.done', taskId: raw.taskId, ok: true, value: (raw.value ?? null) as JsonValue };
      return isWireError(raw.error)
        ? { kind: 'task.done', taskId: raw.taskId, ok: false, error: raw.error }
        : undefined;
    case 'apoptosis':
      return {
        kind: 'apoptosis',
        reason: typeof raw.reason === 'string' ? raw.reason.slice(0, 1000) : 'no reason given',
      };
    case 'log':
      return typeof raw.text === 'string' ? { kind: 'log', text: raw.text.slice(0, 4000) } : undefined;
    default:
      return undefined;
  }
}

function isWireError(value: unknown): value is WireError {
  return isObject(value) && typeof value.code === 'string' && typeof value.message === 'string';
}
