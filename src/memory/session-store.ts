// Helpers of shared sessions that hold no session state: building the metadata and each change's
// delta, loading the stored chain, comparing states and recording to the journal port.

import type { JsonValue, KernelError, Result } from '../shared/index.ts';
import { ERROR_CODES, err, fail, isKernelError, ok } from '../shared/index.ts';
import type { Storage } from '../storage/port.ts';
import type { FileTree } from './file-tree.ts';
import { clampQuota, type Quota, SESSION_LIMITS } from './limits.ts';
import type { ChangeRecorder, SessionRecordType } from './port.ts';
import {
  type ChangeRequest,
  changeKey,
  changePrefix,
  contentHash,
  metaKey,
  parseMeta,
  parseStoredChange,
  SESSION_META_TYPE,
  SESSION_NAMESPACE,
  type SessionDelta,
  type SessionFile,
  type SessionHead,
  type SessionMeta,
  type StoredChange,
} from './session-change.ts';
import { guard, utf8Bytes } from './vfs-mounts.ts';
import { isSegment, parseRelative, shown } from './vfs-path.ts';

export type MetaRequest = {
  readonly id: string;
  readonly members: readonly string[];
  readonly readOnly?: readonly string[];
  readonly createdMs: number;
};

export function sessionMeta(options: MetaRequest): Result<SessionMeta, KernelError> {
  if (!isSegment(options.id)) {
    return fail(ERROR_CODES.INVALID_INPUT, `session id \`${shown(options.id)}\` is invalid`);
  }
  const members = [...new Set(options.members)].sort();
  const readOnly = new Set(options.readOnly ?? []);
  if (
    members.length === 0 ||
    members.length > SESSION_LIMITS.membersMax ||
    members.length !== options.members.length
  ) {
    return fail(ERROR_CODES.INVALID_INPUT, `a session has 1..${SESSION_LIMITS.membersMax} distinct members`);
  }
  for (const agent of [...members, ...readOnly]) {
    if (!isSegment(agent)) return fail(ERROR_CODES.INVALID_INPUT, `agent id \`${shown(agent)}\` is invalid`);
    if (!members.includes(agent)) {
      return fail(ERROR_CODES.INVALID_INPUT, `read-only \`${agent}\` is not a member`);
    }
  }
  return ok({
    typ: SESSION_META_TYPE,
    session: options.id,
    members: members.map((agent) => ({ agent, role: readOnly.has(agent) ? 'read' : 'write' })),
    createdMs: options.createdMs,
  });
}

export function stateQuota(quota: Partial<Quota> | undefined): Quota | undefined {
  return clampQuota(quota, SESSION_LIMITS.state);
}

export async function load(
  storage: Storage,
  id: string,
): Promise<Result<{ readonly meta: SessionMeta; readonly changes: StoredChange[] }, KernelError>> {
  const stored = await guard(() => storage.get(SESSION_NAMESPACE, metaKey(id)));
  if (!stored.ok) return stored;
  if (stored.value === undefined) return fail(ERROR_CODES.SESSION_UNKNOWN, `no session \`${id}\``);
  const meta = parseMeta(stored.value.value, id);
  if (!meta.ok) return meta;
  const rows = await guard(() =>
    storage.list(SESSION_NAMESPACE, changePrefix(id), SESSION_LIMITS.changesMax + 1),
  );
  if (!rows.ok) return rows;
  if (rows.value.length > SESSION_LIMITS.changesMax) {
    return fail(
      ERROR_CODES.JOURNAL_BROKEN,
      `session \`${id}\` stores more than ${SESSION_LIMITS.changesMax} changes`,
    );
  }
  const changes: StoredChange[] = [];
  for (const [index, row] of rows.value.entries()) {
    if (row.key !== changeKey(id, index + 1)) {
      return fail(ERROR_CODES.JOURNAL_BROKEN, `session \`${id}\` misses change ${index + 1}`);
    }
    const change = parseStoredChange(row.value, id, index + 1);
    if (!change.ok) return change;
    changes.push(change.value);
  }
  return ok({ meta: meta.value, changes });
}

export function sameFiles(a: FileTree<SessionFile>, b: FileTree<SessionFile>): boolean {
  if (a.usage().files !== b.usage().files) return false;
  for (const [path, file] of a.entries()) if (b.get(path)?.hash !== file.hash) return false;
  return true;
}

export async function record(
  recorder: ChangeRecorder,
  type: SessionRecordType,
  data: Readonly<Record<string, JsonValue>>,
): Promise<Result<number, KernelError>> {
  try {
    return ok(await recorder.record(type, data));
  } catch (error) {
    if (isKernelError(error)) return err(error);
    return fail(
      ERROR_CODES.JOURNAL_FAILED,
      `journal refused \`${type}\`: ${shown((error as Error)?.message)}`,
    );
  }
}

/** What a delta is built against: the session's settled state and the change's author and time. */
export type DeltaContext = {
  readonly session: string;
  readonly tree: FileTree<SessionFile>;
  readonly head: SessionHead;
  readonly historyBytes: number;
  readonly agent: string;
  readonly atMs: number;
};

/** Builds the delta of a change, checking path, content and every quota; changes nothing. */
export function buildDelta(request: ChangeRequest, at: DeltaContext): Result<SessionDelta, KernelError> {
  const path = parseRelative(request.path);
  if (!path.ok) return path;
  const current = at.tree.get(path.value);
  const seq = at.head.seq + 1;
  if (seq > SESSION_LIMITS.changesMax) {
    return fail(
      ERROR_CODES.FS_QUOTA_EXCEEDED,
      `session \`${at.session}\` holds ${SESSION_LIMITS.changesMax} changes`,
    );
  }
  const base = {
    seq,
    path: path.value,
    before: current?.hash ?? null,
    agent: at.agent,
    atMs: at.atMs,
  };
  if (request.op === 'remove') {
    if (current === undefined) {
      return fail(ERROR_CODES.FS_NOT_FOUND, `no file \`/session/${at.session}/${path.value}\``);
    }
    return ok({ ...base, op: 'remove', after: null, bytes: 0, content: null });
  }
  const text = request.text;
  if (typeof text !== 'string' || !text.isWellFormed()) {
    return fail(ERROR_CODES.INVALID_INPUT, 'session content must be well-formed text');
  }
  // WHY: a UTF-16 unit is at least one UTF-8 byte, so a long string is refused before measuring.
  const bytes = text.length > SESSION_LIMITS.fileBytesMax ? text.length : utf8Bytes(text);
  if (bytes > SESSION_LIMITS.fileBytesMax) {
    return fail(
      ERROR_CODES.FS_QUOTA_EXCEEDED,
      `a session file holds at most ${SESSION_LIMITS.fileBytesMax} bytes`,
    );
  }
  if (at.historyBytes + bytes > SESSION_LIMITS.historyBytesMax) {
    return fail(ERROR_CODES.FS_QUOTA_EXCEEDED, `session \`${at.session}\` history is full`);
  }
  const admitted = at.tree.admit(path.value, bytes);
  if (!admitted.ok) return admitted;
  return ok({ ...base, op: 'write', after: contentHash(text), bytes, content: text });
}
