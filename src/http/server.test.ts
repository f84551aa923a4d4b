// Unit tests of the HTTP API around a fake `KernelService`: auth, every route's happy path and
// error mapping, and hostile input (bad JSON, oversized, `__proto__`, wrong media type, bad query).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { LIMITS } from '../runtime/index.ts';
import type {
  Decider,
  HealthView,
  HeldIntent,
  IntentStatus,
  JournalEntryView,
  JournalQuery,
  KernelService,
  SessionView,
  VerifyView,
} from '../runtime/service.ts';
import { ERROR_CODES, type ErrorCode, fail, KernelError, ok, type Result } from '../shared/index.ts';
import { statusForCode } from './error-status.ts';
import { buildHttpApp, type HttpServer, startHttpServer } from './server.ts';

const TOKEN = 'test-token-0123456789abcdefghijklmnopqrstu';
const ID = '0190a6b2-1c3d-7e4f-8a9b-0c1d2e3f4a5b';

const status = (state: IntentStatus['state'], extra: Partial<IntentStatus> = {}): IntentStatus => ({
  intentId: ID,
  agent: 'researcher',
  action: 'fs.read',
  resource: '/workspace/a.md',
  state,
  verdict: state === 'denied' ? 'deny' : 'allow',
  checks: [],
  journal: [1, 2],
  ...extra,
});

const HEALTH: HealthView = {
  status: 'ok',
  mode: 'operational',
  storage: 'memory',
  journalHeadSeq: 7,
  held: 1,
  nodeId: 'maos-local',
  policyHash: 'abc',
  version: 'service-version',
  uptimeMs: 5,
};

const HELD: HeldIntent = {
  intentId: ID,
  agent: 'writer',
  action: 'email.send',
  resource: 'mailto:team@example.com',
  args: { body: 'hi' },
  digest: 'd',
  policyHash: 'p',
  reasons: [{ check: 'approval', verdict: 'escalate', code: 'IRREVERSIBLE', message: 'needs a human' }],
  heldAtMs: 1,
  expiresAtMs: 2,
};

type Call = { readonly method: string; readonly args: readonly unknown[] };

/** A scripted service: records every call; `next` overrides the next result of a method. */
class FakeService implements KernelService {
  readonly calls: Call[] = [];
  readonly next = new Map<string, Result<unknown, KernelError> | Error>();

  #answer<T>(method: string, args: unknown[], value: T): Promise<Result<T, KernelError>> {
    this.calls.push({ method, args });
    const scripted = this.next.get(method);
    this.next.delete(method);
    if (scripted instanceof Error) return Promise.reject(scripted);
    return Promise.resolve((scripted ?? ok(value)) as Result<T, KernelError>);
  }
  submit(input: unknown) {
    return this.#answer('submit', [input], status('committed'));
  }
  status(intentId: string) {
    return this.#answer('status', [intentId], status('committed'));
  }
  async held(): Promise<readonly HeldIntent[]> {
    this.calls.push({ method: 'held', args: [] });
    return [HELD];
  }
  approve(intentId: string, decider: Decider) {
    return this.#answer('approve', [intentId, decider], status('committed'));
  }
  reject(intentId: string, decider: Decider) {
    return this.#answer('reject', [intentId, decider], status('rejected'));
  }
  undo(intentId: string, decider: Decider) {
    return this.#answer('undo', [intentId, decider], status('undone'));
  }
  journal(query: JournalQuery) {
    const entry: JournalEntryView = { seq: 1, hash: 'h', prev: 'p', ts: 1, type: 'intent.decided', data: {} };
    return this.#answer<readonly JournalEntryView[]>('journal', [query], [entry]);
  }
  async verify(): Promise<VerifyView> {
    return { ok: true, records: 7, checkpoints: 1, headSeq: 7 };
  }
  async health(): Promise<HealthView> {
    const scripted = this.next.get('health');
    if (scripted instanceof Error) {
      this.next.delete('health');
      throw scripted;
    }
    return HEALTH;
  }
  openSession(agent: string, task?: string) {
    const view: SessionView = {
      session: 's1',
      agent,
      label: { confidentiality: 'PUBLIC', integrity: 'TRUSTED' },
      sources: task === undefined ? 0 : 1,
    };
    return this.#answer<SessionView>('openSession', [agent, task], view);
  }
  session(id: string) {
    const view: SessionView = {
      session: id,
      agent: 'a',
      label: { confidentiality: 'PUBLIC', integrity: 'TRUSTED' },
      sources: 0,
    };
    return this.#answer<SessionView>('session', [id], view);
  }
  addTask(id: string, text: string) {
    const view: SessionView = {
      session: id,
      agent: 'a',
      label: { confidentiality: 'PUBLIC', integrity: 'TRUSTED' },
      sources: 1,
    };
    return this.#answer<SessionView>('addTask', [id, text], view);
  }
  closeSession(id: string) {
    return this.#answer<{ closed: boolean }>('closeSession', [id], { closed: true });
  }
  lastCall(method: string): Call | undefined {
    return this.calls.findLast((call) => call.method === method);
  }
}

const service = new FakeService();
const internalErrors: unknown[] = [];
const app: FastifyInstance = buildHttpApp(service, {
  token: TOKEN,
  version: '9.9.9',
  onInternalError: (error) => internalErrors.push(error),
});
after(() => app.close());

type Reply = { status: number; body: unknown; headers: Record<string, unknown> };

async function call(
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  options: { body?: string | Buffer; type?: string; auth?: string | null } = {},
): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (options.auth !== null) headers.authorization = options.auth ?? `Bearer ${TOKEN}`;
  if (options.type !== undefined) headers['content-type'] = options.type;
  const response = await app.inject({
    method,
    url,
    headers,
    ...(options.body === undefined ? {} : { payload: options.body }),
  });
  const text = response.body;
  return {
    status: response.statusCode,
    body: text === '' ? undefined : JSON.parse(text),
    headers: response.headers,
  };
}

const post = (url: string, body?: unknown) =>
  call('POST', url, body === undefined ? {} : { body: JSON.stringify(body), type: 'application/json' });

function assertError(reply: Reply, status: number, code: string): void {
  assert.equal(reply.status, status, JSON.stringify(reply.body));
  const body = reply.body as { error: { code: string; message: string }; stack?: unknown };
  assert.equal(body.error.code, code);
  assert.equal(typeof body.error.message, 'string');
  assert.deepEqual(Object.keys(body), ['error']);
  assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message']);
  assert.ok(!body.error.message.includes('\n    at '), 'no stack trace');
}

describe('auth', () => {
  test('every route refuses a missing, wrong, wrong-scheme or different-length token with 401', async () => {
    const routes: Array<['GET' | 'POST', string]> = [
      ['GET', '/v1/health'],
      ['POST', '/v1/intents'],
      ['GET', `/v1/intents/${ID}`],
      ['POST', `/v1/intents/${ID}/undo`],
      ['GET', '/v1/held'],
      ['POST', `/v1/held/${ID}/approve`],
      ['POST', `/v1/held/${ID}/reject`],
      ['GET', '/v1/journal'],
      ['GET', '/v1/journal/verify'],
      ['GET', '/v1/unknown'],
    ];
    const wrong = [
      null,
      'Bearer wrong-token-0123456789abcdefghijklmnopqrst',
      `Basic ${TOKEN}`,
      TOKEN,
      'Bearer x',
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.slice(0, -1)}`,
      'Bearer',
      '',
    ];
    const before = service.calls.length;
    for (const [method, url] of routes) {
      for (const auth of wrong) {
        const reply = await call(method, url, { auth, body: '{}', type: 'application/json' });
        assertError(reply, 401, 'UNAUTHORIZED');
        assert.equal(reply.headers['www-authenticate'], 'Bearer');
      }
    }
    assert.equal(service.calls.length, before, 'the service is never reached without the token');
  });

  test('the right token is accepted, with any case of the scheme', async () => {
    assert.equal((await call('GET', '/v1/health')).status, 200);
    assert.equal((await call('GET', '/v1/health', { auth: `bearer ${TOKEN}` })).status, 200);
  });
});

describe('routes', () => {
  test('GET /v1/health returns the health view with the daemon version', async () => {
    const reply = await call('GET', '/v1/health');
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body, { ...HEALTH, version: '9.9.9' });
  });

  test('POST /v1/intents passes the parsed intent and returns its status; a denial is 200', async () => {
    const intent = { agent: 'researcher', action: 'fs.read', resource: '/workspace/a.md' };
    const reply = await post('/v1/intents', intent);
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body, status('committed'));
    assert.deepEqual(service.lastCall('submit')?.args, [intent]);
    for (const state of ['denied', 'held', 'failed', 'conflict'] as const) {
      service.next.set('submit', ok(status(state)));
      const decided = await post('/v1/intents', intent);
      assert.equal(decided.status, 200, state);
      assert.equal((decided.body as IntentStatus).state, state);
    }
    const charset = await call('POST', '/v1/intents', {
      body: JSON.stringify(intent),
      type: 'application/json; charset=utf-8',
    });
    assert.equal(charset.status, 200);
  });

  test('GET /v1/intents/:id returns the status; an unknown id is 404', async () => {
    const reply = await call('GET', `/v1/intents/${ID}`);
    assert.equal(reply.status, 200);
    assert.deepEqual(service.lastCall('status')?.args, [ID]);
    service.next.set('status', fail(ERROR_CODES.INTENT_NOT_FOUND, `no intent \`${ID}\``));
    assertError(await call('GET', `/v1/intents/${ID}`), 404, 'INTENT_NOT_FOUND');
    assertError(await call('GET', `/v1/intents/${'x'.repeat(LIMITS.idLengthMax + 1)}`), 400, 'INVALID_INPUT');
    assert.equal((await call('GET', `/v1/intents/${'x'.repeat(LIMITS.idLengthMax)}`)).status, 200);
  });

  test('approve, reject and undo pass the decider; `by` defaults to api', async () => {
    const cases = [
      ['approve', `/v1/held/${ID}/approve`, 'committed'],
      ['reject', `/v1/held/${ID}/reject`, 'rejected'],
      ['undo', `/v1/intents/${ID}/undo`, 'undone'],
    ] as const;
    for (const [method, url, state] of cases) {
      const bare = await post(url);
      assert.equal(bare.status, 200, method);
      assert.equal((bare.body as IntentStatus).state, state);
      assert.deepEqual(service.lastCall(method)?.args, [ID, { by: 'api' }]);
      const empty = await call('POST', url, { body: '', type: 'application/json' });
      assert.equal(empty.status, 200, `${method} with an empty json body`);
      await post(url, { by: 'alice', note: 'looks fine' });
      assert.deepEqual(service.lastCall(method)?.args, [ID, { by: 'alice', note: 'looks fine' }]);
      await post(url, {});
      assert.deepEqual(service.lastCall(method)?.args, [ID, { by: 'api' }]);
      for (const bad of [{ by: '' }, { by: 3 }, { note: 'x'.repeat(5000) }, { extra: 1 }, [], 'text']) {
        assertError(await post(url, bad), 400, 'INVALID_INPUT');
      }
    }
  });

  test('GET /v1/held lists held intents', async () => {
    const reply = await call('GET', '/v1/held');
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body, JSON.parse(JSON.stringify([HELD])));
  });

  test('GET /v1/journal parses the query into the service query', async () => {
    assert.equal((await call('GET', '/v1/journal')).status, 200);
    assert.deepEqual(service.lastCall('journal')?.args, [{ limit: 100 }]);
    const reply = await call(
      'GET',
      '/v1/journal?from=-20&limit=1000&type=intent.*,approval.granted&agent=a&intent=i',
    );
    assert.equal(reply.status, 200);
    assert.equal((reply.body as unknown[]).length, 1);
    assert.deepEqual(service.lastCall('journal')?.args, [
      { limit: 1000, fromSeq: -20, types: ['intent.*', 'approval.granted'], agent: 'a', intentId: 'i' },
    ]);
  });

  test('GET /v1/journal refuses bad numbers, repeats and unknown parameters with 400', async () => {
    const before = service.calls.length;
    for (const query of [
      'from=abc',
      'from=1.5',
      'from=1e3',
      'from=-0',
      'from=',
      'limit=0',
      'limit=1001',
      'limit=-1',
      'limit=ten',
      'from=1&from=2',
      'type=a,,b',
      `type=${Array.from({ length: 40 }, (_, i) => `t${i}`).join(',')}`,
      'agent=',
      'bogus=1',
      '__proto__=1',
    ]) {
      assertError(await call('GET', `/v1/journal?${query}`), 400, 'INVALID_INPUT');
    }
    assert.equal(service.calls.length, before, 'the service is not called with a bad query');
  });

  test('GET /v1/journal/verify returns the verify view', async () => {
    const reply = await call('GET', '/v1/journal/verify');
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body, { ok: true, records: 7, checkpoints: 1, headSeq: 7 });
  });
});

describe('error mapping', () => {
  test('service errors map through the one table', async () => {
    const table: Array<[ErrorCode, number]> = [
      ['INVALID_INPUT', 400],
      ['FORBIDDEN_KEY', 400],
      ['OVERSIZED_INPUT', 413],
      ['INTENT_NOT_FOUND', 404],
      ['APPROVAL_NOT_FOUND', 404],
      ['APPROVAL_DECIDED', 409],
      ['STORAGE_CONFLICT', 409],
      ['CONCURRENCY_CONFLICT', 409],
      ['APPROVAL_EXPIRED', 410],
      ['UNDO_EXPIRED', 410],
      ['UNDO_IMPOSSIBLE', 422],
      ['APPROVAL_MISMATCH', 422],
      ['COMMIT_FROZEN', 503],
      ['JOURNAL_FAILED', 503],
      ['DISK_FULL', 503],
      ['READ_ONLY', 503],
      ['JOURNAL_BROKEN', 503],
      ['STORAGE', 500],
      ['IO', 500],
    ];
    for (const [code, expected] of table) {
      assert.equal(statusForCode(code), expected, code);
      service.next.set('approve', fail(code, `approval \`${ID}\` failed`));
      assertError(await post(`/v1/held/${ID}/approve`), expected, code);
    }
  });

  test('a thrown KernelError keeps its code; any other throw is a bare 500 INTERNAL', async () => {
    service.next.set('submit', new KernelError(ERROR_CODES.JOURNAL_BROKEN, 'the journal is broken'));
    assertError(await post('/v1/intents', {}), 503, 'JOURNAL_BROKEN');
    const secret = new Error('secret detail at /etc/shadow');
    service.next.set('health', secret);
    const reply = await call('GET', '/v1/health');
    assertError(reply, 500, 'INTERNAL');
    assert.ok(!JSON.stringify(reply.body).includes('secret'));
    assert.ok(internalErrors.includes(secret), 'the daemon is told about the bug');
  });
});

describe('hostile input', () => {
  test('malformed JSON is 400 INVALID_JSON, an empty intent body too', async () => {
    for (const body of ['{', '{"a":1,}', 'nul', '{"a":1}{}']) {
      assertError(await call('POST', '/v1/intents', { body, type: 'application/json' }), 400, 'INVALID_JSON');
    }
    assertError(
      await call('POST', '/v1/intents', { body: '', type: 'application/json' }),
      400,
      'INVALID_JSON',
    );
    assertError(
      await call('POST', '/v1/intents', { body: Buffer.from([0x7b, 0xff, 0x7d]), type: 'application/json' }),
      400,
      'INVALID_UTF8',
    );
  });

  test('__proto__ and constructor keys are refused with FORBIDDEN_KEY', async () => {
    const before = service.calls.length;
    for (const body of ['{"__proto__":{"admin":true}}', '{"a":{"constructor":{"prototype":{}}}}']) {
      assertError(
        await call('POST', '/v1/intents', { body, type: 'application/json' }),
        400,
        'FORBIDDEN_KEY',
      );
      assertError(
        await call('POST', `/v1/held/${ID}/approve`, { body, type: 'application/json' }),
        400,
        'FORBIDDEN_KEY',
      );
    }
    assert.equal(service.calls.length, before);
    assert.equal(({} as Record<string, unknown>).admin, undefined);
  });

  test('an intent over LIMITS.intentBytesMax is 413; at the limit it reaches the service', async () => {
    const fits = JSON.stringify({ pad: 'x'.repeat(LIMITS.intentBytesMax - 10) });
    assert.equal(Buffer.byteLength(fits), LIMITS.intentBytesMax);
    assert.equal((await call('POST', '/v1/intents', { body: fits, type: 'application/json' })).status, 200);
    const big = JSON.stringify({ pad: 'x'.repeat(LIMITS.intentBytesMax) });
    assertError(
      await call('POST', '/v1/intents', { body: big, type: 'application/json' }),
      413,
      'OVERSIZED_INPUT',
    );
    const deep = `${'['.repeat(LIMITS.intentDepthMax + 1)}${']'.repeat(LIMITS.intentDepthMax + 1)}`;
    assertError(
      await call('POST', '/v1/intents', { body: deep, type: 'application/json' }),
      413,
      'OVERSIZED_INPUT',
    );
    const bigDecision = JSON.stringify({ note: 'x'.repeat(20_000) });
    assertError(
      await call('POST', `/v1/held/${ID}/approve`, { body: bigDecision, type: 'application/json' }),
      413,
      'OVERSIZED_INPUT',
    );
  });

  test('a content-type other than application/json is 415 INVALID_INPUT', async () => {
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ]) {
      assertError(await call('POST', '/v1/intents', { body: '{}', type }), 415, 'INVALID_INPUT');
    }
    assertError(await call('POST', '/v1/intents', { body: '{}' }), 415, 'INVALID_INPUT');
    assertError(await call('POST', '/v1/intents'), 415, 'INVALID_INPUT');
  });

  test('unknown routes and methods are 404 NOT_FOUND (after auth)', async () => {
    assertError(await call('GET', '/v1/nope'), 404, 'NOT_FOUND');
    assertError(await call('GET', '/'), 404, 'NOT_FOUND');
    assertError(await call('DELETE', '/v1/held'), 404, 'NOT_FOUND');
    assertError(await call('PUT', '/v1/intents', { body: '{}', type: 'application/json' }), 404, 'NOT_FOUND');
    assertError(await call('GET', '/v1/health', { auth: null }), 401, 'UNAUTHORIZED');
  });

  test('a malformed url or an overlong path segment is 400, and 401 before that without the token', async () => {
    assertError(await call('GET', '/v1/intents/%E0%A4%A'), 400, 'INVALID_INPUT');
    assertError(await call('GET', '/v1/intents/%E0%A4%A', { auth: null }), 401, 'UNAUTHORIZED');
    const long = `/v1/held/${'x'.repeat(LIMITS.idLengthMax + 1)}/approve`;
    assertError(await call('POST', long), 400, 'INVALID_INPUT');
    assertError(await call('POST', long, { auth: null }), 401, 'UNAUTHORIZED');
  });
});

describe('over real HTTP', () => {
  let server: HttpServer;
  before(async () => {
    server = await startHttpServer(new FakeService(), { token: TOKEN, version: '1.0.0', port: 0 });
  });
  after(() => server.close());

  test('listens on 127.0.0.1 by default and serves with the token', async () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const ok = await fetch(`${server.url}/v1/health`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(ok.status, 200);
    assert.match(ok.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(((await ok.json()) as HealthView).version, '1.0.0');
  });

  test('401 without the token, and it keeps serving after garbage', async () => {
    const none = await fetch(`${server.url}/v1/health`);
    assert.equal(none.status, 401);
    assert.deepEqual(((await none.json()) as { error: { code: string } }).error.code, 'UNAUTHORIZED');
    const garbage = await fetch(`${server.url}/v1/intents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: '{"__proto__": ',
    });
    assert.equal(garbage.status, 400);
    const again = await fetch(`${server.url}/v1/held`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(again.status, 200);
  });

  test('close stops listening', async () => {
    const other = await startHttpServer(new FakeService(), { token: TOKEN, version: '1.0.0' });
    await other.close();
    await assert.rejects(fetch(`${other.url}/v1/health`));
  });
});
