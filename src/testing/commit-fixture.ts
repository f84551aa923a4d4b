// A complete commit stack for tests: real kernel with hybrid-signed tokens, real journal on a real
// storage (memory unless given), the filesystem and key-value connectors in a temp directory.

import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFsConnector } from '../connectors/fs.ts';
import { createKvConnector } from '../connectors/kv.ts';
import type { Connector } from '../connectors/port.ts';
import { CommitLayer, type CommitLayerOptions } from '../kernel/commit/index.ts';
import { Journal, journalSignerOf } from '../kernel/journal/index.ts';
import { Kernel } from '../kernel/kernel.ts';
import type { ActionPolicy } from '../kernel/policy.ts';
import { generateIssuerKeyPair, publicKeysOf } from '../kernel/token/index.ts';
import { ApprovalQueue } from '../oversight/approval-queue.ts';
import { assert, systemRandom, uuidv7 } from '../shared/index.ts';
import { MemoryStorage } from '../storage/memory.ts';
import type { Storage } from '../storage/port.ts';
import { FakeClock } from './fake-clock.ts';
import { actionPolicy, agentPolicy, testPolicy } from './fixtures.ts';

export const ISSUER = generateIssuerKeyPair('k-commit-test');
export const GRANTS = [
  { action: 'fs.*', resource: '/**' },
  { action: 'kv.*', resource: 'kv:/**' },
  { action: 'test.*', resource: '**' },
  { action: 'log.*', resource: '**' },
];

export const COMMIT_ACTIONS: ReadonlyArray<readonly [string, Partial<ActionPolicy>]> = [
  ['fs.read', { sideEffect: 'read' }],
  ['fs.write', { sideEffect: 'write' }],
  ['fs.delete', { sideEffect: 'destructive', holdMs: 24 * 3_600_000 }],
  ['fs.publish', { sideEffect: 'write', approval: true }],
  ['kv.put', { sideEffect: 'write' }],
  ['kv.delete', { sideEffect: 'destructive' }],
  ['test.noop', { sideEffect: 'write' }],
  ['test.slow', { sideEffect: 'write' }],
  ['log.append', { sideEffect: 'write' }],
];

export type CommitStack = {
  readonly kernel: Kernel;
  readonly journal: Journal;
  readonly storage: Storage;
  readonly commits: CommitLayer;
  readonly approvals: ApprovalQueue;
  readonly clock: FakeClock;
  readonly root: string;
  readonly token: string;
  intent(action: string, resource: string, extra?: Record<string, unknown>): Record<string, unknown>;
};

export async function commitStack(
  options: {
    readonly storage?: Storage;
    readonly connectors?: readonly Connector[];
    readonly root?: string;
    readonly clock?: FakeClock;
    readonly layer?: Partial<CommitLayerOptions>;
  } = {},
): Promise<CommitStack> {
  const clock = options.clock ?? new FakeClock();
  const storage = options.storage ?? new MemoryStorage();
  const root = options.root ?? (await mkdtemp(join(tmpdir(), 'maos-commit-')));
  const policy = testPolicy({
    agents: new Map([['alice', agentPolicy('alice', { grants: GRANTS })]]),
    actions: new Map(COMMIT_ACTIONS.map(([name, overrides]) => [name, actionPolicy(name, overrides)])),
  });
  const kernel = new Kernel({ policy, publicKeys: publicKeysOf([ISSUER]), issuer: ISSUER, clock });
  const journal = await Journal.open(storage, {
    nodeId: policy.nodeId,
    clock,
    signer: journalSignerOf(ISSUER),
  });
  assert(journal.ok, 'the test journal opens');
  await mkdir(join(root, 'world'), { recursive: true });
  const fs = createFsConnector({ root: join(root, 'world'), snapshotDir: join(root, 'rollback') });
  const commits = new CommitLayer({
    kernel,
    journal: journal.value,
    connectors: [fs, createKvConnector(storage), ...(options.connectors ?? [])],
    clock,
    ...options.layer,
  });
  const minted = await kernel.mint({ sub: 'alice', scopes: GRANTS });
  assert(minted.ok, 'the test token mints');
  const token = minted.value.token;
  return {
    kernel,
    journal: journal.value,
    storage,
    commits,
    approvals: new ApprovalQueue(commits),
    clock,
    root,
    token,
    intent: (action, resource, extra = {}) => ({
      id: uuidv7(clock, systemRandom),
      agent: 'alice',
      action,
      resource,
      token,
      ...extra,
    }),
  };
}
