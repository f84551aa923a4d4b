// Unit tests of the shared-session routes (issue 5) around the runtime's real `PodSessions` on
// memory storage: each route, the token's ttl and expiry, error mapping, strict input, auth, and a
// clear error when the daemon hosts no sessions. Joining with the token is tested in test/pod.

import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { JOIN_TOKEN_TTL_MS, JOIN_TOKEN_TTL_MS_MAX, PodSessions } from '../runtime/pod-sessions.ts';
import type { SessionControl, SharedSessionView } from '../runtime/service.ts';
import { ERROR_CODES, fail, type KernelError, type Result } from '../shared/index.ts';
import { MemoryStorage } from '../storage/index.ts';
import { FakeClock } from '../testing/fake-clock.ts';
import { type InjectOptions, injectJson, type JsonReply } from '../testing/inject-json.ts';
import { serviceWithPods } from '../testing/service-with-pods.ts';
import { buildHttpApp } from './server.ts';
import { type JoinTokenView, SHARED_SESSIONS_PATH } from './session-routes.ts';

const TOKEN = 'test-token-0123456789abcdefghijklmnopqrstu';
const clock = new FakeClock();

type Call = { readonly method: string; readonly args: readonly unknown[] };

/** The real sessions, with every call recorded; `next` replaces the next answer of a method. */
class RecordedSessions implements SessionControl {
  readonly calls: Call[] = [];
  readonly next = new Map<string, Result<never, KernelError>>();
  readonly records: string[] = [];
  readonly #real = new PodSessions({
    storage: new MemoryStorage(),
    clock,
    keys: generateKeyPairSync('ed25519'),
    record: async (type) => this.records.push(type),
  });

  async #call<T>(method: string, args: unknown[], real: () => Promise<T>): Promise<T> {
    this.calls.push({ method, args });
    const scripted = this.next.get(method);
    this.next.delete(method);
    return scripted === undefined ? real() : (scripted as T);
  }
  create(request: Parameters<SessionControl['create']>[0]) {
    return this.#call('create', [request], () => this.#real.create(request));
  }
  token(id: string, agent: string, ttlMs?: number) {
    return this.#call('token', [id, agent, ttlMs], () => this.#real.token(id, agent, ttlMs));
  }
  show(id: string) {
    return this.#call('show', [id], () => this.#real.show(id));
  }
}

const sessions = new RecordedSessions();
const app = buildHttpApp({ ...serviceWithPods(undefined), sessions }, { token: TOKEN, version: '1.0.0' });
const bare = buildHttpApp(serviceWithPods(undefined), { token: TOKEN, version: '1.0.0' });
after(() => Promise.all([app.close(), bare.close()]));

type Reply = JsonReply;

function call(
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  options: InjectOptions = {},
): Promise<Reply> {
  return injectJson(app, TOKEN, { method, url: `${SHARED_SESSIONS_PATH}${path}`, body }, options);
}

function assertError(reply: Reply, status: number, code: string): string {
  assert.equal(reply.status, status, JSON.stringify(reply.body));
  const body = reply.body as { error: { code: string; message: string } };
  assert.equal(body.error.code, code);
  assert.deepEqual(Object.keys(body), ['error']);
  assert.ok(body.error.message.length > 0 && !body.error.message.includes('\n'));
  return body.error.message;
}

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8'));
}

const ROUTES: ReadonlyArray<readonly ['GET' | 'POST', string, unknown]> = [
  ['POST', '', { id: 'plan', members: ['alice'] }],
  ['POST', '/plan/tokens', { agent: 'alice' }],
  ['GET', '/plan', undefined],
];

describe('shared-session routes', () => {
  test('POST creates with 201, GET shows the same view, POST …/tokens mints a member token', async () => {
    const created = await call('POST', '', { id: 'plan', members: ['bob', 'alice'], readOnly: ['bob'] });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const view = created.body as SharedSessionView;
    assert.equal(view.id, 'plan');
    assert.equal(view.head.seq, 0);
    assert.match(view.head.commit, /^[0-9a-f]{64}$/);
    assert.deepEqual(view.members, [
      { agent: 'alice', role: 'write' },
      { agent: 'bob', role: 'read' },
    ]);
    assert.ok(sessions.records.includes('session.created'));
    const shown = await call('GET', '/plan');
    assert.equal(shown.status, 200);
    assert.deepEqual(shown.body, view);

    const minted = await call('POST', '/plan/tokens', { agent: 'bob' });
    assert.equal(minted.status, 200, JSON.stringify(minted.body));
    const { token, expiresAtMs } = minted.body as JoinTokenView;
    assert.equal(expiresAtMs, clock.wallMs() + JOIN_TOKEN_TTL_MS);
    assert.deepEqual(
      [claimsOf(token).session, claimsOf(token).agent, claimsOf(token).exp],
      ['plan', 'bob', expiresAtMs],
    );
  });

  test('`ttl` is a duration like the CLI`s, bounded by JOIN_TOKEN_TTL_MS_MAX', async () => {
    const forms: Array<[string, number]> = [
      ['30s', 30_000],
      ['10m', 600_000],
      ['1h', JOIN_TOKEN_TTL_MS_MAX],
      ['1500ms', 1_500],
    ];
    for (const [ttl, ms] of forms) {
      const reply = await call('POST', '/plan/tokens', { agent: 'alice', ttl });
      assert.equal(reply.status, 200, ttl);
      assert.equal((reply.body as JoinTokenView).expiresAtMs, clock.wallMs() + ms, ttl);
      assert.deepEqual(sessions.calls.at(-1)?.args, ['plan', 'alice', ms]);
    }
    const before = sessions.calls.length;
    for (const ttl of ['61m', '2h', '1d', '999999999999999d']) {
      const message = assertError(
        await call('POST', '/plan/tokens', { agent: 'alice', ttl }),
        400,
        'TOKEN_TTL_EXCESSIVE',
      );
      assert.match(message, /at most 60m/);
    }
    for (const ttl of ['0s', '10', 'ten minutes', ' 10m', '10M', '-1s', '', 600_000, null]) {
      assertError(await call('POST', '/plan/tokens', { agent: 'alice', ttl }), 400, 'INVALID_INPUT');
    }
    assert.equal(sessions.calls.length, before, 'no bad ttl reaches the sessions');
  });

  test('unknown session 404, non-member 403, an existing id 409 SESSION_EXISTS, a broken chain 503', async () => {
    assertError(await call('GET', '/ghost'), 404, 'SESSION_UNKNOWN');
    assertError(await call('POST', '/ghost/tokens', { agent: 'alice' }), 404, 'SESSION_UNKNOWN');
    assertError(await call('POST', '/plan/tokens', { agent: 'mallory' }), 403, 'GATEWAY_DENIED');
    const again = await call('POST', '', { id: 'plan', members: ['carol'] });
    assert.match(assertError(again, 409, 'SESSION_EXISTS'), /exists/);
    const shown = await call('GET', '/plan');
    assert.equal((shown.body as SharedSessionView).members.length, 2, 'the first session is unchanged');
    assertError(await call('POST', '', { id: 'dup', members: ['a', 'a'] }), 400, 'INVALID_INPUT');
    assertError(await call('POST', '', { id: 'ro', members: ['a'], readOnly: ['b'] }), 400, 'INVALID_INPUT');
    const crowd = Array.from({ length: 65 }, (_, i) => `agent-${i}`);
    assertError(await call('POST', '', { id: 'crowd', members: crowd }), 400, 'INVALID_INPUT');
    sessions.next.set('show', fail(ERROR_CODES.JOURNAL_BROKEN, 'session `plan` change 3 does not chain'));
    assertError(await call('GET', '/plan'), 503, 'JOURNAL_BROKEN');
  });
});

describe('shared-session routes refuse bad input before reaching the sessions', () => {
  test('bad ids, member lists, shapes and extra fields', async () => {
    const before = sessions.calls.length;
    const creates: unknown[] = [
      {},
      { members: ['alice'] },
      { id: 'x' },
      { id: '', members: ['alice'] },
      { id: '..', members: ['alice'] },
      { id: 'a/b', members: ['alice'] },
      { id: 'x'.repeat(129), members: ['alice'] },
      { id: 7, members: ['alice'] },
      { id: 'x', members: [] },
      { id: 'x', members: 'alice' },
      { id: 'x', members: [1] },
      { id: 'x', members: ['bad id'] },
      { id: 'x', members: ['alice'], readOnly: 'alice' },
      { id: 'x', members: ['alice'], readOnly: [null] },
      { id: 'x', members: ['alice'], owner: 'me' },
      ['x'],
      null,
    ];
    for (const body of creates) assertError(await call('POST', '', body), 400, 'INVALID_INPUT');
    assertError(await call('POST', ''), 400, 'INVALID_INPUT');
    const tokens: unknown[] = [
      {},
      { agent: '' },
      { agent: 'a b' },
      { agent: 'alice', scope: 'all' },
      'alice',
    ];
    for (const body of tokens) assertError(await call('POST', '/plan/tokens', body), 400, 'INVALID_INPUT');
    for (const id of ['bad%20id', 'a%2Fb', '...', 'x'.repeat(129), '%C3%A9']) {
      assertError(await call('GET', `/${id}`), 400, 'INVALID_INPUT');
      assertError(await call('POST', `/${id}/tokens`, { agent: 'alice' }), 400, 'INVALID_INPUT');
    }
    assert.equal(sessions.calls.length, before, 'no bad request reaches the sessions');
  });

  test('__proto__ in a body is FORBIDDEN_KEY; an oversized body is 413', async () => {
    const raw = '{"id":"x","members":["alice"],"__proto__":{"admin":true}}';
    assertError(await call('POST', '', undefined, { raw }), 400, 'FORBIDDEN_KEY');
    const big = JSON.stringify({ id: 'x', members: ['alice'], pad: 'x'.repeat(20_000) });
    assertError(await call('POST', '', undefined, { raw: big }), 413, 'OVERSIZED_INPUT');
  });
});

describe('shared-session routes: auth and absence', () => {
  test('every route refuses a missing or wrong token with 401', async () => {
    const before = sessions.calls.length;
    for (const [method, path, body] of ROUTES) {
      assertError(await call(method, path, body, { auth: null }), 401, 'UNAUTHORIZED');
      assertError(
        await call(method, path, body, { auth: 'Bearer wrong-token-0123456789' }),
        401,
        'UNAUTHORIZED',
      );
    }
    assert.equal(sessions.calls.length, before);
  });

  test('without `service.sessions` every route is 404 NOT_FOUND saying no sessions are hosted', async () => {
    for (const [method, path, body] of ROUTES) {
      const message = assertError(await call(method, path, body, { on: bare }), 404, 'NOT_FOUND');
      assert.match(message, /hosts no shared sessions/);
    }
  });
});
