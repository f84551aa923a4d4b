// The filesystem gateway's second half (issue 5): paths under `/mem/`, `/policy` and `/session/`
// are the agent's VFS (working memory, episodic memory, its read-only policy, shared sessions);
// every other path is its workspace on the host. The VFS is the runtime's (src/memory); the pod
// names only this port.

import { ERROR_CODES, fail, type JsonValue, type KernelError, ok, type Result } from '../../shared/index.ts';
import { answer } from './answer.ts';
import type { Gateway, GatewayAnswer, GatewayCall } from './port.ts';

/** What the VFS offers the gateway; paths and text are untrusted and checked by the VFS itself. */
export interface AgentMemory {
  read(path: unknown): Promise<Result<string, KernelError>>;
  write(
    path: unknown,
    text: unknown,
    options?: { readonly seen?: string },
  ): Promise<Result<unknown, KernelError>>;
  remove(path: unknown, options?: { readonly seen?: string }): Promise<Result<unknown, KernelError>>;
  list(path: unknown): Promise<Result<unknown, KernelError>>;
  stat(path: unknown): Promise<Result<unknown, KernelError>>;
  /** Joins shared session `id` with a join token the host minted; absent where no sessions are hosted. */
  join?(id: unknown, token: unknown): Promise<Result<unknown, KernelError>>;
  close(): Promise<void>;
}

const SESSION_PATH = /^\/session\/([^/]+)$/;

/**
 * True when `path` names the VFS rather than the workspace: `/mem` and below, `/session` and below,
 * and anything beginning `/policy` (so `/policy…` lookalike names cannot become workspace files).
 */
export function isVfsPath(path: unknown): boolean {
  if (typeof path !== 'string') return false;
  return (
    path.startsWith('/policy') ||
    path === '/mem' ||
    path.startsWith('/mem/') ||
    path === '/session' ||
    path.startsWith('/session/')
  );
}

export class MemoryRouter implements Gateway {
  readonly name = 'fs' as const;
  readonly #workspace: Gateway;
  readonly #memory: AgentMemory;

  constructor(workspace: Gateway, memory: AgentMemory) {
    this.#workspace = workspace;
    this.#memory = memory;
  }

  async handle(call: GatewayCall): Promise<GatewayAnswer> {
    const payload = (call.payload ?? {}) as { readonly [key: string]: JsonValue };
    const path = typeof payload === 'object' && !Array.isArray(payload) ? payload.path : undefined;
    if (!isVfsPath(path)) return this.#workspace.handle(call);
    const seen = typeof payload.seen === 'string' ? { seen: payload.seen } : {};
    const result =
      call.op === 'join'
        ? await this.#join(path, payload.token)
        : await this.#run(call.op, path, payload.text, seen);
    const bytesIn = result.ok ? Buffer.byteLength(JSON.stringify(result.value) ?? '') : 0;
    return answer(String(path), call.bytes, bytesIn, result, !result.ok);
  }

  async #join(path: unknown, token: unknown): Promise<Result<JsonValue, KernelError>> {
    const id = typeof path === 'string' ? SESSION_PATH.exec(path)?.[1] : undefined;
    if (id === undefined)
      return fail(ERROR_CODES.POD_CALL_INVALID, 'join takes a session path `/session/<id>`');
    if (this.#memory.join === undefined)
      return fail(ERROR_CODES.GATEWAY_DENIED, 'no shared sessions are hosted here');
    return json(await this.#memory.join(id, token));
  }

  async #run(
    op: string,
    path: unknown,
    text: unknown,
    seen: { readonly seen?: string },
  ): Promise<Result<JsonValue, KernelError>> {
    switch (op) {
      case 'read':
        return this.#memory.read(path);
      case 'write':
        return json(await this.#memory.write(path, text, seen));
      case 'remove':
        return json(await this.#memory.remove(path, seen));
      case 'list':
        return json(await this.#memory.list(path));
      case 'stat':
        return json(await this.#memory.stat(path));
      default:
        return fail(ERROR_CODES.POD_CALL_INVALID, `unknown fs operation \`${op}\``);
    }
  }
}

function json(result: Result<unknown, KernelError>): Result<JsonValue, KernelError> {
  return result.ok ? ok((result.value ?? null) as JsonValue) : result;
}
