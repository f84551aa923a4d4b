// Shared sessions for pods (issue 5): the operator creates a session with its members, mints each
// member a join token (signed with the host's key, bound to one agent and one session, expiring),
// and hands it to the agent, which joins with `maos.session.join(id, token)`; the session is then
// mounted in its VFS at `/session/<id>`. Every creation, join, refusal and change is journaled
// with its delta and hash commitment (src/memory). Sessions persist and reopen, chain-checked.

import type { KeyObject } from 'node:crypto';
import {
  type AgentVfs,
  mintJoinToken,
  SESSION_LIMITS,
  type SessionHead,
  type SessionMeta,
  SharedSession,
} from '../memory/index.ts';
import type { AgentMemory } from '../pod/index.ts';
import {
  type Clock,
  ERROR_CODES,
  fail,
  type JsonValue,
  type KernelError,
  ok,
  type Result,
  touchBounded,
} from '../shared/index.ts';
import type { Storage } from '../storage/port.ts';

/** Sessions kept open in memory; more are reopened from storage (and their chain re-checked) on use. */
const OPEN_SESSIONS_MAX = 256;
/** A join token lives this long unless the operator asks otherwise. */
export const JOIN_TOKEN_TTL_MS = 10 * 60_000;

export type SessionView = {
  readonly id: string;
  readonly head: SessionHead;
  readonly members: SessionMeta['members'];
};

export type PodSessionsOptions = {
  readonly storage: Storage;
  readonly clock: Clock;
  /** The host's Ed25519 pair: join tokens are signed with it and checked against it. */
  readonly keys: { readonly privateKey: KeyObject; readonly publicKey: KeyObject };
  readonly record: (type: string, data: Readonly<Record<string, JsonValue>>) => Promise<number>;
};

export class PodSessions {
  readonly #o: PodSessionsOptions;
  readonly #open = new Map<string, SharedSession>();

  constructor(options: PodSessionsOptions) {
    this.#o = options;
  }

  /** Creates a session; `readOnly` members may read but never change it. */
  async create(request: {
    readonly id: string;
    readonly members: readonly string[];
    readonly readOnly?: readonly string[];
  }): Promise<Result<SessionView, KernelError>> {
    const created = await SharedSession.create({
      ...this.#sessionOptions(request.id),
      members: request.members,
      ...(request.readOnly === undefined ? {} : { readOnly: request.readOnly }),
    });
    if (!created.ok) return created;
    this.#keep(created.value);
    return ok(viewOf(created.value));
  }

  /** A join token for `agent` in session `id` (the session must exist and list the agent). */
  async token(id: string, agent: string, ttlMs = JOIN_TOKEN_TTL_MS): Promise<Result<string, KernelError>> {
    const session = await this.#session(id);
    if (!session.ok) return session;
    if (!session.value.members().some((member) => member.agent === agent))
      return fail(ERROR_CODES.GATEWAY_DENIED, `agent \`${agent}\` is not a member of session \`${id}\``);
    return mintJoinToken({ session: id, agent, ttlMs }, this.#o.keys.privateKey, this.#o.clock);
  }

  /** The session's head and members, after re-checking its whole chain against storage. */
  async show(id: string): Promise<Result<SessionView, KernelError>> {
    const session = await this.#session(id);
    if (!session.ok) return session;
    const verified = await session.value.verify();
    if (!verified.ok) return verified;
    return ok(viewOf(session.value));
  }

  /** The pod's VFS, plus `join`: a token the host minted mounts the session at `/session/<id>`. */
  memoryOf(agent: string, vfs: AgentVfs): AgentMemory {
    return {
      read: (path) => vfs.read(path),
      write: (path, text, options) => vfs.write(path, text, options),
      remove: (path, options) => vfs.remove(path, options),
      list: (path) => vfs.list(path),
      stat: (path) => vfs.stat(path),
      close: () => vfs.close(),
      join: async (id, token) => {
        if (typeof id !== 'string') return fail(ERROR_CODES.INVALID_INPUT, 'a session id is a string');
        const session = await this.#session(id);
        // WHY: an agent learns nothing about sessions it is not in, not even whether they exist.
        if (!session.ok && session.error.code === ERROR_CODES.SESSION_UNKNOWN)
          return fail(ERROR_CODES.GATEWAY_DENIED, `agent \`${agent}\` is not a member of session \`${id}\``);
        if (!session.ok) return session;
        const member = await session.value.join(agent, token);
        if (!member.ok) return member;
        const attached = vfs.attach(member.value);
        return attached.ok ? ok(member.value.head()) : attached;
      },
    };
  }

  async #session(id: string): Promise<Result<SharedSession, KernelError>> {
    const open = this.#open.get(id);
    if (open !== undefined) return ok(open);
    const reopened = await SharedSession.open(this.#sessionOptions(id));
    if (!reopened.ok) return reopened;
    this.#keep(reopened.value);
    return ok(reopened.value);
  }

  #keep(session: SharedSession): void {
    touchBounded(this.#open, session.id, session, OPEN_SESSIONS_MAX);
  }

  #sessionOptions(id: string) {
    return {
      id,
      storage: this.#o.storage,
      clock: this.#o.clock,
      joinKey: this.#o.keys.publicKey,
      recorder: { record: this.#o.record },
    };
  }
}

function viewOf(session: SharedSession): SessionView {
  return { id: session.id, head: session.head(), members: session.members() };
}

/** The longest join token the operator may ask for. */
export const JOIN_TOKEN_TTL_MS_MAX = SESSION_LIMITS.tokenTtlMsMax;
