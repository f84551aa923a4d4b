// Filesystem gateway (§41.3): the agent's workspace, named by workspace-relative POSIX paths
// (`/notes/a.txt`). Paths never leave the workspace (no `..` above the root, no NUL, no symlink
// followed), readable and writable globs apply, and a quota bounds the workspace's total size.

import type { Dirent } from 'node:fs';
import {
  lstat,
  mkdir,
  readdir,
  readFile,
  realpath,
  rename,
  rm,
  rmdir,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { JsonValue, KernelError, Result } from '../../shared/index.ts';
import { ERROR_CODES, fail, ok } from '../../shared/index.ts';
import { type Allowlist, segmentAllowlist } from '../allowlist.ts';
import type { GatewayConfig } from '../gateway-config.ts';
import { answer, refuse } from './answer.ts';
import type { Gateway, GatewayAnswer, GatewayCall } from './port.ts';

/** Bounds of the gateway itself. */
export const FS_LIMITS = {
  pathLengthMax: 4096,
  /** Entries one `list` returns; the rest are counted in `more`. */
  listEntriesMax: 1_000,
  /** Entries the start-up measurement walks before it gives up (the quota then counts what it saw). */
  measureEntriesMax: 1_000_000,
} as const;

const PathPayloadSchema = z.strictObject({
  path: z.string().max(FS_LIMITS.pathLengthMax),
  text: z.string().optional(),
});

// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
const CONTROL = /[\u0001-\u001f\u007f]/;

type Located = { readonly rel: string; readonly host: string; readonly parts: readonly string[] };
/** What is at a located path: nothing, a file of `bytes`, or a directory. */
type Found =
  | { readonly kind: 'none' }
  | { readonly kind: 'file'; readonly bytes: number }
  | { readonly kind: 'dir' };

export type FsGatewayOptions = {
  readonly config: GatewayConfig['fs'];
  /** The workspace: an absolute host directory that exists. */
  readonly root: string;
};

export class FsGateway implements Gateway {
  readonly name = 'fs' as const;
  readonly #config: GatewayConfig['fs'];
  readonly #root: string;
  readonly #readable: Allowlist;
  readonly #writable: Allowlist;
  #usageBytes: number;
  #tail: Promise<unknown> = Promise.resolve();
  #temps = 0;

  private constructor(config: GatewayConfig['fs'], root: string, usageBytes: number) {
    this.#config = config;
    this.#root = root;
    this.#readable = segmentAllowlist(config.readable);
    this.#writable = segmentAllowlist(config.writable);
    this.#usageBytes = usageBytes;
  }

  /** Resolves the workspace root and measures its size once; afterwards usage is tracked per write. */
  static async open(options: FsGatewayOptions): Promise<Result<FsGateway, KernelError>> {
    try {
      const root = await realpath(options.root);
      if (!(await lstat(root)).isDirectory())
        return fail(ERROR_CODES.IO, `workspace \`${options.root}\` is not a directory`);
      return ok(new FsGateway(options.config, root, await measure(root)));
    } catch (error) {
      return fail(ERROR_CODES.IO, `workspace \`${options.root}\` cannot be opened: ${codeOf(error)}`);
    }
  }

  /** Bytes of all files in the workspace, as tracked. */
  get usageBytes(): number {
    return this.#usageBytes;
  }

  async handle(call: GatewayCall): Promise<GatewayAnswer> {
    const parsed = PathPayloadSchema.safeParse(call.payload);
    if (!parsed.success)
      return refuse('', call.bytes, invalid('fs call needs `{ path, text? }` with string values'));
    const { path, text } = parsed.data;
    const located = locate(path);
    if (!located.ok) {
      const outside = located.error.code === ERROR_CODES.FS_PATH_OUTSIDE;
      return refuse(printable(path), call.bytes, located, outside ? 'fs-escape' : undefined);
    }
    const at: Located = { ...located.value, host: join(this.#root, ...located.value.parts) };
    if (call.op === 'write' || call.op === 'remove') return this.#serial(() => this.#change(call, at, text));
    const found = await this.#find(at);
    if (!found.ok) return refuse(at.rel, call.bytes, found, 'fs-escape');
    switch (call.op) {
      case 'read':
        return this.#read(call, at, found.value);
      case 'list':
        return this.#list(call, at, found.value);
      default:
        return refuse(at.rel, call.bytes, invalid(`unknown fs operation \`${call.op}\``));
    }
  }

  /**
   * Writes and removes, run one at a time. WHY the path is found inside the serial section: the
   * size a write replaces must be current for the quota to be exact.
   */
  async #change(call: GatewayCall, at: Located, text: string | undefined): Promise<GatewayAnswer> {
    const found = await this.#find(at);
    if (!found.ok) return refuse(at.rel, call.bytes, found, 'fs-escape');
    if (call.op === 'remove') return this.#remove(call, at, found.value);
    if (text === undefined) return refuse(at.rel, call.bytes, invalid('fs write needs `text`'));
    return this.#write(call, at, text, found.value);
  }

  async #read(call: GatewayCall, at: Located, found: Found): Promise<GatewayAnswer> {
    if (!this.#readable.matches(at.rel)) return refuse(at.rel, call.bytes, denied('read', at.rel));
    if (found.kind !== 'file') return answer(at.rel, call.bytes, 0, notFound(at.rel, found), false);
    if (found.bytes > this.#config.fileBytesMax) {
      const error = fail(
        ERROR_CODES.GATEWAY_DENIED,
        `file \`${at.rel}\` has ${found.bytes} bytes, more than the ${this.#config.fileBytesMax} a read returns`,
      );
      return refuse(at.rel, call.bytes, error);
    }
    try {
      const text = await readFile(at.host, 'utf8');
      return answer(at.rel, call.bytes, Buffer.byteLength(text), ok(text), false);
    } catch (error) {
      return answer(at.rel, call.bytes, 0, ioError('read', at.rel, error), false);
    }
  }

  async #list(call: GatewayCall, at: Located, found: Found): Promise<GatewayAnswer> {
    if (!this.#readable.matches(at.rel)) return refuse(at.rel, call.bytes, denied('list', at.rel));
    if (found.kind !== 'dir')
      return answer(at.rel, call.bytes, 0, notFound(at.rel, found, 'directory'), false);
    let entries: Dirent[];
    try {
      entries = await readdir(at.host, { withFileTypes: true });
    } catch (error) {
      return answer(at.rel, call.bytes, 0, ioError('list', at.rel, error), false);
    }
    const names = entries
      .map((e) => ({ name: String(e.name), kind: e.isFile() ? 'file' : e.isDirectory() ? 'dir' : 'other' }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const shown = names.slice(0, FS_LIMITS.listEntriesMax);
    const value: JsonValue = { entries: shown, more: names.length - shown.length };
    return answer(at.rel, call.bytes, shown.length * 32, ok(value), false);
  }

  async #write(call: GatewayCall, at: Located, text: string, found: Found): Promise<GatewayAnswer> {
    if (!this.#writable.matches(at.rel) || !this.#readable.matches(at.rel)) {
      return refuse(at.rel, call.bytes, denied('write', at.rel));
    }
    if (at.parts.length === 0) return refuse(at.rel, call.bytes, invalid('cannot write the workspace root'));
    const bytes = Buffer.byteLength(text);
    if (bytes > this.#config.fileBytesMax) {
      const error = fail(
        ERROR_CODES.FS_QUOTA_EXCEEDED,
        `file \`${at.rel}\` would have ${bytes} bytes, more than the ${this.#config.fileBytesMax} allowed`,
      );
      return refuse(at.rel, call.bytes, error);
    }
    if (found.kind === 'dir')
      return answer(at.rel, call.bytes, 0, invalid(`\`${at.rel}\` is a directory`), false);
    const delta = bytes - (found.kind === 'file' ? found.bytes : 0);
    if (this.#usageBytes + delta > this.#config.quotaBytes) {
      const error = fail(
        ERROR_CODES.FS_QUOTA_EXCEEDED,
        `writing \`${at.rel}\` would bring the workspace to ${this.#usageBytes + delta} bytes, over its quota of ${this.#config.quotaBytes}`,
      );
      return refuse(at.rel, call.bytes, error);
    }
    const temp = join(
      this.#root,
      ...at.parts.slice(0, -1),
      `.maos-write-${process.pid}-${++this.#temps}.tmp`,
    );
    try {
      await mkdir(join(this.#root, ...at.parts.slice(0, -1)), { recursive: true });
      await writeFile(temp, text, { encoding: 'utf8', flag: 'wx' });
      await rename(temp, at.host);
    } catch (error) {
      await rm(temp, { force: true }).catch(() => undefined);
      return answer(at.rel, call.bytes, 0, ioError('write', at.rel, error), false);
    }
    this.#usageBytes += delta;
    return answer(at.rel, call.bytes, 0, ok({ bytes }), false);
  }

  async #remove(call: GatewayCall, at: Located, what: Found): Promise<GatewayAnswer> {
    if (!this.#writable.matches(at.rel) || !this.#readable.matches(at.rel)) {
      return refuse(at.rel, call.bytes, denied('remove', at.rel));
    }
    if (at.parts.length === 0) return refuse(at.rel, call.bytes, invalid('cannot remove the workspace root'));
    if (what.kind === 'none') return answer(at.rel, call.bytes, 0, notFound(at.rel, what), false);
    try {
      if (what.kind === 'dir') await rmdir(at.host);
      else await unlink(at.host);
    } catch (error) {
      return answer(at.rel, call.bytes, 0, ioError('remove', at.rel, error), false);
    }
    if (what.kind === 'file') this.#usageBytes -= what.bytes;
    return answer(at.rel, call.bytes, 0, ok({ removed: at.rel }), false);
  }

  /**
   * What is at `at`, walking from the root with `lstat`. INVARIANT: no symbolic link is ever
   * followed: one anywhere on the path (inside or outside the workspace) refuses the call, so a
   * link cannot lead outside the workspace.
   */
  async #find(at: Located): Promise<Result<Found, KernelError>> {
    let host = this.#root;
    for (let i = 0; i < at.parts.length; i++) {
      host = join(host, at.parts[i] ?? '');
      let stats: Awaited<ReturnType<typeof lstat>>;
      try {
        stats = await lstat(host);
      } catch (error) {
        if (codeOf(error) === 'ENOENT' || codeOf(error) === 'ENOTDIR') return ok({ kind: 'none' });
        return ioError('inspect', at.rel, error);
      }
      if (stats.isSymbolicLink()) {
        return fail(
          ERROR_CODES.FS_PATH_OUTSIDE,
          `path \`${at.rel}\` goes through a symbolic link, which the workspace does not follow`,
        );
      }
      if (i === at.parts.length - 1)
        return ok(stats.isDirectory() ? { kind: 'dir' } : { kind: 'file', bytes: Number(stats.size) });
      if (!stats.isDirectory()) return ok({ kind: 'none' });
    }
    return ok({ kind: 'dir' });
  }

  /** Runs writes and removes one at a time, so quota accounting sees each replaced size exactly. */
  #serial(run: () => Promise<GatewayAnswer>): Promise<GatewayAnswer> {
    const next = this.#tail.then(run, run);
    this.#tail = next.catch(() => undefined);
    return next;
  }
}

/**
 * Turns an agent's path into workspace segments. `..` may climb back within the workspace
 * (`/a/../b` is `/b`) but never above its root; NUL is refused as an escape attempt (it truncates
 * paths in C code). Any absolute path names a place inside the workspace.
 */
export function locate(path: string): Result<{ rel: string; parts: string[] }, KernelError> {
  if (path.includes('\u0000')) return fail(ERROR_CODES.FS_PATH_OUTSIDE, 'path contains a nul byte');
  if (CONTROL.test(path) || path.includes('\\')) {
    return fail(
      ERROR_CODES.POD_CALL_INVALID,
      `path \`${printable(path)}\` contains a control character or a backslash`,
    );
  }
  const parts: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment !== '..') parts.push(segment);
    else if (parts.pop() === undefined)
      return fail(ERROR_CODES.FS_PATH_OUTSIDE, `path \`${path}\` climbs out of the workspace`);
  }
  return ok({ rel: `/${parts.join('/')}`, parts });
}

async function measure(root: string): Promise<number> {
  let bytes = 0;
  let seen = 0;
  const stack = [root];
  while (stack.length > 0 && seen < FS_LIMITS.measureEntriesMax) {
    const dir = stack.pop() ?? root;
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      seen += 1;
      const path = join(dir, String(entry.name));
      if (entry.isDirectory()) stack.push(path);
      else if (entry.isFile()) bytes += Number((await lstat(path)).size);
    }
  }
  return bytes;
}

function invalid(message: string): Result<never, KernelError> {
  return fail(ERROR_CODES.POD_CALL_INVALID, message);
}

function denied(op: string, rel: string): Result<never, KernelError> {
  return fail(ERROR_CODES.GATEWAY_DENIED, `this agent may not ${op} \`${rel}\``);
}

function notFound(rel: string, found: Found, wanted = 'file'): Result<never, KernelError> {
  const why = found.kind === 'none' ? '' : ` (it is a ${found.kind === 'dir' ? 'directory' : 'file'})`;
  return fail(ERROR_CODES.FS_NOT_FOUND, `no ${wanted} \`${rel}\` in the workspace${why}`);
}

function ioError(op: string, rel: string, error: unknown): Result<never, KernelError> {
  const code = codeOf(error);
  if (code === 'ENOSPC') return fail(ERROR_CODES.DISK_FULL, `cannot ${op} \`${rel}\`: the disk is full`);
  return fail(ERROR_CODES.IO, `cannot ${op} \`${rel}\`: ${code}`);
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' ? code : 'unknown error';
}

function printable(path: string): string {
  return JSON.stringify(path.slice(0, 200)).slice(1, -1);
}
