// Builders for unit tests of the DSC: a small policy, intents, contexts and hand-made verified
// tokens (signature-free stand-ins; the real verification is tested in kernel/token).

import type { ArgumentRule } from '../ifc/index.ts';
import type { DecisionContext } from '../kernel/decision-context.ts';
import type { Intent } from '../kernel/intent.ts';
import { Ledger } from '../kernel/ledger.ts';
import {
  type ActionPolicy,
  type AgentPolicy,
  DEFAULT_APPROVAL_TTL_MS,
  DEFAULT_HOLD_MS,
  type Policy,
} from '../kernel/policy.ts';
import type { Prefilter } from '../kernel/prefilter/index.ts';
import type { TokenClaims } from '../kernel/token/claims.ts';
import type {
  RevocationView,
  ScopeMatch,
  TokenCacheView,
  VerifiedToken,
} from '../kernel/token/verified-token.ts';
import { FakeClock } from './fake-clock.ts';
import { scopeNames } from './reference-model.ts';

export const NODE_ID = 'maos-test';
export const T0 = Date.UTC(2026, 0, 1);

export function agentPolicy(id: string, overrides: Partial<AgentPolicy> = {}): AgentPolicy {
  return {
    id,
    ring: 2,
    trust: 'internal',
    clearance: 'INTERNAL',
    grants: [],
    budget: undefined,
    ...overrides,
  };
}

export function actionPolicy(name: string, overrides: Partial<ActionPolicy> = {}): ActionPolicy {
  return {
    name,
    sideEffect: 'write',
    output: { confidentiality: 'INTERNAL', integrity: 'UNTRUSTED' },
    outputFields: [],
    quarantine: false,
    sink: undefined,
    destination: 'INTERNAL',
    external: false,
    snapshot: true,
    approval: false,
    holdMs: DEFAULT_HOLD_MS,
    ...overrides,
  };
}

export function testPolicy(overrides: Partial<Policy> = {}): Policy {
  const agents = new Map([['alice', agentPolicy('alice')]]);
  const actions = new Map([
    ['fs.read', actionPolicy('fs.read', { sideEffect: 'read' })],
    ['fs.write', actionPolicy('fs.write')],
  ]);
  return Object.freeze({
    nodeId: NODE_ID,
    profile: 'standard',
    agents,
    actions,
    rateRules: [],
    prefilter: { enabled: true, fieldBytesMax: 65_536, blockScore: 10, escalateScore: 5, signatures: [] },
    approvalTtlMs: DEFAULT_APPROVAL_TTL_MS,
    hash: 'policy-hash',
    ...overrides,
  } satisfies Policy);
}

export function testIntent(overrides: Partial<Intent> = {}): Intent {
  return {
    id: '01900000-0000-7000-8000-000000000001',
    agent: 'alice',
    action: 'fs.write',
    resource: '/workspace/a.txt',
    args: { content: 'hello' },
    token: 'tok:test',
    sideEffect: 'write',
    labels: undefined,
    idempotencyKey: undefined,
    session: undefined,
    stateHash: undefined,
    cost: { tokens: 0, apiCalls: 0, costMicros: 0 },
    ...overrides,
  };
}

export function tokenClaims(overrides: Partial<TokenClaims> = {}): TokenClaims {
  return {
    jti: '01900000-0000-7000-8000-00000000000a',
    kid: 'k-test',
    iss: 'maos',
    sub: 'alice',
    aud: NODE_ID,
    iat: T0,
    nbf: T0,
    exp: T0 + 60 * 60_000,
    epoch: 0,
    ring: 2,
    trust: 'internal',
    scopes: [{ action: '*', resource: '**' }],
    ...overrides,
  };
}

/** A verified-token stand-in whose scope match is the reference model's linear scan (no constraints). */
export function fakeToken(claims: TokenClaims, digest = 'tok:test'): VerifiedToken {
  const chain: TokenClaims[] = [];
  for (let c: TokenClaims | undefined = claims; c !== undefined; c = c.parent) chain.push(c);
  return {
    digest,
    claims,
    chain,
    chainIds: chain.map((c) => c.jti),
    notBeforeMs: Math.max(...chain.map((c) => c.nbf)),
    expiresMs: Math.min(...chain.map((c) => c.exp)),
    match: (action: string, resource: string): ScopeMatch => {
      const scope = claims.scopes.find((s) => scopeNames(s, action, resource));
      return scope === undefined ? { kind: 'not-covered' } : { kind: 'covered', scope };
    },
  };
}

export const NO_FINDINGS: Prefilter = { scan: () => ({ score: 0, findings: [] }) };

export class MemoryRevocations implements RevocationView {
  readonly ids = new Set<string>();
  epoch = 0;
  isRevoked(jti: string): boolean {
    return this.ids.has(jti);
  }
}

export function tokenCache(...tokens: VerifiedToken[]): TokenCacheView {
  const byDigest = new Map(tokens.map((t) => [t.digest, t]));
  return { get: (digest) => byDigest.get(digest) };
}

export function testContext(overrides: Partial<DecisionContext> = {}): DecisionContext {
  const policy = overrides.policy ?? testPolicy();
  return {
    policy,
    bootPolicyHash: policy.hash,
    tokens: tokenCache(fakeToken(tokenClaims())),
    revocations: new MemoryRevocations(),
    epochAuthoritative: 0,
    ledger: new Ledger(),
    prefilter: NO_FINDINGS,
    mode: 'operational',
    heartbeatOk: true,
    agentRings: new Map(),
    clock: new FakeClock(T0 + 1_000),
    ...overrides,
  };
}

/** A sink policy's argument rule: `trusted` or escalate on the whole value unless overridden. */
export function argumentRule(argument: string, overrides: Partial<ArgumentRule> = {}): ArgumentRule {
  return {
    argument,
    requires: 'trusted',
    otherwise: 'escalate',
    part: 'whole',
    allow: [],
    unless: [],
    ...overrides,
  };
}
