// The fs connector: files under one root folder, snapshotted before every change (MR-5). Only the
// commit layer calls it; agents name virtual paths (`/notes/a.md`) that can never leave the root.

import type { Dirent } from 'node:fs';
import { lstat, opendir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { SideEffectClass } from '../kernel/side-effect.ts';
import { decodeUtf8, ERROR_CODES, hashHex, type JsonValue, KernelError } from '../shared/index.ts';
import { onlyKeys, readEncoding, writeContent } from './fs-args.ts';
import { abortedError, fsError } from './fs-error.ts';
import {
  type AtomicWriteOptions,
  FS_FILE_BYTES_MAX,
  makeDirectories,
  readFileBounded,
  removeFile,
  TEMP_PREFIX,
  writeFileAtomic,
} from './fs-file.ts';
import { pathContains, type ResolvedPath, resolveUnderRoot } from './fs-path.ts';
import { loadPlan, parseSnapshotData, removeSnapshot, savePlan, snapshotBytes } from './fs-snapshot.ts';
import type { Connector, EffectRequest, ProbeResult, UndoPlan } from './port.ts';

/** `fs.list` returns at most this many entries (sorted by name) and says when it stopped early. */
export const FS_LIST_ENTRIES_MAX = 10_000;

const ACTIONS = {
  'fs.read': 'read',
  'fs.list': 'read',
  'fs.write': 'write',
  'fs.delete': 'destructive',
} as const satisfies Readonly<Record<string, SideEffectClass>>;

type FsAction = keyof typeof ACTIONS;

const VERBS: Readonly<Record<string, string>> = {
  'fs.read': 'read',
  'fs.list': 'list',
  'fs.write': 'write',
  'fs.delete': 'delete',
};
type Context = { readonly root: string; readonly snapshotDir: string };

export type FsConnectorOptions = {
  /** The folder agents see as `/`. It must exist. */
  readonly root: string;
  /** Where snapshots live; must lie outside `root` so no agent can read or alter them. */
  readonly snapshotDir: string;
};

/**
 * Files under `root`, addressed by canonical virtual paths. Writes are atomic and durable, every
 * write or delete is snapshotted by `prepare` first, and nothing escapes the root: `..`, symlinks
 * anywhere on the path and paths that resolve outside are refused with `INVALID_INPUT`.
 */
export function createFsConnector(options: FsConnectorOptions): Connector {
  const context: Context = { root: resolve(options.root), snapshotDir: resolve(options.snapshotDir) };
  if (pathContains(context.root, context.snapshotDir) || pathContains(context.snapshotDir, context.root)) {
    throw new KernelError(ERROR_CODES.CONFIG_INVALID, 'the fs snapshot folder must lie outside the fs root');
  }
  return {
    name: 'fs',
    actions: ACTIONS,
    stateHash: (resource) => guard(() => stateHash(context, resource), 'hash', resource),
    prepare: (request) => guard(() => prepare(context, request), 'snapshot', request.resource),
    execute: (request, { signal }) =>
      guard(() => execute(context, request, signal), VERBS[request.action] ?? 'act on', request.resource),
    probe: (request) => guard(() => probe(context, request), 'probe', request.resource),
    undo: (request, plan) => guard(() => undo(context, request, plan), 'restore', request.resource),
    discard: (request) => guard(() => discard(context, request), 'discard the snapshot of', request.resource),
  };
}

async function guard<T>(run: () => Promise<T>, verb: string, resource: string): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw fsError(error, verb, resource);
  }
}

function actionOf(request: EffectRequest): FsAction {
  if (!Object.hasOwn(ACTIONS, request.action)) {
    throw new KernelError(ERROR_CODES.INVALID_INPUT, `fs connector has no action \`${request.action}\``);
  }
  return request.action as FsAction;
}

function notAFile(path: ResolvedPath): KernelError {
  return new KernelError(ERROR_CODES.INVALID_INPUT, `\`${path.virtual}\` is not a regular file`);
}

function notFound(path: ResolvedPath): KernelError {
  return new KernelError(ERROR_CODES.NOT_FOUND, `\`${path.virtual}\` does not exist`);
}

/** Resolves a path that must be a regular file or nothing (the targets of write, delete, undo). */
async function fileOrAbsent(context: Context, resource: string): Promise<ResolvedPath> {
  const path = await resolveUnderRoot(context.root, resource);
  if (path.kind !== 'file' && path.kind !== 'absent') throw notAFile(path);
  return path;
}

async function readCurrent(path: ResolvedPath): Promise<Buffer | undefined> {
  if (path.kind === 'absent') return undefined;
  if (path.kind !== 'file') throw notAFile(path);
  return readFileBounded(path.real, FS_FILE_BYTES_MAX, `file \`${path.virtual}\``);
}

async function stateHash(context: Context, resource: string): Promise<string> {
  const bytes = await readCurrent(await resolveUnderRoot(context.root, resource));
  return bytes === undefined ? 'absent' : hashHex(bytes);
}

async function prepare(context: Context, request: EffectRequest): Promise<UndoPlan> {
  if (ACTIONS[actionOf(request)] === 'read') return { kind: 'none' };
  // INVARIANT: a second prepare of the same intent returns the first snapshot, never a fresh one.
  const recorded = await loadPlan(context.snapshotDir, request);
  if (recorded !== undefined) return recorded;
  const prior = await readCurrent(await fileOrAbsent(context, request.resource));
  return savePlan(context.snapshotDir, request, prior);
}

async function execute(context: Context, request: EffectRequest, signal: AbortSignal): Promise<JsonValue> {
  const action = actionOf(request);
  const stopIfAborted = (): void => {
    if (signal.aborted) throw abortedError(action, request.resource);
  };
  stopIfAborted();
  switch (action) {
    case 'fs.read':
      return read(context, request);
    case 'fs.list':
      return list(context, request, stopIfAborted);
    case 'fs.write':
      return write(context, request, stopIfAborted);
    case 'fs.delete':
      return remove(context, request, stopIfAborted);
  }
}

async function read(context: Context, request: EffectRequest): Promise<JsonValue> {
  const encoding = readEncoding(request.args);
  const path = await resolveUnderRoot(context.root, request.resource);
  const bytes = await readCurrent(path);
  if (bytes === undefined) throw notFound(path);
  const text = encoding === 'base64' ? undefined : decodeUtf8(bytes);
  const hash = hashHex(bytes);
  if (text?.ok === true) return { content: text.value, encoding: 'utf8', bytes: bytes.length, hash };
  return { content: bytes.toString('base64'), encoding: 'base64', bytes: bytes.length, hash };
}

async function list(context: Context, request: EffectRequest, stopIfAborted: () => void): Promise<JsonValue> {
  onlyKeys('fs.list', request.args, []);
  const path = await resolveUnderRoot(context.root, request.resource);
  if (path.kind === 'absent') throw notFound(path);
  if (path.kind !== 'directory') {
    throw new KernelError(ERROR_CODES.INVALID_INPUT, `\`${path.virtual}\` is not a directory`);
  }
  const entries: { name: string; type: string }[] = [];
  let truncated = false;
  for await (const entry of await opendir(path.real)) {
    stopIfAborted();
    if (entries.length === FS_LIST_ENTRIES_MAX) {
      truncated = true;
      break;
    }
    // WHY: a temp file a crash left behind is not part of the agent's world (swept at the next start).
    if (entry.name.startsWith(TEMP_PREFIX)) continue;
    entries.push({ name: entry.name, type: entryType(entry) });
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { entries, truncated };
}

function entryType(entry: Dirent): string {
  if (entry.isFile()) return 'file';
  if (entry.isDirectory()) return 'directory';
  return entry.isSymbolicLink() ? 'symlink' : 'other';
}

/** Writes `bytes` over the file at `resource`, creating parent folders; keeps an existing file's mode. */
async function replaceFile(
  context: Context,
  resource: string,
  bytes: Buffer,
  beforeRename: () => void,
): Promise<void> {
  const before = await fileOrAbsent(context, resource);
  await makeDirectories(dirname(before.real));
  // WHY: the parents may have just been created; walk the path again before writing into it.
  const path = await fileOrAbsent(context, resource);
  const options: AtomicWriteOptions =
    path.kind === 'file' ? { mode: (await lstat(path.real)).mode & 0o7777, beforeRename } : { beforeRename };
  await writeFileAtomic(path.real, bytes, options);
}

async function write(
  context: Context,
  request: EffectRequest,
  stopIfAborted: () => void,
): Promise<JsonValue> {
  const bytes = writeContent(request.args);
  await replaceFile(context, request.resource, bytes, stopIfAborted);
  return { bytes: bytes.length, hash: hashHex(bytes) };
}

async function remove(
  context: Context,
  request: EffectRequest,
  stopIfAborted: () => void,
): Promise<JsonValue> {
  onlyKeys('fs.delete', request.args, []);
  const path = await fileOrAbsent(context, request.resource);
  if (path.kind === 'absent') return { deleted: false };
  stopIfAborted();
  return { deleted: await removeFile(path.real) };
}

async function probe(context: Context, request: EffectRequest): Promise<ProbeResult> {
  const action = actionOf(request);
  if (action === 'fs.write') {
    const intended = hashHex(writeContent(request.args));
    return (await stateHash(context, request.resource)) === intended ? 'applied' : 'not-applied';
  }
  if (action === 'fs.delete') {
    const path = await resolveUnderRoot(context.root, request.resource);
    return path.kind === 'absent' ? 'applied' : 'not-applied';
  }
  return 'not-applied';
}

async function undo(context: Context, request: EffectRequest, plan: UndoPlan): Promise<void> {
  if (ACTIONS[actionOf(request)] === 'read' || plan.kind === 'none') return;
  if (plan.kind !== 'snapshot') {
    throw new KernelError(ERROR_CODES.UNDO_IMPOSSIBLE, `fs cannot undo a \`${plan.kind}\` plan`);
  }
  const data = parseSnapshotData(plan);
  if (data.path !== request.resource) {
    throw new KernelError(
      ERROR_CODES.UNDO_IMPOSSIBLE,
      `snapshot plan is for another path than \`${request.resource}\``,
    );
  }
  if (!data.existed) {
    // WHY: deleting nothing changed nothing; removing a file created since would destroy new data.
    if (request.action === 'fs.delete') return;
    const path = await fileOrAbsent(context, request.resource);
    if (path.kind === 'file') await removeFile(path.real);
    return;
  }
  const bytes = await snapshotBytes(context.snapshotDir, request.intentId, data);
  await replaceFile(context, request.resource, bytes, () => undefined);
}

async function discard(context: Context, request: EffectRequest): Promise<void> {
  if (ACTIONS[actionOf(request)] === 'read') return;
  await removeSnapshot(context.snapshotDir, request.intentId);
}
