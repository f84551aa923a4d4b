// The storage port's conformance suite (Hono's common.case pattern): every adapter's test file
// calls `storageConformance` with an opener, and must pass the same `node:test` cases.

import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { isKernelError } from '../shared/index.ts';
import type { JournalRow, Storage } from './port.ts';

type Open = () => Promise<Storage>;

// WHY: the prefix `verifies('INV-5')` would produce; src files other than tests may not import
// test/invariants.ts (tidy), so the adapters' test files cite INV-5 themselves as well.
const INV_5 = 'INV-5: ';
const BODY_64_KIB = `{"text":"${'é😀a'.repeat((64 * 1024) / 4)}"}`;

/**
 * Registers the suite under `describe(name)`. `open` must return a new, empty storage on every call
 * (each case closes its own); `cleanup` runs once after all cases (drop schemas, remove files).
 */
export function storageConformance(name: string, open: Open, cleanup?: () => Promise<void>): void {
  describe(`storage conformance: ${name}`, () => {
    if (cleanup !== undefined) after(cleanup);
    journalAppendCases(open);
    journalReadCases(open);
    kvCases(open);
    listCases(open);
    concurrencyCases(open);
    closeCases(open);
  });
}

/** Rows `from`..`from + count - 1` with bodies that differ per seq. */
export function journalRows(from: number, count: number): JournalRow[] {
  return Array.from({ length: count }, (_, i) => ({
    seq: from + i,
    hash: `h${String(from + i).padStart(63, '0')}`,
    body: `{"n":${from + i},"note":"row ${from + i}"}`,
  }));
}

async function withStorage(open: Open, work: (storage: Storage) => Promise<void>): Promise<void> {
  const storage = await open();
  try {
    await work(storage);
  } finally {
    await storage.close();
  }
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isKernelError(error), `expected a KernelError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return true;
  });
}

async function allRows(storage: Storage): Promise<JournalRow[]> {
  return storage.readJournal(0, Number.MAX_SAFE_INTEGER);
}

function journalAppendCases(open: Open): void {
  test('an empty journal has no head and no rows', () =>
    withStorage(open, async (storage) => {
      assert.equal(await storage.journalHead(), undefined);
      assert.deepEqual(await storage.readJournal(0, 10), []);
    }));

  test(`${INV_5}appended rows are read back in order and the head is the last one`, () =>
    withStorage(open, async (storage) => {
      const rows = journalRows(0, 3);
      await storage.appendJournal(rows.slice(0, 1));
      await storage.appendJournal(rows.slice(1));
      assert.deepEqual(await allRows(storage), rows);
      assert.deepEqual(await storage.journalHead(), rows[2]);
    }));

  test(`${INV_5}the first append must start at seq 0`, () =>
    withStorage(open, async (storage) => {
      await rejectsWith(storage.appendJournal(journalRows(1, 2)), 'STORAGE_CONFLICT');
      assert.equal(await storage.journalHead(), undefined);
    }));

  test(`${INV_5}a gap, an overlap or a rewrite is refused and writes nothing`, () =>
    withStorage(open, async (storage) => {
      const rows = journalRows(0, 3);
      await storage.appendJournal(rows);
      await rejectsWith(storage.appendJournal(journalRows(4, 2)), 'STORAGE_CONFLICT');
      await rejectsWith(storage.appendJournal(journalRows(2, 2)), 'STORAGE_CONFLICT');
      await rejectsWith(storage.appendJournal(journalRows(0, 1)), 'STORAGE_CONFLICT');
      const forged = { seq: 2, hash: 'forged', body: '{}' };
      await rejectsWith(storage.appendJournal([forged]), 'STORAGE_CONFLICT');
      assert.deepEqual(await allRows(storage), rows);
    }));

  test(`${INV_5}a non-consecutive batch is refused as a whole`, () =>
    withStorage(open, async (storage) => {
      await storage.appendJournal(journalRows(0, 2));
      const [a, b, c] = journalRows(2, 4);
      assert.ok(a !== undefined && b !== undefined && c !== undefined);
      await rejectsWith(storage.appendJournal([a, b, { ...c, seq: 5 }]), 'STORAGE_CONFLICT');
      await rejectsWith(storage.appendJournal([a, b, b]), 'STORAGE_CONFLICT');
      await rejectsWith(storage.appendJournal([b, a]), 'STORAGE_CONFLICT');
      assert.deepEqual(await allRows(storage), journalRows(0, 2));
      await storage.appendJournal([a, b]);
      assert.equal((await storage.journalHead())?.seq, 3);
    }));

  test('an empty batch is a no-op', () =>
    withStorage(open, async (storage) => {
      await storage.appendJournal([]);
      assert.equal(await storage.journalHead(), undefined);
      await storage.appendJournal(journalRows(0, 1));
      await storage.appendJournal([]);
      assert.deepEqual(await allRows(storage), journalRows(0, 1));
    }));

  test(`${INV_5}a row changed by the caller after append stays as appended`, () =>
    withStorage(open, async (storage) => {
      const row = { seq: 0, hash: 'h0', body: '{"a":1}' };
      await storage.appendJournal([row]);
      row.body = '{"a":2}';
      assert.deepEqual(await storage.readJournal(0, 1), [{ seq: 0, hash: 'h0', body: '{"a":1}' }]);
    }));
}

function journalReadCases(open: Open): void {
  test('readJournal honours fromSeq and limit', () =>
    withStorage(open, async (storage) => {
      const rows = journalRows(0, 10);
      await storage.appendJournal(rows);
      assert.deepEqual(await storage.readJournal(3, 4), rows.slice(3, 7));
      assert.deepEqual(await storage.readJournal(8, 100), rows.slice(8));
      assert.deepEqual(await storage.readJournal(9, 1), rows.slice(9));
      assert.deepEqual(await storage.readJournal(10, 5), []);
      assert.deepEqual(await storage.readJournal(1_000_000, 5), []);
      assert.deepEqual(await storage.readJournal(0, 0), []);
      assert.deepEqual(await storage.readJournal(0, -1), []);
      assert.deepEqual(await storage.readJournal(0, Number.NaN), []);
      assert.deepEqual(await storage.readJournal(2, 1.5), rows.slice(2, 3));
      assert.deepEqual(await storage.readJournal(-5, 2), rows.slice(0, 2));
    }));

  test(`${INV_5}a 5,000-row batch is appended at once and paged back in order`, () =>
    withStorage(open, async (storage) => {
      const rows = journalRows(0, 5_000);
      await storage.appendJournal(rows);
      const read: JournalRow[] = [];
      for (let from = 0; ; ) {
        const page = await storage.readJournal(from, 1_024);
        if (page.length === 0) break;
        read.push(...page);
        from = (page[page.length - 1]?.seq ?? from) + 1;
      }
      assert.equal(read.length, 5_000);
      assert.deepEqual(read, rows);
      assert.equal((await storage.journalHead())?.seq, 4_999);
    }));

  test(`${INV_5}bodies and hashes come back byte for byte`, () =>
    withStorage(open, async (storage) => {
      const bodies = [
        '{"s":"naïve café ☕ 😀 𝔘𝔫𝔦 עברית 中文 \\u0000 \\" \\\\"}',
        '{"combining":"e\u0301","zwj":"👩‍👩‍👧","bom":"\ufeff","nl":"a\\nb"}',
        BODY_64_KIB,
        '',
        ' {"spaces" : [ 1 , 2 ] } ',
      ];
      const rows = bodies.map((body, seq) => ({ seq, hash: `hash-${seq}-ÿ`, body }));
      await storage.appendJournal(rows);
      const read = await allRows(storage);
      assert.deepEqual(read, rows);
      for (const [i, row] of read.entries()) {
        assert.equal(Buffer.compare(Buffer.from(row.body), Buffer.from(bodies[i] ?? '')), 0);
      }
    }));
}

function kvCases(open: Open): void {
  test('put without an expected version creates and then bumps by one', () =>
    withStorage(open, async (storage) => {
      assert.equal(await storage.get('ns', 'k'), undefined);
      assert.equal(await storage.put('ns', 'k', 'a'), 1);
      assert.equal(await storage.put('ns', 'k', 'b'), 2);
      assert.equal(await storage.put('ns', 'k', 'c', undefined), 3);
      assert.deepEqual(await storage.get('ns', 'k'), { value: 'c', version: 3 });
    }));

  test('expected version 0 means the key must not exist', () =>
    withStorage(open, async (storage) => {
      assert.equal(await storage.put('ns', 'k', 'a', 0), 1);
      await rejectsWith(storage.put('ns', 'k', 'b', 0), 'STORAGE_CONFLICT');
      await rejectsWith(storage.delete('ns', 'k', 0), 'STORAGE_CONFLICT');
      assert.deepEqual(await storage.get('ns', 'k'), { value: 'a', version: 1 });
      assert.equal(await storage.delete('ns', 'absent', 0), false);
    }));

  test('expected version n must match, and a mismatch changes nothing', () =>
    withStorage(open, async (storage) => {
      await storage.put('ns', 'k', 'a');
      assert.equal(await storage.put('ns', 'k', 'b', 1), 2);
      await rejectsWith(storage.put('ns', 'k', 'c', 1), 'STORAGE_CONFLICT');
      await rejectsWith(storage.put('ns', 'k', 'c', 3), 'STORAGE_CONFLICT');
      await rejectsWith(storage.delete('ns', 'k', 1), 'STORAGE_CONFLICT');
      assert.deepEqual(await storage.get('ns', 'k'), { value: 'b', version: 2 });
      await rejectsWith(storage.put('ns', 'absent', 'x', 1), 'STORAGE_CONFLICT');
      await rejectsWith(storage.delete('ns', 'absent', 1), 'STORAGE_CONFLICT');
      assert.equal(await storage.get('ns', 'absent'), undefined);
      assert.equal(await storage.delete('ns', 'k', 2), true);
      assert.equal(await storage.get('ns', 'k'), undefined);
    }));

  test('delete reports whether a value was there; a new put after delete starts at version 1', () =>
    withStorage(open, async (storage) => {
      assert.equal(await storage.delete('ns', 'k'), false);
      await storage.put('ns', 'k', 'a');
      await storage.put('ns', 'k', 'b');
      assert.equal(await storage.delete('ns', 'k'), true);
      assert.equal(await storage.delete('ns', 'k'), false);
      assert.equal(await storage.get('ns', 'k'), undefined);
      assert.equal(await storage.put('ns', 'k', 'c', 0), 1);
    }));

  test('values and keys come back exactly, and namespaces are isolated', () =>
    withStorage(open, async (storage) => {
      const values = ['', 'plain', '😀 naïve \\ " \' %_', BODY_64_KIB];
      for (const [i, value] of values.entries()) await storage.put('ns', `k${i}/é😀`, value);
      for (const [i, value] of values.entries()) {
        assert.deepEqual(await storage.get('ns', `k${i}/é😀`), { value, version: 1 });
      }
      await storage.put('other', 'k0/é😀', 'elsewhere');
      assert.deepEqual(await storage.get('ns', 'k0/é😀'), { value: '', version: 1 });
      assert.equal(await storage.get('ns2', 'k0/é😀'), undefined);
      await storage.delete('other', 'k0/é😀');
      assert.deepEqual(await storage.get('ns', 'k0/é😀'), { value: '', version: 1 });
      assert.equal(await storage.journalHead(), undefined);
    }));
}

function listCases(open: Open): void {
  test('list returns the keys with a prefix in ascending order, up to the limit', () =>
    withStorage(open, async (storage) => {
      for (const key of ['b/2', 'a', 'b/1', 'b/10', 'b', 'c/1', 'b0'])
        await storage.put('ns', key, `v:${key}`);
      await storage.put('ns', 'b/1', 'again');
      await storage.put('other', 'b/3', 'x');
      const list = await storage.list('ns', 'b/', 10);
      assert.deepEqual(list, [
        { key: 'b/1', value: 'again', version: 2 },
        { key: 'b/10', value: 'v:b/10', version: 1 },
        { key: 'b/2', value: 'v:b/2', version: 1 },
      ]);
      assert.deepEqual(
        (await storage.list('ns', 'b/', 2)).map((entry) => entry.key),
        ['b/1', 'b/10'],
      );
      assert.deepEqual(
        (await storage.list('ns', '', 100)).map((entry) => entry.key),
        ['a', 'b', 'b/1', 'b/10', 'b/2', 'b0', 'c/1'],
      );
      assert.deepEqual(await storage.list('ns', 'b/', 0), []);
      assert.deepEqual(await storage.list('ns', 'b/', -1), []);
      assert.deepEqual(await storage.list('ns', 'zzz', 10), []);
      assert.deepEqual(await storage.list('empty', '', 10), []);
    }));

  test('list treats % and _ in a prefix as plain characters', () =>
    withStorage(open, async (storage) => {
      for (const key of ['100%', '100%a', '1000', '100x', 'a_b', 'a_c', 'axb', 'a\\b', 'a\\x']) {
        await storage.put('ns', key, key);
      }
      const keys = async (prefix: string) => (await storage.list('ns', prefix, 100)).map((e) => e.key);
      assert.deepEqual(await keys('100%'), ['100%', '100%a']);
      assert.deepEqual(await keys('a_'), ['a_b', 'a_c']);
      assert.deepEqual(await keys('a\\'), ['a\\b', 'a\\x']);
      assert.deepEqual(await keys('%'), []);
      assert.deepEqual(await keys('_'), []);
    }));

  test('list orders and matches non-ASCII keys by code point', () =>
    withStorage(open, async (storage) => {
      const all = ['p/z', 'p/é', 'p/\uffff', 'p/😀', 'p/😀x', 'p\u{10ffff}', 'q'];
      for (const key of [...all].reverse()) await storage.put('ns', key, key);
      const keys = async (prefix: string) => (await storage.list('ns', prefix, 100)).map((e) => e.key);
      assert.deepEqual(await keys(''), all);
      assert.deepEqual(await keys('p/'), ['p/z', 'p/é', 'p/\uffff', 'p/😀', 'p/😀x']);
      assert.deepEqual(await keys('p/😀'), ['p/😀', 'p/😀x']);
      assert.deepEqual(await keys('p\u{10ffff}'), ['p\u{10ffff}']);
    }));
}

function concurrencyCases(open: Open): void {
  test(`${INV_5}of two racing appends of the same seq exactly one wins`, () =>
    withStorage(open, async (storage) => {
      await storage.appendJournal(journalRows(0, 1));
      for (let round = 0; round < 10; round++) {
        const seq = 1 + round;
        const outcomes = await Promise.allSettled([
          storage.appendJournal([{ seq, hash: 'a', body: `{"writer":"a","round":${round}}` }]),
          storage.appendJournal([{ seq, hash: 'b', body: `{"writer":"b","round":${round}}` }]),
        ]);
        const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
        assert.equal(won.length, 1, `round ${round}`);
        for (const outcome of outcomes) {
          if (outcome.status === 'rejected')
            await rejectsWith(Promise.reject(outcome.reason), 'STORAGE_CONFLICT');
        }
      }
      const rows = await allRows(storage);
      assert.deepEqual(
        rows.map((row) => row.seq),
        Array.from({ length: 11 }, (_, i) => i),
      );
    }));

  test('of racing compare-and-set writes of one version exactly one wins', () =>
    withStorage(open, async (storage) => {
      await storage.put('ns', 'k', 'start');
      const outcomes = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => storage.put('ns', 'k', `w${i}`, 1)),
      );
      const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
      assert.equal(won.length, 1);
      assert.equal((await storage.get('ns', 'k'))?.version, 2);
      const versions = await Promise.all(
        Array.from({ length: 8 }, (_, i) => storage.put('ns', 'k', `u${i}`)),
      );
      assert.deepEqual(
        [...versions].sort((a, b) => a - b),
        [3, 4, 5, 6, 7, 8, 9, 10],
      );
    }));
}

function closeCases(open: Open): void {
  test('after close every call fails with STORAGE_CLOSED, and close is idempotent', async () => {
    const storage = await open();
    await storage.appendJournal(journalRows(0, 1));
    await storage.close();
    await storage.close();
    await rejectsWith(storage.appendJournal(journalRows(1, 1)), 'STORAGE_CLOSED');
    await rejectsWith(storage.appendJournal([]), 'STORAGE_CLOSED');
    await rejectsWith(storage.readJournal(0, 1), 'STORAGE_CLOSED');
    await rejectsWith(storage.journalHead(), 'STORAGE_CLOSED');
    await rejectsWith(storage.get('ns', 'k'), 'STORAGE_CLOSED');
    await rejectsWith(storage.put('ns', 'k', 'v'), 'STORAGE_CLOSED');
    await rejectsWith(storage.delete('ns', 'k'), 'STORAGE_CLOSED');
    await rejectsWith(storage.list('ns', '', 1), 'STORAGE_CLOSED');
    await storage.close();
  });
}
