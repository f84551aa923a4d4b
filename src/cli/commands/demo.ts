// `maos demo`: MAOS's main job on the embedded default. Boots a kernel from examples/maos.yaml in a
// fresh data directory, mints tokens and decides the scripted intents; exits 1 if any verdict differs.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type Decision, openRuntime } from '../../runtime/index.ts';
import { systemClock, systemRandom, uuidv7 } from '../../shared/index.ts';
import { DEMO_HELP } from '../help.ts';
import { EXIT, reportError } from '../io.ts';
import { DEMO_STEPS, type DemoContext } from './demo-script.ts';

const EXAMPLE_CONFIG = fileURLToPath(new URL('../../../examples/maos.yaml', import.meta.url));
const AGENTS = ['researcher', 'writer', 'web-scout'] as const;

export async function demoCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { json: { type: 'boolean' }, keep: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(DEMO_HELP);
    return EXIT.ok;
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'maos-demo-'));
  try {
    return await runDemo(dataDir, values.json === true, values.keep === true);
  } finally {
    if (values.keep) process.stdout.write(`data directory kept: ${dataDir}\n`);
    else await rm(dataDir, { recursive: true, force: true });
  }
}

async function runDemo(dataDir: string, asJson: boolean, keep: boolean): Promise<number> {
  const runtime = await openRuntime({
    configPath: EXAMPLE_CONFIG,
    configText: await readFile(EXAMPLE_CONFIG, 'utf8'),
    dataDir,
  });
  if (!runtime.ok) return reportError(runtime.error);
  const { kernel } = runtime.value;
  const tokens = new Map<string, string>();
  for (const agent of AGENTS) {
    const minted = await kernel.mint({ sub: agent, scopes: kernel.policy.agents.get(agent)?.grants ?? [] });
    if (!minted.ok) return reportError(minted.error);
    tokens.set(agent, minted.value.token);
  }
  if (!asJson) printHeader(runtime.value.config.file, dataDir, kernel.policy.hash, tokens);
  const ctx: DemoContext = {
    runtime: runtime.value,
    tokens,
    intent: (agent, action, resource, extra = {}) => ({
      id: uuidv7(systemClock, systemRandom),
      agent,
      action,
      resource,
      args: {},
      token: tokens.get(agent),
      ...extra,
    }),
    submit: async (intent) => {
      const result = await kernel.submit(intent);
      if (!result.ok) throw result.error;
      const decision = result.value;
      // An allowed intent is carried out: its rate, use and budget charges become final.
      if (decision.verdict === 'allow') {
        const reservation = kernel.reserve(decision);
        if (reservation.ok) kernel.commit(reservation.value);
      }
      return decision;
    },
  };
  let mismatches = 0;
  for (const [index, step] of DEMO_STEPS.entries()) {
    const decision = await step.run(ctx);
    const codes: string[] = decision.checks.filter((c) => c.verdict !== 'allow').map((c) => c.code ?? '');
    const ok =
      decision.verdict === step.expect && (step.expectCode === undefined || codes.includes(step.expectCode));
    if (!ok) mismatches++;
    if (asJson)
      process.stdout.write(
        `${JSON.stringify({ step: index + 1, title: step.title, ok, decision: brief(decision) })}\n`,
      );
    else printStep(index + 1, step.title, decision, ok);
  }
  const promotion = kernel.changeRing('writer', 2);
  if (!asJson) {
    process.stdout.write(
      `\nwriter asks to be promoted back to ring 2: ${promotion.ok ? 'ALLOWED (bug)' : promotion.error.code}\n`,
    );
    const events = keep
      ? `events in ${join(dataDir, 'events.jsonl')}`
      : 'run with --keep to inspect the event log';
    process.stdout.write(`revocation epoch now ${kernel.revocations.epoch}; ${events}\n`);
    process.stdout.write(
      mismatches === 0
        ? `\nall ${DEMO_STEPS.length} steps decided as expected\n`
        : `\n${mismatches} step(s) decided unexpectedly\n`,
    );
  }
  return mismatches === 0 && !promotion.ok ? EXIT.ok : EXIT.deny;
}

function brief(decision: Decision) {
  return {
    verdict: decision.verdict,
    agent: decision.agent,
    action: decision.action,
    resource: decision.resource,
    reasons: decision.checks
      .filter((c) => c.verdict !== 'allow')
      .map((c) => ({ check: c.check, code: c.code, message: c.message })),
  };
}

function printHeader(
  configFile: string,
  dataDir: string,
  policyHash: string,
  tokens: Map<string, string>,
): void {
  process.stdout.write(`MAOS demo — embedded kernel, config ${configFile}\n`);
  process.stdout.write(
    `data directory ${dataDir} (issuer keys: Ed25519 + ML-DSA-65), policy ${policyHash.slice(0, 12)}…\n`,
  );
  process.stdout.write(
    `minted tokens for ${[...tokens.keys()].join(', ')} (${[...tokens.values()].map((t) => `${t.length} B`).join(', ')})\n\n`,
  );
}

function printStep(n: number, title: string, decision: Decision, ok: boolean): void {
  const mark = ok ? ' ' : '!';
  const verdict = decision.verdict.toUpperCase().padEnd(8);
  process.stdout.write(`${mark}${String(n).padStart(2)}. ${verdict} ${title}\n`);
  for (const c of decision.checks) {
    if (c.verdict !== 'allow') process.stdout.write(`              ${c.check}: ${c.code} — ${c.message}\n`);
  }
}
