// Shared sessions: joining takes membership and a host-signed token, the state appears under
// `/session/<id>` with the same bytes for every member, every change is journaled with its delta
// and chained, tampering with stored deltas is caught, and stale writers get a conflict.

import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { verifies } from '../../test/invariants.ts';
import { canonicalJson, hashHex, type JsonValue, KernelError, type Result } from '../shared/index.ts';
import { MemoryStorage, openSqliteStorage, type Storage } from '../storage/index.ts';
import { FakeClock } from '../testing/fake-clock.ts';
import {
  AgentVfs,
  type ChangeRecorder,
  mintJoinToken,
  SESSION_LIMITS,
  SESSION_NAMESPACE,
  type SessionRecordType,
  SharedSession,
} from './index.ts';

const DIR = mkdtempSync(join(tmpdir(), 'maos-session-'));
after(() => rmSync(DIR, { recursive: true, force: true }));
const HOST = generateKeyPairSync('ed25519');

/** The journal port as the runtime would wire it, kept in a list; it can be told to fail. */
class ListRecorder implements ChangeRecorder {
  readonly records: { type: SessionRecordType; data: Readonly<Record<string, JsonValue>> }[] = [];
  failing = false;
  async record(type: SessionRecordType, data: Readonly<Record<string, JsonValue>>): Promise<number> {
    if (this.failing) throw new KernelError('JOURNAL_FAILED', 'journal is down');
    this.records.push({ type, data: structuredClone(data) });
    return this.records.length;
  }
  of(type: SessionRecordType) {
    return this.records.filter((record) => record.type === type).map((record) => record.data);
  }
}

function value<T>(result: Result<T, KernelError>): T {
  if (!result.ok) assert.fail(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

function codeOf(result: Result<unknown, KernelError>): string {
  return result.ok ? 'ok' : result.error.code;
}

async function world(storage: Storage = new MemoryStorage()) {
  const clock = new FakeClock();
  const recorder = new ListRecorder();
  const base = { id: 's1', storage, recorder, clock, joinKey: HOST.publicKey };
  const session = value(
    await SharedSession.create({ ...base, members: ['alice', 'bob', 'rita'], readOnly: ['rita'] }),
  );
  const token = (agent: string, ttlMs = 60_000, id = 's1') =>
    value(mintJoinToken({ session: id, agent, ttlMs }, HOST.privateKey, clock));
  const vfsOf = async (agent: string) => value(await AgentVfs.open({ agent, storage, policy: {} }));
  const joined = async (agent: string) => {
    const vfs = await vfsOf(agent);
    value(vfs.attach(value(await session.join(agent, token(agent)))));
    return vfs;
  };
  return { clock, recorder, base, session, token, vfsOf, joined, storage };
}

async function headOf(vfs: AgentVfs): Promise<string> {
  const stat = value(await vfs.stat('/session/s1'));
  assert.ok(stat.kind === 'dir' && stat.head !== undefined);
  return stat.head.commit;
}

test('the session mount appears only after join, with the same bytes for every member', async () => {
  const { session, token, vfsOf, joined } = await world();
  const alice = await vfsOf('alice');
  assert.deepEqual(value(await alice.list('/session')).entries, []);
  assert.equal(codeOf(await alice.read('/session/s1/plan.md')), 'FS_PATH_OUTSIDE');
  assert.equal(codeOf(await alice.write('/session/s1/plan.md', 'x', { seen: 'x' })), 'FS_PATH_OUTSIDE');
  value(alice.attach(value(await session.join('alice', token('alice')))));
  assert.deepEqual(value(await alice.list('/session')).entries, [{ name: 's1', kind: 'dir' }]);
  value(await alice.write('/session/s1/plan.md', 'shared plan ✓', { seen: await headOf(alice) }));
  const bob = await joined('bob');
  assert.equal(value(await bob.read('/session/s1/plan.md')), 'shared plan ✓');
  assert.equal(await headOf(bob), await headOf(alice));
  assert.equal(codeOf(await alice.write('/session/s1/x', 'no seen')), 'INVALID_INPUT');
  assert.equal(codeOf(await alice.rename('/session/s1/plan.md', '/session/s1/b')), 'INVALID_INPUT');
  assert.ok(alice.detach('s1'));
  assert.equal(codeOf(await alice.read('/session/s1/plan.md')), 'FS_PATH_OUTSIDE');
  assert.equal(codeOf(bob.attach(value(await session.join('alice', token('alice'))))), 'GATEWAY_DENIED');
});

test(`${verifies('INV-9')}a non-member is refused, and the refusal is journaled`, async () => {
  const { session, token, recorder } = await world();
  const refused = await session.join('mallory', token('mallory'));
  assert.equal(codeOf(refused), 'GATEWAY_DENIED');
  assert.equal(codeOf(await session.join('../alice', token('alice'))), 'GATEWAY_DENIED');
  assert.deepEqual(recorder.of('session.join-refused')[0], {
    session: 's1',
    agent: 'mallory',
    code: 'GATEWAY_DENIED',
  });
});

test('forged proofs are refused: another key, another agent, another session, garbage', async () => {
  const { session, token, clock } = await world();
  const forger = generateKeyPairSync('ed25519');
  const forged = value(
    mintJoinToken({ session: 's1', agent: 'alice', ttlMs: 60_000 }, forger.privateKey, clock),
  );
  assert.equal(codeOf(await session.join('alice', forged)), 'TOKEN_SIGNATURE_INVALID');
  assert.equal(codeOf(await session.join('bob', token('alice'))), 'TOKEN_CLAIMS_INVALID');
  assert.equal(codeOf(await session.join('alice', token('alice', 60_000, 's2'))), 'TOKEN_CLAIMS_INVALID');
  assert.equal(codeOf(await session.join('alice', 'not.a-token')), 'TOKEN_MALFORMED');
  assert.equal(codeOf(await session.join('alice', undefined)), 'TOKEN_MALFORMED');
});

test('an expired proof is refused', async () => {
  const { session, token, clock } = await world();
  const proof = token('alice', 5_000);
  clock.advance(5_000);
  assert.equal(codeOf(await session.join('alice', proof)), 'TOKEN_EXPIRED');
});

test(`${verifies('INV-4')}a read-only member reads but every change is refused`, async () => {
  const { joined } = await world();
  const alice = await joined('alice');
  value(await alice.write('/session/s1/a', 'by alice', { seen: await headOf(alice) }));
  const rita = await joined('rita');
  assert.equal(value(await rita.read('/session/s1/a')), 'by alice');
  const seen = await headOf(rita);
  assert.equal(codeOf(await rita.write('/session/s1/a', 'by rita', { seen })), 'GATEWAY_DENIED');
  assert.equal(codeOf(await rita.write('/session/s1/new', 'by rita', { seen })), 'GATEWAY_DENIED');
  assert.equal(codeOf(await rita.remove('/session/s1/a', { seen })), 'GATEWAY_DENIED');
  assert.deepEqual(value(await rita.stat('/session/s1/a')), { kind: 'file', bytes: 8, writable: false });
  assert.equal(value(await alice.read('/session/s1/a')), 'by alice');
});

test(`${verifies('MR-3', 'INV-5')}every change is journaled with its delta and the chain recomputes`, async () => {
  const { session, recorder, joined } = await world();
  const alice = await joined('alice');
  const bob = await joined('bob');
  value(await alice.write('/session/s1/notes/a.md', 'one', { seen: await headOf(alice) }));
  value(await bob.write('/session/s1/notes/a.md', 'two', { seen: await headOf(bob) }));
  const last = value(await alice.remove('/session/s1/notes/a.md', { seen: await headOf(alice) }));
  const created = recorder.of('session.created')[0];
  const changes = recorder.of('session.change');
  assert.equal(changes.length, 3);
  assert.deepEqual(
    changes.map((change) => {
      const delta = change.delta as Record<string, JsonValue>;
      return [delta.op, delta.agent, delta.before, delta.after, delta.bytes, delta.content];
    }),
    [
      ['write', 'alice', null, hashHex('one'), 3, 'one'],
      ['write', 'bob', hashHex('one'), hashHex('two'), 3, 'two'],
      ['remove', 'alice', hashHex('two'), null, 0, null],
    ],
  );
  // Any member can recompute the chain from the journal alone.
  let commit = created?.commit;
  for (const change of changes) {
    commit = hashHex(`${commit}${canonicalJson(change.delta)}`);
    assert.equal(change.commit, commit);
  }
  assert.deepEqual(last.head, { seq: 3, commit });
  assert.deepEqual(value(await session.verify({ seq: 1, commit: String(changes[0]?.commit) })), last.head);
  assert.equal(codeOf(await session.verify({ seq: 1, commit: 'f'.repeat(64) })), 'JOURNAL_BROKEN');
});

test(`${verifies('MR-3')}tampering with stored deltas, commitments or members makes verify fail`, async () => {
  type Stored = { delta: Record<string, JsonValue>; commit: string };
  const tamperings: readonly [string, (change: Stored) => void][] = [
    [
      'content',
      (c) => {
        c.delta.content = 'evil';
      },
    ],
    [
      'content with matching hash and size',
      (c) => {
        Object.assign(c.delta, { content: 'evi', after: hashHex('evi') });
      },
    ],
    [
      'path',
      (c) => {
        c.delta.path = 'other.md';
      },
    ],
    [
      'author',
      (c) => {
        c.delta.agent = 'bob';
      },
    ],
    [
      'commitment',
      (c) => {
        c.commit = 'f'.repeat(64);
      },
    ],
  ];
  for (const [name, tamper] of tamperings) {
    const { session, joined, storage, base } = await world();
    const alice = await joined('alice');
    value(await alice.write('/session/s1/a.md', 'one', { seen: await headOf(alice) }));
    value(await alice.write('/session/s1/b.md', 'two', { seen: await headOf(alice) }));
    value(await session.verify());
    const key = 's1/c/0000000001';
    const stored = await storage.get(SESSION_NAMESPACE, key);
    const change = JSON.parse(stored?.value ?? '{}') as Stored;
    tamper(change);
    await storage.put(SESSION_NAMESPACE, key, JSON.stringify(change));
    assert.equal(codeOf(await session.verify()), 'JOURNAL_BROKEN', name);
    assert.equal(codeOf(await SharedSession.open(base)), 'JOURNAL_BROKEN', name);
  }
  const { session, joined, storage } = await world();
  const alice = await joined('alice');
  value(await alice.write('/session/s1/a.md', 'one', { seen: await headOf(alice) }));
  const meta = JSON.parse((await storage.get(SESSION_NAMESPACE, 's1/meta'))?.value ?? '{}');
  meta.members.push({ agent: 'mallory', role: 'write' });
  await storage.put(SESSION_NAMESPACE, 's1/meta', canonicalJson(meta));
  assert.equal(codeOf(await session.verify()), 'JOURNAL_BROKEN', 'members');
  await storage.put(
    SESSION_NAMESPACE,
    's1/meta',
    canonicalJson({ ...meta, members: meta.members.slice(0, 3) }),
  );
  value(await session.verify());
  await storage.delete(SESSION_NAMESPACE, 's1/c/0000000001');
  assert.equal(codeOf(await session.verify()), 'JOURNAL_BROKEN', 'deleted change');
});

test('conflicting writers: a stale commitment fails with CONCURRENCY_CONFLICT, a retry succeeds', async () => {
  const { joined } = await world();
  const alice = await joined('alice');
  const bob = await joined('bob');
  const seen = await headOf(alice);
  const [first, second] = await Promise.all([
    alice.write('/session/s1/a', 'alice', { seen }),
    bob.write('/session/s1/b', 'bob', { seen }),
  ]);
  // Whichever reaches the session first wins; the other saw a commitment that is no longer the head.
  assert.deepEqual([codeOf(first), codeOf(second)].sort(), ['CONCURRENCY_CONFLICT', 'ok']);
  const [loser, path, text] = first.ok ? [bob, '/session/s1/b', 'bob'] : [alice, '/session/s1/a', 'alice'];
  value(await loser.write(path, text, { seen: await headOf(loser) }));
  assert.equal(codeOf(await alice.remove(path, { seen })), 'CONCURRENCY_CONFLICT');
  assert.equal(value(await alice.read('/session/s1/a')), 'alice');
  assert.equal(value(await bob.read('/session/s1/b')), 'bob');
});

test('two copies of one session on the same storage: the later writer conflicts until it reopens', async () => {
  const { base, session, token } = await world();
  const other = value(await SharedSession.open(base));
  const here = value(await session.join('alice', token('alice')));
  const there = value(await other.join('bob', token('bob')));
  value(await here.write('a', 'here', here.head().commit));
  assert.equal(codeOf(await there.write('a', 'there', there.head().commit)), 'CONCURRENCY_CONFLICT');
  assert.equal(codeOf(await there.write('a', 'there', there.head().commit)), 'CONCURRENCY_CONFLICT');
  const reopened = value(await SharedSession.open(base));
  assert.equal(value(reopened.read('a')), 'here');
  assert.deepEqual(reopened.head(), session.head());
});

test(`${verifies('MR-8')}a change the journal refuses is not made`, async () => {
  const { session, recorder, joined, storage } = await world();
  const alice = await joined('alice');
  const seen = await headOf(alice);
  recorder.failing = true;
  assert.equal(codeOf(await alice.write('/session/s1/a', 'x', { seen })), 'JOURNAL_FAILED');
  recorder.failing = false;
  assert.equal(codeOf(await alice.read('/session/s1/a')), 'FS_NOT_FOUND');
  assert.deepEqual(await storage.list(SESSION_NAMESPACE, 's1/c/', 10), []);
  assert.equal(session.head().commit, seen);
});

test(`${verifies('INV-8')}session state survives a reopened SQLite storage and verifies against the journal`, async () => {
  const path = join(DIR, 'session.sqlite');
  const first = await openSqliteStorage(path);
  const { recorder, joined, base } = await world(first);
  const alice = await joined('alice');
  value(await alice.write('/session/s1/state.json', '{"step":1}', { seen: await headOf(alice) }));
  value(await alice.write('/session/s1/state.json', '{"step":2}', { seen: await headOf(alice) }));
  await first.close();
  const second = await openSqliteStorage(path);
  const reopened = value(await SharedSession.open({ ...base, storage: second }));
  assert.equal(value(reopened.read('state.json')), '{"step":2}');
  const journaled = recorder.of('session.change').at(-1);
  const anchor = { seq: Number(journaled?.seq), commit: String(journaled?.commit) };
  assert.deepEqual(value(await reopened.verify(anchor)), anchor);
  await second.close();
});

test('session quotas: a file over the size limit or state over the quota fails with FS_QUOTA_EXCEEDED', async () => {
  const { base, token } = await world();
  const small = value(
    await SharedSession.create({
      ...base,
      id: 's2',
      members: ['alice'],
      quota: { bytesMax: 10, filesMax: 2 },
    }),
  );
  const alice = value(await small.join('alice', token('alice', 60_000, 's2')));
  value(await alice.write('a', '0123456789', alice.head().commit));
  assert.equal(codeOf(await alice.write('b', 'x', alice.head().commit)), 'FS_QUOTA_EXCEEDED');
  const huge = 'h'.repeat(SESSION_LIMITS.fileBytesMax + 1);
  assert.equal(codeOf(await alice.write('a', huge, alice.head().commit)), 'FS_QUOTA_EXCEEDED');
  assert.equal(codeOf(await alice.write('../a', 'x', alice.head().commit)), 'INVALID_INPUT');
  assert.equal(small.head().seq, 1);
});

test('creation refuses a duplicate id, bad member lists and bad quotas', async () => {
  const { base } = await world();
  assert.equal(codeOf(await SharedSession.create({ ...base, members: ['alice'] })), 'SESSION_EXISTS');
  const fresh = { ...base, id: 'fresh' };
  for (const members of [[], ['a', 'a'], ['../a'], Array.from({ length: 65 }, (_, i) => `m${i}`)]) {
    assert.equal(codeOf(await SharedSession.create({ ...fresh, members })), 'INVALID_INPUT', String(members));
  }
  assert.equal(
    codeOf(await SharedSession.create({ ...fresh, members: ['a'], readOnly: ['b'] })),
    'INVALID_INPUT',
  );
  assert.equal(codeOf(await SharedSession.create({ ...fresh, id: '..', members: ['a'] })), 'INVALID_INPUT');
  const nan = { ...fresh, members: ['a'], quota: { bytesMax: Number.NaN } };
  assert.equal(codeOf(await SharedSession.create(nan)), 'INVALID_INPUT');
  assert.equal(codeOf(await SharedSession.open({ ...base, id: 'missing' })), 'SESSION_UNKNOWN');
});

test('bounded memory: a flood of session changes is refused by the queue bound and the commitment', async () => {
  const { session, token } = await world();
  const alice = value(await session.join('alice', token('alice')));
  const seen = alice.head().commit;
  const fired = await Promise.all(
    Array.from({ length: SESSION_LIMITS.pendingOpsMax + 100 }, (_, i) => alice.write(`f${i}`, 'x', seen)),
  );
  const codes = new Map<string, number>();
  for (const result of fired) codes.set(codeOf(result), (codes.get(codeOf(result)) ?? 0) + 1);
  assert.deepEqual(Object.fromEntries(codes), {
    ok: 1,
    CONCURRENCY_CONFLICT: SESSION_LIMITS.pendingOpsMax - 1,
    GATEWAY_RATE_LIMITED: 100,
  });
  assert.equal(session.head().seq, 1);
});
