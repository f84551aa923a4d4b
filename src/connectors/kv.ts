// The key-value connector: JSON values in a Storage namespace, keyed by the resource string. Only
// the commit layer calls it; `prepare` keeps the prior value under `kv-undo` so undo can restore it.

import type { SideEffectClass } from '../kernel/side-effect.ts';
import {
  canonicalJson,
  ERROR_CODES,
  hashHex,
  type JsonValue,
  KernelError,
  parseJsonStrict,
} from '../shared/index.ts';
import type { Storage } from '../storage/port.ts';
import type { Connector, EffectRequest, ProbeResult, UndoPlan } from './port.ts';

/** Namespace of the values, and of the prior values kept per intent for undo. */
export const KV_NAMESPACE = 'kv';
export const KV_UNDO_NAMESPACE = 'kv-undo';
/** Largest stored record (the value with its intent id), in UTF-8 bytes. */
export const KV_VALUE_BYTES_MAX = 1024 * 1024;

const ACTIONS = {
  'kv.get': 'read',
  'kv.put': 'write',
  'kv.delete': 'destructive',
} as const satisfies Readonly<Record<string, SideEffectClass>>;

type KvAction = keyof typeof ACTIONS;
type Args = EffectRequest['args'];
/** What `prepare` keeps under `kv-undo`: the key and its exact stored string, or null when absent. */
type UndoRecord = { readonly key: string; readonly prior: string | null };

/**
 * A connector over `storage`. Each stored value is the JSON `{"value": …, "intent": …}`, so `probe`
 * can tell whether this exact intent's write is the one stored.
 */
export function createKvConnector(storage: Storage): Connector {
  return {
    name: 'kv',
    actions: ACTIONS,
    stateHash: (resource) => stateHash(storage, resource),
    prepare: (request) => prepare(storage, request),
    execute: (request, { signal }) => execute(storage, request, signal),
    probe: (request) => probe(storage, request),
    undo: (request, plan) => undo(storage, request, plan),
    discard: (request) => discard(storage, request),
  };
}

function invalid(message: string): KernelError {
  return new KernelError(ERROR_CODES.INVALID_INPUT, message);
}

function actionOf(request: EffectRequest): KvAction {
  if (!Object.hasOwn(ACTIONS, request.action))
    throw invalid(`kv connector has no action \`${request.action}\``);
  return request.action as KvAction;
}

function onlyKeys(action: string, args: Args, allowed: readonly string[]): void {
  for (const key of Object.keys(args)) {
    if (!allowed.includes(key)) throw invalid(`\`${action}\` does not take argument \`${key}\``);
  }
}

/** The JSON object `text` holds, or undefined when it is not one (a value written by someone else). */
function parseObject(text: string): { readonly [key: string]: JsonValue } | undefined {
  const parsed = parseJsonStrict(text, { bytesMax: KV_VALUE_BYTES_MAX * 2 + 1024, depthMax: 256 });
  if (
    !parsed.ok ||
    parsed.value === null ||
    typeof parsed.value !== 'object' ||
    Array.isArray(parsed.value)
  ) {
    return undefined;
  }
  return parsed.value;
}

async function stateHash(storage: Storage, resource: string): Promise<string> {
  const stored = await storage.get(KV_NAMESPACE, resource);
  return stored === undefined ? 'absent' : hashHex(stored.value);
}

async function prepare(storage: Storage, request: EffectRequest): Promise<UndoPlan> {
  if (ACTIONS[actionOf(request)] === 'read') return { kind: 'none' };
  const plan: UndoPlan = { kind: 'snapshot', data: { key: request.resource } };
  // INVARIANT: a second prepare of the same intent keeps the first snapshot, never a fresh one.
  if ((await undoRecord(storage, request)) !== undefined) return plan;
  const prior = await storage.get(KV_NAMESPACE, request.resource);
  const record: UndoRecord = { key: request.resource, prior: prior?.value ?? null };
  try {
    await storage.put(KV_UNDO_NAMESPACE, request.intentId, JSON.stringify(record), 0);
  } catch (error) {
    // WHY: a concurrent prepare of the same intent won the race; its snapshot is the first one.
    if (!(error instanceof KernelError && error.code === 'STORAGE_CONFLICT')) throw error;
    await undoRecord(storage, request);
  }
  return plan;
}

/** The prior value kept for this intent, checked to be for the request's key. */
async function undoRecord(storage: Storage, request: EffectRequest): Promise<UndoRecord | undefined> {
  const stored = await storage.get(KV_UNDO_NAMESPACE, request.intentId);
  if (stored === undefined) return undefined;
  const record = parseObject(stored.value);
  const prior = record?.prior;
  if (
    record === undefined ||
    typeof record.key !== 'string' ||
    (typeof prior !== 'string' && prior !== null)
  ) {
    throw new KernelError(
      ERROR_CODES.SNAPSHOT_FAILED,
      `snapshot of intent \`${request.intentId}\` is corrupt`,
    );
  }
  if (record.key !== request.resource) {
    throw new KernelError(
      ERROR_CODES.SNAPSHOT_FAILED,
      `snapshot of intent \`${request.intentId}\` is for another key than \`${request.resource}\``,
    );
  }
  return { key: record.key, prior };
}

async function execute(storage: Storage, request: EffectRequest, signal: AbortSignal): Promise<JsonValue> {
  const action = actionOf(request);
  if (signal.aborted) {
    throw new KernelError(
      ERROR_CODES.CONNECTOR_FAILED,
      `\`${action}\` on \`${request.resource}\` was aborted before it changed anything`,
      { aborted: true },
    );
  }
  switch (action) {
    case 'kv.get':
      return get(storage, request);
    case 'kv.put':
      return put(storage, request);
    case 'kv.delete': {
      onlyKeys(action, request.args, []);
      return { deleted: await storage.delete(KV_NAMESPACE, request.resource) };
    }
  }
}

async function get(storage: Storage, request: EffectRequest): Promise<JsonValue> {
  onlyKeys('kv.get', request.args, []);
  const stored = await storage.get(KV_NAMESPACE, request.resource);
  if (stored === undefined) return { found: false, hash: 'absent' };
  const record = parseObject(stored.value);
  if (record === undefined || !Object.hasOwn(record, 'value')) {
    throw new KernelError(ERROR_CODES.CONNECTOR_FAILED, `stored value of \`${request.resource}\` is corrupt`);
  }
  return { found: true, value: record.value ?? null, hash: hashHex(stored.value) };
}

/** The exact string `kv.put` stores for this request. */
function storedString(request: EffectRequest): string {
  onlyKeys('kv.put', request.args, ['value']);
  if (!Object.hasOwn(request.args, 'value')) throw invalid('`kv.put` needs a `value`');
  const text = canonicalJson({ value: request.args.value ?? null, intent: request.intentId });
  if (Buffer.byteLength(text, 'utf8') > KV_VALUE_BYTES_MAX) {
    throw new KernelError(
      ERROR_CODES.OVERSIZED_INPUT,
      `\`kv.put\` value is over ${KV_VALUE_BYTES_MAX} bytes`,
    );
  }
  return text;
}

async function put(storage: Storage, request: EffectRequest): Promise<JsonValue> {
  const text = storedString(request);
  const version = await storage.put(KV_NAMESPACE, request.resource, text);
  return { version, hash: hashHex(text) };
}

async function probe(storage: Storage, request: EffectRequest): Promise<ProbeResult> {
  const action = actionOf(request);
  if (action === 'kv.get') return 'not-applied';
  const stored = await storage.get(KV_NAMESPACE, request.resource);
  if (action === 'kv.delete') return stored === undefined ? 'applied' : 'not-applied';
  if (stored === undefined) return 'not-applied';
  return parseObject(stored.value)?.intent === request.intentId ? 'applied' : 'not-applied';
}

async function undo(storage: Storage, request: EffectRequest, plan: UndoPlan): Promise<void> {
  if (ACTIONS[actionOf(request)] === 'read' || plan.kind === 'none') return;
  if (plan.kind !== 'snapshot') {
    throw new KernelError(ERROR_CODES.UNDO_IMPOSSIBLE, `kv cannot undo a \`${plan.kind}\` plan`);
  }
  const data = plan.data;
  const key = data !== null && typeof data === 'object' && !Array.isArray(data) ? data.key : undefined;
  if (key !== request.resource) {
    throw new KernelError(
      ERROR_CODES.UNDO_IMPOSSIBLE,
      `snapshot plan is for another key than \`${request.resource}\``,
    );
  }
  const record = await undoRecord(storage, request);
  if (record === undefined) {
    throw new KernelError(ERROR_CODES.UNDO_EXPIRED, `snapshot of intent \`${request.intentId}\` is gone`);
  }
  if (record.prior === null) await storage.delete(KV_NAMESPACE, record.key);
  else await storage.put(KV_NAMESPACE, record.key, record.prior);
}

async function discard(storage: Storage, request: EffectRequest): Promise<void> {
  if (ACTIONS[actionOf(request)] === 'read') return;
  await storage.delete(KV_UNDO_NAMESPACE, request.intentId);
}
