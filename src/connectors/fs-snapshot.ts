// The fs connector's rollback zone (MR-5, §35): per intent, `<intentId>.bin` holds the prior bytes
// and `<intentId>.json` the undo plan. The plan file is written last, so its presence means done.

import { join } from 'node:path';
import { ERROR_CODES, hashHex, type JsonValue, KernelError, parseJsonStrict } from '../shared/index.ts';
import {
  FS_FILE_BYTES_MAX,
  makeDirectories,
  readFileBounded,
  removeFile,
  writeFileAtomic,
} from './fs-file.ts';
import type { EffectRequest, UndoPlan } from './port.ts';

/** What a snapshot plan records: the virtual path, whether a file was there, and its sha256 or `absent`. */
export type SnapshotData = { readonly path: string; readonly existed: boolean; readonly hash: string };

// WHY: the intent id becomes a file name; anything beyond this alphabet could traverse or collide.
const INTENT_ID = /^[A-Za-z0-9_-]{1,128}$/;
const PLAN_BYTES_MAX = 64 * 1024;

function files(dir: string, intentId: string): { readonly bin: string; readonly json: string } {
  if (!INTENT_ID.test(intentId)) {
    throw new KernelError(
      ERROR_CODES.INVALID_INPUT,
      `intent id \`${intentId.slice(0, 64)}\` is not a safe file name`,
    );
  }
  return { bin: join(dir, `${intentId}.bin`), json: join(dir, `${intentId}.json`) };
}

function snapshotFailed(message: string): KernelError {
  return new KernelError(ERROR_CODES.SNAPSHOT_FAILED, message);
}

/** The plan recorded by an earlier `prepare` of this intent, or undefined when there is none. */
export async function loadPlan(dir: string, request: EffectRequest): Promise<UndoPlan | undefined> {
  const { json } = files(dir, request.intentId);
  const bytes = await readFileBounded(
    json,
    PLAN_BYTES_MAX,
    `snapshot plan of intent \`${request.intentId}\``,
  );
  if (bytes === undefined) return undefined;
  const parsed = parseJsonStrict(bytes, { bytesMax: PLAN_BYTES_MAX, depthMax: 8 });
  if (!parsed.ok) throw snapshotFailed(`snapshot plan of intent \`${request.intentId}\` is corrupt`);
  const record = parsed.value;
  if (record === null || typeof record !== 'object' || Array.isArray(record)) {
    throw snapshotFailed(`snapshot plan of intent \`${request.intentId}\` is corrupt`);
  }
  if (record.resource !== request.resource) {
    throw snapshotFailed(`intent \`${request.intentId}\` was prepared for another resource`);
  }
  const plan = { kind: 'snapshot', data: record.data ?? null } as const;
  parseSnapshotData(plan);
  return plan;
}

/**
 * Records the prior state durably: the bytes first (when the file existed), then the plan. Returns
 * the plan. Callers check `loadPlan` first so a second `prepare` never snapshots changed state.
 */
export async function savePlan(
  dir: string,
  request: EffectRequest,
  prior: Buffer | undefined,
): Promise<UndoPlan> {
  const { bin, json } = files(dir, request.intentId);
  await makeDirectories(dir, 0o700);
  if (prior !== undefined) await writeFileAtomic(bin, prior, { mode: 0o600 });
  const data: SnapshotData = {
    path: request.resource,
    existed: prior !== undefined,
    hash: prior === undefined ? 'absent' : hashHex(prior),
  };
  const record = { intentId: request.intentId, resource: request.resource, data };
  await writeFileAtomic(json, Buffer.from(JSON.stringify(record), 'utf8'), { mode: 0o600 });
  return { kind: 'snapshot', data };
}

/** Reads a plan's `data` back; a plan this connector did not write cannot be undone. */
export function parseSnapshotData(plan: UndoPlan): SnapshotData {
  const data: JsonValue | undefined = plan.data;
  if (
    data === null ||
    typeof data !== 'object' ||
    Array.isArray(data) ||
    typeof data.path !== 'string' ||
    typeof data.existed !== 'boolean' ||
    typeof data.hash !== 'string'
  ) {
    throw new KernelError(ERROR_CODES.UNDO_IMPOSSIBLE, 'snapshot plan is malformed');
  }
  return { path: data.path, existed: data.existed, hash: data.hash };
}

/** The prior bytes of a snapshot, checked against the recorded hash. */
export async function snapshotBytes(dir: string, intentId: string, data: SnapshotData): Promise<Buffer> {
  const { bin } = files(dir, intentId);
  const bytes = await readFileBounded(bin, FS_FILE_BYTES_MAX, `snapshot of intent \`${intentId}\``);
  if (bytes === undefined) {
    throw new KernelError(ERROR_CODES.UNDO_EXPIRED, `snapshot of intent \`${intentId}\` was discarded`);
  }
  if (hashHex(bytes) !== data.hash) {
    throw new KernelError(ERROR_CODES.UNDO_IMPOSSIBLE, `snapshot of intent \`${intentId}\` is corrupt`);
  }
  return bytes;
}

/** Deletes a snapshot's files, bytes first so no orphaned copy of old data outlives its plan. */
export async function removeSnapshot(dir: string, intentId: string): Promise<void> {
  const { bin, json } = files(dir, intentId);
  await removeFile(bin);
  await removeFile(json);
}
