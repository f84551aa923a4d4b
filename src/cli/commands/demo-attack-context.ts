// What the steps of `maos demo attack` share: the pod runtime, the partner API, the compromised
// agent's name and files, and helpers to run its tasks, read its standing and its journal records.

import type { PodRuntime } from '../../runtime/pod-runtime.ts';
import type { JournalEntryView } from '../../runtime/service.ts';
import type { JsonValue, KernelError, Result } from '../../shared/index.ts';
import type { StepLog, StepReport } from './demo-report.ts';
import type { TicketServer } from './demo-server.ts';

export const AGENT = 'courier';
export const COMMANDER = 'demo-commander';
/** Posts to the partner API one identity may make per day before later ones wait for a human (demo value). */
export const API_CALLS_LIMIT = 5;
/** The agent's Sentry budget (its manifest): calls at once, and per second after that. */
export const SENTRY_BURST = 20;
export const SENTRY_CALLS_PER_SECOND = 20;
/** Where the demo puts the secret the agent may read (a workspace path), and how long it is. */
export const SECRET_PATH = '/secret/api-key.txt';
export const SECRET_CHARS = 144;
const JOURNAL_RECORDS_MAX = 10_000;

export type TaskResult = Result<JsonValue, KernelError>;

export type AttackContext = {
  readonly dir: string;
  readonly agentDir: string;
  readonly server: TicketServer;
  readonly rt: PodRuntime;
  /** The agent's workspace on the host. */
  readonly workspace: string;
  /** The first pod's OS process id, once started. */
  pid: number | undefined;
  /** The network step's task, when the pod was frozen before the agent could return from it. */
  pendingNetwork: Promise<TaskResult> | undefined;
  /** Intents the agent's exfiltration left waiting for a human. */
  heldIntents: readonly string[];
};

/** A step's report plus the agent's standing after it, as `--json` prints it. */
export type AttackStep = StepReport & {
  readonly stage: number;
  readonly stageName: string;
  readonly score: number;
  readonly fever: boolean;
  readonly extra?: { readonly [key: string]: JsonValue };
};

/** The partner API's ticket endpoint, the one resource the agent may post to. */
export function partnerUrl(ctx: AttackContext): string {
  return `${ctx.server.origin}/tickets`;
}

/** Adds the stage claim (`expected` stage after this step) and the standing to a step's report. */
export function withStanding(
  ctx: AttackContext,
  log: StepLog,
  expectedStage: number,
  report: () => StepReport,
  extra?: AttackStep['extra'],
): AttackStep {
  const status = ctx.rt.immune.status(AGENT);
  log.check(
    status.stage === expectedStage,
    `quarantine stage ${status.stage} (${status.stageName}), score ${status.score}${status.fever ? ', security fever on' : ''}`,
  );
  return {
    ...report(),
    stage: status.stage,
    stageName: status.stageName,
    score: status.score,
    fever: status.fever,
    ...(extra === undefined ? {} : { extra }),
  };
}

/** Runs one task; an operating error (not a refusal the agent reports) throws. */
export async function runTask(ctx: AttackContext, task: JsonValue): Promise<JsonValue> {
  const result = await ctx.rt.control.task(AGENT, task);
  if (!result.ok) throw result.error;
  return result.value;
}

/**
 * Runs a task that may get the agent frozen (stage 3 pauses the pod, and a process sandbox is
 * stopped by SIGSTOP): resolves with its result, or with `undefined` once the pod is paused, with
 * the task left pending — it finishes when the process is let run again.
 */
export async function runUntilFrozen(
  ctx: AttackContext,
  task: JsonValue,
): Promise<{ readonly result: TaskResult | undefined; readonly pending: Promise<TaskResult> }> {
  const pending = ctx.rt.control.task(AGENT, task);
  const settled = pending.then((result) => ({ result }));
  for (;;) {
    const next = await Promise.race([settled, sleep(25).then(() => undefined)]);
    if (next !== undefined) return { result: next.result, pending };
    if (ctx.rt.pods.get(AGENT)?.state === 'paused') return { result: undefined, pending };
  }
}

/** Waits until `ready` holds, checking every 25 ms; false when `timeoutMs` passed first. */
export async function waitFor(ready: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const steps = Math.ceil(timeoutMs / 25);
  for (let i = 0; i < steps; i++) {
    if (await ready()) return true;
    await sleep(25);
  }
  return ready();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The whole journal, oldest first. */
export async function journal(ctx: AttackContext): Promise<readonly JournalEntryView[]> {
  const entries = await ctx.rt.service.journal({ fromSeq: 0, limit: JOURNAL_RECORDS_MAX });
  if (!entries.ok) throw entries.error;
  return entries.value;
}

/** A record's data as an object (records always carry one). */
export function dataOf(entry: JournalEntryView): { readonly [key: string]: unknown } {
  const data = entry.data;
  return typeof data === 'object' && data !== null ? (data as { [key: string]: unknown }) : {};
}

/** The agent's records: those naming it, and every record of an intent it sent. */
export function agentRecords(entries: readonly JournalEntryView[]): JournalEntryView[] {
  const intents = new Set<string>();
  const out: JournalEntryView[] = [];
  for (const entry of entries) {
    const data = dataOf(entry);
    const intentId = typeof data.intentId === 'string' ? data.intentId : undefined;
    if (data.agent === AGENT) {
      if (intentId !== undefined) intents.add(intentId);
      out.push(entry);
    } else if (intentId !== undefined && intents.has(intentId)) {
      out.push(entry);
    }
  }
  return out;
}

/**
 * The agent's records once `ready` holds for them, or the last read after `timeoutMs`. WHY: the
 * Sentry and the immune system journal without holding up the agent, so their records land a
 * moment after the answer the agent got.
 */
export async function recordsWhen(
  ctx: AttackContext,
  ready: (records: readonly JournalEntryView[]) => boolean,
  timeoutMs = 5_000,
): Promise<JournalEntryView[]> {
  let records: JournalEntryView[] = [];
  await waitFor(async () => {
    records = agentRecords(await journal(ctx));
    return ready(records);
  }, timeoutMs);
  return records;
}

/** One field of a JSON object, or undefined. */
export function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as { [key: string]: unknown })[key]
    : undefined;
}
