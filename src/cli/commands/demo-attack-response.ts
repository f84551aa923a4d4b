// Steps 6-9 of `maos demo attack`: MAOS's answer. Hard isolation freezes the agent and closes its
// gateways; a commander approves its elimination (refused without approval under hardened); the
// pod ends with its workspace kept for forensics; healing starts a clean replacement; the journal
// tells the whole story and its hash chain verifies.

import { existsSync, lstatSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { JournalEntryView } from '../../runtime/service.ts';
import type { JsonValue } from '../../shared/index.ts';
import {
  AGENT,
  type AttackContext,
  type AttackStep,
  agentRecords,
  COMMANDER,
  dataOf,
  field,
  journal,
  partnerUrl,
  recordsWhen,
  runTask,
  SECRET_PATH,
  sleep,
  waitFor,
  withStanding,
} from './demo-attack-context.ts';
import { summaryOf } from './demo-attack-journal.ts';
import { StepLog } from './demo-report.ts';

/** How long a task sent to the frozen agent is watched for not running. */
const FROZEN_WATCH_MS = 300;
const REPLACEMENT_WAIT_MS = 20_000;

export async function hardIsolation(ctx: AttackContext): Promise<AttackStep> {
  const log = new StepLog();
  await waitFor(() => ctx.rt.pods.get(AGENT)?.state === 'paused', 5_000);
  const pod = (await ctx.rt.control.list()).find((p) => p.agent === AGENT);
  log.check(
    pod?.state === 'paused' && pod.osPaused,
    `the immune system's pause command froze the pod: state ${pod?.state}, ${pod?.osPaused ? 'stopped at the OS level (SIGSTOP to the process)' : 'held at its gateways only'}`,
  );
  // WHY: a SIGSTOPped process shows `T` only once the kernel next schedules it; on a loaded
  // machine that takes a moment, so the state is polled (bounded) rather than read once.
  let osState = await processState(pod?.pid);
  await waitFor(async () => {
    osState = await processState(pod?.pid);
    return osState === undefined || osState === 'T';
  }, 10_000);
  log.check(
    osState === undefined || osState === 'T',
    osState === undefined
      ? 'the OS state of the process cannot be read here (no /proc)'
      : `/proc/${pod?.pid}/stat says state ${osState}${osState === 'T' ? ' (stopped)' : ''}`,
  );
  const probe = ctx.rt.control.task(AGENT, { step: 'probe', url: partnerUrl(ctx) });
  const watched = await Promise.race([probe.then(() => 'ran'), sleep(FROZEN_WATCH_MS).then(() => 'waiting')]);
  log.check(
    watched === 'waiting',
    `a task sent now does not run: after ${FROZEN_WATCH_MS} ms it is still ${watched}`,
  );
  const resumed = await ctx.rt.control.signal(AGENT, 'SIGCONT');
  const answer = await probe;
  const value = answer.ok ? answer.value : null;
  log.check(
    resumed.ok && field(value, 'code') === 'GATEWAY_CLOSED',
    `the operator let the process run (SIGCONT) to show the gateways stay shut: its post → ${String(field(value, 'code') ?? 'went through')}: ${String(field(value, 'message') ?? '')}`,
  );
  if (ctx.pendingNetwork !== undefined) {
    const late = await ctx.pendingNetwork;
    const call = late.ok ? field(late.value, 'call') : undefined;
    log.check(
      field(call, 'code') === 'GATEWAY_DENIED',
      `the frozen network task returned too: its call had come back ${String(field(call, 'code'))}`,
    );
  }
  const stopped = await ctx.rt.control.signal(AGENT, 'SIGSTOP');
  log.check(
    stopped.ok && stopped.value.osPaused,
    'and froze it again (SIGSTOP): hard isolation lasts until a commander decides',
  );
  return withStanding(ctx, log, 3, () =>
    log.report(
      `${AGENT} in hard isolation`,
      'frozen',
      pod?.osPaused === true ? 'frozen' : 'not frozen',
      'stage 3 closes every gateway but the admin one and asks the pod manager to pause the pod; for a process sandbox that is SIGSTOP, so its code does not run at all',
    ),
  );
}

export async function eliminate(ctx: AttackContext): Promise<AttackStep> {
  const log = new StepLog();
  const refused = await ctx.rt.control.quarantine(AGENT, 4, { by: COMMANDER });
  log.check(
    !refused.ok &&
      refused.error.code === 'QUARANTINE_APPROVAL_REQUIRED' &&
      ctx.rt.immune.stageOf(AGENT) === 3,
    `stage 4 without approval → ${refused.ok ? 'ACCEPTED' : `${refused.error.code}: ${refused.error.message}`}`,
  );
  const approved = await ctx.rt.control.quarantine(AGENT, 4, { by: COMMANDER, approved: true });
  if (!approved.ok) throw approved.error;
  log.check(true, `${COMMANDER} approves elimination (approved: true): accepted`);
  const records = await recordsWhen(
    ctx,
    (all) => all.some((r) => r.type === 'pod.replaced'),
    REPLACEMENT_WAIT_MS,
  );
  const replaced = records.some((r) => r.type === 'pod.replaced');
  const stage4 = records.find((r) => r.type === 'immune.stage' && dataOf(r).to === 4);
  const exited = records.find((r) => r.type === 'pod.exited' && (stage4 === undefined || r.seq > stage4.seq));
  log.check(
    stage4 !== undefined && dataOf(stage4).by === COMMANDER && exited !== undefined,
    `journal #${stage4?.seq ?? '-'} immune.stage 3 → 4 by ${String(stage4 === undefined ? '-' : dataOf(stage4).by)}; #${exited?.seq ?? '-'} pod.exited (${String(exited === undefined ? '-' : dataOf(exited).cause)})`,
  );
  const all = await allWhen(ctx, (entries) => {
    const ids = new Set(entries.filter((r) => r.type === 'intent.rejected').map((r) => dataOf(r).intentId));
    return ctx.heldIntents.every((id) => ids.has(id));
  });
  const revoked = all.find(
    (r) => r.type === 'kernel.token.revoked' && exited !== undefined && r.seq > exited.seq,
  );
  log.check(
    revoked !== undefined,
    `its token was revoked (#${revoked?.seq ?? '-'}: ${String(revoked === undefined ? '' : dataOf(revoked).reason)})`,
  );
  const rejected = new Set(
    all.filter((r) => r.type === 'intent.rejected').map((r) => String(dataOf(r).intentId)),
  );
  const stillHeld = (await ctx.rt.service.held()).filter((h) => ctx.heldIntents.includes(h.intentId));
  log.check(
    ctx.heldIntents.length > 0 && ctx.heldIntents.every((id) => rejected.has(id)) && stillHeld.length === 0,
    `its ${ctx.heldIntents.length} held posts were rejected when the pod ended: none of them will ever run`,
  );
  const kept = records.find((r) => r.type === 'pod.replaced');
  const forensics = kept === undefined ? '' : String(dataOf(kept).forensics);
  log.check(
    replaced && existsSync(join(forensics, SECRET_PATH)) && isSymlink(join(forensics, 'leak')),
    `its workspace is kept for forensics, secret and planted link included: ${forensics}`,
  );
  const memory = records.find((r) => r.type === 'immune.memory');
  log.check(
    memory !== undefined,
    `immune memory recorded the threat (${String(memory === undefined ? '-' : dataOf(memory).classification)}, anomaly kinds ${JSON.stringify(memory === undefined ? [] : dataOf(memory).kinds)})`,
  );
  return withStanding(
    ctx,
    log,
    0,
    () =>
      log.report(
        `a commander eliminates ${AGENT}`,
        'eliminated',
        exited === undefined ? 'still running' : 'eliminated',
        'under the hardened profile only a commander may approve stage 4 (§37.8.2), and only from hard isolation; the pod manager then kills the pod, the runtime revokes its token and refuses its held intents, and the workspace is moved aside, not deleted',
      ),
    { forensics },
  );
}

export async function heal(ctx: AttackContext): Promise<AttackStep> {
  const log = new StepLog();
  const records = agentRecords(await journal(ctx));
  const moves = records.filter((r) => r.type === 'immune.stage').map((r) => dataOf(r));
  const healing = moves.find((m) => m.from === 4 && m.to === 5);
  const normal = moves.find((m) => m.from === 5 && m.to === 0);
  log.check(
    healing !== undefined && normal !== undefined,
    `immune.stage 4 → 5 (${String(healing?.reason ?? '-')}), then 5 → 0 (${String(normal?.reason ?? '-')})`,
  );
  const pod = (await ctx.rt.control.list()).find((p) => p.agent === AGENT);
  log.check(
    pod?.state === 'running' && pod.pid !== ctx.pid && pod.sandbox === 'process',
    `a replacement runs from the clean manifest: ${pod?.sandbox} sandbox, pid ${pod?.pid} (was ${ctx.pid})`,
  );
  const hello = await runTask(ctx, { step: 'hello', url: partnerUrl(ctx) });
  const entries = field(field(hello, 'workspace'), 'entries');
  log.check(
    Array.isArray(entries) && entries.length === 0,
    `its workspace is empty: no secret, no planted link (${JSON.stringify(entries)})`,
  );
  log.check(
    field(hello, 'post') === 'held',
    `its first post is ${String(field(hello, 'post'))}: the aggregate totals belong to the identity, so the replacement starts past the limit too`,
  );
  return withStanding(ctx, log, 0, () =>
    log.report(
      `healing: a clean ${AGENT} replaces the eliminated one`,
      'replaced',
      pod?.state === 'running' && pod.pid !== ctx.pid ? 'replaced' : 'not replaced',
      'stage 5 starts a new instance under the same id from the verified manifest, with a new token, a fresh workspace, no score and a fresh behavioural calibration',
    ),
  );
}

export async function journalStory(ctx: AttackContext): Promise<AttackStep> {
  const log = new StepLog();
  const records = agentRecords(await journal(ctx)).filter((r) => /^(pod|immune|intent)\./.test(r.type));
  const lines = summarise(records, ctx.server.origin);
  const walk = records
    .filter((r) => r.type === 'immune.stage')
    .map((r) => `${String(dataOf(r).from)}→${String(dataOf(r).to)}`);
  log.check(
    walk.join(' ') === '0→1 1→2 2→3 3→4 4→5 5→0',
    `the stage walk in the journal: ${walk.join(', ')}`,
  );
  log.check(
    lines.length > 0,
    `${records.length} records about ${AGENT} (pod.*, immune.*, intent.*), in order:`,
  );
  const verified = await ctx.rt.service.verify();
  log.check(
    verified.ok,
    verified.ok
      ? `the hash chain of all ${verified.records} journal records verifies (head #${verified.headSeq})`
      : `the journal does NOT verify at #${verified.brokenSeq}: ${verified.message}`,
  );
  const extra: { [key: string]: JsonValue } = {
    stageWalk: walk,
    records: lines.map((line) => ({ seqs: line.seqs, type: line.type, summary: line.summary })),
  };
  return withStanding(
    ctx,
    log,
    0,
    () =>
      log.report(
        `the journal tells the story`,
        'verified',
        verified.ok ? 'verified' : 'broken',
        'every gateway refusal, anomaly, stage move, intent and pod event went into the one hash-chained journal; verification recomputes every hash and checks the chain',
      ),
    extra,
  );
}

type Line = { seqs: string; type: string; summary: string };

/** One line per record; a run of records that read the same is folded into one line with a count. */
function summarise(records: readonly JournalEntryView[], origin: string): Line[] {
  const actions = new Map<string, string>();
  const out: (Line & { first: number; last: number; count: number })[] = [];
  for (const record of records) {
    const summary = summaryOf(record, actions, origin);
    const previous = out.at(-1);
    if (previous !== undefined && previous.type === record.type && previous.summary === summary) {
      previous.last = record.seq;
      previous.count += 1;
      continue;
    }
    out.push({ seqs: '', type: record.type, summary, first: record.seq, last: record.seq, count: 1 });
  }
  return out.map((line) => ({
    seqs: line.count === 1 ? `#${line.first}` : `#${line.first}–#${line.last}`,
    type: line.type,
    summary: line.count === 1 ? line.summary : `${line.summary} (×${line.count})`,
  }));
}

/** The whole journal once `ready` holds for it, or the last read after a few seconds. */
async function allWhen(
  ctx: AttackContext,
  ready: (entries: readonly JournalEntryView[]) => boolean,
): Promise<readonly JournalEntryView[]> {
  let entries: readonly JournalEntryView[] = [];
  await waitFor(async () => {
    entries = await journal(ctx);
    return ready(entries);
  }, 5_000);
  return entries;
}

/** The one-letter state in /proc/<pid>/stat (`T` stopped, `S` sleeping, …), when readable. */
async function processState(pid: number | undefined): Promise<string | undefined> {
  if (pid === undefined) return undefined;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // WHY: the command name in parentheses may hold spaces; the state follows the last `)`.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
