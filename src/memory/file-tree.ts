// The in-memory index every mount keeps: which files exist, their sizes, and the directories they
// imply (a directory exists while a file lies beneath it). It also enforces the mount's quota.

import type { KernelError, Result } from '../shared/index.ts';
import { ERROR_CODES, fail, ok } from '../shared/index.ts';
import { type Quota, VFS_LIMITS } from './limits.ts';

export type FileMeta = { readonly bytes: number };

export type VfsEntry = { readonly name: string; readonly kind: 'file' | 'dir'; readonly bytes?: number };

/** A directory's entries, sorted by name; `more` counts the ones left off past the list bound. */
export type VfsListing = { readonly entries: readonly VfsEntry[]; readonly more: number };

/** What is at a mount-relative path. */
export type Kind = 'file' | 'dir' | 'none';

/** The reading half of a tree, for mounts that must never change (`/policy`). */
export interface ReadonlyTree<M extends FileMeta> {
  get(rel: string): M | undefined;
  kind(rel: string): Kind;
  list(rel: string): VfsListing;
  usage(): { readonly bytes: number; readonly files: number };
}

export class FileTree<M extends FileMeta> implements ReadonlyTree<M> {
  readonly #files = new Map<string, M>();
  /** Directory → number of files beneath it (at any depth). */
  readonly #dirs = new Map<string, number>();
  readonly #quota: Quota;
  /** Shown in messages before the relative path (`/mem/working`). */
  readonly #prefix: string;
  #bytes = 0;

  constructor(quota: Quota, prefix: string) {
    this.#quota = quota;
    this.#prefix = prefix;
  }

  get(rel: string): M | undefined {
    return this.#files.get(rel);
  }

  kind(rel: string): Kind {
    if (rel === '' || this.#dirs.has(rel)) return 'dir';
    return this.#files.has(rel) ? 'file' : 'none';
  }

  usage(): { readonly bytes: number; readonly files: number } {
    return { bytes: this.#bytes, files: this.#files.size };
  }

  entries(): IterableIterator<[string, M]> {
    return this.#files.entries();
  }

  /**
   * Checks that a file of `bytes` may be written at `rel`: not over a directory, not under a file,
   * and within the quota once the file's current size is given back.
   */
  admit(rel: string, bytes: number): Result<void, KernelError> {
    const path = this.#show(rel);
    if (this.kind(rel) === 'dir') return fail(ERROR_CODES.INVALID_INPUT, `\`${path}\` is a directory`);
    for (const parent of parents(rel)) {
      if (this.#files.has(parent)) {
        return fail(ERROR_CODES.INVALID_INPUT, `\`${this.#show(parent)}\` is a file, not a directory`);
      }
    }
    const current = this.#files.get(rel);
    const bytesAfter = this.#bytes - (current?.bytes ?? 0) + bytes;
    if (bytesAfter > this.#quota.bytesMax) {
      return fail(
        ERROR_CODES.FS_QUOTA_EXCEEDED,
        `writing \`${path}\` would use ${bytesAfter} bytes, more than the quota of ${this.#quota.bytesMax}`,
      );
    }
    if (current === undefined && this.#files.size + 1 > this.#quota.filesMax) {
      return fail(
        ERROR_CODES.FS_QUOTA_EXCEEDED,
        `writing \`${path}\` would exceed the quota of ${this.#quota.filesMax} files`,
      );
    }
    return ok(undefined);
  }

  /** Records a file; the caller has admitted it. */
  set(rel: string, meta: M): void {
    const current = this.#files.get(rel);
    if (current === undefined) {
      for (const parent of parents(rel)) this.#dirs.set(parent, (this.#dirs.get(parent) ?? 0) + 1);
    }
    this.#bytes += meta.bytes - (current?.bytes ?? 0);
    this.#files.set(rel, meta);
  }

  delete(rel: string): M | undefined {
    const current = this.#files.get(rel);
    if (current === undefined) return undefined;
    this.#files.delete(rel);
    this.#bytes -= current.bytes;
    for (const parent of parents(rel)) {
      const count = (this.#dirs.get(parent) ?? 0) - 1;
      if (count <= 0) this.#dirs.delete(parent);
      else this.#dirs.set(parent, count);
    }
    return current;
  }

  clear(): void {
    this.#files.clear();
    this.#dirs.clear();
    this.#bytes = 0;
  }

  /** The entries directly inside directory `rel`; the caller checked that it is one. */
  list(rel: string): VfsListing {
    const prefix = rel === '' ? '' : `${rel}/`;
    const children = new Map<string, VfsEntry>();
    for (const [path, meta] of this.#files) {
      if (!path.startsWith(prefix)) continue;
      const rest = path.slice(prefix.length);
      const slash = rest.indexOf('/');
      const name = slash === -1 ? rest : rest.slice(0, slash);
      if (children.has(name)) continue;
      children.set(name, slash === -1 ? { name, kind: 'file', bytes: meta.bytes } : { name, kind: 'dir' });
    }
    const sorted = [...children.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const entries = sorted.slice(0, VFS_LIMITS.listEntriesMax);
    return { entries, more: sorted.length - entries.length };
  }

  #show(rel: string): string {
    return rel === '' ? this.#prefix : `${this.#prefix}/${rel}`;
  }
}

/** `a/b/c` → `a`, `a/b`. */
function parents(rel: string): string[] {
  const out: string[] = [];
  for (let i = rel.indexOf('/'); i !== -1; i = rel.indexOf('/', i + 1)) out.push(rel.slice(0, i));
  return out;
}
