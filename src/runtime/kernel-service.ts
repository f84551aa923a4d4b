// The `KernelService` a running MAOS offers (HTTP API, CLI): a thin adapter from the commit
// runtime's objects to the plain JSON views of service.ts. Also the offline journal check.

import { type FlowSession, quarantineOutput } from '../ifc/index.ts';
import {
  actionPolicyOf,
  type JournalEntry,
  type Tracked,
  undoIntent,
  verifyJournal,
} from '../kernel/index.ts';
import {
  ERROR_CODES,
  fail,
  type JsonValue,
  type KernelError,
  ok,
  type Result,
  uuidv7,
} from '../shared/index.ts';
import { type CommitRuntime, type CommitRuntimeOptions, openCommitRuntime } from './commit-runtime.ts';
import { type LoadedConfig, loadConfigFor } from './config.ts';
import { loadIssuerKeys } from './key-store.ts';
import type { RuntimeOptions } from './runtime.ts';
import type {
  HeldIntent,
  IntentStatus,
  JournalEntryView,
  JournalQuery,
  KernelService,
  SessionView,
  VerifyView,
} from './service.ts';
import { declassifySession } from './session-declassify.ts';
import { openConfiguredStorage } from './storage-open.ts';
import { packageVersion } from './version.ts';

export type OpenService = {
  readonly service: KernelService;
  readonly runtime: CommitRuntime;
  readonly dataDir: string;
  readonly config: LoadedConfig;
  close(): Promise<void>;
};

const JOURNAL_LIMIT_MAX = 1000;
/** A filtered journal query reads at most this many records before it answers. */
const JOURNAL_SCAN_MAX = 200_000;

export async function openKernelService(
  options: CommitRuntimeOptions,
): Promise<Result<OpenService, KernelError>> {
  const runtime = await openCommitRuntime(options);
  if (!runtime.ok) return runtime;
  const rt = runtime.value;
  return ok({
    service: kernelService(rt),
    runtime: rt,
    dataDir: rt.dataDir,
    config: rt.config,
    close: () => rt.close(),
  });
}

export function kernelService(rt: CommitRuntime): KernelService {
  const { commits, approvals } = rt;
  return {
    submit: async (input) => {
      const submitted = await commits.submit(input);
      return submitted.ok ? ok(quarantined(rt, input, statusView(submitted.value))) : submitted;
    },
    status: async (intentId) => {
      const tracked = commits.status(intentId);
      return tracked === undefined
        ? fail(ERROR_CODES.INTENT_NOT_FOUND, `no intent \`${intentId}\``)
        : ok(statusView(tracked));
    },
    held: async () => (await approvals.list()).map(heldView),
    approve: async (intentId, decider) => view(await approvals.approve(intentId, decider)),
    reject: async (intentId, decider) => view(await approvals.reject(intentId, decider)),
    undo: async (intentId, decider) => view(await undoIntent(commits, intentId, decider.by)),
    journal: (query) => queryJournal(rt, query),
    ...sessionMethods(rt),
    declassify: (id, input) => declassifySession(rt, id, input),
    verify: async () => verifyView(await verifyJournal(rt.storage, { publicKeys: rt.keys.publicKeys })),
    health: async () => ({
      status: rt.kernel.mode === 'operational' ? 'ok' : 'degraded',
      mode: rt.kernel.mode,
      storage: rt.storage.kind,
      journalHeadSeq: rt.journal.head.seq,
      held: (await approvals.list()).length,
      nodeId: rt.kernel.policy.nodeId,
      policyHash: rt.kernel.policy.hash,
      version: packageVersion(),
      uptimeMs: rt.clock.wallMs() - rt.startedMs,
    }),
  };
}

/**
 * A committed result of an action whose policy quarantines output: what is not TRUSTED reaches the
 * caller (the planner) only as `maos:q:` references of the intent's session (issue 7).
 */
function quarantined(rt: CommitRuntime, input: unknown, view: IntentStatus): IntentStatus {
  if (view.state !== 'committed' || view.result === undefined) return view;
  const action = actionPolicyOf(rt.kernel.policy, view.action);
  if (!action.quarantine) return view;
  const sessionId = (input as { session?: unknown } | null)?.session;
  const session = typeof sessionId === 'string' ? rt.kernel.flows.get(sessionId) : undefined;
  // WHY: without a session nothing could resolve a reference; the result is withheld instead.
  if (session === undefined || session.agent !== view.agent) return { ...view, result: null };
  const result = quarantineOutput(
    session,
    view.result as JsonValue,
    action.output,
    action.outputFields,
    view.intentId,
  );
  return { ...view, result };
}

/** Sessions live in the kernel's memory: a restart closes them, and their intents then fail closed. */
function sessionMethods(
  rt: CommitRuntime,
): Pick<KernelService, 'openSession' | 'session' | 'addTask' | 'closeSession'> {
  const flows = rt.kernel.flows;
  const found = (id: string): Result<FlowSession, KernelError> => {
    const session = flows.get(id);
    return session === undefined ? fail(ERROR_CODES.SESSION_UNKNOWN, `no session \`${id}\``) : ok(session);
  };
  return {
    openSession: async (agent, task) => {
      if (!rt.kernel.policy.agents.has(agent)) {
        return fail(ERROR_CODES.INVALID_INPUT, `no agent \`${agent}\` in the policy`);
      }
      const opened = flows.open(uuidv7(rt.clock, rt.random), agent);
      if (!opened.ok) return opened;
      if (task !== undefined) opened.value.task(task);
      return ok(sessionView(opened.value));
    },
    session: async (id) => {
      const session = found(id);
      return session.ok ? ok(sessionView(session.value)) : session;
    },
    addTask: async (id, text) => {
      const session = found(id);
      if (!session.ok) return session;
      session.value.task(text);
      return ok(sessionView(session.value));
    },
    closeSession: async (id) => ok({ closed: flows.close(id) }),
  };
}

function sessionView(session: FlowSession): SessionView {
  return { session: session.id, agent: session.agent, label: { ...session.label }, sources: session.sources };
}

/** Walks the journal in the data directory without a daemon (read-only). */
export async function verifyJournalAt(options: RuntimeOptions): Promise<Result<VerifyView, KernelError>> {
  const config = await loadConfigFor(options);
  if (!config.ok) return config;
  const dataDir = options.dataDir ?? config.value.dataDir;
  const keys = await loadIssuerKeys(dataDir);
  if (!keys.ok) return keys;
  const storage = await openConfiguredStorage(config.value, dataDir, { readOnly: true });
  if (!storage.ok) return storage;
  try {
    return ok(verifyView(await verifyJournal(storage.value, { publicKeys: keys.value.publicKeys })));
  } finally {
    await storage.value.close();
  }
}

function view(result: Result<Tracked, KernelError>): Result<IntentStatus, KernelError> {
  return result.ok ? ok(statusView(result.value)) : result;
}

export function statusView(tracked: Tracked): IntentStatus {
  return {
    intentId: tracked.intentId,
    agent: tracked.agent,
    action: tracked.action,
    resource: tracked.resource,
    state: tracked.state,
    verdict: tracked.verdict,
    checks: tracked.checks,
    journal: [...tracked.seqs],
    ...(tracked.result === undefined ? {} : { result: tracked.result }),
    ...(tracked.error === undefined ? {} : { error: tracked.error }),
    ...(tracked.state === 'committed' && tracked.undoUntilMs !== undefined && !tracked.released
      ? { undoUntilMs: tracked.undoUntilMs }
      : {}),
  };
}

function heldView(tracked: Tracked): HeldIntent {
  return {
    intentId: tracked.intentId,
    agent: tracked.agent,
    action: tracked.action,
    resource: tracked.resource,
    args: tracked.args,
    digest: tracked.digest ?? '',
    policyHash: tracked.policyHash,
    reasons: tracked.checks,
    heldAtMs: tracked.heldAtMs ?? 0,
    expiresAtMs: tracked.heldUntilMs ?? 0,
  };
}

function verifyView(report: Awaited<ReturnType<typeof verifyJournal>>): VerifyView {
  return report.ok
    ? { ok: true, records: report.records, checkpoints: report.checkpoints, headSeq: report.headSeq }
    : {
        ok: false,
        records: report.records,
        checkpoints: report.checkpoints,
        brokenSeq: report.brokenSeq,
        reason: report.reason,
        message: report.message,
      };
}

async function queryJournal(
  rt: CommitRuntime,
  query: JournalQuery,
): Promise<Result<readonly JournalEntryView[], KernelError>> {
  const limit = Math.min(query.limit ?? 100, JOURNAL_LIMIT_MAX);
  if (!Number.isInteger(limit) || limit < 1)
    return fail(ERROR_CODES.INVALID_INPUT, '`limit` must be 1 or more');
  const head = rt.journal.head.seq;
  const requested = query.fromSeq ?? -limit;
  const from = requested < 0 ? Math.max(0, head + 1 + requested) : requested;
  const out: JournalEntryView[] = [];
  let scanned = 0;
  for await (const entry of rt.journal.entries(from)) {
    if (matches(entry, query)) out.push(entryView(entry));
    if (out.length === limit || ++scanned === JOURNAL_SCAN_MAX) break;
  }
  return ok(out);
}

function matches(entry: JournalEntry, query: JournalQuery): boolean {
  const data = entry.data as Record<string, unknown>;
  if (query.agent !== undefined && data.agent !== query.agent) return false;
  if (query.intentId !== undefined && data.intentId !== query.intentId) return false;
  if (query.types === undefined || query.types.length === 0) return true;
  return query.types.some((type) =>
    type.endsWith('*') ? entry.type.startsWith(type.slice(0, -1)) : entry.type === type,
  );
}

function entryView(entry: JournalEntry): JournalEntryView {
  return {
    seq: entry.seq,
    hash: entry.hash,
    prev: entry.prev,
    ts: entry.ts,
    type: entry.type,
    data: entry.data,
  };
}
