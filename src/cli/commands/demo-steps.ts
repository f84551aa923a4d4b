// Steps 1-4 of `maos demo`: the agent writes a file, is denied outside its grant, creates a
// ticket on the local service, and closes it after a human approves. Each step checks its claims.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  type DemoContext,
  fileText,
  intentOf,
  journalOf,
  OPERATOR,
  reasonOf,
  seqOf,
  submit,
} from './demo-context.ts';
import { StepLog, type StepReport, short } from './demo-report.ts';

export const PLAN_PATH = '/notes/plan.md';
export const PLAN_BEFORE = '# Plan\n- draft the quarterly report\n';
const PLAN_AFTER = '# Plan\n- draft the quarterly report\n- ask for a review on the ticket service\n';

export async function writePlan(ctx: DemoContext): Promise<StepReport> {
  const log = new StepLog();
  const status = await submit(ctx, intentOf(ctx, 'fs.write', PLAN_PATH, { args: { content: PLAN_AFTER } }));
  ctx.planIntentId = status.intentId;
  const records = await journalOf(ctx, status.intentId);
  const written = seqOf(records, 'intent.written');
  const executing = seqOf(records, 'intent.executing');
  const committed = seqOf(records, 'intent.committed');
  log.check(
    written >= 0 && written < executing && executing < committed,
    `journal #${written} intent.written, #${executing} intent.executing, #${committed} intent.committed`,
  );
  log.check((await fileText(ctx, PLAN_PATH)) === PLAN_AFTER, `${PLAN_PATH} now holds the new plan`);
  const tracked = ctx.rt.commits.status(status.intentId);
  log.check(
    tracked?.plan?.kind === 'snapshot' && status.undoUntilMs !== undefined,
    `the old file was snapshotted first; undo works for ${hoursLeft(ctx, status.undoUntilMs)} h`,
  );
  return log.report(
    `writer overwrites ${PLAN_PATH}`,
    'committed',
    status.state,
    `its token grants fs.write on /notes/** and every check passed, so the commit layer journaled the intent, snapshotted the file, wrote it, and journaled the result`,
  );
}

export async function writeOutsideGrant(ctx: DemoContext): Promise<StepReport> {
  const log = new StepLog();
  const target = '/etc/passwd';
  const status = await submit(
    ctx,
    intentOf(ctx, 'fs.write', target, { args: { content: 'root::0:0:root:/root:/bin/sh\n' } }),
  );
  const capability = status.checks.find((check) => check.check === 'capability');
  log.check(
    capability?.verdict === 'deny' && capability.code === 'SCOPE_NOT_COVERED',
    `the capability check said SCOPE_NOT_COVERED`,
  );
  const records = await journalOf(ctx, status.intentId);
  log.check(
    seqOf(records, 'intent.denied') >= 0,
    `the denial is journaled (#${seqOf(records, 'intent.denied')})`,
  );
  log.check(
    seqOf(records, 'intent.written') === -1 && !existsSync(join(ctx.workspace, target)),
    'nothing was written: no intent.written record, no file',
  );
  return log.report(`writer tries to overwrite ${target}`, 'denied', status.state, reasonOf(status));
}

export async function createTicket(ctx: DemoContext): Promise<StepReport> {
  const log = new StepLog();
  const resource = `${ctx.server.origin}/tickets`;
  const status = await submit(
    ctx,
    intentOf(ctx, 'http.post', resource, { args: { body: { title: 'Review the quarterly plan' } } }),
  );
  const id = ticketIdOf(status.result);
  ctx.ticketId = id;
  const answered = (status.result as { status?: unknown } | undefined)?.status;
  log.check(
    answered === 201 && id !== undefined,
    `the service answered ${String(answered)} with ticket id ${id}`,
  );
  log.check(
    ctx.server.tickets().some((ticket) => ticket.id === id && ticket.status === 'open'),
    `the service now lists ticket ${id} as open`,
  );
  const tracked = ctx.rt.commits.status(status.intentId);
  log.check(
    tracked?.plan?.kind === 'compensation',
    'its undo was planned before the request: DELETE {resource}/{result.body.id}',
  );
  return log.report(
    `writer creates a ticket: POST ${resource}`,
    'committed',
    status.state,
    'its token grants http.post on the ticket service, and maos.yaml gives http.post a compensation, so the write is undoable and commits without a human',
  );
}

export async function closeTicketWithApproval(ctx: DemoContext): Promise<StepReport> {
  const log = new StepLog();
  const resource = `${ctx.server.origin}/tickets/${ctx.ticketId ?? 0}`;
  const held = await submit(
    ctx,
    intentOf(ctx, 'http.put', resource, { args: { body: { status: 'closed' } } }),
  );
  const why = reasonOf(held);
  const waiting = (await ctx.service.held()).find((h) => h.intentId === held.intentId);
  log.check(
    held.state === 'held' && waiting !== undefined,
    `held for a human (APPROVAL_REQUIRED); \`maos held\` lists it`,
  );
  log.check(
    ticketStatus(ctx) === 'open' && !ctx.server.requests.some((r) => r.startsWith('PUT ')),
    'while held, nothing was sent: no PUT reached the service, the ticket is still open',
  );
  const approved = await ctx.service.approve(held.intentId, { by: OPERATOR, note: 'closing is fine' });
  if (!approved.ok) throw approved.error;
  const records = await journalOf(ctx, held.intentId);
  const approval = records.find((entry) => entry.type === 'intent.approved');
  const data = (approval?.data ?? {}) as { by?: string; digest?: string; policyHash?: string };
  log.check(
    data.by === OPERATOR && data.digest === waiting?.digest && data.policyHash === waiting?.policyHash,
    `${OPERATOR} approved it (journal #${approval?.seq}), bound to intent digest ${short(data.digest ?? '')} and policy ${short(data.policyHash ?? '')}`,
  );
  log.check(
    (approval?.seq ?? Infinity) < seqOf(records, 'intent.committed'),
    `the approval was journaled before the commit (#${seqOf(records, 'intent.committed')})`,
  );
  log.check(ticketStatus(ctx) === 'closed', `the service now shows ticket ${ctx.ticketId} closed`);
  return log.report(
    `writer closes the ticket: PUT ${resource}`,
    'held, then committed',
    `${held.state}, then ${approved.value.state}`,
    `${why}; ${OPERATOR} approved it, and the approval is bound to this exact intent (its digest) and this policy`,
  );
}

function ticketStatus(ctx: DemoContext): string | undefined {
  return ctx.server.tickets().find((ticket) => ticket.id === ctx.ticketId)?.status;
}

/** The `id` of the ticket an http.post result carries (`{ status, headers, body: { id } }`). */
export function ticketIdOf(result: unknown): number | undefined {
  const body = (result as { body?: { id?: unknown } } | undefined)?.body;
  return typeof body?.id === 'number' ? body.id : undefined;
}

function hoursLeft(ctx: DemoContext, untilMs: number | undefined): number {
  return untilMs === undefined ? 0 : Math.round((untilMs - ctx.rt.clock.wallMs()) / 3_600_000);
}
