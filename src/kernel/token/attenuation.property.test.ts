// Property tests (INV-4, DR-T5): attenuation never widens, and resource containment agrees with a
// brute-force reference over every short path on a small alphabet (sound always; exact without `**`).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { attenuationViolation } from './attenuate.ts';
import type { Scope, TokenClaims } from './claims.ts';
import { actionContains, actionMatches, resourceContains, segmentsMatch, segmentsOf } from './pattern.ts';

const SEED = 20260101;
const LITERALS = ['a', 'b', 'c'];
/** A segment no pattern names: where a child `*` would escape a parent literal. */
const FRESH = 'zz';
const ACTION_PATTERNS = ['*', 'fs.*', 'fs.read', 'fs.write', 'fs.x.*', 'fs.x.y', 'net.*', 'net.get'];
const ACTIONS = ['fs.read', 'fs.write', 'fs.x.y', 'fs.x.z', 'fs.q', 'net.get', 'net.put', 'other'];
const CONSTRAINTS = ['args.n < 5', 'agent == "a"', 'resource != "x"'];

const segment = fc.constantFrom(...LITERALS, '*', '**');
const resourcePattern = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join('/'));
const scope: fc.Arbitrary<Scope> = fc.record({
  action: fc.constantFrom(...ACTION_PATTERNS),
  resource: resourcePattern,
  constraint: fc.subarray(CONSTRAINTS),
});
const scopes = fc.array(scope, { minLength: 1, maxLength: 4 });

/** A child segment no wider than `s` (or, rarely, a random one, to exercise refusals too). */
function narrowSegment(s: string, choice: number): string {
  if (choice % 7 === 0) return LITERALS[choice % 3] ?? 'a';
  if (s === '**') return ['**', '*', 'a', 'b'][choice % 4] ?? '**';
  if (s === '*') return ['*', 'c', 'a'][choice % 3] ?? '*';
  return s;
}

const NARROWER_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  '*': ACTION_PATTERNS,
  'fs.*': ['fs.*', 'fs.read', 'fs.x.*', 'fs.x.y'],
  'fs.x.*': ['fs.x.*', 'fs.x.y'],
  'net.*': ['net.*', 'net.get'],
};

/** Children derived from the parent by narrowing: most are legal, which the random pairs rarely are. */
function narrowed(parentScopes: readonly Scope[]): fc.Arbitrary<Scope[]> {
  const one = fc
    .record({
      from: fc.nat(parentScopes.length - 1),
      choices: fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
      extra: fc.subarray(CONSTRAINTS),
    })
    .map(({ from, choices, extra }) => {
      const parent = parentScopes[from] ?? parentScopes[0];
      assert.ok(parent !== undefined);
      const actions = NARROWER_ACTIONS[parent.action] ?? [parent.action];
      const segments = segmentsOf(parent.resource).map((s, i) => narrowSegment(s, choices[i] ?? 1));
      const dropFirst = (choices[7] ?? 1) % 9 === 0;
      const inherited = (parent.constraint ?? []).slice(dropFirst ? 1 : 0);
      return {
        action: actions[(choices[6] ?? 0) % actions.length] ?? parent.action,
        resource: segments.join('/'),
        constraint: [...new Set([...inherited, ...extra])],
      };
    });
  return fc.array(one, { minLength: 1, maxLength: 3 });
}

const patternPair = resourcePattern.chain((parent) =>
  fc.tuple(
    fc.constant(parent),
    fc.oneof(
      fc.array(fc.nat(), { minLength: 4, maxLength: 4 }).map((choices) =>
        segmentsOf(parent)
          .map((s, i) => narrowSegment(s, choices[i] ?? 1))
          .join('/'),
      ),
      resourcePattern,
    ),
  ),
);

const family = scopes.chain((parentScopes) =>
  fc.tuple(fc.constant(parentScopes), fc.oneof(narrowed(parentScopes), scopes)),
);

/** Every segment list of length 1..lengthMax over the literals plus FRESH. */
function allPaths(lengthMax: number): string[][] {
  const alphabet = [...LITERALS, FRESH];
  const out: string[][] = [];
  let layer: string[][] = [[]];
  for (let length = 1; length <= lengthMax; length++) {
    layer = layer.flatMap((path) => alphabet.map((s) => [...path, s]));
    out.push(...layer);
  }
  return out;
}
const PATHS = allPaths(5);

function claims(scopeList: readonly Scope[]): TokenClaims {
  return {
    jti: '01900000-0000-7000-8000-000000000001',
    kid: 'k',
    iss: 'i',
    sub: 's',
    aud: 'n',
    iat: 0,
    nbf: 0,
    exp: 1,
    epoch: 0,
    ring: 2,
    trust: 'internal',
    scopes: scopeList,
  };
}

const covers = (s: Scope, action: string, path: readonly string[]) =>
  actionMatches(s.action, action) && segmentsMatch(segmentsOf(s.resource), path);

test('INV-4: when attenuation reports no violation, the child reaches nothing the parent does not', () => {
  let allowed = 0;
  fc.assert(
    fc.property(family, ([parentScopes, childScopes]) => {
      if (attenuationViolation(claims(parentScopes), claims(childScopes)) !== undefined) return;
      allowed += 1;
      for (const child of childScopes) {
        for (const action of ACTIONS) {
          for (const path of PATHS) {
            if (!covers(child, action, path)) continue;
            // The parent must cover the same call with no constraint the child lacks.
            const kept = parentScopes.some(
              (p) =>
                covers(p, action, path) && (p.constraint ?? []).every((c) => child.constraint?.includes(c)),
            );
            assert.ok(kept, `${child.action} ${child.resource} reaches ${action} ${path.join('/')}`);
          }
        }
      }
    }),
    { seed: SEED, numRuns: 300 },
  );
  // WHY: the property is vacuous unless many generated children are legal attenuations.
  assert.ok(allowed > 60, `only ${allowed} of 300 children were legal`);
});

test('INV-4: a child identical to its parent, or a subset of its scopes, is never a violation', () => {
  fc.assert(
    fc.property(scopes, fc.nat(), (parentScopes, pick) => {
      const subset = parentScopes.filter((_, i) => (pick >> i) & 1);
      assert.equal(attenuationViolation(claims(parentScopes), claims(parentScopes)), undefined);
      if (subset.length > 0)
        assert.equal(attenuationViolation(claims(parentScopes), claims(subset)), undefined);
    }),
    { seed: SEED, numRuns: 300 },
  );
});

test('INV-4: resourceContains agrees with brute force (sound; exact when the child has no `**`)', () => {
  let contained = 0;
  fc.assert(
    fc.property(patternPair, ([parent, child]) => {
      const p = segmentsOf(parent);
      const c = segmentsOf(child);
      if (resourceContains(parent, child)) contained += 1;
      const counterexample = PATHS.find((path) => segmentsMatch(c, path) && !segmentsMatch(p, path));
      if (resourceContains(parent, child)) {
        assert.equal(
          counterexample,
          undefined,
          `${child} ⊆ ${parent} claimed, but ${counterexample?.join('/')}`,
        );
      } else if (!c.includes('**')) {
        assert.notEqual(counterexample, undefined, `${child} ⊄ ${parent} claimed, but no path shows it`);
      }
    }),
    { seed: SEED, numRuns: 1000 },
  );
  assert.ok(contained > 200, `only ${contained} of 1000 pairs were contained`);
});

test('resourceContains is reflexive and transitive on random patterns', () => {
  fc.assert(
    fc.property(resourcePattern, resourcePattern, resourcePattern, (a, b, c) => {
      assert.ok(resourceContains(a, a));
      if (resourceContains(a, b) && resourceContains(b, c))
        assert.ok(resourceContains(a, c), `${c} ⊆ ${b} ⊆ ${a}`);
    }),
    { seed: SEED, numRuns: 1000 },
  );
});

test('INV-4: actionContains agrees exactly with brute force over every pattern pair', () => {
  for (const parent of ACTION_PATTERNS) {
    for (const child of ACTION_PATTERNS) {
      const escapes = ACTIONS.filter((a) => actionMatches(child, a) && !actionMatches(parent, a));
      assert.equal(actionContains(parent, child), escapes.length === 0, `${child} within ${parent}`);
    }
  }
});
