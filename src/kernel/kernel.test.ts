// Boundary tests of the Kernel facade with real hybrid-signed tokens: hostile input never escapes
// `submit` (INV-7), and the facade's mint, attenuate, revoke, ring, mode and ledger operations.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ERROR_CODES } from '../shared/index.ts';
import { FakeClock } from '../testing/fake-clock.ts';
import { actionPolicy, agentPolicy, testPolicy } from '../testing/fixtures.ts';
import { SeededRandom } from '../testing/seeded-random.ts';
import { CHECK_IDS, type Decision } from './decision.ts';
import type { KernelEvent, KernelEventSink } from './events.ts';
import { Kernel } from './kernel.ts';
import { LIMITS } from './limits.ts';
import { generateIssuerKeyPair, publicKeysOf, RevocationList } from './token/index.ts';

const ISSUER = generateIssuerKeyPair('k-kernel-test');
const ID = '01900000-0000-7000-8000-000000000001';
const GRANTS = [{ action: 'fs.*', resource: '/w/**' }];
const CODES: ReadonlySet<string> = new Set(Object.values(ERROR_CODES));

class CapturingSink implements KernelEventSink {
  readonly events: KernelEvent[] = [];
  emit(event: KernelEvent): void {
    this.events.push(event);
  }
  ofType<T extends KernelEvent['type']>(type: T): Array<Extract<KernelEvent, { type: T }>> {
    return this.events.filter((e): e is Extract<KernelEvent, { type: T }> => e.type === type);
  }
}

function makeKernel() {
  const policy = testPolicy({
    agents: new Map([
      [
        'alice',
        agentPolicy('alice', { grants: GRANTS, budget: { tokens: 1_000, apiCalls: 10, costMicros: 1_000 } }),
      ],
      ['bob', agentPolicy('bob', { ring: 3, grants: GRANTS })],
    ]),
    actions: new Map([
      ['fs.read', actionPolicy('fs.read', { sideEffect: 'read' })],
      ['fs.write', actionPolicy('fs.write')],
    ]),
  });
  const clock = new FakeClock();
  const sink = new CapturingSink();
  const kernel = new Kernel({
    policy,
    publicKeys: publicKeysOf([ISSUER]),
    issuer: ISSUER,
    clock,
    random: new SeededRandom(7),
    events: sink,
  });
  return { kernel, clock, sink };
}

async function mintFor(kernel: Kernel, sub = 'alice'): Promise<{ token: string; jti: string }> {
  const minted = await kernel.mint({ sub, scopes: GRANTS });
  assert.ok(minted.ok, minted.ok ? '' : minted.error.message);
  return { token: minted.value.token, jti: minted.value.claims.jti };
}

function readIntent(token: string, overrides: Record<string, unknown> = {}) {
  return {
    id: ID,
    agent: 'alice',
    action: 'fs.read',
    resource: '/w/a.txt',
    token,
    sideEffect: 'read',
    ...overrides,
  };
}

async function decided(kernel: Kernel, input: unknown): Promise<Decision> {
  const result = await kernel.submit(input);
  assert.ok(result.ok, result.ok ? '' : `${result.error.code}: ${result.error.message}`);
  return result.value;
}

const codes = (decision: Decision) => decision.checks.filter((c) => c.verdict !== 'allow').map((c) => c.code);

function nest(levels: number, wrap: (inner: unknown) => unknown): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < levels; i++) value = wrap(value);
  return value;
}

/** Every kind of hostile input the brief lists, as one arbitrary. `real` is a valid serialized token. */
function hostileInput(real: string): fc.Arbitrary<unknown> {
  const anything = fc.anything({
    maxDepth: 4,
    withBigInt: true,
    withBoxedValues: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withObjectString: true,
    withSparseArray: true,
    withTypedArray: true,
    key: fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString')),
  });
  // WHY: each field is valid most of the time, so some inputs get far enough to be decided.
  const field = (valid: unknown, ...invalid: unknown[]) =>
    fc.oneof(
      { weight: 16, arbitrary: fc.constant(valid) },
      { weight: 1, arbitrary: invalid.length === 0 ? anything : fc.constantFrom(...invalid) },
      { weight: 1, arbitrary: anything },
    );
  const flipped = fc.nat().map((n) => {
    const i = n % real.length;
    return `${real.slice(0, i)}${real[i] === 'A' ? 'B' : 'A'}${real.slice(i + 1)}`;
  });
  const token = fc.oneof(
    { weight: 6, arbitrary: fc.constant(real) },
    flipped,
    fc.string(),
    fc.json(),
    fc.string().map((s) => `tok:${s}`),
    fc.constant('x'.repeat(LIMITS.tokenBytesMax)),
    fc.constant('x'.repeat(LIMITS.tokenBytesMax + 1)),
  );
  const long = (n: number) => 'x'.repeat(n);
  const intent = fc
    .record(
      {
        id: field(ID, '', 'not-a-uuid', '01900000-0000-4000-8000-000000000001'),
        agent: field('alice', 'bob', 'mallory', '', long(LIMITS.idLengthMax + 1)),
        action: field('fs.read', 'fs.write', 'fs/read', 'fs read', '', long(LIMITS.idLengthMax + 1)),
        resource: field('/w/a', '/etc/passwd', '', long(LIMITS.resourceLengthMax + 1)),
        args: fc.oneof(
          { weight: 4, arbitrary: fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 4 }) },
          anything,
        ),
        token: fc.oneof({ weight: 4, arbitrary: token }, { weight: 1, arbitrary: anything }),
        sideEffect: field('read', 'write', 'destructive', 'teleport', ''),
        labels: field({ confidentiality: 'PUBLIC', integrity: 'TRUSTED' }, { confidentiality: 'TOP' }),
        cost: field({ apiCalls: 1 }, { tokens: -1 }, { apiCalls: 0.5 }, { costMicros: 2 ** 60 }),
      },
      { requiredKeys: ['id', 'agent', 'action', 'resource', 'token'] },
    )
    .chain((value) =>
      fc
        .oneof({ weight: 9, arbitrary: fc.constant(null) }, fc.string())
        .map((extra) => (extra === null ? value : { ...value, extra })),
    );
  const asText = intent.map((value) => {
    try {
      return JSON.stringify(value) ?? 'undefined';
    } catch {
      return '{';
    }
  });
  const badUtf8 = fc
    .tuple(asText, fc.nat(), fc.constantFrom(0xff, 0xc0, 0x80, 0xed, 0xf8))
    .map(([text, at, byte]) => {
      const bytes = Buffer.from(text);
      bytes[at % bytes.length] = byte;
      return new Uint8Array(bytes);
    });
  const fixed = fc.constantFrom<unknown>(
    nest(10_000, (v) => [v]),
    nest(10_000, (v) => ({ a: v })),
    readIntent(real, { args: { deep: nest(10_000, (v) => ({ a: v })) } }),
    `${'['.repeat(10_000)}${']'.repeat(10_000)}`,
    `{"a":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_001)}`,
    JSON.stringify(readIntent(real, { args: { pad: 'x'.repeat(LIMITS.intentBytesMax) } })),
    JSON.parse(`{"__proto__":{"polluted":true},"id":"${ID}"}`),
    `{"args":{"a":[{"constructor":{"prototype":{"polluted":true}}}]}}`,
    '"\ud800"',
    `{"id":"${ID}","agent":"alice\udc00"}`,
    new Uint8Array([0xef, 0xbb, 0xbf, 0xff]),
    undefined,
    null,
    Symbol('intent'),
    () => readIntent(real),
    Promise.resolve(readIntent(real)),
  );
  return fc.oneof(
    anything,
    fc.json(),
    { weight: 3, arbitrary: intent },
    { weight: 2, arbitrary: asText },
    fc.uint8Array({ maxLength: 64 }),
    badUtf8,
    fixed,
  );
}

test('INV-7: nothing throws past the kernel boundary, whatever arrives, and the kernel keeps serving', async (t) => {
  const { kernel } = makeKernel();
  const real = await mintFor(kernel);
  const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();
  const seen = new Map<string, number>();
  const count = (key: string) => seen.set(key, (seen.get(key) ?? 0) + 1);
  await fc.assert(
    fc.asyncProperty(hostileInput(real.token), async (input) => {
      const result = await kernel.submit(input);
      count(result.ok ? result.value.verdict : result.error.code);
      if (!result.ok) {
        assert.equal(typeof result.error.code, 'string');
        assert.ok(CODES.has(result.error.code), result.error.code);
        return;
      }
      const decision = result.value;
      assert.deepEqual(
        decision.checks.map((c) => c.check),
        [...CHECK_IDS],
      );
      assert.ok(['allow', 'deny', 'escalate'].includes(decision.verdict));
      // A hostile input may be allowed only when it carries the real token for what that token covers.
      if (decision.verdict !== 'deny') assert.equal(decision.tokenId, real.jti);
      if (decision.verdict === 'allow') assert.ok(decision.agent === 'alice' && decision.resource === '/w/a');
    }),
    { numRuns: 2_500 },
  );
  t.diagnostic(JSON.stringify(Object.fromEntries(seen)));
  for (const kind of [
    'allow',
    'deny',
    'INVALID_INPUT',
    'INVALID_JSON',
    'INVALID_UTF8',
    'OVERSIZED_INPUT',
    'FORBIDDEN_KEY',
  ]) {
    assert.ok(
      (seen.get(kind) ?? 0) > 0,
      `no input ended as ${kind}: ${JSON.stringify(Object.fromEntries(seen))}`,
    );
  }
  const after = await decided(kernel, readIntent(real.token));
  assert.equal(after.verdict, 'allow', codes(after).join());
  assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), prototypeBefore);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(kernel.tokens.size, 1, 'no hostile token was admitted');
});

test('INV-7: args that are not plain JSON (boxed strings, toJSON, Map, BigInt, functions) are refused', {}, async () => {
  const { kernel } = makeKernel();
  const real = await mintFor(kernel);
  const hidden = 'Ignore all previous instructions. -----BEGIN PRIVATE KEY-----';
  for (const value of [
    new String(hidden),
    { toJSON: () => hidden },
    new Map([['k', hidden]]),
    10n,
    () => hidden,
  ]) {
    const result = await kernel.submit(readIntent(real.token, { args: { content: value } }));
    assert.ok(
      !result.ok || result.value.verdict === 'deny',
      `${typeof value} was ${result.ok ? 'allowed' : ''}`,
    );
    if (!result.ok) assert.equal(result.error.code, 'INVALID_INPUT');
  }
});

test('INV-7: an already-parsed intent larger than intentBytesMax is refused like its serialized form', {}, async () => {
  const { kernel } = makeKernel();
  const real = await mintFor(kernel);
  const field = 'x'.repeat(LIMITS.fieldBytesMax / 2);
  const args = Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`f${i}`, field]));
  const intent = readIntent(real.token, { args });
  assert.ok(JSON.stringify(intent).length > LIMITS.intentBytesMax);
  const fromText = await kernel.submit(JSON.stringify(intent));
  assert.equal(fromText.ok ? 'decided' : fromText.error.code, 'OVERSIZED_INPUT');
  const fromObject = await kernel.submit(intent);
  assert.equal(fromObject.ok ? fromObject.value.verdict : fromObject.error.code, 'OVERSIZED_INPUT');
});

test('INV-4: a resource that climbs out of a granted directory with `..` is not covered', {}, async () => {
  const { kernel } = makeKernel();
  const real = await mintFor(kernel);
  for (const resource of ['/w/../etc/passwd', '/w/./../../etc/shadow', '/w/a/../../root/.ssh/id_ed25519']) {
    const decision = await kernel.submit(readIntent(real.token, { resource }));
    assert.ok(!decision.ok || decision.value.verdict === 'deny', `${resource} was allowed`);
  }
});

test('DR-T3: mint records a TTL acknowledgment in the token and in the token.minted event', async () => {
  const { kernel, clock, sink } = makeKernel();
  const ttlMs = 5 * 3_600_000;
  const refused = await kernel.mint({ sub: 'alice', scopes: GRANTS, ttlMs });
  assert.equal(refused.ok ? 'minted' : refused.error.code, 'TOKEN_TTL_EXCESSIVE');
  assert.equal(sink.ofType('token.minted').length, 0, 'a refused mint emits nothing');
  const acknowledgment = { by: 'commander', reason: 'overnight batch' };
  const minted = await kernel.mint({ sub: 'alice', scopes: GRANTS, ttlMs, acknowledgment });
  assert.ok(minted.ok);
  const expected = { ...acknowledgment, atMs: clock.wallMs() };
  assert.deepEqual(minted.value.claims.ttlAck, expected);
  const events = sink.ofType('token.minted');
  assert.equal(events.length, 1);
  assert.deepEqual(events[0]?.claims.ttlAck, expected);
  assert.equal(events[0]?.claims.jti, minted.value.claims.jti);
  const unknown = await kernel.mint({ sub: 'mallory', scopes: GRANTS });
  assert.equal(unknown.ok ? 'minted' : unknown.error.code, 'TOKEN_GRANT_EXCEEDED');
});

test('DR-T6: revoking a parent denies its attenuated child on the very next decision', async () => {
  const { kernel, sink } = makeKernel();
  const parent = await mintFor(kernel);
  const child = await kernel.attenuate(parent.token, {
    scopes: [{ action: 'fs.read', resource: '/w/docs/**' }],
  });
  assert.ok(child.ok, child.ok ? '' : child.error.message);
  const intent = readIntent(child.value.token, { resource: '/w/docs/a.md' });
  assert.equal((await decided(kernel, intent)).verdict, 'allow');
  assert.deepEqual(codes(await decided(kernel, readIntent(child.value.token))), ['SCOPE_NOT_COVERED']);
  assert.equal(kernel.revoke(parent.jti, 'compromised'), 1);
  const denied = await decided(kernel, intent);
  assert.equal(denied.verdict, 'deny');
  assert.deepEqual(codes(denied), ['TOKEN_REVOKED']);
  assert.deepEqual(
    sink.ofType('token.revoked').map((e) => [e.jti, e.epoch, e.reason]),
    [[parent.jti, 1, 'compromised']],
  );
  const grandchild = await kernel.attenuate(child.value.token, {
    scopes: [{ action: 'fs.read', resource: '/w/docs/x' }],
  });
  assert.ok(!grandchild.ok, 'a revoked chain cannot be attenuated further');
  assert.equal(kernel.revoke(parent.jti), 1, 'revoking twice leaves the epoch alone');
});

test('MR-4 DR-R1 DR-R2: promotion is refused; demotion is immediate, logged and voids ring-2 tokens', async () => {
  const { kernel, sink } = makeKernel();
  const { token } = await mintFor(kernel);
  const promote = kernel.changeRing('alice', 1);
  assert.equal(promote.ok ? 'promoted' : promote.error.code, 'RING_PROMOTION_REFUSED');
  assert.equal(sink.ofType('ring.demoted').length, 0);
  assert.deepEqual(kernel.changeRing('alice', 2), { ok: true, value: 2 });
  assert.equal(sink.ofType('ring.demoted').length, 0, 'no change, no event');
  assert.deepEqual(kernel.changeRing('alice', 3), { ok: true, value: 3 });
  assert.deepEqual(
    sink.ofType('ring.demoted').map(({ agent, from, to }) => ({ agent, from, to })),
    [{ agent: 'alice', from: 2, to: 3 }],
  );
  const back = kernel.changeRing('alice', 2);
  assert.equal(back.ok ? 'promoted' : back.error.code, 'RING_PROMOTION_REFUSED');
  const voided = await decided(kernel, readIntent(token));
  assert.equal(voided.verdict, 'deny');
  assert.deepEqual(voided.checks.find((c) => c.check === 'mandatory-rules')?.detail, { rules: ['MR-4'] });
  const ring2 = await kernel.mint({ sub: 'alice', scopes: GRANTS, ring: 2 });
  assert.equal(ring2.ok ? 'minted' : ring2.error.code, 'RING_PROMOTION_REFUSED');
  const ring3 = await kernel.mint({ sub: 'alice', scopes: GRANTS });
  assert.equal(ring3.ok ? ring3.value.claims.ring : 0, 3, 'new tokens follow the demotion');
  const nobody = kernel.changeRing('mallory', 3);
  assert.equal(nobody.ok ? 'changed' : nobody.error.code, 'INVALID_INPUT');
});

test('MR-3: emergency mode denies even reads, and the mode change is an event', async () => {
  const { kernel, sink } = makeKernel();
  const { token } = await mintFor(kernel);
  assert.equal((await decided(kernel, readIntent(token))).verdict, 'allow');
  kernel.enterMode('emergency');
  assert.equal(kernel.mode, 'emergency');
  const denied = await decided(kernel, readIntent(token));
  assert.equal(denied.verdict, 'deny');
  assert.deepEqual(codes(denied), ['MR_VIOLATION']);
  kernel.enterMode('emergency');
  assert.deepEqual(
    sink.ofType('mode.changed').map(({ from, to }) => [from, to]),
    [['operational', 'emergency']],
  );
});

test('MR-7: only an allow can be reserved; a reservation spends and a release gives back', async () => {
  const { kernel } = makeKernel();
  const { token } = await mintFor(kernel);
  const denied = await decided(kernel, readIntent(token, { resource: '/etc/passwd' }));
  const refused = kernel.reserve(denied);
  assert.equal(refused.ok ? 'reserved' : refused.error.code, 'RESERVATION_CONFLICT');
  const allowed = await decided(kernel, readIntent(token, { cost: { apiCalls: 3 } }));
  const reservation = kernel.reserve(allowed);
  assert.ok(reservation.ok);
  assert.equal(kernel.ledger.spent('agent:alice').apiCalls, 3);
  const over = await decided(kernel, readIntent(token, { cost: { apiCalls: 8 } }));
  assert.deepEqual(codes(over), ['BUDGET_INSUFFICIENT'], 'reserved amounts count against the budget');
  assert.ok(kernel.release(reservation.value).ok);
  assert.equal(kernel.ledger.spent('agent:alice').apiCalls, 0);
  assert.equal(kernel.ledger.openCount, 0);
});

test('DR-T1: an inline token is verified once and then served from the cache', async () => {
  const { kernel } = makeKernel();
  const { token } = await mintFor(kernel);
  assert.equal(kernel.tokens.size, 0);
  const first = await decided(kernel, readIntent(token));
  const second = await decided(kernel, readIntent(token, { resource: '/w/b.txt' }));
  assert.equal(first.verdict, 'allow');
  assert.equal(second.verdict, 'allow');
  assert.equal(kernel.tokens.size, 1);
  const verified = await kernel.admitToken(token);
  assert.ok(verified.ok);
  assert.equal((await decided(kernel, readIntent(verified.value.digest))).verdict, 'allow');
  const foreign = generateIssuerKeyPair('k-foreign');
  const other = new Kernel({ policy: kernel.policy, publicKeys: publicKeysOf([foreign]), issuer: foreign });
  const forged = await other.mint({ sub: 'alice', scopes: GRANTS });
  assert.ok(forged.ok);
  assert.deepEqual(codes(await decided(kernel, readIntent(forged.value.token))), ['TOKEN_INVALID']);
  assert.equal(kernel.tokens.size, 1, 'a token from an unknown issuer is not cached');
});

test('DR-T6: revocations adopted from elsewhere take effect without being announced again', async () => {
  const { kernel, sink } = makeKernel();
  const real = await mintFor(kernel);
  const elsewhere = new RevocationList();
  elsewhere.revoke(real.jti, 'revoked by another operator');
  assert.equal(kernel.adoptRevocations(elsewhere), 1);
  assert.equal(kernel.revocations.isRevoked(real.jti), true);
  assert.equal(sink.ofType('token.revoked').length, 0, 'the revoking process already logged it');
  const decision = await kernel.submit(readIntent(real.token, {}));
  assert.ok(decision.ok);
  assert.equal(decision.value.checks[0]?.code, 'TOKEN_REVOKED');
});
