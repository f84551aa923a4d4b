// The body of `maos demo`: sets up a workspace, a local ticket service and a demo maos.yaml in a
// temporary directory, opens the commit runtime on it (SQLite), mints the agent's token, and runs
// the eight steps in order, printing each with what happened and why. Exit 1 if any step failed.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type CommitRuntime, openCommitRuntime } from '../../runtime/commit-runtime.ts';
import { inspectToken } from '../../runtime/index.ts';
import { kernelService } from '../../runtime/kernel-service.ts';
import { assert } from '../../shared/index.ts';
import { EXIT } from '../io.ts';
import { demoConfigYaml } from './demo-config.ts';
import { AGENT, type DemoContext, useRuntime } from './demo-context.ts';
import { auditVerify, crashAndRecover } from './demo-crash.ts';
import { allAsExpected, brokenStep, printStep, type StepReport, short, verdictLine } from './demo-report.ts';
import { INDEX_BEFORE, INDEX_PATH, publishSaga, undoPlan } from './demo-saga.ts';
import { startTicketServer, type TicketServer } from './demo-server.ts';
import {
  closeTicketWithApproval,
  createTicket,
  PLAN_BEFORE,
  PLAN_PATH,
  writeOutsideGrant,
  writePlan,
} from './demo-steps.ts';

/** Opens and closes the runtime around the crash step; close is safe to call twice. */
type RuntimeHandle = { close(): Promise<void>; reopen(): Promise<CommitRuntime> };

type DemoStep = { readonly name: string; run(ctx: DemoContext, handle: RuntimeHandle): Promise<StepReport> };

const STEPS: readonly DemoStep[] = [
  { name: 'a write inside the grant', run: writePlan },
  { name: 'a write outside the grant', run: writeOutsideGrant },
  { name: 'an http call', run: createTicket },
  { name: 'an escalation approved by a human', run: closeTicketWithApproval },
  { name: 'a saga that compensates', run: publishSaga },
  { name: 'an undo', run: undoPlan },
  { name: 'a crash and recovery', run: (ctx, handle) => crashAndRecover(ctx, handle.close, handle.reopen) },
  { name: 'audit verify', run: (ctx, handle) => auditVerify(ctx, handle.close) },
];

export async function runDemo(dir: string, asJson: boolean): Promise<number> {
  const startedMs = performance.now();
  const server = await startTicketServer();
  let handle: RuntimeHandle | undefined;
  try {
    const ctx = await setUp(dir, server);
    handle = runtimeHandle(ctx);
    if (!asJson) printHeader(ctx, dir);
    const reports: StepReport[] = [];
    for (const [index, step] of STEPS.entries()) {
      const report = await runStep(step, ctx, handle);
      reports.push(report);
      printStep(index + 1, report, asJson);
      if (report.actual === 'error') break;
    }
    if (!asJson) printSummary(reports, performance.now() - startedMs);
    return allAsExpected(reports, STEPS.length) ? EXIT.ok : EXIT.deny;
  } finally {
    await handle?.close();
    await server.close();
  }
}

async function runStep(step: DemoStep, ctx: DemoContext, handle: RuntimeHandle): Promise<StepReport> {
  try {
    return await step.run(ctx, handle);
  } catch (error) {
    return brokenStep(step.name, error);
  }
}

async function setUp(dir: string, server: TicketServer): Promise<DemoContext> {
  const workspace = join(dir, 'workspace');
  const dataDir = join(dir, 'data');
  const configPath = join(dir, 'maos.yaml');
  // The files the agent finds when it starts: its plan, and the list of published reports.
  await mkdir(join(workspace, 'notes'), { recursive: true });
  await mkdir(join(workspace, 'out'), { recursive: true });
  await writeFile(join(workspace, PLAN_PATH), PLAN_BEFORE);
  await writeFile(join(workspace, INDEX_PATH), INDEX_BEFORE);
  await writeFile(configPath, demoConfigYaml(server.origin, workspace));
  const rt = await openDemoRuntime(configPath, dataDir);
  const grants = rt.kernel.policy.agents.get(AGENT)?.grants ?? [];
  const minted = await rt.kernel.mint({ sub: AGENT, scopes: grants });
  if (!minted.ok) {
    await rt.close();
    throw minted.error;
  }
  const ctx = { configPath, dataDir, workspace, server, token: minted.value.token, planIntentId: undefined };
  return { ...ctx, rt, service: kernelService(rt), ticketId: undefined };
}

async function openDemoRuntime(configPath: string, dataDir: string): Promise<CommitRuntime> {
  const opened = await openCommitRuntime({ configPath, dataDir });
  if (!opened.ok) throw opened.error;
  return opened.value;
}

function runtimeHandle(ctx: DemoContext): RuntimeHandle {
  let open = true;
  return {
    close: async () => {
      if (!open) return;
      open = false;
      await ctx.rt.close();
    },
    reopen: async () => {
      assert(!open, 'the demo runtime is reopened only after it was closed');
      const rt = await openDemoRuntime(ctx.configPath, ctx.dataDir);
      open = true;
      useRuntime(ctx, rt);
      return rt;
    },
  };
}

function printHeader(ctx: DemoContext, dir: string): void {
  const inspected = inspectToken(ctx.token);
  const algorithms = inspected.ok ? inspected.value.headers.map((h) => h.alg).join(' + ') : 'unreadable';
  const byResource = new Map<string, string[]>();
  for (const scope of ctx.rt.kernel.policy.agents.get(AGENT)?.grants ?? []) {
    byResource.set(scope.resource, [...(byResource.get(scope.resource) ?? []), scope.action]);
  }
  const grants = [...byResource].map(([resource, actions]) => `  ${actions.join(', ')} on ${resource}`);
  process.stdout.write(
    [
      `MAOS demo: one agent, a ticket service on 127.0.0.1, and the embedded kernel (SQLite journal)`,
      `demo directory ${dir}: maos.yaml, data/ (journal, keys, snapshots), workspace/ (the agent's files)`,
      `ticket service at ${ctx.server.origin}; policy ${short(ctx.rt.kernel.policy.hash)}`,
      `agent \`${AGENT}\` holds a capability token signed ${algorithms}, granting:`,
      ...grants,
      '',
      '',
    ].join('\n'),
  );
}

function printSummary(reports: readonly StepReport[], elapsedMs: number): void {
  process.stdout.write(
    `${verdictLine(reports, STEPS.length, elapsedMs)}\n\nnext: \`maos start\` runs this kernel as a daemon with an HTTP API; \`maos held\`, \`maos approve\`,\n` +
      `\`maos undo\`, \`maos log\` and \`maos audit verify\` work against it. README.md walks through a setup.\n`,
  );
}
