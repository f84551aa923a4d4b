// The rollback zone (§35): a committed effect with a snapshot or a compensation can be undone until
// its hold period ends; then the snapshot is released. Undo refuses when the resource changed since.

import { ERROR_CODES, fail, type KernelError, ok, type Result } from '../../shared/index.ts';
import type { CommitLayer } from './commit-layer.ts';
import { INTENT_RECORDS as R, type Tracked } from './intent-index.ts';

export async function undoIntent(
  layer: CommitLayer,
  intentId: string,
  by: string,
): Promise<Result<Tracked, KernelError>> {
  const tracked = layer.index.get(intentId);
  if (tracked === undefined) return fail(ERROR_CODES.INTENT_NOT_FOUND, `no intent \`${intentId}\``);
  const problem = undoProblem(layer, tracked);
  if (problem !== undefined) return problem;
  const connector = layer.connectors.for(tracked.action);
  const plan = tracked.plan;
  if (connector === undefined || plan === undefined) {
    return fail(ERROR_CODES.UNDO_IMPOSSIBLE, `no connector can undo \`${tracked.action}\``);
  }
  const lock = await layer.locks.acquire(tracked.resource, layer.lockTimeoutMs);
  if (!lock.ok) return lock;
  try {
    if (tracked.afterHash !== undefined) {
      const current = await connector.stateHash(tracked.resource);
      if (current !== tracked.afterHash) {
        return fail(
          ERROR_CODES.CONCURRENCY_CONFLICT,
          `\`${tracked.resource}\` changed after intent \`${intentId}\`; undo would overwrite that change`,
        );
      }
    }
    const request = layer.request(tracked);
    try {
      await connector.undo(request, plan, tracked.result);
    } catch (error) {
      return fail(ERROR_CODES.CONNECTOR_FAILED, `undo failed: ${(error as Error).message}`);
    }
    await layer.record(R.undone, { intentId, by });
    await connector.discard(request, plan).catch(() => undefined);
    await layer.record(R.released, { intentId, reason: 'undone' });
    return ok(tracked);
  } finally {
    lock.value();
  }
}

function undoProblem(layer: CommitLayer, tracked: Tracked): Result<never, KernelError> | undefined {
  const mode = layer.kernel.mode;
  if (mode === 'emergency' || mode === 'commit-freeze') {
    return fail(ERROR_CODES.COMMIT_FROZEN, `the kernel is in ${mode} mode: nothing changes the world`);
  }
  if (tracked.state === 'undone') return fail(ERROR_CODES.UNDO_IMPOSSIBLE, 'the intent was already undone');
  if (tracked.state !== 'committed') {
    return fail(ERROR_CODES.UNDO_IMPOSSIBLE, `the intent is ${tracked.state}, not committed`);
  }
  if (tracked.undoUntilMs === undefined || tracked.plan === undefined) {
    return fail(ERROR_CODES.UNDO_IMPOSSIBLE, `\`${tracked.action}\` kept no snapshot or compensation`);
  }
  if (tracked.released || layer.clock.wallMs() > tracked.undoUntilMs) {
    return fail(ERROR_CODES.UNDO_EXPIRED, 'the hold period of this intent is over');
  }
  return undefined;
}

/** Releases the snapshots of committed intents whose hold ended; returns how many. */
export async function releaseExpired(layer: CommitLayer): Promise<number> {
  const now = layer.clock.wallMs();
  const due: Tracked[] = [];
  for (const tracked of layer.index.all()) {
    if (tracked.state !== 'committed' || tracked.released || tracked.undoUntilMs === undefined) continue;
    if (now > tracked.undoUntilMs) due.push(tracked);
  }
  for (const tracked of due) {
    const connector = layer.connectors.for(tracked.action);
    if (connector !== undefined && tracked.plan !== undefined) {
      await connector.discard(layer.request(tracked), tracked.plan).catch(() => undefined);
    }
    await layer.record(R.released, { intentId: tracked.intentId, reason: 'hold period over' });
  }
  return due.length;
}
