// Two ledgers on one storage: every update is a compare-and-set on the stored version with retry,
// so concurrent records, vouches and slashes never lose one another (memory and SQLite).

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ERROR_CODES, isKernelError, unwrap } from '../shared/index.ts';
import { MemoryStorage, openSqliteStorage } from '../storage/index.ts';
import type { Storage } from '../storage/port.ts';
import { FakeClock } from '../testing/fake-clock.ts';
import { casUpdate } from './cas.ts';
import { UPDATE_ATTEMPTS_MAX } from './params.ts';
import { applyEvent, freshRecord } from './score.ts';
import { earn, harness, inAnHour, testSigner } from './test-harness.ts';

const UPDATES = 10;

async function concurrentRecords(firstStorage: Storage, secondStorage: Storage): Promise<void> {
  let conflicts = 0;
  const counting = (storage: Storage) =>
    withPut(storage, async (...args) => {
      try {
        return await storage.put(...args);
      } catch (error) {
        if (isKernelError(error) && error.code === ERROR_CODES.STORAGE_CONFLICT) conflicts++;
        throw error;
      }
    });
  const first = counting(firstStorage);
  const second = counting(secondStorage);
  const clock = new FakeClock();
  const signer = testSigner();
  const one = harness(first, clock, signer).ledger;
  const two = harness(second, clock, signer).ledger;
  const runs = [];
  for (let i = 0; i < UPDATES; i++) {
    runs.push(
      one.record({ agent: 'a', kind: 'clean-commit' }),
      two.record({ agent: 'a', kind: 'clean-commit' }),
    );
  }
  for (const result of await Promise.all(runs)) assert.ok(result.ok);
  const history = unwrap(await one.history('a'));
  assert.equal(history.counts.cleanCommits, 2 * UPDATES, 'no update lost');
  assert.ok(conflicts > 0, 'the updates really raced');
  let expected = freshRecord('a', clock.wallMs());
  for (let i = 0; i < 2 * UPDATES; i++)
    expected = applyEvent(expected, { agent: 'a', kind: 'clean-commit' }, clock.wallMs());
  assert.ok(Math.abs(history.score - expected.score) < 1e-12);
}

test('issue 5 trust: two ledgers on one memory storage lose no update (ExpectedVersion + retry)', async () => {
  const storage = new MemoryStorage();
  await concurrentRecords(storage, storage);
});

test('issue 5 trust: two ledgers on two SQLite connections to one file lose no update', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'maos-trust-cc-'));
  try {
    const path = join(dir, 'trust.db');
    const first = await openSqliteStorage(path);
    const second = await openSqliteStorage(path);
    await concurrentRecords(first, second);
    await first.close();
    await second.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('issue 5 trust: concurrent vouches on two ledgers respect the 80 % cap together', async () => {
  const storage = new MemoryStorage();
  const clock = new FakeClock();
  const signer = testSigner();
  const one = harness(storage, clock, signer).ledger;
  const two = harness(storage, clock, signer).ledger;
  await earn(one, 'v', 0.8);
  const request = (ledger: typeof one, vouchee: string) =>
    ledger.vouch({ voucher: 'v', vouchee, session: 's', subject: 't', expiresAtMs: inAnHour(clock) });
  const outcomes = await Promise.all(
    ['a', 'b', 'c', 'd', 'e', 'f'].map((x, i) => request(i % 2 ? one : two, x)),
  );
  const granted = outcomes.filter((o) => o.ok && o.value.granted).length;
  assert.equal(granted, 4, 'exactly four 20 % bonds fit under 80 %, whichever ledger wrote them');
});

test('issue 5 trust: an update that keeps losing the race gives up with STORAGE_CONFLICT', async () => {
  const storage = new MemoryStorage();
  let attempts = 0;
  // A rival that always writes first: every compare-and-set of ours meets a newer version.
  const rivalled = withPut(storage, async (...args) => {
    attempts++;
    await storage.put('trust', 'k', `rival ${attempts}`);
    return storage.put(...args);
  });
  const result = await casUpdate(rivalled, 'k', () => ({
    ok: true,
    value: { text: 'mine', out: undefined },
  }));
  assert.equal(result.ok ? 'ok' : result.error.code, ERROR_CODES.STORAGE_CONFLICT);
  assert.equal(attempts, UPDATE_ATTEMPTS_MAX);
});

/** The storage with `put` replaced (every other method delegates to the real adapter). */
function withPut(storage: Storage, put: Storage['put']): Storage {
  return new Proxy(storage, {
    get(target, property) {
      if (property === 'put') return put;
      const value: unknown = Reflect.get(target, property);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
