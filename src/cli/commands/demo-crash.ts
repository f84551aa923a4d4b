// Steps 7-8 of `maos demo`: a second process is killed in the middle of a commit and the next start
// finishes the interrupted write exactly once; then the journal is verified as `maos audit verify` does.

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CommitRuntime } from '../../runtime/commit-runtime.ts';
import { verifyJournalAt } from '../../runtime/kernel-service.ts';
import { type DemoContext, fileText, intentOf, journalOf, useRuntime } from './demo-context.ts';
import { StepLog, type StepReport } from './demo-report.ts';

const CHILD = fileURLToPath(new URL('./demo-crash-child.ts', import.meta.url));
const CHILD_TIMEOUT_MS = 20_000;
const TODO_PATH = '/notes/todo.md';
const TODO = '- send the report on Friday\n';

type ChildExit = { readonly pid: number; readonly signal: string | null; readonly stderr: string };

export async function crashAndRecover(
  ctx: DemoContext,
  closeRuntime: () => Promise<void>,
  reopen: () => Promise<CommitRuntime>,
): Promise<StepReport> {
  const log = new StepLog();
  const intent = intentOf(ctx, 'fs.write', TODO_PATH, { args: { content: TODO } });
  // WHY: the data directory has one writer at a time; the child takes its lock, so release it first.
  await closeRuntime();
  const child = await runChild(ctx, intent);
  log.check(
    child.signal === 'SIGKILL',
    `process ${child.pid} opened the data directory, journaled the write and was killed (SIGKILL) just before it ran${child.stderr === '' ? '' : `; it said: ${child.stderr.trim()}`}`,
  );
  log.check((await fileText(ctx, TODO_PATH)) === undefined, `after the crash ${TODO_PATH} does not exist`);
  useRuntime(ctx, await reopen());
  const recovery = ctx.rt.recovery;
  log.check(
    recovery?.resumed === 1,
    `the restart read ${recovery?.records ?? 0} journal records and resumed ${recovery?.resumed ?? 0} interrupted intent`,
  );
  const tracked = ctx.rt.commits.status(intent.id);
  const bytes = (tracked?.result as { bytes?: unknown } | undefined)?.bytes;
  log.check(
    (await fileText(ctx, TODO_PATH)) === TODO && bytes === Buffer.byteLength(TODO),
    `recovery ran the write: ${TODO_PATH} holds the agent's text (${String(bytes)} bytes)`,
  );
  const records = await journalOf(ctx, intent.id);
  const types = records.map((entry) => entry.type).join(', ');
  log.check(
    types === 'intent.written, intent.executing, intent.committed',
    `exactly once: its journal records are ${types}`,
  );
  return log.report(
    `a crash: another process dies while committing a write to ${TODO_PATH}`,
    'committed',
    tracked?.state ?? 'unknown',
    'the intent and its snapshot were journaled before the effect (write-ahead), so the next start found it unfinished, saw the file was not yet written, and completed it',
  );
}

export async function auditVerify(ctx: DemoContext, closeRuntime: () => Promise<void>): Promise<StepReport> {
  const log = new StepLog();
  await closeRuntime();
  const verified = await verifyJournalAt({ configPath: ctx.configPath, dataDir: ctx.dataDir });
  if (!verified.ok) throw verified.error;
  const view = verified.value;
  log.check(
    view.ok,
    view.ok
      ? `${view.records} records, ${view.checkpoints} signed checkpoints, head #${view.headSeq}`
      : `broken at #${view.brokenSeq}: ${view.message}`,
  );
  log.check(view.checkpoints >= 1, 'at least one checkpoint was written and checked');
  return log.report(
    'maos audit verify: the journal is checked offline, record by record',
    'verified',
    view.ok ? 'verified' : 'broken',
    'each record carries the hash of the one before it and each checkpoint is signed with the node key, so an edited, missing or reordered record would break the walk here',
  );
}

function runChild(ctx: DemoContext, intent: unknown): Promise<ChildExit> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--disable-warning=ExperimentalWarning', CHILD, ctx.configPath, ctx.dataDir],
      { stdio: ['pipe', 'ignore', 'pipe'], timeout: CHILD_TIMEOUT_MS },
    );
    const err: Buffer[] = [];
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (_code, signal) =>
      resolve({ pid: child.pid ?? 0, signal, stderr: Buffer.concat(err).toString('utf8') }),
    );
    child.stdin.end(JSON.stringify(intent));
  });
}
