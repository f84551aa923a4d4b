// Steps 5-6 of `maos demo`: a three-step saga whose last step hits a concurrency conflict and is
// compensated (a file removed, a ticket DELETEd), then an operator undoes the agent's first write.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runSaga, type SagaDefinition } from '../../runtime/index.ts';
import { type DemoContext, fileText, intentOf, journalOf, OPERATOR, seqOf, submit } from './demo-context.ts';
import { StepLog, type StepReport, short } from './demo-report.ts';
import { PLAN_BEFORE, PLAN_PATH, ticketIdOf } from './demo-steps.ts';

export const INDEX_PATH = '/out/index.md';
export const INDEX_BEFORE = '# Published reports\n';
const INDEX_EDITED = '# Published reports\n- (a colleague is reorganising this list)\n';
const REPORT_PATH = '/out/report.md';

export async function publishSaga(ctx: DemoContext): Promise<StepReport> {
  const log = new StepLog();
  const read = await submit(ctx, intentOf(ctx, 'fs.read', INDEX_PATH));
  const seen = (read.result as { hash?: unknown } | undefined)?.hash;
  const seenHash = typeof seen === 'string' ? seen : 'unknown';
  // WHY: a person edits the file behind the agent's back, so the agent's view of it is now stale.
  await writeFile(join(ctx.workspace, INDEX_PATH), INDEX_EDITED);
  log.check(
    read.state === 'committed' && (await fileText(ctx, INDEX_PATH)) === INDEX_EDITED,
    `the agent reads ${INDEX_PATH} (hash ${short(seenHash)}); then a colleague edits that file`,
  );
  const sent = ctx.server.requests.length;
  const saga = await runSaga(ctx.rt.commits, publishReport(ctx, seenHash), {
    clock: ctx.rt.clock,
    random: ctx.rt.random,
  });
  if (!saga.ok) throw saga.error;
  const { steps, failure, state } = saga.value;
  const states = steps.map((step) => `${step.name} ${step.state}`).join(', ');
  log.check(states === 'draft undone, announce undone, link conflict', `steps: ${states}`);
  log.check(failure?.code === 'CONCURRENCY_CONFLICT', `link failed: ${failure?.message ?? 'it did not'}`);
  const [draft, announce] = [steps[0]?.intentId ?? '', steps[1]?.intentId ?? ''];
  const ticket = ticketIdOf(ctx.rt.commits.status(announce)?.result);
  const undoneFirst = seqOf(await journalOf(ctx, announce), 'intent.undone');
  const undoneLast = seqOf(await journalOf(ctx, draft), 'intent.undone');
  log.check(
    0 <= undoneFirst && undoneFirst < undoneLast,
    'compensated newest first: the ticket, then the file',
  );
  log.check(
    ctx.server.requests.slice(sent).includes(`DELETE /tickets/${ticket}`) &&
      !ctx.server.tickets().some((t) => t.id === ticket),
    `the service received DELETE /tickets/${ticket}; ticket ${ticket} no longer exists`,
  );
  log.check(
    (await fileText(ctx, REPORT_PATH)) === undefined,
    `${REPORT_PATH} is gone (it did not exist before)`,
  );
  log.check(
    (await fileText(ctx, INDEX_PATH)) === INDEX_EDITED,
    `the colleague's edit of ${INDEX_PATH} is intact`,
  );
  return log.report(
    'a saga: write /out/report.md, POST a ticket, update /out/index.md',
    'compensated',
    state,
    `the last step carried the hash of ${INDEX_PATH} as the agent read it, but the file changed since, so the commit layer refused it (CONCURRENCY_CONFLICT) and the saga undid its committed steps`,
  );
}

/** Draft a report, announce it with a ticket, then link it from the index the agent read earlier. */
function publishReport(ctx: DemoContext, seenHash: string): SagaDefinition {
  return {
    name: 'publish-report',
    steps: [
      { name: 'draft', intent: intentOf(ctx, 'fs.write', REPORT_PATH, { args: { content: '# Q3\n' } }) },
      {
        name: 'announce',
        intent: intentOf(ctx, 'http.post', `${ctx.server.origin}/tickets`, {
          args: { body: { title: 'Q3 report published' } },
        }),
      },
      {
        name: 'link',
        intent: intentOf(ctx, 'fs.write', INDEX_PATH, {
          args: { content: `${INDEX_BEFORE}- report.md\n` },
          stateHash: seenHash,
        }),
      },
    ],
  };
}

export async function undoPlan(ctx: DemoContext): Promise<StepReport> {
  const log = new StepLog();
  const intentId = ctx.planIntentId ?? '';
  const undone = await ctx.service.undo(intentId, { by: OPERATOR });
  if (!undone.ok) throw undone.error;
  log.check(
    (await fileText(ctx, PLAN_PATH)) === PLAN_BEFORE,
    `${PLAN_PATH} holds its text from before step 1 again`,
  );
  const records = await journalOf(ctx, intentId);
  const by = (records.find((entry) => entry.type === 'intent.undone')?.data as { by?: string } | undefined)
    ?.by;
  log.check(
    by === OPERATOR,
    `journaled as intent.undone (#${seqOf(records, 'intent.undone')}) by ${OPERATOR}`,
  );
  return log.report(
    `${OPERATOR} undoes step 1 (what \`maos undo ${intentId.slice(0, 8)}…\` does on a daemon)`,
    'undone',
    undone.value.state,
    'step 1 kept a snapshot, its hold period is still running and the file is as step 1 left it (undo checks its hash), so the rollback zone put the old file back',
  );
}
