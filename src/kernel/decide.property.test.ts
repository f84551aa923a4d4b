// Differential test of the DSC against the naive reference model (src/testing/reference-model.ts),
// with real hybrid-signed tokens minted, verified and cached exactly as in production.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { FakeClock } from '../testing/fake-clock.ts';
import { actionPolicy, agentPolicy, T0, testIntent, testPolicy } from '../testing/fixtures.ts';
import { modelDecide } from '../testing/reference-model.ts';
import { decide } from './decide.ts';
import { Kernel } from './kernel.ts';
import type { Scope } from './token/claims.ts';
import { generateIssuerKeyPair, publicKeysOf } from './token/index.ts';

const ISSUER = generateIssuerKeyPair('k-prop');
const SEGMENT = fc.constantFrom('a', 'b', 'c');
const PATTERN_SEGMENT = fc.constantFrom('a', 'b', '*', '**');
const ACTIONS = ['fs.read', 'fs.write', 'fs.x.y', 'kv.put'] as const;
const ACTION = fc.constantFrom(...ACTIONS);
const ACTION_PATTERN = fc.constantFrom('fs.read', 'fs.write', 'fs.*', 'kv.*', '*');

const scopeArb: fc.Arbitrary<Scope> = fc
  .record({
    action: ACTION_PATTERN,
    resource: fc.array(PATTERN_SEGMENT, { minLength: 1, maxLength: 4 }).map((s) => `/${s.join('/')}`),
    limit: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
  })
  .map(({ action, resource, limit }) =>
    limit === undefined ? { action, resource } : { action, resource, constraint: [`args.n < ${limit}`] },
  );

const caseArb = fc.record({
  // WHY: a catch-all scope half the time makes allows common, so the budget, use and time edges get exercised.
  scopes: fc
    .tuple(fc.array(scopeArb, { minLength: 1, maxLength: 6 }), fc.boolean())
    .map(([scopes, all]) => (all ? [...scopes, { action: '*', resource: '/**' }] : scopes)),
  action: ACTION,
  resource: fc.array(SEGMENT, { minLength: 0, maxLength: 4 }).map((s) => `/${s.join('/')}`),
  n: fc.integer({ min: 0, max: 6 }),
  /** Offset of the check time from the token's expiry, boundaries included. */
  atFromExpMs: fc.constantFrom(-60_000, -1, 0, 1),
  budgetTokens: fc.integer({ min: 0, max: 3 }),
  costTokens: fc.integer({ min: 0, max: 3 }),
  revoke: fc.boolean(),
  maxUses: fc.option(fc.integer({ min: 1, max: 2 }), { nil: undefined }),
  usesBefore: fc.integer({ min: 0, max: 2 }),
});

test('INV-4 DR-T1 MR-7: decide agrees with the reference model on random tokens, intents, clocks and budgets', async () => {
  await fc.assert(
    fc.asyncProperty(caseArb, async (c) => {
      const policy = testPolicy({
        actions: new Map(ACTIONS.map((name) => [name, actionPolicy(name)])),
        agents: new Map([
          [
            'alice',
            agentPolicy('alice', {
              grants: [{ action: '*', resource: '**' }],
              budget: { tokens: c.budgetTokens, apiCalls: Infinity, costMicros: Infinity },
            }),
          ],
        ]),
      });
      const clock = new FakeClock(T0, 0);
      const kernel = new Kernel({ policy, issuer: ISSUER, publicKeys: publicKeysOf([ISSUER]), clock });
      const minted = await kernel.mint({
        sub: 'alice',
        scopes: c.scopes,
        ttlMs: 60_000,
        ...(c.maxUses === undefined ? {} : { maxUses: c.maxUses }),
      });
      assert.ok(minted.ok, minted.ok ? '' : minted.error.message);
      const admitted = await kernel.admitToken(minted.value.token);
      assert.ok(admitted.ok);
      const intent = testIntent({
        action: c.action,
        resource: c.resource,
        args: { n: c.n },
        token: admitted.value.digest,
        sideEffect: 'write',
        labels: { confidentiality: 'INTERNAL', integrity: 'TRUSTED' },
        cost: { tokens: c.costTokens, apiCalls: 0, costMicros: 0 },
      });
      // Spend uses through real reservations of an always-allowed probe, before the clock moves.
      const used = Math.min(c.usesBefore, c.maxUses ?? c.usesBefore);
      for (let i = 0; i < used; i++) {
        const probe = decide({ ...intent, cost: { tokens: 0, apiCalls: 0, costMicros: 0 } }, kernel.context);
        if (probe.verdict !== 'allow' || !kernel.reserve(probe).ok) break;
      }
      const usesSpent = new Map([
        [minted.value.claims.jti, kernel.ledger.usesSpent(minted.value.claims.jti)],
      ]);
      if (c.revoke) kernel.revoke(minted.value.claims.jti);
      clock.advance(minted.value.claims.exp - T0 + c.atFromExpMs);
      const real = decide(intent, kernel.context);
      const model = modelDecide(intent, minted.value.claims, {
        nowMs: clock.wallMs(),
        nodeId: policy.nodeId,
        revoked: new Set(c.revoke ? [minted.value.claims.jti] : []),
        budget: { tokens: c.budgetTokens },
        spentTokens: 0,
        usesSpent,
      });
      assert.equal(
        real.verdict === 'allow',
        model.allow,
        `model says ${model.reason}; real: ${JSON.stringify(real.checks.filter((x) => x.verdict !== 'allow'))}`,
      );
      assert.deepEqual(
        decide(intent, kernel.context),
        real,
        'same intent, state and clock give the same decision',
      );
    }),
    { numRuns: 500, seed: Number(process.env.MAOS_PROP_SEED ?? 0x0d5c) },
  );
});
