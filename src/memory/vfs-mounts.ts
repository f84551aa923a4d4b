// The three agent-owned mounts behind `AgentVfs`: `/mem/working` (memory, gone with the pod),
// `/mem/episodic` (kept through the Storage port) and `/policy` (built once, read-only by type).

import type { KernelError, Result } from '../shared/index.ts';
import { ERROR_CODES, fail, isKernelError, ok } from '../shared/index.ts';
import type { Storage } from '../storage/port.ts';
import { type FileMeta, FileTree, type ReadonlyTree } from './file-tree.ts';
import { type Quota, VFS_LIMITS } from './limits.ts';
import { parseRelative, shown } from './vfs-path.ts';

/** Storage namespace of `/mem/episodic`; keys are `<agent>/<relative path>`. */
export const EPISODIC_NAMESPACE = 'vfs';

export interface ReadableMount {
  readonly tree: ReadonlyTree<FileMeta>;
  read(rel: string): Promise<Result<string, KernelError>>;
}

export interface WritableMount extends ReadableMount {
  /** Admits (layout and quota) and stores the file; nothing changes on failure. */
  write(rel: string, text: string, bytes: number): Promise<Result<void, KernelError>>;
  /** Removes a file the tree knows; nothing changes on failure. */
  remove(rel: string): Promise<Result<void, KernelError>>;
  /** Forgets everything held in memory. */
  drop(): void;
}

type TextMeta = { readonly bytes: number; readonly text: string };
type StoredMeta = { readonly bytes: number; readonly version: number };

/** UTF-8 size of a string the caller has checked is well formed. */
export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** `/mem/working`: files live in this object only. */
export function workingMount(quota: Quota): WritableMount {
  const tree = new FileTree<TextMeta>(quota, '/mem/working');
  return {
    tree,
    read: async (rel) => readText(tree, rel, '/mem/working'),
    write: async (rel, text, bytes) => {
      const admitted = tree.admit(rel, bytes);
      if (!admitted.ok) return admitted;
      tree.set(rel, { bytes, text });
      return ok(undefined);
    },
    remove: async (rel) => {
      tree.delete(rel);
      return ok(undefined);
    },
    drop: () => tree.clear(),
  };
}

function readText(tree: ReadonlyTree<TextMeta>, rel: string, prefix: string): Result<string, KernelError> {
  const file = tree.get(rel);
  if (file === undefined) return fail(ERROR_CODES.FS_NOT_FOUND, `no file \`${prefix}/${rel}\``);
  return ok(file.text);
}

/**
 * `/policy`: the host's documents (relative path → text), checked and indexed once. The mount
 * returned holds no reference to anything that can change them: its tree is a facade over a tree
 * nobody else sees, and there is no write method to call.
 */
export function policyMount(documents: unknown): Result<ReadableMount, KernelError> {
  if (documents === null || typeof documents !== 'object' || Array.isArray(documents)) {
    return fail(ERROR_CODES.INVALID_INPUT, 'policy documents must be an object of path to text');
  }
  const tree = new FileTree<TextMeta>(VFS_LIMITS.policy, '/policy');
  for (const [name, text] of Object.entries(documents)) {
    const rel = parseRelative(name);
    if (!rel.ok) return rel;
    if (typeof text !== 'string' || !text.isWellFormed()) {
      return fail(ERROR_CODES.INVALID_INPUT, `policy document \`${shown(name)}\` is not well-formed text`);
    }
    const bytes = utf8Bytes(text);
    const admitted = tree.admit(rel.value, bytes);
    if (!admitted.ok) return admitted;
    tree.set(rel.value, { bytes, text });
  }
  const facade: ReadonlyTree<TextMeta> = Object.freeze({
    get: (rel: string) => tree.get(rel),
    kind: (rel: string) => tree.kind(rel),
    list: (rel: string) => tree.list(rel),
    usage: () => tree.usage(),
  });
  return ok(Object.freeze({ tree: facade, read: async (rel: string) => readText(facade, rel, '/policy') }));
}

/** `/mem/episodic`: the index is loaded once; contents are read from storage on demand. */
export async function episodicMount(
  storage: Storage,
  agent: string,
  quota: Quota,
): Promise<Result<WritableMount, KernelError>> {
  const tree = new FileTree<StoredMeta>(quota, '/mem/episodic');
  const prefix = `${agent}/`;
  const loaded = await guard(() => storage.list(EPISODIC_NAMESPACE, prefix, quota.filesMax + 1));
  if (!loaded.ok) return loaded;
  if (loaded.value.length > quota.filesMax) {
    return fail(
      ERROR_CODES.FS_QUOTA_EXCEEDED,
      `episodic memory of \`${agent}\` holds more than ${quota.filesMax} files`,
    );
  }
  for (const entry of loaded.value) {
    const rel = parseRelative(entry.key.slice(prefix.length));
    if (!rel.ok) {
      return fail(ERROR_CODES.STORAGE, `stored episodic key \`${shown(entry.key)}\` is not a path`);
    }
    const bytes = utf8Bytes(entry.value);
    const admitted = tree.admit(rel.value, bytes);
    if (!admitted.ok) return admitted;
    tree.set(rel.value, { bytes, version: entry.version });
  }
  return ok({
    tree,
    read: async (rel) => {
      const stored = await guard(() => storage.get(EPISODIC_NAMESPACE, prefix + rel));
      if (!stored.ok) return stored;
      if (stored.value === undefined) {
        return fail(ERROR_CODES.FS_NOT_FOUND, `no file \`/mem/episodic/${rel}\``);
      }
      return ok(stored.value.value);
    },
    write: async (rel, text, bytes) => {
      const admitted = tree.admit(rel, bytes);
      if (!admitted.ok) return admitted;
      // WHY: the version the index saw guards against a second VFS of the same agent writing too.
      const expected = tree.get(rel)?.version ?? 0;
      const version = await guard(() => storage.put(EPISODIC_NAMESPACE, prefix + rel, text, expected));
      if (!version.ok) return version;
      tree.set(rel, { bytes, version: version.value });
      return ok(undefined);
    },
    remove: async (rel) => {
      const expected = tree.get(rel)?.version;
      const removed = await guard(() => storage.delete(EPISODIC_NAMESPACE, prefix + rel, expected));
      if (!removed.ok) return removed;
      tree.delete(rel);
      return ok(undefined);
    },
    drop: () => tree.clear(),
  });
}

/** Turns a storage rejection into a result; anything but a `KernelError` is a bug and rethrown. */
export async function guard<T>(call: () => Promise<T>): Promise<Result<T, KernelError>> {
  try {
    return ok(await call());
  } catch (error) {
    if (isKernelError(error)) return { ok: false, error };
    throw error;
  }
}
