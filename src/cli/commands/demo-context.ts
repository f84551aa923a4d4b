// What the steps of `maos demo` share: the temporary directory, the ticket service, the agent's
// token and the open runtime, plus small helpers to build intents and look at files and the journal.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommitRuntime } from '../../runtime/commit-runtime.ts';
import { kernelService } from '../../runtime/kernel-service.ts';
import type { IntentStatus, JournalEntryView, KernelService } from '../../runtime/service.ts';
import { uuidv7 } from '../../shared/index.ts';
import type { TicketServer } from './demo-server.ts';

export const AGENT = 'writer';
export const OPERATOR = 'demo-operator';

export type DemoContext = {
  readonly configPath: string;
  readonly dataDir: string;
  /** The folder the agent sees as `/`. */
  readonly workspace: string;
  readonly server: TicketServer;
  /** The agent's serialized capability token. */
  readonly token: string;
  rt: CommitRuntime;
  service: KernelService;
  /** Ids later steps refer back to. */
  planIntentId: string | undefined;
  ticketId: number | undefined;
};

/** Swaps in a (re)opened runtime. */
export function useRuntime(ctx: DemoContext, rt: CommitRuntime): void {
  ctx.rt = rt;
  ctx.service = kernelService(rt);
}

/** An intent as the agent would send it, carrying its token. */
export function intentOf(
  ctx: DemoContext,
  action: string,
  resource: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> & { id: string } {
  return {
    id: uuidv7(ctx.rt.clock, ctx.rt.random),
    agent: AGENT,
    action,
    resource,
    args: {},
    token: ctx.token,
    ...extra,
  };
}

/** Submits through the same service the daemon's HTTP API uses; an operating error throws. */
export async function submit(ctx: DemoContext, intent: unknown): Promise<IntentStatus> {
  const status = await ctx.service.submit(intent);
  if (!status.ok) throw status.error;
  return status.value;
}

/** The text of a workspace file, or undefined when it does not exist. */
export async function fileText(ctx: DemoContext, virtualPath: string): Promise<string | undefined> {
  try {
    return await readFile(join(ctx.workspace, virtualPath), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The journal records of one intent, oldest first. */
export async function journalOf(ctx: DemoContext, intentId: string): Promise<readonly JournalEntryView[]> {
  const entries = await ctx.service.journal({ intentId, fromSeq: 0, limit: 100 });
  if (!entries.ok) throw entries.error;
  return entries.value;
}

/** The sequence number of the first record of `type`, or -1. */
export function seqOf(entries: readonly JournalEntryView[], type: string): number {
  return entries.find((entry) => entry.type === type)?.seq ?? -1;
}

/** The first check that did not allow, as `check: CODE — message`, for the why of a step. */
export function reasonOf(status: IntentStatus): string {
  const check = status.checks.find((c) => c.verdict !== 'allow');
  if (check === undefined) return 'no check objected';
  return `the ${check.check} check answered ${check.code ?? check.verdict}: ${check.message ?? ''}`;
}
