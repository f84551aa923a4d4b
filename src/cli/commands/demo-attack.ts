// `maos demo attack`: a compromised agent under the hardened profile, step by step. It tries a
// file escape, an exfiltration by many small posts, a prompt-injected tool call and raw network
// access; the immune system walks it down the quarantine stages, a commander approves its
// elimination, and healing starts a clean replacement. Every claim printed is checked.

import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openPodRuntime, workspaceOf } from '../../runtime/pod-runtime.ts';
import { EXIT } from '../io.ts';
import {
  AGENT,
  API_CALLS_LIMIT,
  type AttackContext,
  type AttackStep,
  SECRET_CHARS,
  SECRET_PATH,
  SENTRY_BURST,
  SENTRY_CALLS_PER_SECOND,
} from './demo-attack-context.ts';
import { eliminate, hardIsolation, heal, journalStory } from './demo-attack-response.ts';
import { exfiltrate, fileEscape, promptInjection, rawNetwork, startAgent } from './demo-attack-steps.ts';
import { allAsExpected, brokenStep, printStep, verdictLine } from './demo-report.ts';
import { startTicketServer, type TicketServer } from './demo-server.ts';

type AttackStepRun = { readonly name: string; run(ctx: AttackContext): Promise<AttackStep> };

// WHY this order: a blocked network destination is a hard trigger for stage 3, which closes every
// gateway, so the network attempt comes after the attacks that need open gateways.
const STEPS: readonly AttackStepRun[] = [
  { name: 'the agent starts', run: startAgent },
  { name: 'a file escape', run: fileEscape },
  { name: 'an exfiltration by many small posts', run: exfiltrate },
  { name: 'a prompt-injected tool call', run: promptInjection },
  { name: 'raw network access', run: rawNetwork },
  { name: 'hard isolation', run: hardIsolation },
  { name: 'elimination', run: eliminate },
  { name: 'healing', run: heal },
  { name: 'the journal', run: journalStory },
];

const AGENT_SOURCE = fileURLToPath(new URL('./demo-attack-agent/agent.js', import.meta.url));

export async function runAttackDemo(dir: string, asJson: boolean): Promise<number> {
  const startedMs = performance.now();
  const server = await startTicketServer();
  let ctx: AttackContext | undefined;
  try {
    ctx = await setUp(dir, server);
    if (!asJson) printHeader(ctx);
    const reports: AttackStep[] = [];
    for (const [index, step] of STEPS.entries()) {
      const report = await runStep(step, ctx);
      reports.push(report);
      printAttackStep(index + 1, report, asJson);
      if (report.actual === 'error') break;
    }
    if (!asJson) printSummary(reports, performance.now() - startedMs);
    return allAsExpected(reports, STEPS.length) ? EXIT.ok : EXIT.deny;
  } finally {
    await ctx?.rt.close();
    await server.close();
  }
}

async function runStep(step: AttackStepRun, ctx: AttackContext): Promise<AttackStep> {
  try {
    return await step.run(ctx);
  } catch (error) {
    const status = ctx.rt.immune.status(AGENT);
    const { stage, stageName, score, fever } = status;
    return { ...brokenStep(step.name, error), stage, stageName, score, fever };
  }
}

async function setUp(dir: string, server: TicketServer): Promise<AttackContext> {
  const agentDir = join(dir, 'agent');
  const configPath = join(dir, 'maos.yaml');
  const partner = JSON.stringify(`${server.origin}/**`);
  await mkdir(agentDir, { recursive: true });
  await copyFile(AGENT_SOURCE, join(agentDir, 'agent.js'));
  await writeFile(join(agentDir, 'maos-agent.yaml'), manifestYaml(partner));
  await writeFile(configPath, configYaml(partner));
  const opened = await openPodRuntime({
    configPath,
    // The one immune threshold the demo lowers: 500 partner calls a day would take a while.
    immune: { aggregate: { 'api-calls': { limit: API_CALLS_LIMIT } } },
    termGraceMs: 500,
  });
  if (!opened.ok) throw opened.error;
  const rt = opened.value;
  // What the agent finds in its workspace: a secret it may read, and a link to /etc planted by an
  // earlier compromise (say, an unpacked archive), which the agent hopes to use.
  const workspace = workspaceOf(rt, AGENT);
  try {
    await mkdir(join(workspace, 'secret'), { recursive: true, mode: 0o700 });
    const secret = `sk_live_${randomBytes((SECRET_CHARS - 8) / 2).toString('hex')}`;
    await writeFile(join(workspace, SECRET_PATH), `${secret}\n`);
    await symlink('/etc', join(workspace, 'leak'));
  } catch (error) {
    await rt.close();
    throw error;
  }
  return { dir, agentDir, server, rt, workspace, pid: undefined, pendingNetwork: undefined, heldIntents: [] };
}

function configYaml(partner: string): string {
  return `# Written by \`maos demo attack\`: one agent under the hardened profile, allowed to post to a partner API.
version: 1
node: { id: maos-attack-demo }
profile: hardened             # all five quarantine stages; elimination needs a commander
dataDir: data                 # journal (SQLite), issuer keys, agent workspaces

agents:
  ${AGENT}:
    ring: 2
    capabilities:
      - { action: http.post, resource: ${partner} }

actions:
  http.post: { sideEffect: write }
  http.get: { sideEffect: read }
`;
}

function manifestYaml(partner: string): string {
  return `# Written by \`maos demo attack\`: the compromised agent's manifest.
id: ${AGENT}
entry: agent.js
ring: 2
trustClass: A
capabilities:
  - { action: http.post, resource: ${partner} }
gateways:
  tool: { resources: [${partner}] }
  sentry: { callsPerSecond: ${SENTRY_CALLS_PER_SECOND}, burst: ${SENTRY_BURST} }
`;
}

/** Text: the step as `maos demo` prints it, then the journal lines of the last step. JSON: one object. */
function printAttackStep(n: number, step: AttackStep, asJson: boolean): void {
  const { title, expected, actual, ok, why, details, failed, stage, stageName, score, fever, extra } = step;
  if (asJson) {
    const line = {
      step: n,
      title,
      expected,
      actual,
      ok,
      why,
      details,
      failed,
      stage,
      stageName,
      score,
      fever,
    };
    process.stdout.write(`${JSON.stringify({ ...line, ...extra })}\n`);
    return;
  }
  printStep(n, step, false);
  const records = extra?.records;
  if (!Array.isArray(records)) return;
  const lines = records.map((record) => {
    const r = record as { seqs: string; type: string; summary: string };
    return `      ${r.seqs.padEnd(11)} ${r.type.padEnd(16)} ${r.summary}`;
  });
  process.stdout.write(`${lines.join('\n')}\n\n`);
}

function printHeader(ctx: AttackContext): void {
  process.stdout.write(
    [
      `MAOS attack demo: a compromised agent, \`${AGENT}\`, under the hardened profile (SQLite journal)`,
      `demo directory ${ctx.dir}: maos.yaml, agent/ (its manifest and code), data/ (journal, keys, workspaces)`,
      `partner API at ${ctx.server.origin}: the one service ${AGENT} may post to`,
      `immune defaults throughout, except the aggregate limit: ${API_CALLS_LIMIT} partner calls a day (500 by default)`,
      '',
      '',
    ].join('\n'),
  );
}

function printSummary(reports: readonly AttackStep[], elapsedMs: number): void {
  process.stdout.write(
    `${verdictLine(reports, STEPS.length, elapsedMs)}\n\nnext: \`maos start\` hosts pods as a daemon; \`maos agent run\`, \`maos ps\`, \`maos held\`,\n` +
      `\`maos quarantine <agent> --stage 4 --approve\` and \`maos log\` do what this demo did, against it.\n`,
  );
}
