// Unit tests of the /v1/agents routes around a scripted `PodControl` (the pods themselves are tested
// in src/pod): each route, auth, strict input, error mapping, and no routes without pods.

import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Decider, PodControl, PodSignal, PodView } from '../runtime/service.ts';
import { ERROR_CODES, fail, type JsonValue, type KernelError, ok, type Result } from '../shared/index.ts';
import { type InjectOptions, injectJson, type JsonReply } from '../testing/inject-json.ts';
import { serviceWithPods } from '../testing/service-with-pods.ts';
import { TASK_BODY_BYTES_MAX } from './pod-routes.ts';
import { buildHttpApp, startHttpServer } from './server.ts';

const TOKEN = 'test-token-0123456789abcdefghijklmnopqrstu';

const POD: PodView = {
  agent: 'researcher',
  state: 'running',
  sandbox: 'process',
  level: 2,
  pid: 4242,
  networkNamespace: true,
  notes: [],
  stage: 0,
  stageName: 'normal',
  score: 0.5,
  startedMs: 1_000,
  tasksRun: 3,
  tasksInFlight: 0,
  osPaused: false,
};

type Call = { readonly method: string; readonly args: readonly unknown[] };

/** Records every call; `next` replaces the next answer of a method. */
class ScriptedPods implements PodControl {
  readonly calls: Call[] = [];
  readonly next = new Map<string, Result<unknown, KernelError>>();

  #answer<T>(method: string, args: unknown[], value: T): Promise<Result<T, KernelError>> {
    this.calls.push({ method, args });
    const scripted = this.next.get(method);
    this.next.delete(method);
    return Promise.resolve((scripted ?? ok(value)) as Result<T, KernelError>);
  }
  async list(): Promise<readonly PodView[]> {
    this.calls.push({ method: 'list', args: [] });
    return [POD];
  }
  start(dir: string) {
    return this.#answer<PodView>('start', [dir], { ...POD, state: 'starting' });
  }
  task(agent: string, task: JsonValue) {
    return this.#answer<JsonValue>('task', [agent, task], { echoed: task });
  }
  signal(agent: string, signal: PodSignal) {
    return this.#answer<PodView>('signal', [agent, signal], { ...POD, state: 'paused' });
  }
  quarantine(agent: string, stage: number, decider: Decider & { readonly approved?: boolean }) {
    return this.#answer<PodView>('quarantine', [agent, stage, decider], { ...POD, stage });
  }
  last(method: string): Call | undefined {
    return this.calls.findLast((call) => call.method === method);
  }
}

const pods = new ScriptedPods();
const app: FastifyInstance = buildHttpApp(serviceWithPods(pods), { token: TOKEN, version: '1.0.0' });
const bare: FastifyInstance = buildHttpApp(serviceWithPods(undefined), { token: TOKEN, version: '1.0.0' });
after(() => Promise.all([app.close(), bare.close()]));

type Reply = JsonReply;

function call(
  method: 'GET' | 'POST',
  url: string,
  body?: unknown,
  options: InjectOptions = {},
): Promise<Reply> {
  return injectJson(app, TOKEN, { method, url: url, body }, options);
}

function assertError(reply: Reply, status: number, code: string): void {
  assert.equal(reply.status, status, JSON.stringify(reply.body));
  const body = reply.body as { error: { code: string; message: string } };
  assert.equal(body.error.code, code);
  assert.deepEqual(Object.keys(body), ['error']);
  assert.ok(body.error.message.length > 0 && !body.error.message.includes('\n'));
}

const ROUTES: ReadonlyArray<readonly ['GET' | 'POST', string, unknown]> = [
  ['GET', '/v1/agents', undefined],
  ['POST', '/v1/agents', { dir: '/srv/agents/researcher' }],
  ['GET', '/v1/agents/researcher', undefined],
  ['POST', '/v1/agents/researcher/tasks', { task: { q: 1 } }],
  ['POST', '/v1/agents/researcher/signal', { signal: 'SIGSTOP' }],
  ['POST', '/v1/agents/researcher/quarantine', { stage: 2 }],
];

describe('agent routes', () => {
  test('GET /v1/agents lists the pods; GET /v1/agents/:id shows one', async () => {
    const list = await call('GET', '/v1/agents');
    assert.equal(list.status, 200);
    assert.deepEqual(list.body, [POD]);
    const one = await call('GET', '/v1/agents/researcher');
    assert.equal(one.status, 200);
    assert.deepEqual(one.body, POD);
    assertError(await call('GET', '/v1/agents/writer'), 404, 'AGENT_UNKNOWN');
  });

  test('POST /v1/agents starts the agent of an absolute directory with 201', async () => {
    const reply = await call('POST', '/v1/agents', { dir: '/srv/agents/researcher' });
    assert.equal(reply.status, 201);
    assert.equal((reply.body as PodView).state, 'starting');
    assert.deepEqual(pods.last('start')?.args, ['/srv/agents/researcher']);
    pods.next.set('start', fail(ERROR_CODES.MANIFEST_INVALID, 'manifest `id` is missing'));
    assertError(await call('POST', '/v1/agents', { dir: '/srv/x' }), 400, 'MANIFEST_INVALID');
    pods.next.set('start', fail(ERROR_CODES.AGENT_RUNNING, 'agent `researcher` is already running'));
    assertError(await call('POST', '/v1/agents', { dir: '/srv/x' }), 409, 'AGENT_RUNNING');
    pods.next.set('start', fail(ERROR_CODES.SANDBOX_UNAVAILABLE, 'needs isolation level 3'));
    assertError(await call('POST', '/v1/agents', { dir: '/srv/x' }), 422, 'SANDBOX_UNAVAILABLE');
    pods.next.set('start', fail(ERROR_CODES.SANDBOX_START_FAILED, 'agent module `a.js` does not parse'));
    assertError(await call('POST', '/v1/agents', { dir: '/srv/x' }), 422, 'SANDBOX_START_FAILED');
  });

  test('POST /v1/agents/:id/tasks answers with the task result', async () => {
    const reply = await call('POST', '/v1/agents/researcher/tasks', { task: { topic: 'otters' } });
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body, { result: { echoed: { topic: 'otters' } } });
    assert.deepEqual(pods.last('task')?.args, ['researcher', { topic: 'otters' }]);
    await call('POST', '/v1/agents/researcher/tasks', { task: null });
    assert.deepEqual(pods.last('task')?.args, ['researcher', null]);
    const table: Array<[KernelError['code'], number]> = [
      ['AGENT_UNKNOWN', 404],
      ['AGENT_NOT_RUNNING', 409],
      ['POD_BUSY', 429],
      ['TASK_FAILED', 502],
      ['TASK_TIMEOUT', 504],
    ];
    for (const [code, status] of table) {
      pods.next.set('task', fail(code, 'the task did not run'));
      assertError(await call('POST', '/v1/agents/researcher/tasks', { task: 1 }), status, code);
    }
  });

  test('POST /v1/agents/:id/signal takes the five signals (Agent OS), long or short', async () => {
    const forms: Array<[string, PodSignal]> = [
      ['SIGSTOP', 'SIGSTOP'],
      ['SIGCONT', 'SIGCONT'],
      ['SIGINT', 'SIGINT'],
      ['SIGTERM', 'SIGTERM'],
      ['SIGKILL', 'SIGKILL'],
      ['STOP', 'SIGSTOP'],
      ['CONT', 'SIGCONT'],
      ['INT', 'SIGINT'],
      ['TERM', 'SIGTERM'],
      ['KILL', 'SIGKILL'],
    ];
    for (const [sent, signal] of forms) {
      const reply = await call('POST', '/v1/agents/researcher/signal', { signal: sent });
      assert.equal(reply.status, 200, sent);
      assert.deepEqual(pods.last('signal')?.args, ['researcher', signal]);
    }
  });

  test('DR-M1: POST /v1/agents/:id/quarantine passes stage, approval and decider; 403 without approval', async () => {
    const reply = await call('POST', '/v1/agents/researcher/quarantine', { stage: 2 });
    assert.equal(reply.status, 200);
    assert.equal((reply.body as PodView).stage, 2);
    assert.deepEqual(pods.last('quarantine')?.args, ['researcher', 2, { by: 'api' }]);
    const body = { stage: 4, approved: true, by: 'alice', note: 'exfiltration' };
    await call('POST', '/v1/agents/researcher/quarantine', body);
    assert.deepEqual(pods.last('quarantine')?.args, [
      'researcher',
      4,
      { by: 'alice', note: 'exfiltration', approved: true },
    ]);
    pods.next.set('quarantine', fail(ERROR_CODES.QUARANTINE_APPROVAL_REQUIRED, 'stage 4 needs approval'));
    assertError(
      await call('POST', '/v1/agents/researcher/quarantine', { stage: 4 }),
      403,
      'QUARANTINE_APPROVAL_REQUIRED',
    );
  });
});

describe('agent routes refuse bad input before reaching the pods', () => {
  test('bad agent ids, signals, stages, shapes and extra fields', async () => {
    const before = pods.calls.length;
    const cases: Array<[string, unknown, string]> = [
      ['/v1/agents', {}, 'INVALID_INPUT'],
      ['/v1/agents', { dir: 'relative/path' }, 'INVALID_INPUT'],
      ['/v1/agents', { dir: '' }, 'INVALID_INPUT'],
      ['/v1/agents', { dir: '/a\u0000b' }, 'INVALID_INPUT'],
      ['/v1/agents', { dir: `/${'d'.repeat(5000)}` }, 'INVALID_INPUT'],
      ['/v1/agents', { dir: '/srv/a', extra: 1 }, 'INVALID_INPUT'],
      ['/v1/agents', ['/srv/a'], 'INVALID_INPUT'],
      ['/v1/agents/researcher/tasks', {}, 'INVALID_INPUT'],
      ['/v1/agents/researcher/tasks', { task: 1, more: 2 }, 'INVALID_INPUT'],
      ['/v1/agents/researcher/signal', { signal: 'SIGHUP' }, 'INVALID_INPUT'],
      ['/v1/agents/researcher/signal', { signal: 'sigterm' }, 'INVALID_INPUT'],
      ['/v1/agents/researcher/signal', { signal: 'toString' }, 'INVALID_INPUT'],
      ['/v1/agents/researcher/signal', { signal: 9 }, 'INVALID_INPUT'],
      ['/v1/agents/researcher/signal', { signal: 'TERM', force: true }, 'INVALID_INPUT'],
      ['/v1/agents/researcher/quarantine', { stage: 9 }, 'QUARANTINE_STAGE_INVALID'],
      ['/v1/agents/researcher/quarantine', { stage: -1 }, 'QUARANTINE_STAGE_INVALID'],
      ['/v1/agents/researcher/quarantine', { stage: 1.5 }, 'QUARANTINE_STAGE_INVALID'],
      ['/v1/agents/researcher/quarantine', { stage: '2' }, 'QUARANTINE_STAGE_INVALID'],
      ['/v1/agents/researcher/quarantine', {}, 'QUARANTINE_STAGE_INVALID'],
      ['/v1/agents/researcher/quarantine', { stage: 2, approved: 'yes' }, 'INVALID_INPUT'],
      ['/v1/agents/researcher/quarantine', { stage: 2, by: '' }, 'INVALID_INPUT'],
      ['/v1/agents/researcher/quarantine', { stage: 2, level: 3 }, 'INVALID_INPUT'],
    ];
    for (const [url, body, code] of cases) {
      assertError(await call('POST', url, body), 400, code);
    }
    assertError(await call('POST', '/v1/agents/researcher/signal'), 400, 'INVALID_INPUT');
    for (const id of ['bad%20id', 'a%2Fb', '..%2F..', 'x'.repeat(129), '%C3%A9']) {
      assertError(await call('GET', `/v1/agents/${id}`), 400, 'INVALID_INPUT');
      assertError(await call('POST', `/v1/agents/${id}/signal`, { signal: 'KILL' }), 400, 'INVALID_INPUT');
      assertError(await call('POST', `/v1/agents/${id}/tasks`, { task: 1 }), 400, 'INVALID_INPUT');
      assertError(await call('POST', `/v1/agents/${id}/quarantine`, { stage: 1 }), 400, 'INVALID_INPUT');
    }
    assert.equal(pods.calls.length, before, 'no bad request reaches the pods');
  });

  test('an oversized body is 413: a task over its bound, a signal over the small default', async () => {
    const before = pods.calls.length;
    const big = JSON.stringify({ task: 'x'.repeat(TASK_BODY_BYTES_MAX) });
    assertError(
      await call('POST', '/v1/agents/researcher/tasks', undefined, { raw: big }),
      413,
      'OVERSIZED_INPUT',
    );
    const padded = JSON.stringify({ signal: 'KILL', pad: 'x'.repeat(20_000) });
    assertError(
      await call('POST', '/v1/agents/researcher/signal', undefined, { raw: padded }),
      413,
      'OVERSIZED_INPUT',
    );
    assert.equal(pods.calls.length, before);
    const fits = JSON.stringify({ task: 'x'.repeat(100_000) });
    assert.equal((await call('POST', '/v1/agents/researcher/tasks', undefined, { raw: fits })).status, 200);
  });

  test('__proto__ in a body is refused with FORBIDDEN_KEY', async () => {
    const raw = '{"signal":"KILL","__proto__":{"admin":true}}';
    assertError(await call('POST', '/v1/agents/researcher/signal', undefined, { raw }), 400, 'FORBIDDEN_KEY');
  });
});

describe('agent routes: auth and absence', () => {
  test('every agent route refuses a missing or wrong token with 401', async () => {
    const before = pods.calls.length;
    for (const [method, url, body] of ROUTES) {
      assertError(await call(method, url, body, { auth: null }), 401, 'UNAUTHORIZED');
      assertError(
        await call(method, url, body, { auth: 'Bearer wrong-token-0123456789' }),
        401,
        'UNAUTHORIZED',
      );
    }
    assert.equal(pods.calls.length, before);
  });

  test('without `service.pods` every agent route is 404 NOT_FOUND', async () => {
    for (const [method, url, body] of ROUTES) {
      assertError(await call(method, url, body, { on: bare }), 404, 'NOT_FOUND');
    }
  });

  test('over real HTTP the list route answers with the pods', async () => {
    const server = await startHttpServer(serviceWithPods(new ScriptedPods()), {
      token: TOKEN,
      version: '1.0.0',
    });
    try {
      const response = await fetch(`${server.url}/v1/agents`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), [POD]);
    } finally {
      await server.close();
    }
  });
});
