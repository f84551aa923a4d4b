// Recovery at start (§14.2): rebuild the index from the journal, then settle every intent a crash
// interrupted — `written` ones run (idempotently), `executing` ones are probed and completed or
// rolled back, `committed` ones are done. The kernel stays in RECOVERY-HOLD until this ends.

import type { JsonObject } from '../intent.ts';
import type { CommitLayer } from './commit-layer.ts';
import { INTENT_RECORDS as R, type Tracked } from './intent-index.ts';
import { releaseExpired } from './rollback-zone.ts';

export type RecoveryReport = {
  readonly records: number;
  readonly resumed: number;
  readonly refused: number;
  readonly expiredApprovals: number;
  readonly released: number;
};

/** Reads the whole journal into the index (call once, on a fresh commit layer). */
export async function loadIndex(layer: CommitLayer): Promise<number> {
  let records = 0;
  for await (const entry of layer.journal.entries()) {
    layer.index.apply(entry);
    records++;
  }
  return records;
}

export async function recover(layer: CommitLayer): Promise<RecoveryReport> {
  layer.kernel.enterMode('recovery-hold');
  const records = await loadIndex(layer);
  const unfinished: Tracked[] = [];
  const expired: Tracked[] = [];
  const now = layer.clock.wallMs();
  for (const tracked of layer.index.all()) {
    if (tracked.state === 'written' || tracked.state === 'executing') unfinished.push(tracked);
    if (tracked.state === 'held' && tracked.heldUntilMs !== undefined && now > tracked.heldUntilMs) {
      expired.push(tracked);
    }
  }
  unfinished.sort((a, b) => (a.seqs[0] ?? 0) - (b.seqs[0] ?? 0));
  let refused = 0;
  for (const tracked of unfinished) {
    const revoked = tracked.tokenChain.find((jti) => layer.kernel.revocations.isRevoked(jti));
    if (revoked !== undefined && tracked.state === 'written') {
      refused++;
      await layer.record(R.failed, {
        intentId: tracked.intentId,
        code: 'TOKEN_REVOKED',
        message: `token \`${revoked}\` was revoked before the interrupted intent could run`,
      });
      continue;
    }
    await layer.resume(tracked);
  }
  for (const tracked of expired) await expireHeld(layer, tracked);
  const released = await releaseExpired(layer);
  const report = {
    records,
    resumed: unfinished.length - refused,
    refused,
    expiredApprovals: expired.length,
    released,
  };
  await layer.record('recovery.finished', report as unknown as JsonObject);
  return report;
}

export async function expireHeld(layer: CommitLayer, tracked: Tracked): Promise<void> {
  await layer.record(R.rejected, {
    intentId: tracked.intentId,
    code: 'APPROVAL_EXPIRED',
    message: 'no human decided before the approval expired',
  });
  await layer.heldTokens()?.delete(tracked.intentId);
}
