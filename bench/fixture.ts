// A realistic kernel for benchmarks: 10,000 registered agents, a few rate rules, real issuer keys,
// and a real hybrid-signed token with a chosen number of scopes, verified once and cited by digest.

import { type Intent, parseIntent } from '../src/kernel/intent.ts';
import { Kernel } from '../src/kernel/kernel.ts';
import type { Policy } from '../src/kernel/policy.ts';
import { generateIssuerKeyPair, publicKeysOf, type Scope } from '../src/kernel/token/index.ts';
import { parseConfig } from '../src/runtime/config.ts';
import { systemClock, systemRandom, uuidv7 } from '../src/shared/index.ts';

export const AGENTS_REGISTERED = 10_000;
const ACTIONS = [
  'fs.read',
  'fs.write',
  'http.get',
  'kv.put',
  'kv.get',
  'email.draft',
  'db.query',
  'db.update',
];

/** Builds the policy through the real config loader, so it is frozen and hashed as in production. */
export function benchPolicy(): Policy {
  const agents: string[] = [];
  for (let i = 0; i < AGENTS_REGISTERED; i++) {
    agents.push(`  agent-${i}:\n    ring: 2\n    capabilities:\n      - { action: "*", resource: "**" }\n`);
  }
  const text = [
    'version: 1',
    'node: { id: bench-node }',
    'agents:',
    agents.join(''),
    'actions:',
    ...ACTIONS.map(
      (a) =>
        `  ${a}: { sideEffect: ${a.endsWith('read') || a.endsWith('get') || a.endsWith('query') ? 'read' : 'write'}, snapshot: true }`,
    ),
    'rateLimits:',
    '  - { agent: "*", action: "fs.*", max: 1000000, window: 1h }',
    '  - { agent: "agent-0", action: "*", max: 1000000, window: 1m }',
  ].join('\n');
  const loaded = parseConfig(text, 'bench.yaml');
  if (!loaded.ok) throw loaded.error;
  return loaded.value.policy;
}

/** `count` scopes over several actions and project folders; every third one carries a CEL constraint. */
export function benchScopes(count: number): Scope[] {
  const scopes: Scope[] = [];
  for (let i = 0; i < count; i++) {
    const action = ACTIONS[i % ACTIONS.length] ?? 'fs.read';
    const resource = `/workspace/project-${i}/**`;
    scopes.push(
      i % 3 === 0 ? { action, resource, constraint: ['size(args.content) < 100000'] } : { action, resource },
    );
  }
  return scopes;
}

export type BenchKernel = {
  kernel: Kernel;
  token: string;
  digest: string;
  intent: Intent;
  inlineIntent: Intent;
};

export async function benchKernel(policy: Policy, scopeCount: number): Promise<BenchKernel> {
  const issuer = generateIssuerKeyPair('k-bench');
  const kernel = new Kernel({ policy, issuer, publicKeys: publicKeysOf([issuer]) });
  const scopes = benchScopes(scopeCount);
  const minted = await kernel.mint({ sub: 'agent-0', scopes });
  if (!minted.ok) throw minted.error;
  const admitted = await kernel.admitToken(minted.value.token);
  if (!admitted.ok) throw admitted.error;
  // The intent hits the last constrained `fs.write` scope: the index must find it among all the others.
  const target = [...scopes].reverse().find((s) => s.constraint !== undefined && s.action === 'fs.write');
  if (target === undefined) throw new Error('no constrained fs.write scope to aim at');
  const folder = target.resource.replace('/**', '');
  const raw = {
    id: uuidv7(systemClock, systemRandom),
    agent: 'agent-0',
    action: target.action,
    resource: `${folder}/src/module.ts`,
    args: { content: 'export const answer = 42;\n', encoding: 'utf-8' },
    token: admitted.value.digest,
    sideEffect: 'write',
    labels: { confidentiality: 'INTERNAL', integrity: 'TRUSTED' },
  };
  const intent = parseIntent(raw);
  const inline = parseIntent({ ...raw, token: minted.value.token });
  if (!intent.ok) throw intent.error;
  if (!inline.ok) throw inline.error;
  const check = kernel.decide(intent.value);
  if (check.verdict !== 'allow') throw new Error(`bench intent not allowed: ${JSON.stringify(check.checks)}`);
  return {
    kernel,
    token: minted.value.token,
    digest: admitted.value.digest,
    intent: intent.value,
    inlineIntent: inline.value,
  };
}
