// Stages 2-7 of the commit pipeline (§13.2) for an intent already journaled (stage 1): lock and
// optimistic-concurrency check, snapshot, execute, journal the result, publish, complete. The same
// code completes intents a crash interrupted (§14.2), so there is one path to the world.

import type { Connector, EffectRequest, UndoPlan } from '../../connectors/port.ts';
import { canonicalJson, ERROR_CODES, hashHex, isKernelError, type JsonValue } from '../../shared/index.ts';
import type { JsonObject } from '../intent.ts';
import type { CommitLayer, CommitStage } from './commit-layer.ts';
import { INTENT_RECORDS as R, type Tracked } from './intent-index.ts';

export type StageHooks = {
  readonly fault: (stage: CommitStage, intentId: string) => void;
  readonly publish: (tracked: Tracked) => void;
};

/** A result larger than this is journaled as its size and hash only; the caller still gets it whole. */
export const JOURNALED_RESULT_BYTES_MAX = 64 * 1024;
/** After aborting a late effect, how long to wait for it to stop before rolling back. */
const ABORT_GRACE_MS = 1000;

/** Runs the remaining stages; resolves to the full result when the intent committed. */
export async function runStages(
  layer: CommitLayer,
  tracked: Tracked,
  hooks: StageHooks,
): Promise<JsonValue | undefined> {
  const connector = layer.connectors.for(tracked.action);
  if (connector === undefined) {
    await failed(layer, tracked, ERROR_CODES.CONNECTOR_MISSING, `no connector handles \`${tracked.action}\``);
    return undefined;
  }
  const request = layer.request(tracked);
  // Observation path (§13): reads are journaled but take no lock and need no snapshot.
  if (tracked.sideEffect === 'read')
    return execute(layer, connector, tracked, request, { kind: 'none' }, hooks);
  const lock = await layer.locks.acquire(tracked.resource, layer.lockTimeoutMs);
  if (!lock.ok) {
    await flagAbuse(layer, tracked);
    await failed(layer, tracked, lock.error.code, lock.error.message);
    return undefined;
  }
  try {
    hooks.fault('locked', tracked.intentId);
    if (tracked.state === 'executing')
      return await resumeExecuting(layer, connector, tracked, request, hooks);
    const plan = await prepare(layer, connector, tracked, request);
    if (plan === undefined) return undefined;
    hooks.fault('prepared', tracked.intentId);
    await layer.record(R.executing, { intentId: tracked.intentId, plan: plan as JsonObject });
    hooks.fault('executing', tracked.intentId);
    return await execute(layer, connector, tracked, request, plan, hooks);
  } finally {
    lock.value();
  }
}

/** Stage 2's concurrency check and stage 3's snapshot; undefined when the intent stops here. */
async function prepare(
  layer: CommitLayer,
  connector: Connector,
  tracked: Tracked,
  request: EffectRequest,
): Promise<UndoPlan | undefined> {
  if (tracked.stateHash !== null) {
    const current = await connector.stateHash(tracked.resource);
    if (current !== tracked.stateHash) {
      await flagAbuse(layer, tracked);
      await layer.record(R.conflict, {
        intentId: tracked.intentId,
        code: ERROR_CODES.CONCURRENCY_CONFLICT,
        message: `\`${tracked.resource}\` changed since it was read; read it again and resubmit`,
        expected: tracked.stateHash,
        actual: current,
      });
      return undefined;
    }
  }
  let plan: UndoPlan;
  try {
    plan = await connector.prepare(request);
  } catch (error) {
    await failed(layer, tracked, ERROR_CODES.SNAPSHOT_FAILED, messageOf(error));
    return undefined;
  }
  // INVARIANT: a destructive effect never runs without something to restore (MR-5, DR-C5).
  if (tracked.sideEffect === 'destructive' && plan.kind !== 'snapshot' && plan.kind !== 'compensation') {
    await connector.discard(request, plan).catch(() => undefined);
    const message = `\`${tracked.action}\` is destructive and its connector gave no snapshot (MR-5)`;
    await failed(layer, tracked, ERROR_CODES.COMMIT_REFUSED, message);
    return undefined;
  }
  return plan;
}

/** Stage 4 under the lock timeout, then stages 5-7; a failed or late effect is rolled back. */
async function execute(
  layer: CommitLayer,
  connector: Connector,
  tracked: Tracked,
  request: EffectRequest,
  plan: UndoPlan,
  hooks: StageHooks,
): Promise<JsonValue | undefined> {
  const controller = new AbortController();
  const running = connector.execute(request, { signal: controller.signal });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), layer.lockTimeoutMs);
  });
  let result: JsonValue;
  try {
    const outcome = await Promise.race([running, late]);
    if (outcome === 'late') {
      controller.abort();
      // WHY: let an effect that ignores the signal finish before the snapshot goes back over it.
      await Promise.race([running.catch(() => undefined), delay(ABORT_GRACE_MS)]);
      throw Object.assign(new Error(`the effect took longer than ${layer.lockTimeoutMs} ms`), {
        code: ERROR_CODES.LOCK_TIMEOUT,
      });
    }
    result = outcome;
  } catch (error) {
    await rollback(layer, connector, tracked, request, plan, error);
    return undefined;
  } finally {
    clearTimeout(timer);
  }
  hooks.fault('executed', tracked.intentId);
  await committed(layer, connector, tracked, plan, result);
  hooks.fault('committed', tracked.intentId);
  hooks.publish(tracked);
  return result;
}

async function committed(
  layer: CommitLayer,
  connector: Connector,
  tracked: Tracked,
  plan: UndoPlan,
  result: JsonValue,
): Promise<void> {
  const undoable = plan.kind === 'snapshot' || plan.kind === 'compensation';
  const afterHash = plan.kind === 'snapshot' ? await connector.stateHash(tracked.resource) : null;
  await layer.record(R.committed, {
    intentId: tracked.intentId,
    result: journaled(result),
    undoUntilMs: undoable ? layer.clock.wallMs() + tracked.holdMs : null,
    afterHash,
  });
}

async function rollback(
  layer: CommitLayer,
  connector: Connector,
  tracked: Tracked,
  request: EffectRequest,
  plan: UndoPlan,
  error: unknown,
): Promise<void> {
  let rolledBack = plan.kind === 'none';
  if (plan.kind === 'snapshot') {
    try {
      await connector.undo(request, plan, undefined);
      await connector.discard(request, plan);
      rolledBack = true;
    } catch {
      rolledBack = false;
    }
  }
  const code = codeOf(error);
  // WHY: DR-C3 counts lock cycles the agent wasted (held past the timeout, or a stale stateHash);
  // an effect that failed on its own side (a server down, a remote error) is not the agent's abuse.
  if (tracked.sideEffect !== 'read' && code === ERROR_CODES.LOCK_TIMEOUT) await flagAbuse(layer, tracked);
  await failed(layer, tracked, code, messageOf(error), { rolledBack });
}

/** Recovery of an intent that was executing when the process died: probe, then finish or roll back. */
async function resumeExecuting(
  layer: CommitLayer,
  connector: Connector,
  tracked: Tracked,
  request: EffectRequest,
  hooks: StageHooks,
): Promise<JsonValue | undefined> {
  const plan = tracked.plan ?? { kind: 'none' };
  const probe = await connector.probe(request);
  if (probe === 'applied') {
    const result = { recovered: true };
    await committed(layer, connector, tracked, plan, result);
    hooks.publish(tracked);
    return result;
  }
  if (probe === 'unknown') {
    // WHY: at most once. An effect whose outcome cannot be read back is not run a second time.
    const message =
      'the process stopped while the effect ran and its outcome cannot be read back; not run again';
    await failed(layer, tracked, ERROR_CODES.CONNECTOR_FAILED, message, { needsReview: true });
    return undefined;
  }
  // Not applied: clear anything partial, then run it (it was cleared before the crash).
  if (plan.kind === 'snapshot') await connector.undo(request, plan, undefined);
  return execute(layer, connector, tracked, request, plan, hooks);
}

async function failed(
  layer: CommitLayer,
  tracked: Tracked,
  code: string,
  message: string,
  extra: JsonObject = {},
): Promise<void> {
  await layer.record(R.failed, { intentId: tracked.intentId, code, message, ...extra });
}

/** Counts a failed lock cycle (DR-C3) and journals a flag or a pause when it amounts to one. */
async function flagAbuse(layer: CommitLayer, tracked: Tracked): Promise<void> {
  const verdict = layer.abuse.failed(tracked.agent, tracked.resource);
  if (verdict === 'ok') return;
  await layer.record(verdict === 'paused' ? 'agent.paused' : 'agent.flagged', {
    agent: tracked.agent,
    resource: tracked.resource,
    reason: 'repeated failed lock cycles on one resource (DR-C3)',
  });
}

function journaled(result: JsonValue): JsonValue {
  // WHY: the journal serialises the record anyway; measuring with the native serialiser (same
  // length as the canonical form, keys aside) keeps a second canonical pass off every commit.
  if (JSON.stringify(result).length <= JOURNALED_RESULT_BYTES_MAX) return result;
  const text = canonicalJson(result);
  return { truncated: true, bytes: text.length, hash: hashHex(text) };
}

function codeOf(error: unknown): string {
  if (isKernelError(error)) return error.code;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && code in ERROR_CODES ? code : ERROR_CODES.CONNECTOR_FAILED;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
