// The change log of a shared session: each change is a delta (path, before and after hashes, size,
// the new content whole) bound into a hash chain, commit_n = SHA-256(commit_{n-1} ‖ canonical(delta_n)),
// whose first link commits to the session's identity and member list.
//
// WHY whole content and not a diff: replaying whole contents needs no diff algorithm to trust,
// a delta verifies on its own (after = SHA-256(content)), and its size is bounded by the file limit.

import { z } from 'zod';
import type { KernelError, Result } from '../shared/index.ts';
import {
  canonicalJson,
  ERROR_CODES,
  fail,
  hashCanonical,
  hashHex,
  ok,
  parseJsonStrict,
} from '../shared/index.ts';
import type { FileTree } from './file-tree.ts';
import { SESSION_LIMITS } from './limits.ts';
import { utf8Bytes } from './vfs-mounts.ts';
import { isSegment, parseRelative } from './vfs-path.ts';

/** Storage namespace of shared sessions: `<id>/meta` and `<id>/c/<seq, 10 digits>`. */
export const SESSION_NAMESPACE = 'session';
export const SESSION_META_TYPE = 'maos-session/v1';

export type SessionRole = 'write' | 'read';

/** What the session is: bound into the genesis commit, so a changed member list breaks the chain. */
export type SessionMeta = {
  readonly typ: typeof SESSION_META_TYPE;
  readonly session: string;
  /** Sorted by agent. */
  readonly members: readonly { readonly agent: string; readonly role: SessionRole }[];
  readonly createdMs: number;
};

export type SessionDelta = {
  readonly seq: number;
  readonly op: 'write' | 'remove';
  /** Path inside the session (`notes/plan.md`). */
  readonly path: string;
  /** SHA-256 (hex) of the content before, null when the file did not exist. */
  readonly before: string | null;
  /** SHA-256 (hex) of the content after, null for a remove. */
  readonly after: string | null;
  /** UTF-8 bytes of `content` (0 for a remove). */
  readonly bytes: number;
  readonly content: string | null;
  /** The member who made the change. */
  readonly agent: string;
  readonly atMs: number;
};

export type StoredChange = { readonly delta: SessionDelta; readonly commit: string };

/** The newest link of the chain; seq 0 is the genesis. */
export type SessionHead = { readonly seq: number; readonly commit: string };

export type SessionStat =
  | { readonly kind: 'dir' }
  | { readonly kind: 'file'; readonly bytes: number; readonly hash: string };

/** A change as a member asks for it; the session checks every field. */
export type ChangeRequest =
  | { readonly op: 'write'; readonly path: unknown; readonly text: unknown; readonly seen: unknown }
  | { readonly op: 'remove'; readonly path: unknown; readonly seen: unknown };

export type SessionFile = { readonly bytes: number; readonly text: string; readonly hash: string };

const HASH = z.string().regex(/^[0-9a-f]{64}$/);
const ID = z.string().refine(isSegment);

const MetaSchema = z.strictObject({
  typ: z.literal(SESSION_META_TYPE),
  session: ID,
  members: z
    .array(z.strictObject({ agent: ID, role: z.enum(['write', 'read']) }))
    .min(1)
    .max(SESSION_LIMITS.membersMax),
  createdMs: z.number().int().nonnegative(),
});

const DeltaSchema = z.strictObject({
  seq: z.number().int().positive(),
  op: z.enum(['write', 'remove']),
  path: z.string(),
  before: HASH.nullable(),
  after: HASH.nullable(),
  bytes: z.number().int().nonnegative(),
  content: z.string().nullable(),
  agent: ID,
  atMs: z.number().int().nonnegative(),
});

const StoredSchema = z.strictObject({ delta: DeltaSchema, commit: HASH });

const JSON_LIMITS = { bytesMax: SESSION_LIMITS.fileBytesMax * 6 + 4096, depthMax: 4 };

export function contentHash(text: string): string {
  return hashHex(text);
}

export function genesisCommit(meta: SessionMeta): string {
  return hashCanonical(meta);
}

export function nextCommit(previous: string, delta: SessionDelta): string {
  // INVARIANT: `previous` is 64 hex characters, so the concatenation is unambiguous.
  return hashHex(previous + canonicalJson(delta));
}

export function metaKey(session: string): string {
  return `${session}/meta`;
}

export function changePrefix(session: string): string {
  return `${session}/c/`;
}

export function changeKey(session: string, seq: number): string {
  return `${changePrefix(session)}${String(seq).padStart(10, '0')}`;
}

function broken(message: string): Result<never, KernelError> {
  return fail(ERROR_CODES.JOURNAL_BROKEN, message);
}

export function parseMeta(value: string, session: string): Result<SessionMeta, KernelError> {
  const json = parseJsonStrict(value, { bytesMax: 64 * 1024, depthMax: 4 });
  const meta = json.ok ? MetaSchema.safeParse(json.value) : undefined;
  if (meta === undefined || !meta.success || meta.data.session !== session) {
    return broken(`stored metadata of session \`${session}\` is malformed`);
  }
  return ok(meta.data);
}

export function parseStoredChange(
  value: string,
  session: string,
  seq: number,
): Result<StoredChange, KernelError> {
  const json = parseJsonStrict(value, JSON_LIMITS);
  const change = json.ok ? StoredSchema.safeParse(json.value) : undefined;
  if (change === undefined || !change.success) {
    return broken(`stored change ${seq} of session \`${session}\` is malformed`);
  }
  return ok(change.data);
}

/**
 * Replays `changes` onto the empty `tree` from `genesis`, checking every link: consecutive seqs,
 * a valid path, `before` equal to the hash of what the file held, `after` and `bytes` matching the
 * content, and the stored commit equal to the recomputed one. The first mismatch fails with
 * JOURNAL_BROKEN naming its seq; on success returns the head and the history's content bytes.
 */
export function replay(
  session: string,
  genesis: string,
  changes: readonly StoredChange[],
  tree: FileTree<SessionFile>,
): Result<{ readonly head: SessionHead; readonly historyBytes: number }, KernelError> {
  let head: SessionHead = { seq: 0, commit: genesis };
  let historyBytes = 0;
  for (const { delta, commit } of changes) {
    const at = `change ${delta.seq} of session \`${session}\``;
    if (delta.seq !== head.seq + 1) return broken(`${at} follows change ${head.seq}`);
    const path = parseRelative(delta.path);
    if (!path.ok || path.value !== delta.path) return broken(`${at} names an invalid path`);
    const current = tree.get(delta.path);
    if (delta.before !== (current?.hash ?? null)) {
      return broken(`${at} does not start from the state before it`);
    }
    const applied = apply(tree, delta);
    if (!applied.ok) return broken(`${at} ${applied.error.message}`);
    const recomputed = nextCommit(head.commit, delta);
    if (recomputed !== commit) return broken(`${at} does not match its commitment`);
    head = { seq: delta.seq, commit };
    historyBytes += delta.bytes;
  }
  return ok({ head, historyBytes });
}

function apply(tree: FileTree<SessionFile>, delta: SessionDelta): Result<void, KernelError> {
  if (delta.op === 'remove') {
    if (delta.after !== null || delta.content !== null || delta.bytes !== 0 || delta.before === null) {
      return fail(ERROR_CODES.INVALID_INPUT, 'is a remove that carries content');
    }
    tree.delete(delta.path);
    return ok(undefined);
  }
  if (delta.content === null || !delta.content.isWellFormed()) {
    return fail(ERROR_CODES.INVALID_INPUT, 'is a write without well-formed content');
  }
  const hash = contentHash(delta.content);
  const bytes = utf8Bytes(delta.content);
  if (delta.after !== hash || delta.bytes !== bytes) {
    return fail(ERROR_CODES.INVALID_INPUT, 'has a size or hash that does not match its content');
  }
  const admitted = tree.admit(delta.path, bytes);
  if (!admitted.ok) return admitted;
  tree.set(delta.path, { bytes, text: delta.content, hash });
  return ok(undefined);
}
