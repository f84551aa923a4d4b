// Crash tests (SQLite style): a child committing intents is SIGKILLed at random times and at every
// commit stage, and recovery must lose nothing, repeat nothing and tear nothing; plus a failing disk
// write (commit freeze) and a torn last journal transaction. The long run is `npm run soak:crash`.

import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { CommitRuntime } from '../../src/runtime/commit-runtime.ts';
import { openCommitRuntime } from '../../src/runtime/commit-runtime.ts';
import type { JsonValue } from '../../src/shared/index.ts';
import { KernelError } from '../../src/shared/index.ts';
import type { Storage } from '../../src/storage/index.ts';
import { openSqliteStorage } from '../../src/storage/index.ts';
import { FaultyStorage } from '../../src/testing/faulty-storage.ts';
import { SeededRandom } from '../../src/testing/seeded-random.ts';
import { appendLogConnector } from '../../src/testing/test-connectors.ts';
import { verifies } from '../invariants.ts';
import { type CampaignSummary, runCampaign } from './campaign.ts';
import { type Ack, checkState } from './check-state.ts';
import {
  CRASH_AGENT,
  CRASH_SCOPES,
  CRASH_STAGES,
  contentFor,
  crashIntent,
  ensureConfig,
  FS_PATHS,
  KV_KEYS,
  LOG_RESOURCE,
} from './committer.ts';

const SEED = Number(process.env.MAOS_CRASH_SEED ?? '20261121');
/** Kills in `npm test`; each costs a process start, an open with recovery and a full check. */
const KILLS = 200;
/** Two data directories: journals stay short enough that each restart's check is quick. */
const KILLS_PER_DATA_DIR = 100;

type Box = {
  readonly dir: string;
  readonly dataDir: string;
  readonly workspaceDir: string;
  readonly logPath: string;
  readonly configPath: string;
};

const boxes: string[] = [];
after(() => {
  for (const dir of boxes) rmSync(dir, { recursive: true, force: true });
});

function sandbox(): Box {
  const dir = mkdtempSync(join(tmpdir(), 'maos-crash-test-'));
  boxes.push(dir);
  const dataDir = join(dir, 'data');
  const workspaceDir = join(dir, 'workspace');
  mkdirSync(dataDir);
  mkdirSync(workspaceDir);
  const configPath = ensureConfig(dataDir, workspaceDir);
  return { dir, dataDir, workspaceDir, logPath: join(dir, 'effects.log'), configPath };
}

async function open(box: Box, options: { storage?: Storage; dataDir?: string } = {}): Promise<CommitRuntime> {
  const opened = await openCommitRuntime({
    configPath: box.configPath,
    connectors: [appendLogConnector(box.logPath)],
    ...options,
  });
  assert.ok(opened.ok, opened.ok ? '' : opened.error.message);
  return opened.value;
}

async function tokenOf(runtime: CommitRuntime): Promise<string> {
  const minted = await runtime.kernel.mint({ sub: CRASH_AGENT, scopes: [...CRASH_SCOPES] });
  assert.ok(minted.ok);
  return minted.value.token;
}

/** Commits each intent in turn and returns the acks, as the child would print them. */
async function commitAll(runtime: CommitRuntime, intents: Record<string, JsonValue>[]): Promise<Ack[]> {
  const acks: Ack[] = [];
  for (const intent of intents) {
    const result = await runtime.commits.submit(intent);
    assert.ok(result.ok && result.value.state === 'committed', JSON.stringify(result));
    acks.push({ ack: String(intent.id), action: String(intent.action), resource: String(intent.resource) });
  }
  return acks;
}

function mixed(token: string): Record<string, JsonValue>[] {
  return [
    crashIntent(token, 'fs.write', FS_PATHS[1] ?? ''),
    crashIntent(token, 'kv.put', KV_KEYS[2] ?? ''),
    crashIntent(token, 'log.append', LOG_RESOURCE),
    crashIntent(token, 'fs.write', FS_PATHS[4] ?? ''),
    crashIntent(token, 'fs.delete', FS_PATHS[4] ?? ''),
    crashIntent(token, 'log.append', LOG_RESOURCE),
  ];
}

function logLines(path: string, intentId: string): number {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line === intentId).length;
}

let campaign: CampaignSummary | undefined;

test(`${verifies('INV-5', 'INV-8', 'DR-C6', 'MR-8')}${KILLS} SIGKILLs at random times and at every commit stage lose no commit, repeat no effect and tear no file`, {
  timeout: 600_000,
}, async (t) => {
  const summary = await runCampaign({
    kills: KILLS,
    seed: SEED,
    runMsMin: 5,
    runMsMax: 50,
    killsPerDataDir: KILLS_PER_DATA_DIR,
  });
  campaign = summary;
  t.diagnostic(`seed ${SEED}: ${JSON.stringify(summary)}`);
  assert.deepEqual(summary.failures, [], `seed ${SEED}`);
  assert.equal(summary.kills, KILLS);
  assert.equal(summary.lost, 0, 'an acknowledged commit was lost');
  assert.equal(summary.duplicates, 0, 'an effect ran twice');
  assert.equal(summary.corrupt, 0, 'a file, value or log line is not what the last commit left');
  assert.equal(summary.unfinished, 0, 'recovery left an intent written or executing');
  assert.ok(summary.chainOk, 'the journal chain broke');
  // Every restart that got through recovery was checked, and each data directory once more at the end.
  const dataDirs = Math.ceil(KILLS / KILLS_PER_DATA_DIR);
  assert.equal(summary.checks, KILLS - summary.killedBeforeReady + dataDirs);
  for (const stage of CRASH_STAGES)
    assert.ok((summary.stageKills[stage] ?? 0) > 0, `no kill at stage ${stage}`);
  assert.ok(summary.acked > KILLS / 2, 'the children committed too little to test anything');
});

test('after every restart the fs workspace holds no temp file an interrupted write left', () => {
  assert.ok(campaign !== undefined, 'the campaign ran');
  assert.equal(campaign.strayTemps, 0);
});

test(`${verifies('MR-8', 'INV-5')}a failing journal write freezes commits: the intent runs no effect, later ones are refused, and reopening loses nothing`, async () => {
  const box = sandbox();
  const faulty = new FaultyStorage(await openSqliteStorage(join(box.dataDir, 'maos.db')));
  const runtime = await open(box, { storage: faulty });
  const token = await tokenOf(runtime);
  const acks = await commitAll(runtime, mixed(token));
  faulty.failNext('appendJournal', 'DISK_FULL');
  const doomed = crashIntent(token, 'fs.write', FS_PATHS[1] ?? '');
  const failed = await runtime.commits.submit(doomed);
  assert.ok(!failed.ok && failed.error.code === 'JOURNAL_FAILED', JSON.stringify(failed));
  assert.equal(runtime.kernel.mode, 'commit-freeze');
  // MR-8: the intent never reached the journal, so its effect never ran.
  const file = join(box.workspaceDir, ...(FS_PATHS[1] ?? '').split('/'));
  assert.equal(readFileSync(file, 'utf8'), contentFor(acks[0]?.ack ?? ''));
  const later = crashIntent(token, 'log.append', LOG_RESOURCE);
  const decided = await runtime.kernel.submitIntent(later);
  assert.ok(decided.ok && decided.value.decision.verdict === 'deny');
  const rule = decided.value.decision.checks.find((check) => check.check === 'mandatory-rules');
  assert.match(rule?.message ?? '', /commit freeze/);
  const refused = await runtime.commits.submit(later).catch((error: unknown) => error);
  assert.ok(
    (refused instanceof KernelError && refused.code === 'JOURNAL_FAILED') ||
      (typeof refused === 'object' && refused !== null && 'ok' in refused && refused.ok === false),
    String(refused),
  );
  assert.equal(logLines(box.logPath, later.id as string), 0);
  await runtime.close();
  const reopened = await open(box);
  try {
    assert.ok(reopened.verified.ok, 'the chain verifies after the failed write');
    assert.equal(reopened.kernel.mode, 'operational');
    assert.equal(reopened.commits.status(doomed.id as string), undefined);
    assert.equal(reopened.commits.status(later.id as string), undefined);
    const check = await checkState(reopened, box, acks);
    assert.ok(check.ok, check.problems.join('\n'));
  } finally {
    await reopened.close();
  }
});

test(`${verifies('MR-8', 'INV-8', 'DR-C6')}a journal write failing after the effect freezes commits; reopening finishes the intent without running it again`, async () => {
  const box = sandbox();
  const faulty = new FaultyStorage(await openSqliteStorage(join(box.dataDir, 'maos.db')));
  const runtime = await open(box, { storage: faulty });
  const token = await tokenOf(runtime);
  const acks = await commitAll(runtime, mixed(token));
  const doomed = crashIntent(token, 'log.append', LOG_RESOURCE);
  faulty.onAppend = (rows) => {
    const hit = rows.some(
      (row) => row.body.includes('"type":"intent.committed"') && row.body.includes(String(doomed.id)),
    );
    if (hit) throw new KernelError('DISK_FULL', 'injected: disk full at the commit record');
  };
  const failed = await runtime.commits.submit(doomed);
  assert.ok(!failed.ok && failed.error.code === 'JOURNAL_FAILED', JSON.stringify(failed));
  assert.equal(runtime.kernel.mode, 'commit-freeze');
  assert.equal(logLines(box.logPath, doomed.id as string), 1, 'the effect ran once before the write failed');
  await runtime.close();
  const reopened = await open(box);
  try {
    assert.ok(reopened.verified.ok);
    assert.equal(reopened.recovery?.resumed, 1);
    const status = reopened.commits.status(doomed.id as string);
    assert.equal(status?.state, 'committed');
    assert.deepEqual(status?.result, { recovered: true });
    assert.equal(logLines(box.logPath, doomed.id as string), 1, 'recovery did not run the effect again');
    const check = await checkState(reopened, box, acks);
    assert.ok(check.ok, check.problems.join('\n'));
  } finally {
    await reopened.close();
  }
});

/** Byte range of the WAL's last transaction: after the previous commit frame to the end of the last. */
function lastTransaction(wal: Buffer): { readonly start: number; readonly end: number } {
  const WAL_HEADER_BYTES = 32;
  const FRAME_HEADER_BYTES = 24;
  const frameBytes = FRAME_HEADER_BYTES + wal.readUInt32BE(8);
  const salts = [wal.readUInt32BE(16), wal.readUInt32BE(20)];
  let start = WAL_HEADER_BYTES;
  let end = WAL_HEADER_BYTES;
  for (let at = WAL_HEADER_BYTES; at + frameBytes <= wal.length; at += frameBytes) {
    // WHY: frames of an earlier WAL generation carry other salts and are not part of this log.
    if (wal.readUInt32BE(at + 8) !== salts[0] || wal.readUInt32BE(at + 12) !== salts[1]) break;
    const commitFrame = wal.readUInt32BE(at + 4) !== 0;
    if (commitFrame) {
      start = end;
      end = at + frameBytes;
    }
  }
  return { start, end };
}

test(`${verifies('INV-5', 'INV-8', 'DR-C6')}a torn last journal transaction is discarded on reopen; every acknowledged commit survives`, async () => {
  const box = sandbox();
  const runtime = await open(box);
  const token = await tokenOf(runtime);
  const acks = await commitAll(runtime, [...mixed(token), ...mixed(token)]);
  const headBefore = runtime.journal.head.seq;
  const last = crashIntent(token, 'log.append', LOG_RESOURCE);
  await commitAll(runtime, [last]);
  const headAfter = runtime.journal.head.seq;
  // WHY: copied while open: closing checkpoints the WAL into the database and removes it.
  const copy = join(box.dir, 'copy');
  cpSync(box.dataDir, copy, { recursive: true, filter: (source) => !/-shm$|daemon\.lock$/.test(source) });
  await runtime.close();
  const random = new SeededRandom(SEED);
  for (const tear of ['truncate', 'flip'] as const) {
    const dataDir = join(box.dir, tear);
    const logPath = join(box.dir, `${tear}.log`);
    cpSync(copy, dataDir, { recursive: true });
    cpSync(box.logPath, logPath);
    const walPath = join(dataDir, 'maos.db-wal');
    const wal = readFileSync(walPath);
    const { start, end } = lastTransaction(wal);
    assert.ok(end - start > 24, 'the WAL holds the last transaction');
    const bytes = random.bytes(4);
    const offset =
      start + 1 + ((((bytes[0] ?? 0) << 16) | ((bytes[1] ?? 0) << 8) | (bytes[2] ?? 0)) % (end - start - 1));
    if (tear === 'truncate') truncateSync(walPath, offset);
    else {
      wal[offset] = (wal[offset] ?? 0) ^ 0xff;
      writeFileSync(walPath, wal);
    }
    const torn = await open({ ...box, logPath }, { dataDir });
    try {
      assert.ok(torn.verified.ok, `${tear} at ${offset}: the chain verifies`);
      const head = torn.verified.ok ? torn.verified.headSeq : -1;
      assert.ok(
        head > headBefore && head < headAfter,
        `${tear}: the torn transaction was discarded (head ${head})`,
      );
      const status = torn.commits.status(last.id as string);
      assert.equal(status?.state, 'committed');
      assert.deepEqual(status?.result, { recovered: true }, 'recovery, not the torn record, committed it');
      assert.equal(logLines(logPath, last.id as string), 1);
      const check = await checkState(torn, { workspaceDir: box.workspaceDir, logPath }, acks);
      assert.ok(check.ok, check.problems.join('\n'));
    } finally {
      await torn.close();
    }
  }
});
