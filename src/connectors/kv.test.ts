// The kv connector on MemoryStorage and SQLite: values round-trip, prepare is idempotent per
// intent, undo restores (or removes) the prior value, probe recognises this intent's own write.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { verifies } from '../../test/invariants.ts';
import { hashHex, type JsonValue } from '../shared/index.ts';
import { MemoryStorage } from '../storage/memory.ts';
import type { Storage } from '../storage/port.ts';
import { openSqliteStorage } from '../storage/sqlite.ts';
import { FaultyStorage } from '../testing/faulty-storage.ts';
import { rejectionCode as codeOf } from '../testing/rejection-code.ts';
import { createKvConnector, KV_NAMESPACE, KV_UNDO_NAMESPACE, KV_VALUE_BYTES_MAX } from './kv.ts';
import type { Connector, EffectRequest } from './port.ts';

const KEY = 'kv:/settings/theme';
const live = { signal: new AbortController().signal };

function request(intentId: string, action: string, args: Record<string, JsonValue> = {}): EffectRequest {
  return { intentId, action, resource: KEY, args };
}

/** Prepares then executes `effect`, the way the commit layer does. */
async function commit(kv: Connector, effect: EffectRequest): Promise<JsonValue> {
  await kv.prepare(effect);
  return kv.execute(effect, live);
}

function kvCases(name: string, open: () => Promise<Storage>): void {
  describe(`kv connector on ${name}`, () => {
    const withKv = (work: (kv: Connector, storage: Storage) => Promise<void>) => async () => {
      const storage = await open();
      try {
        await work(createKvConnector(storage), storage);
      } finally {
        await storage.close();
      }
    };

    test('declares its actions with their side-effect classes', () => {
      const kv = createKvConnector(new MemoryStorage());
      assert.equal(kv.name, 'kv');
      assert.deepEqual(kv.actions, { 'kv.get': 'read', 'kv.put': 'write', 'kv.delete': 'destructive' });
    });

    test(
      'put and get round-trip any JSON value; stateHash matches what get reports',
      withKv(async (kv, storage) => {
        assert.equal(await kv.stateHash(KEY), 'absent');
        assert.deepEqual(await kv.execute(request('i1', 'kv.get'), live), { found: false, hash: 'absent' });
        const value = { mode: 'dark', sizes: [1, 2.5, null], nested: { ok: true, text: 'é😀' } };
        const result = await commit(kv, request('i1', 'kv.put', { value }));
        const hash = await kv.stateHash(KEY);
        assert.deepEqual(result, { version: 1, hash });
        assert.deepEqual(await kv.execute(request('i2', 'kv.get'), live), { found: true, value, hash });
        const stored = await storage.get(KV_NAMESPACE, KEY);
        assert.equal(hash, hashHex(stored?.value ?? ''));
        await commit(kv, request('i3', 'kv.put', { value: null }));
        assert.deepEqual(await kv.execute(request('i4', 'kv.get'), live), {
          found: true,
          value: null,
          hash: await kv.stateHash(KEY),
        });
      }),
    );

    test(
      `${verifies('MR-5')}prepare snapshots once per intent and undo restores the prior value`,
      withKv(async (kv, storage) => {
        assert.deepEqual(await kv.prepare(request('r', 'kv.get')), { kind: 'none' });
        await commit(kv, request('a', 'kv.put', { value: 'light' }));
        const before = await kv.stateHash(KEY);
        const effect = request('b', 'kv.put', { value: 'dark' });
        const plan = await kv.prepare(effect);
        assert.deepEqual(plan, { kind: 'snapshot', data: { key: KEY } });
        await kv.execute(effect, live);
        // A crash after execute: recovery prepares again and must not snapshot the new value.
        assert.deepEqual(await kv.prepare(effect), plan);
        assert.notEqual(await kv.stateHash(KEY), before);
        await kv.undo(effect, plan, undefined);
        assert.equal(await kv.stateHash(KEY), before);
        await kv.undo(effect, plan, undefined);
        assert.equal(await kv.stateHash(KEY), before);
        assert.notEqual(await storage.get(KV_UNDO_NAMESPACE, 'b'), undefined);
      }),
    );

    test(
      'undo of a put to an absent key removes the key',
      withKv(async (kv) => {
        const effect = request('c', 'kv.put', { value: 1 });
        const plan = await kv.prepare(effect);
        await kv.execute(effect, live);
        await kv.undo(effect, plan, undefined);
        assert.equal(await kv.stateHash(KEY), 'absent');
        await kv.undo(effect, plan, undefined);
        assert.equal(await kv.stateHash(KEY), 'absent');
      }),
    );

    test(
      `${verifies('MR-5', 'DR-C6')}delete is probed as applied once the key is gone and undo brings it back`,
      withKv(async (kv) => {
        await commit(kv, request('a', 'kv.put', { value: [1, 2, 3] }));
        const before = await kv.stateHash(KEY);
        const effect = request('d', 'kv.delete');
        const plan = await kv.prepare(effect);
        assert.equal(await kv.probe(effect), 'not-applied');
        assert.deepEqual(await kv.execute(effect, live), { deleted: true });
        assert.equal(await kv.probe(effect), 'applied');
        assert.deepEqual(await kv.execute(effect, live), { deleted: false });
        await kv.undo(effect, plan, { deleted: true });
        assert.equal(await kv.stateHash(KEY), before);
        assert.equal(await kv.probe(effect), 'not-applied');
      }),
    );

    test(
      `${verifies('DR-C6')}probe recognises this intent's own write and nothing else`,
      withKv(async (kv) => {
        const effect = request('p', 'kv.put', { value: 'x' });
        assert.equal(await kv.probe(effect), 'not-applied');
        await commit(kv, effect);
        assert.equal(await kv.probe(effect), 'applied');
        await commit(kv, request('q', 'kv.put', { value: 'x' }));
        assert.equal(await kv.probe(effect), 'not-applied');
        assert.equal(await kv.probe(request('r', 'kv.get')), 'not-applied');
      }),
    );

    test(
      'discard forgets the snapshot, is idempotent, and undo afterwards fails with UNDO_EXPIRED',
      withKv(async (kv, storage) => {
        const effect = request('e', 'kv.put', { value: 'x' });
        const plan = await kv.prepare(effect);
        await kv.execute(effect, live);
        await kv.discard(effect, plan);
        await kv.discard(effect, plan);
        assert.equal(await storage.get(KV_UNDO_NAMESPACE, 'e'), undefined);
        assert.equal(await codeOf(kv.undo(effect, plan, undefined)), 'UNDO_EXPIRED');
        await kv.discard(request('r', 'kv.get'), { kind: 'none' });
        await kv.undo(request('r', 'kv.get'), { kind: 'none' }, undefined);
      }),
    );

    test(
      'bad requests are refused before anything is written',
      withKv(async (kv) => {
        assert.equal(await codeOf(kv.execute(request('x', 'kv.drop'), live)), 'INVALID_INPUT');
        assert.equal(await codeOf(kv.prepare(request('x', 'kv.drop'))), 'INVALID_INPUT');
        assert.equal(await codeOf(kv.execute(request('x', 'kv.put'), live)), 'INVALID_INPUT');
        assert.equal(
          await codeOf(kv.execute(request('x', 'kv.put', { value: 1, ttl: 5 }), live)),
          'INVALID_INPUT',
        );
        assert.equal(
          await codeOf(kv.execute(request('x', 'kv.delete', { force: true }), live)),
          'INVALID_INPUT',
        );
        const big = 'x'.repeat(KV_VALUE_BYTES_MAX);
        assert.equal(
          await codeOf(kv.execute(request('x', 'kv.put', { value: big }), live)),
          'OVERSIZED_INPUT',
        );
        const aborted = new AbortController();
        aborted.abort();
        const stopped = kv.execute(request('x', 'kv.put', { value: 1 }), { signal: aborted.signal });
        assert.equal(await codeOf(stopped), 'CONNECTOR_FAILED');
        assert.equal(await kv.stateHash(KEY), 'absent');
        const plan = await kv.prepare(request('y', 'kv.put', { value: 1 }));
        const other = { ...request('y', 'kv.put', { value: 1 }), resource: 'kv:/other' };
        assert.equal(await codeOf(kv.prepare(other)), 'SNAPSHOT_FAILED');
        assert.equal(await codeOf(kv.undo(other, plan, undefined)), 'UNDO_IMPOSSIBLE');
        const irreversible = kv.undo(
          request('y', 'kv.put', { value: 1 }),
          { kind: 'irreversible' },
          undefined,
        );
        assert.equal(await codeOf(irreversible), 'UNDO_IMPOSSIBLE');
      }),
    );

    test('storage failures reach the caller with their own code', async () => {
      const storage = new FaultyStorage(await open());
      const kv = createKvConnector(storage);
      try {
        storage.failNext('put', 'DISK_FULL');
        assert.equal(await codeOf(kv.prepare(request('f', 'kv.put', { value: 1 }))), 'DISK_FULL');
        await kv.prepare(request('f', 'kv.put', { value: 1 }));
        storage.failNext('put', 'DISK_FULL');
        assert.equal(await codeOf(kv.execute(request('f', 'kv.put', { value: 1 }), live)), 'DISK_FULL');
        assert.equal(await kv.stateHash(KEY), 'absent');
        storage.failNext('get', 'STORAGE');
        assert.equal(await codeOf(kv.stateHash(KEY)), 'STORAGE');
      } finally {
        await storage.close();
      }
    });
  });
}

kvCases('memory', async () => new MemoryStorage());

const DIR = mkdtempSync(join(tmpdir(), 'maos-kv-'));
let files = 0;
const freshPath = () => join(DIR, `kv-${++files}.sqlite`);
after(() => rmSync(DIR, { recursive: true, force: true }));
kvCases('sqlite', () => openSqliteStorage(freshPath()));

test(`${verifies('MR-5')}kv on sqlite: a snapshot taken before a crash still undoes after reopen`, async () => {
  const path = freshPath();
  const first = await openSqliteStorage(path);
  const kv = createKvConnector(first);
  await commit(kv, request('a', 'kv.put', { value: 'old' }));
  const before = await kv.stateHash(KEY);
  const effect = request('b', 'kv.put', { value: 'new' });
  const plan = await kv.prepare(effect);
  await kv.execute(effect, live);
  await first.close();
  const second = await openSqliteStorage(path);
  const again = createKvConnector(second);
  assert.equal(await again.probe(effect), 'applied');
  assert.deepEqual(await again.prepare(effect), plan);
  await again.undo(effect, plan, undefined);
  assert.equal(await again.stateHash(KEY), before);
  await second.close();
});
