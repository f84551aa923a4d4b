// The agent VFS (Agent OS, spec §25): one virtual filesystem per agent, behind the filesystem
// gateway. Four mounts: `/mem/working` (memory), `/mem/episodic` (Storage port), `/policy`
// (read-only, fixed at creation) and `/session/<id>` (shared state of a joined session).
//
// INVARIANT: `/policy` cannot change after `open`. Its mount object has no write method, every
// changing operation refuses it before touching anything, and there is no remount, mode or option
// to reach afterwards: the instance and its prototype are frozen and its state is private.

import type { KernelError, Result } from '../shared/index.ts';
import { ERROR_CODES, fail, ok } from '../shared/index.ts';
import type { Storage } from '../storage/port.ts';
import type { VfsEntry, VfsListing } from './file-tree.ts';
import { clampQuota, type Quota, VFS_LIMITS } from './limits.ts';
import { OpQueue } from './op-queue.ts';
import type { SessionHead } from './session-change.ts';
import { SessionMember } from './shared-session.ts';
import {
  episodicMount,
  policyMount,
  type ReadableMount,
  utf8Bytes,
  type WritableMount,
  workingMount,
} from './vfs-mounts.ts';
import { isSegment, type Location, locate, shown } from './vfs-path.ts';

export type AgentVfsOptions = {
  /** The agent's id (letters, digits, `_ . -`). */
  readonly agent: string;
  /** Where `/mem/episodic` lives (namespace `vfs`, key `<agent>/<path>`). */
  readonly storage: Storage;
  /** The documents mounted read-only at `/policy`: relative path → text (manifest, grants, …). */
  readonly policy: Readonly<Record<string, string>>;
  /** Quotas below the defaults of `VFS_LIMITS`; larger values are clamped to them. */
  readonly quotas?: { readonly working?: Partial<Quota>; readonly episodic?: Partial<Quota> };
};

export type VfsUsage = { readonly bytes: number; readonly files: number };

export type VfsStat =
  | { readonly kind: 'file'; readonly bytes: number; readonly writable: boolean }
  | {
      readonly kind: 'dir';
      readonly writable: boolean;
      /** At a mount's root: what the mount holds. */
      readonly usage?: VfsUsage;
      /** At `/session/<id>`: the commitment a change must name. */
      readonly head?: SessionHead;
    };

export type VfsChangeOptions = {
  /** Required under `/session/<id>`: the session commitment (`head.commit`) this change builds on. */
  readonly seen?: string;
};

/** What a change made: under `/session/<id>`, the new head of the session's chain. */
export type VfsReceipt = { readonly head?: SessionHead };

type FileMount = { readonly mount: ReadableMount; readonly writable: boolean };

export class AgentVfs {
  readonly agent: string;
  readonly #working: WritableMount;
  readonly #episodic: WritableMount;
  readonly #policy: ReadableMount;
  readonly #sessions = new Map<string, SessionMember>();
  readonly #queue: OpQueue;
  #closed = false;

  private constructor(agent: string, working: WritableMount, episodic: WritableMount, policy: ReadableMount) {
    this.agent = agent;
    this.#working = working;
    this.#episodic = episodic;
    this.#policy = policy;
    this.#queue = new OpQueue(`the vfs of \`${agent}\``, VFS_LIMITS.pendingOpsMax);
    Object.freeze(this);
  }

  /** Builds the agent's VFS: checks the policy documents and loads the episodic index. */
  static async open(options: AgentVfsOptions): Promise<Result<AgentVfs, KernelError>> {
    if (!isSegment(options.agent)) {
      return fail(ERROR_CODES.INVALID_INPUT, `agent id \`${shown(options.agent)}\` is invalid`);
    }
    const workingQuota = clampQuota(options.quotas?.working, VFS_LIMITS.working);
    const episodicQuota = clampQuota(options.quotas?.episodic, VFS_LIMITS.episodic);
    if (workingQuota === undefined || episodicQuota === undefined) {
      return fail(ERROR_CODES.INVALID_INPUT, 'vfs quotas must be non-negative integers');
    }
    const policy = policyMount(options.policy);
    if (!policy.ok) return policy;
    const episodic = await episodicMount(options.storage, options.agent, episodicQuota);
    if (!episodic.ok) return episodic;
    const working = workingMount(workingQuota);
    return ok(new AgentVfs(options.agent, working, episodic.value, policy.value));
  }

  read(path: unknown): Promise<Result<string, KernelError>> {
    return this.#run(async () => {
      const at = locate(path);
      if (!at.ok) return at;
      const place = at.value;
      if (place.kind === 'virtual') return isDirectory(place.path);
      if (place.kind === 'session') {
        const member = this.#member(place);
        if (!member.ok) return member;
        const stat = member.value.stat(place.rel);
        if (stat.ok && stat.value.kind === 'dir') return isDirectory(place.path);
        return member.value.read(place.rel);
      }
      if (place.rel === '') return isDirectory(place.path);
      const { mount } = this.#fileMount(place.kind);
      const kind = mount.tree.kind(place.rel);
      if (kind === 'dir') return isDirectory(place.path);
      if (kind === 'none') return fail(ERROR_CODES.FS_NOT_FOUND, `no file \`${place.path}\``);
      return mount.read(place.rel);
    });
  }

  /** Writes a whole file (parents are implied). Under a session, `options.seen` is required. */
  write(
    path: unknown,
    text: unknown,
    options: VfsChangeOptions = {},
  ): Promise<Result<VfsReceipt, KernelError>> {
    return this.#run(async () => {
      const at = this.#changeable(path);
      if (!at.ok) return at;
      const place = at.value;
      if (typeof text !== 'string' || !text.isWellFormed()) {
        return fail(ERROR_CODES.INVALID_INPUT, `content for \`${place.path}\` must be well-formed text`);
      }
      if (place.kind === 'session') {
        const member = this.#member(place);
        if (!member.ok) return member;
        const seen = needSeen(place.path, options);
        if (!seen.ok) return seen;
        const head = await member.value.write(place.rel, text, seen.value);
        return head.ok ? ok({ head: head.value }) : head;
      }
      const mount = this.#writable(place.kind);
      // WHY: UTF-8 bytes ≥ UTF-16 units, so an oversized string is refused before it is measured.
      const bytes = text.length > VFS_LIMITS[place.kind].bytesMax ? text.length : utf8Bytes(text);
      const written = await mount.write(place.rel, text, bytes);
      return written.ok ? ok({}) : written;
    });
  }

  /** Removes a file; directories disappear with their last file. */
  remove(path: unknown, options: VfsChangeOptions = {}): Promise<Result<VfsReceipt, KernelError>> {
    return this.#run(async () => {
      const at = this.#changeable(path);
      if (!at.ok) return at;
      const place = at.value;
      if (place.kind === 'session') {
        const member = this.#member(place);
        if (!member.ok) return member;
        const seen = needSeen(place.path, options);
        if (!seen.ok) return seen;
        const head = await member.value.remove(place.rel, seen.value);
        return head.ok ? ok({ head: head.value }) : head;
      }
      const mount = this.#writable(place.kind);
      const kind = mount.tree.kind(place.rel);
      if (kind === 'dir') return isDirectory(place.path);
      if (kind === 'none') return fail(ERROR_CODES.FS_NOT_FOUND, `no file \`${place.path}\``);
      const removed = await mount.remove(place.rel);
      return removed.ok ? ok({}) : removed;
    });
  }

  /**
   * Moves a file within `/mem/working` or within `/mem/episodic` (copy, then remove: the quota must
   * hold both for a moment). Never into, out of or inside `/policy`; not across mounts; not inside
   * a session, where a change is a write or a remove of its own.
   */
  rename(from: unknown, to: unknown): Promise<Result<void, KernelError>> {
    return this.#run(async () => {
      const source = this.#changeable(from);
      if (!source.ok) return source;
      const target = this.#changeable(to);
      if (!target.ok) return target;
      const a = source.value;
      const b = target.value;
      if (a.kind === 'session' || b.kind === 'session') {
        return fail(
          ERROR_CODES.INVALID_INPUT,
          'rename is not offered in a session: write and remove instead',
        );
      }
      if (a.kind !== b.kind) {
        return fail(ERROR_CODES.INVALID_INPUT, `\`${a.path}\` and \`${b.path}\` are in different mounts`);
      }
      const mount = this.#writable(a.kind);
      if (mount.tree.kind(a.rel) !== 'file') return fail(ERROR_CODES.FS_NOT_FOUND, `no file \`${a.path}\``);
      if (a.rel === b.rel) return ok(undefined);
      const text = await mount.read(a.rel);
      if (!text.ok) return text;
      const written = await mount.write(b.rel, text.value, utf8Bytes(text.value));
      if (!written.ok) return written;
      return mount.remove(a.rel);
    });
  }

  list(path: unknown): Promise<Result<VfsListing, KernelError>> {
    return this.#run(async () => {
      const at = locate(path);
      if (!at.ok) return at;
      const place = at.value;
      if (place.kind === 'virtual') return ok(this.#virtualListing(place.children));
      if (place.kind === 'session') {
        const member = this.#member(place);
        return member.ok ? member.value.list(place.rel) : member;
      }
      const { mount } = this.#fileMount(place.kind);
      const kind = mount.tree.kind(place.rel);
      if (kind === 'file') return fail(ERROR_CODES.INVALID_INPUT, `\`${place.path}\` is a file`);
      if (kind === 'none') return fail(ERROR_CODES.FS_NOT_FOUND, `no directory \`${place.path}\``);
      return ok(mount.tree.list(place.rel));
    });
  }

  stat(path: unknown): Promise<Result<VfsStat, KernelError>> {
    return this.#run<VfsStat>(async () => {
      const at = locate(path);
      if (!at.ok) return at;
      const place = at.value;
      if (place.kind === 'virtual') return ok({ kind: 'dir', writable: false });
      if (place.kind === 'session') {
        const member = this.#member(place);
        if (!member.ok) return member;
        const stat = member.value.stat(place.rel);
        if (!stat.ok) return stat;
        const writable = member.value.role === 'write';
        if (stat.value.kind === 'file') return ok({ kind: 'file', bytes: stat.value.bytes, writable });
        return ok(
          place.rel === '' ? { kind: 'dir', writable, head: member.value.head() } : { kind: 'dir', writable },
        );
      }
      const { mount, writable } = this.#fileMount(place.kind);
      const file = mount.tree.get(place.rel);
      if (file !== undefined) return ok({ kind: 'file', bytes: file.bytes, writable });
      if (mount.tree.kind(place.rel) === 'none') {
        return fail(ERROR_CODES.FS_NOT_FOUND, `nothing at \`${place.path}\``);
      }
      return ok(
        place.rel === '' ? { kind: 'dir', writable, usage: mount.tree.usage() } : { kind: 'dir', writable },
      );
    });
  }

  /** Mounts a joined session at `/session/<id>`. Only members `SharedSession.join` made for this agent. */
  attach(member: unknown): Result<void, KernelError> {
    if (this.#closed) return this.#closedError();
    if (!SessionMember.isGenuine(member)) {
      return fail(ERROR_CODES.INVALID_INPUT, 'only a joined session member can be attached');
    }
    if (member.agent !== this.agent) {
      return fail(
        ERROR_CODES.GATEWAY_DENIED,
        `session member \`${member.agent}\` is not agent \`${this.agent}\``,
      );
    }
    if (this.#sessions.has(member.session)) {
      return fail(ERROR_CODES.INVALID_INPUT, `session \`${member.session}\` is attached`);
    }
    if (this.#sessions.size >= VFS_LIMITS.sessionsMax) {
      return fail(ERROR_CODES.FS_QUOTA_EXCEEDED, `an agent joins at most ${VFS_LIMITS.sessionsMax} sessions`);
    }
    this.#sessions.set(member.session, member);
    return ok(undefined);
  }

  /** Unmounts `/session/<id>`; resolves to whether it was mounted. */
  detach(session: unknown): boolean {
    return typeof session === 'string' && this.#sessions.delete(session);
  }

  /** Ends the VFS with its pod: `/mem/working` is gone, sessions detach, later calls fail. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue.settled();
    this.#working.drop();
    this.#episodic.drop();
    this.#sessions.clear();
  }

  #run<T>(op: () => Promise<Result<T, KernelError>>): Promise<Result<T, KernelError>> {
    if (this.#closed) return Promise.resolve(this.#closedError());
    // WHY: a call still waiting in the queue when `close` comes is refused, not run.
    return this.#queue.run(() => (this.#closed ? Promise.resolve(this.#closedError()) : op()));
  }

  #closedError(): Result<never, KernelError> {
    return fail(ERROR_CODES.GATEWAY_CLOSED, `the vfs of \`${this.agent}\` is closed`);
  }

  /** Locates a path a change may target: never `/policy`, never a virtual directory or a mount root. */
  #changeable(path: unknown): Result<Exclude<Location, { kind: 'virtual' | 'policy' }>, KernelError> {
    const at = locate(path);
    if (!at.ok) return at;
    const place = at.value;
    if (place.kind === 'policy') return fail(ERROR_CODES.GATEWAY_DENIED, `\`${place.path}\` is read-only`);
    if (place.kind === 'virtual') {
      return fail(ERROR_CODES.FS_PATH_OUTSIDE, `\`${place.path}\` is not inside a mount`);
    }
    if (place.kind === 'session') {
      const member = this.#member(place);
      if (!member.ok) return member;
    }
    if (place.rel === '') return isDirectory(place.path);
    return ok(place);
  }

  #member(place: { readonly path: string; readonly session: string }): Result<SessionMember, KernelError> {
    const member = this.#sessions.get(place.session);
    if (member === undefined) {
      return fail(
        ERROR_CODES.FS_PATH_OUTSIDE,
        `\`${place.path}\` is in session \`${place.session}\`, which is not joined`,
      );
    }
    return ok(member);
  }

  #fileMount(kind: 'working' | 'episodic' | 'policy'): FileMount {
    if (kind === 'policy') return { mount: this.#policy, writable: false };
    return { mount: this.#writable(kind), writable: true };
  }

  #writable(kind: 'working' | 'episodic'): WritableMount {
    return kind === 'working' ? this.#working : this.#episodic;
  }

  #virtualListing(children: 'root' | 'mem' | 'sessions'): VfsListing {
    const dirs = (names: readonly string[]): VfsListing => ({
      entries: names.map((name): VfsEntry => ({ name, kind: 'dir' })),
      more: 0,
    });
    if (children === 'root') return dirs(['mem', 'policy', 'session']);
    if (children === 'mem') return dirs(['episodic', 'working']);
    return dirs([...this.#sessions.keys()].sort());
  }
}

Object.freeze(AgentVfs.prototype);

function isDirectory(path: string): Result<never, KernelError> {
  return fail(ERROR_CODES.INVALID_INPUT, `\`${path}\` is a directory`);
}

function needSeen(path: string, options: VfsChangeOptions): Result<string, KernelError> {
  if (typeof options?.seen === 'string') return ok(options.seen);
  return fail(ERROR_CODES.INVALID_INPUT, `a change to \`${path}\` must name the session commitment it saw`);
}
