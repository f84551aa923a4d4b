import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ImmuneEvent } from '../immune/index.ts';
import type { JsonValue } from '../shared/index.ts';
import { immuneJournal } from './immune-journal.ts';

function anomaly(counted: boolean): ImmuneEvent {
  return {
    type: 'immune.anomaly',
    agent: 'a',
    kind: 'gateway-blocked',
    source: 'sentry',
    weight: counted ? 6 : 0,
    counted,
    score: 6,
    atMs: 0,
  };
}

test('DR-M5: anomalies past the cap are counted into the next record, not journaled one by one', async () => {
  const records: Array<{ type: string; data: { readonly [key: string]: JsonValue } }> = [];
  const journal = immuneJournal(async (type, data) => {
    records.push({ type, data });
    return records.length;
  });
  journal(anomaly(true));
  for (let i = 0; i < 1_000; i++) journal(anomaly(false));
  journal({
    type: 'immune.stage',
    agent: 'a',
    from: 1,
    to: 2,
    fromName: 'observation',
    toName: 'soft-isolation',
    reason: 'x',
    by: 'immune',
    atMs: 0,
  } as unknown as ImmuneEvent);
  await Promise.resolve();
  assert.equal(records.length, 2);
  assert.equal(records[1]?.data.uncountedAnomaliesBefore, 1_000);
  assert.equal(records[0]?.data.uncountedAnomaliesBefore, undefined);
});

test('a failing journal append does not throw into the immune system', async () => {
  const journal = immuneJournal(async () => {
    throw new Error('disk full');
  });
  assert.doesNotThrow(() => journal(anomaly(true)));
  await new Promise((resolve) => setImmediate(resolve));
});
