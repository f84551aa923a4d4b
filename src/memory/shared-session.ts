// Shared sessions (Agent Hypervisor): state several agents see under `/session/<id>`, joined only
// with a host-signed token, every change journaled with its delta and chained into a commitment
// any member can check. Concurrency is optimistic: a change names the commitment it saw.

import type { KeyObject } from 'node:crypto';
import type { Clock, Result } from '../shared/index.ts';
import { canonicalJson, ERROR_CODES, err, fail, KernelError, ok } from '../shared/index.ts';
import type { Storage } from '../storage/port.ts';
import { FileTree, type VfsListing } from './file-tree.ts';
import { type Quota, SESSION_LIMITS } from './limits.ts';
import { OpQueue } from './op-queue.ts';
import type { ChangeRecorder } from './port.ts';
import {
  type ChangeRequest,
  changeKey,
  genesisCommit,
  metaKey,
  nextCommit,
  replay,
  SESSION_NAMESPACE,
  type SessionFile,
  type SessionHead,
  type SessionMeta,
  type SessionRole,
  type SessionStat,
  type StoredChange,
} from './session-change.ts';
import { buildDelta, load, record, sameFiles, sessionMeta, stateQuota } from './session-store.ts';
import { verifyJoinToken } from './session-token.ts';
import { guard } from './vfs-mounts.ts';
import { isSegment, parseRelative, shown } from './vfs-path.ts';

export type SharedSessionOptions = {
  readonly id: string;
  readonly storage: Storage;
  readonly recorder: ChangeRecorder;
  readonly clock: Clock;
  /** The host's Ed25519 public key; join tokens must carry its signature. */
  readonly joinKey: KeyObject;
  /** Lowers the state quota below `SESSION_LIMITS.state`. */
  readonly quota?: Partial<Quota>;
};

export type CreateSessionOptions = SharedSessionOptions & {
  readonly members: readonly string[];
  /** Members who may read but never change the state. */
  readonly readOnly?: readonly string[];
};

type Parts = {
  readonly options: SharedSessionOptions;
  readonly meta: SessionMeta;
  readonly tree: FileTree<SessionFile>;
  readonly head: SessionHead;
  readonly historyBytes: number;
};

export class SharedSession {
  readonly id: string;
  readonly #options: SharedSessionOptions;
  readonly #meta: SessionMeta;
  readonly #genesis: string;
  readonly #roles: ReadonlyMap<string, SessionRole>;
  readonly #tree: FileTree<SessionFile>;
  #head: SessionHead;
  #historyBytes: number;
  /** Runs changes and verifications one at a time, so each sees a settled head. */
  readonly #queue: OpQueue;
  /** Set when another writer got a change into storage first: this copy must be reopened. */
  #stale = false;

  private constructor(parts: Parts) {
    this.id = parts.meta.session;
    this.#options = parts.options;
    this.#meta = parts.meta;
    this.#genesis = genesisCommit(parts.meta);
    this.#roles = new Map(parts.meta.members.map((member) => [member.agent, member.role]));
    this.#tree = parts.tree;
    this.#head = parts.head;
    this.#historyBytes = parts.historyBytes;
    this.#queue = new OpQueue(`session \`${this.id}\``, SESSION_LIMITS.pendingOpsMax);
    Object.freeze(this);
  }

  /** Creates a new session (host side); fails if one with this id exists. Journals the creation. */
  static async create(options: CreateSessionOptions): Promise<Result<SharedSession, KernelError>> {
    const meta = sessionMeta({ ...options, createdMs: options.clock.wallMs() });
    if (!meta.ok) return meta;
    const quota = stateQuota(options.quota);
    if (quota === undefined) {
      return fail(ERROR_CODES.INVALID_INPUT, 'session quotas must be non-negative integers');
    }
    const key = metaKey(options.id);
    const existing = await guard(() => options.storage.get(SESSION_NAMESPACE, key));
    if (!existing.ok) return existing;
    if (existing.value !== undefined) {
      return fail(ERROR_CODES.SESSION_EXISTS, `session \`${options.id}\` exists`);
    }
    const genesis = genesisCommit(meta.value);
    const recorded = await record(options.recorder, 'session.created', {
      session: options.id,
      members: meta.value.members.map((member) => ({ agent: member.agent, role: member.role })),
      commit: genesis,
    });
    if (!recorded.ok) return recorded;
    const stored = await guard(() =>
      options.storage.put(SESSION_NAMESPACE, key, canonicalJson(meta.value), 0),
    );
    if (!stored.ok) return stored;
    const tree = new FileTree<SessionFile>(quota, `/session/${options.id}`);
    return ok(
      new SharedSession({
        options,
        meta: meta.value,
        tree,
        head: { seq: 0, commit: genesis },
        historyBytes: 0,
      }),
    );
  }

  /** Reopens a stored session, replaying and checking its whole chain (JOURNAL_BROKEN on tampering). */
  static async open(options: SharedSessionOptions): Promise<Result<SharedSession, KernelError>> {
    if (!isSegment(options.id)) {
      return fail(ERROR_CODES.INVALID_INPUT, `session id \`${shown(options.id)}\` is invalid`);
    }
    const quota = stateQuota(options.quota);
    if (quota === undefined) {
      return fail(ERROR_CODES.INVALID_INPUT, 'session quotas must be non-negative integers');
    }
    const loaded = await load(options.storage, options.id);
    if (!loaded.ok) return loaded;
    const tree = new FileTree<SessionFile>(quota, `/session/${options.id}`);
    const replayed = replay(options.id, genesisCommit(loaded.value.meta), loaded.value.changes, tree);
    if (!replayed.ok) return replayed;
    return ok(new SharedSession({ options, meta: loaded.value.meta, tree, ...replayed.value }));
  }

  head(): SessionHead {
    return this.#head;
  }

  members(): SessionMeta['members'] {
    return this.#meta.members;
  }

  /**
   * Admits `agent` if it is a member and `proof` is a valid, unexpired join token the host minted
   * for this agent and this session. Refusals are journaled too.
   */
  async join(agent: unknown, proof: unknown): Promise<Result<SessionMember, KernelError>> {
    const admitted = this.#admit(agent, proof);
    if (!admitted.ok) {
      const data = { session: this.id, agent: shown(agent), code: admitted.error.code };
      const recorded = await record(this.#options.recorder, 'session.join-refused', data);
      return recorded.ok
        ? admitted
        : err(new KernelError(admitted.error.code, admitted.error.message, { journal: recorded.error.code }));
    }
    const { name, role } = admitted.value;
    const recorded = await record(this.#options.recorder, 'session.joined', {
      session: this.id,
      agent: name,
      role,
      seq: this.#head.seq,
      commit: this.#head.commit,
    });
    if (!recorded.ok) return recorded;
    return ok(
      new SessionMember(MINT, this, name, role, (request) =>
        this.#queue.run(() => this.#change(name, role, request)),
      ),
    );
  }

  #admit(agent: unknown, proof: unknown): Result<{ name: string; role: SessionRole }, KernelError> {
    const role = isSegment(agent) ? this.#roles.get(agent) : undefined;
    if (!isSegment(agent) || role === undefined) {
      return fail(
        ERROR_CODES.GATEWAY_DENIED,
        `agent \`${shown(agent)}\` is not a member of session \`${this.id}\``,
      );
    }
    const claims = verifyJoinToken(proof, this.#options.joinKey, this.#options.clock);
    if (!claims.ok) return claims;
    if (claims.value.session !== this.id || claims.value.agent !== agent) {
      return fail(
        ERROR_CODES.TOKEN_CLAIMS_INVALID,
        `join token was not minted for \`${agent}\` in \`${this.id}\``,
      );
    }
    return ok({ name: agent, role });
  }

  /** Reads a file of the shared state by session-relative path. */
  read(rel: unknown): Result<string, KernelError> {
    const path = parseRelative(rel);
    if (!path.ok) return path;
    const file = this.#tree.get(path.value);
    if (file === undefined) {
      return fail(ERROR_CODES.FS_NOT_FOUND, `no file \`/session/${this.id}/${path.value}\``);
    }
    return ok(file.text);
  }

  /** Lists a directory of the shared state; '' is the session's root. */
  list(rel: unknown): Result<VfsListing, KernelError> {
    const path = rel === '' ? ok('') : parseRelative(rel);
    if (!path.ok) return path;
    if (this.#tree.kind(path.value) !== 'dir') {
      return fail(ERROR_CODES.FS_NOT_FOUND, `no directory \`/session/${this.id}/${path.value}\``);
    }
    return ok(this.#tree.list(path.value));
  }

  stat(rel: unknown): Result<SessionStat, KernelError> {
    const path = rel === '' ? ok('') : parseRelative(rel);
    if (!path.ok) return path;
    const file = this.#tree.get(path.value);
    if (file !== undefined) return ok({ kind: 'file', bytes: file.bytes, hash: file.hash });
    if (this.#tree.kind(path.value) === 'dir') return ok({ kind: 'dir' });
    return fail(ERROR_CODES.FS_NOT_FOUND, `nothing at \`/session/${this.id}/${path.value}\``);
  }

  /**
   * Recomputes the chain from the stored metadata and deltas and checks it against this copy: the
   * same genesis, the same commitment at this copy's head, the same files. With `anchor` (a head
   * taken from the MAOS journal), the chain must also pass through it.
   */
  verify(anchor?: SessionHead): Promise<Result<SessionHead, KernelError>> {
    return this.#queue.run(() => this.#verify(anchor));
  }

  async #verify(anchor: SessionHead | undefined): Promise<Result<SessionHead, KernelError>> {
    const loaded = await load(this.#options.storage, this.id);
    if (!loaded.ok) return loaded;
    if (genesisCommit(loaded.value.meta) !== this.#genesis) {
      return fail(ERROR_CODES.JOURNAL_BROKEN, `stored metadata of session \`${this.id}\` changed`);
    }
    // WHY: the full limit, not this copy's quota: verify checks integrity, the quota bounds writes.
    const tree = new FileTree<SessionFile>(SESSION_LIMITS.state, `/session/${this.id}`);
    const replayed = replay(this.id, this.#genesis, loaded.value.changes, tree);
    if (!replayed.ok) return replayed;
    const { changes } = loaded.value;
    const commitAt = (seq: number) => (seq === 0 ? this.#genesis : changes[seq - 1]?.commit);
    if (commitAt(this.#head.seq) !== this.#head.commit) {
      return fail(
        ERROR_CODES.JOURNAL_BROKEN,
        `stored chain of session \`${this.id}\` lost change ${this.#head.seq}`,
      );
    }
    if (anchor !== undefined && commitAt(anchor.seq) !== anchor.commit) {
      return fail(
        ERROR_CODES.JOURNAL_BROKEN,
        `stored chain of session \`${this.id}\` misses anchor ${anchor.seq}`,
      );
    }
    if (replayed.value.head.seq === this.#head.seq && !sameFiles(tree, this.#tree)) {
      return fail(ERROR_CODES.JOURNAL_BROKEN, `state of session \`${this.id}\` differs from its chain`);
    }
    return ok(replayed.value.head);
  }

  async #change(
    agent: string,
    role: SessionRole,
    request: ChangeRequest,
  ): Promise<Result<SessionHead, KernelError>> {
    if (role !== 'write') {
      return fail(ERROR_CODES.GATEWAY_DENIED, `agent \`${agent}\` may only read session \`${this.id}\``);
    }
    if (this.#stale) {
      return fail(ERROR_CODES.CONCURRENCY_CONFLICT, `session \`${this.id}\` changed elsewhere: reopen it`);
    }
    if (request.seen !== this.#head.commit) {
      return fail(
        ERROR_CODES.CONCURRENCY_CONFLICT,
        `session \`${this.id}\` moved on: the change names \`${shown(request.seen)}\`, the head is change ${this.#head.seq}`,
      );
    }
    const delta = buildDelta(request, {
      session: this.id,
      tree: this.#tree,
      head: this.#head,
      historyBytes: this.#historyBytes,
      agent,
      atMs: this.#options.clock.wallMs(),
    });
    if (!delta.ok) return delta;
    const commit = nextCommit(this.#head.commit, delta.value);
    const data = { session: this.id, seq: delta.value.seq, commit, delta: delta.value };
    const recorded = await record(this.#options.recorder, 'session.change', data);
    if (!recorded.ok) return recorded;
    const change: StoredChange = { delta: delta.value, commit };
    const key = changeKey(this.id, delta.value.seq);
    const stored = await guard(() =>
      this.#options.storage.put(SESSION_NAMESPACE, key, canonicalJson(change), 0),
    );
    if (!stored.ok) return this.#aborted(delta.value.seq, stored.error);
    if (delta.value.op === 'write' && delta.value.after !== null && delta.value.content !== null) {
      this.#tree.set(delta.value.path, {
        bytes: delta.value.bytes,
        text: delta.value.content,
        hash: delta.value.after,
      });
    } else {
      this.#tree.delete(delta.value.path);
    }
    this.#head = { seq: delta.value.seq, commit };
    this.#historyBytes += delta.value.bytes;
    return ok(this.#head);
  }

  async #aborted(seq: number, error: KernelError): Promise<Result<never, KernelError>> {
    const conflict = error.code === ERROR_CODES.STORAGE_CONFLICT;
    if (conflict) this.#stale = true;
    const recorded = await record(this.#options.recorder, 'session.change-aborted', {
      session: this.id,
      seq,
      code: error.code,
    });
    const details = recorded.ok
      ? { storage: error.code }
      : { storage: error.code, journal: recorded.error.code };
    return conflict
      ? fail(
          ERROR_CODES.CONCURRENCY_CONFLICT,
          `change ${seq} of session \`${this.id}\` was made elsewhere`,
          details,
        )
      : err(new KernelError(error.code, error.message, details));
  }
}

const MINT = Symbol('session-member');

/**
 * One agent's admission to a session, returned only by a successful `join` (the constructor refuses
 * anything else). `AgentVfs.attach` mounts it at `/session/<id>`; writes and removes name the
 * commitment (`head().commit`) they saw.
 */
export class SessionMember {
  readonly session: string;
  readonly agent: string;
  readonly role: SessionRole;
  readonly #owner: SharedSession;
  readonly #change: (request: ChangeRequest) => Promise<Result<SessionHead, KernelError>>;

  constructor(
    mint: symbol,
    owner: SharedSession,
    agent: string,
    role: SessionRole,
    change: (request: ChangeRequest) => Promise<Result<SessionHead, KernelError>>,
  ) {
    if (mint !== MINT) throw new TypeError('a session member comes only from SharedSession.join');
    this.session = owner.id;
    this.#owner = owner;
    this.agent = agent;
    this.role = role;
    this.#change = change;
    Object.freeze(this);
  }

  /** True only for members a session admitted, never for look-alike objects. */
  static isGenuine(value: unknown): value is SessionMember {
    return typeof value === 'object' && value !== null && #owner in value;
  }

  head(): SessionHead {
    return this.#owner.head();
  }

  read(rel: string): Result<string, KernelError> {
    return this.#owner.read(rel);
  }

  list(rel: string): Result<VfsListing, KernelError> {
    return this.#owner.list(rel);
  }

  stat(rel: string): Result<SessionStat, KernelError> {
    return this.#owner.stat(rel);
  }

  write(rel: string, text: string, seen: string): Promise<Result<SessionHead, KernelError>> {
    return this.#change({ op: 'write', path: rel, text, seen });
  }

  remove(rel: string, seen: string): Promise<Result<SessionHead, KernelError>> {
    return this.#change({ op: 'remove', path: rel, seen });
  }
}

Object.freeze(SharedSession.prototype);
Object.freeze(SessionMember.prototype);
