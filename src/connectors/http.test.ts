// Unit tests of the http connector against a real `node:http` server on 127.0.0.1: idempotency
// keys, redirects not followed, bounded responses, compensations (MR-5), stateHash and aborts.

import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { verifies } from '../../test/invariants.ts';
import { hashHex, isKernelError, type JsonValue } from '../shared/index.ts';
import { createHttpConnector, type HttpConnectorOptions } from './http.ts';
import type { Connector, EffectRequest } from './port.ts';

type Seen = {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
};

const seen: Seen[] = [];
const items = new Set<string>();
const state = { etag: '"v1"', nextId: 0, bigClosed: 0 };
let base = '';
let counter = 0;

function json(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(value));
}

function streamForever(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/octet-stream' });
  res.on('close', () => state.bigClosed++);
  const chunk = Buffer.alloc(16 * 1024, 97);
  const pump = (): void => {
    while (!res.destroyed && res.write(chunk)) {
      // Keep writing until the socket pushes back.
    }
    if (!res.destroyed) res.once('drain', pump);
  };
  pump();
}

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

function status(code: number, headers: Record<string, string> = {}, body = ''): Handler {
  return (_req, res) => {
    res.writeHead(code, headers).end(body);
  };
}

const ROUTES: Readonly<Record<string, Handler>> = {
  'GET /doc': (_req, res) => json(res, 200, { a: 1 }, { etag: state.etag }),
  'GET /plain': status(200, { 'content-type': 'text/plain' }, 'hello'),
  'HEAD /plain': status(200, { 'content-type': 'text/plain' }, 'hello'),
  'GET /rpc': status(405),
  'GET /down': status(503),
  'GET /badjson': status(200, { 'content-type': 'application/json' }, '{bad'),
  'GET /echo': (req, res, body) => json(res, 200, { headers: req.headers, body }),
  'POST /echo': (req, res, body) => json(res, 200, { headers: req.headers, body }),
  'POST /items': (_req, res) => {
    const id = `item-${++state.nextId}`;
    items.add(id);
    json(res, 201, { id }, { location: `/items/${id}` });
  },
  'POST /tricky': (_req, res) =>
    json(res, 201, { id: '../admin?x=1' }, { location: 'http://evil.example/x' }),
  'GET /redirect': (_req, res) => res.writeHead(302, { location: `${base}/elsewhere` }).end(),
  'POST /redirect': (_req, res) => res.writeHead(307, { location: `${base}/elsewhere` }).end(),
  'GET /big': (_req, res) => streamForever(res),
  'GET /declared-big': status(200, { 'content-length': '10000000' }),
  'POST /fail': (_req, res) => json(res, 500, { error: 'boom' }),
  'GET /slow': () => undefined,
  'POST /slow': () => undefined,
};

function route(req: IncomingMessage, res: ServerResponse, body: string): void {
  const handler = ROUTES[`${req.method} ${req.url}`];
  if (handler !== undefined) {
    handler(req, res, body);
  } else if (req.method === 'DELETE' && req.url?.startsWith('/items/')) {
    const id = decodeURIComponent(req.url.slice('/items/'.length));
    res.writeHead(items.delete(id) ? 204 : 404).end();
  } else {
    res.writeHead(404).end();
  }
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
    route(req, res, body);
  });
});

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function request(action: string, path: string, args: Record<string, JsonValue> = {}): EffectRequest {
  return { intentId: `intent-${++counter}`, action, resource: `${base}${path}`, args };
}

const live = () => ({ signal: new AbortController().signal });

function hits(method: string, url: string): Seen[] {
  return seen.filter((s) => s.method === method && s.url === url);
}

async function rejectsWith(promise: Promise<unknown>, code: string, details?: Record<string, unknown>) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isKernelError(error), `expected a KernelError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    for (const [key, value] of Object.entries(details ?? {})) assert.deepEqual(error.details?.[key], value);
    return true;
  });
}

const COMPENSATED: HttpConnectorOptions = {
  compensations: { 'http.post': { method: 'DELETE', url: '{resource}/{result.body.id}' } },
};

test('a GET returns status, the two headers and a parsed JSON body; HEAD and text work too', async () => {
  const http = createHttpConnector();
  assert.deepEqual(await http.execute(request('http.get', '/doc'), live()), {
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: { a: 1 },
  });
  const text = await http.execute(request('http.get', '/plain'), live());
  assert.deepEqual(text, { status: 200, headers: { 'content-type': 'text/plain' }, body: 'hello' });
  const head = await http.execute(request('http.head', '/plain'), live());
  assert.deepEqual(head, { status: 200, headers: { 'content-type': 'text/plain' }, body: '' });
  const bad = await http.execute(request('http.get', '/badjson'), live());
  assert.deepEqual(bad, { status: 200, headers: { 'content-type': 'application/json' }, body: '{bad' });
  const missing = await http.execute(request('http.get', '/nothing'), live());
  assert.equal((missing as { status: number }).status, 404, 'a read returns any status');
});

test('every change carries `Idempotency-Key: <intentId>`, reads do not, and the agent cannot set it', async () => {
  const http = createHttpConnector();
  const post = request('http.post', '/echo', {
    body: { n: 1 },
    headers: {
      'idempotency-key': 'forged',
      'x-trace': 't1',
      connection: 'x-secret',
      'x-secret': 's',
      host: 'evil',
    },
  });
  await http.execute(post, live());
  const [posted] = hits('POST', '/echo').slice(-1);
  assert.equal(posted?.headers['idempotency-key'], post.intentId);
  assert.equal(posted?.headers['x-trace'], 't1');
  assert.equal(posted?.headers['x-secret'], undefined, 'headers named in `connection` are dropped');
  assert.equal(posted?.headers.host, base.slice('http://'.length));
  assert.equal(posted?.headers['content-type'], 'application/json');
  assert.equal(posted?.body, '{"n":1}');
  await http.execute(request('http.get', '/echo', { headers: { 'idempotency-key': 'forged' } }), live());
  assert.equal(hits('GET', '/echo').slice(-1)[0]?.headers['idempotency-key'], undefined);
});

test('redirects are returned, never followed: a read gets the 3xx, a write fails', async () => {
  const http = createHttpConnector();
  const before = hits('GET', '/elsewhere').length + hits('POST', '/elsewhere').length;
  const result = await http.execute(request('http.get', '/redirect'), live());
  assert.deepEqual(result, { status: 302, headers: { location: `${base}/elsewhere` }, body: '' });
  await rejectsWith(
    http.execute(request('http.post', '/redirect', { body: 1 }), live()),
    'CONNECTOR_FAILED',
    {
      status: 307,
    },
  );
  assert.equal(hits('GET', '/elsewhere').length + hits('POST', '/elsewhere').length, before);
});

test('an oversized response is stopped mid-stream, or at once when its length is declared', async () => {
  const http = createHttpConnector({ responseBytesMax: 64 * 1024 });
  const closedBefore = state.bigClosed;
  await rejectsWith(http.execute(request('http.get', '/big'), live()), 'OVERSIZED_INPUT');
  const deadline = performance.now() + 10_000;
  while (state.bigClosed === closedBefore && performance.now() < deadline)
    await new Promise((r) => setTimeout(r, 10));
  assert.equal(state.bigClosed, closedBefore + 1, 'the server saw the endless response cut off');
  await rejectsWith(http.execute(request('http.get', '/declared-big'), live()), 'OVERSIZED_INPUT');
});

test('a write answered with 500 fails with the status so the commit rolls back', async () => {
  const http = createHttpConnector();
  await rejectsWith(http.execute(request('http.post', '/fail', { body: {} }), live()), 'CONNECTOR_FAILED', {
    status: 500,
  });
});

test(`${verifies('MR-5', 'DR-C5')}prepare names the compensation, or irreversible when none is configured`, async () => {
  const compensated = createHttpConnector(COMPENSATED);
  assert.deepEqual(await compensated.prepare(request('http.post', '/items')), {
    kind: 'compensation',
    data: { method: 'DELETE', url: '{resource}/{result.body.id}' },
  });
  assert.deepEqual(await compensated.prepare(request('http.put', '/doc')), { kind: 'irreversible' });
  assert.deepEqual(await compensated.prepare(request('http.get', '/doc')), { kind: 'none' });
  const plan = await compensated.prepare(request('http.put', '/doc'));
  await rejectsWith(compensated.undo(request('http.put', '/doc'), plan, undefined), 'UNDO_IMPOSSIBLE');
});

test(`${verifies('MR-5', 'DR-C5')}undo of a POST sends the DELETE with the id from its JSON body, idempotently`, async () => {
  const http = createHttpConnector(COMPENSATED);
  const post = request('http.post', '/items', { body: { name: 'x' } });
  const plan = await http.prepare(post);
  const result = await http.execute(post, live());
  const id = ((result as { body: { id: string } }).body as { id: string }).id;
  assert.ok(items.has(id));
  await http.undo(post, plan, result);
  assert.equal(items.has(id), false);
  const deletes = hits('DELETE', `/items/${id}`);
  assert.equal(deletes.length, 1);
  assert.equal(deletes[0]?.headers['idempotency-key'], `${post.intentId}.undo`);
  await http.undo(post, plan, result);
  assert.equal(hits('DELETE', `/items/${id}`).length, 2, 'the second undo finds it gone (404) and succeeds');
});

test(`${verifies('MR-5', 'DR-C5')}a compensation may follow the Location header, on the same origin only`, async () => {
  const http = createHttpConnector({
    compensations: { 'http.post': { method: 'DELETE', url: '{result.headers.location}' } },
  });
  const post = request('http.post', '/items');
  const plan = await http.prepare(post);
  const result = await http.execute(post, live());
  await http.undo(post, plan, result);
  const location = (result as { headers: { location: string } }).headers.location;
  assert.equal(hits('DELETE', location).length, 1);
  const tricky = request('http.post', '/tricky');
  const trickyResult = await http.execute(tricky, live());
  const count = seen.length;
  await rejectsWith(http.undo(tricky, plan, trickyResult), 'UNDO_IMPOSSIBLE');
  assert.equal(seen.length, count, 'nothing was sent to another origin');
});

test(`${verifies('MR-5', 'DR-C5')}template values are percent-encoded, and unresolvable ones fail undo`, async () => {
  const http = createHttpConnector({
    compensations: { 'http.post': { method: 'DELETE', url: `${base}/items/{result.body.id}` } },
  });
  const tricky = request('http.post', '/tricky');
  const plan = await http.prepare(tricky);
  const result = await http.execute(tricky, live());
  await http.undo(tricky, plan, result);
  assert.equal(hits('DELETE', '/items/..%2Fadmin%3Fx%3D1').length, 1, 'the id stayed one path segment');
  const count = seen.length;
  await rejectsWith(http.undo(tricky, plan, undefined), 'UNDO_IMPOSSIBLE');
  await rejectsWith(
    http.undo(tricky, plan, { status: 201, headers: {}, body: { id: null } }),
    'UNDO_IMPOSSIBLE',
  );
  assert.equal(seen.length, count, 'no request for an unresolved template');
});

test('stateHash hashes the ETag, else the body; 404 is absent, 405 unversioned, others throw', async () => {
  const http = createHttpConnector();
  const first = await http.stateHash(`${base}/doc`);
  assert.equal(first, hashHex('etag:"v1"'));
  state.etag = '"v2"';
  assert.notEqual(await http.stateHash(`${base}/doc`), first);
  assert.equal(await http.stateHash(`${base}/plain`), hashHex('hello'));
  assert.equal(await http.stateHash(`${base}/nothing`), 'absent');
  assert.equal(await http.stateHash(`${base}/rpc`), 'unversioned');
  await rejectsWith(http.stateHash(`${base}/down`), 'CONNECTOR_FAILED', { status: 503 });
  await rejectsWith(http.stateHash('http://127.0.0.1:1/x'), 'CONNECTOR_FAILED');
});

test('resources that are not canonical http(s) URLs without credentials are refused unsent', async () => {
  const http = createHttpConnector();
  const count = seen.length;
  const bad = [
    'ftp://127.0.0.1/x',
    'file:///etc/passwd',
    `http://user:pass@${base.slice(7)}/doc`,
    'not a url',
    '/doc',
    `${base}/a/../doc`,
    `${base}/a/%2e%2e/doc`,
    base.toUpperCase(),
    base,
    `${base}/doc#frag`,
  ];
  for (const resource of bad) {
    const req = { intentId: 'i', action: 'http.post', resource, args: {} };
    await rejectsWith(http.execute(req, live()), 'INVALID_INPUT');
    await rejectsWith(http.prepare(req), 'INVALID_INPUT');
    await rejectsWith(http.stateHash(resource), 'INVALID_INPUT');
  }
  await rejectsWith(http.execute(request('http.get', '/doc', { body: 1 }), live()), 'INVALID_INPUT');
  await rejectsWith(
    http.execute(request('http.get', '/doc', { headers: { x: 'a\r\nb: c' } }), live()),
    'INVALID_INPUT',
  );
  await rejectsWith(http.execute(request('http.get', '/doc', { query: 'x' }), live()), 'INVALID_INPUT');
  await rejectsWith(http.execute(request('http.connect', '/doc'), live()), 'INVALID_INPUT');
  assert.equal(seen.length, count);
});

test('an aborted signal sends nothing; the timeout and a late abort stop the request', async () => {
  const http = createHttpConnector({ timeoutMs: 100 });
  const controller = new AbortController();
  controller.abort();
  const count = seen.length;
  await rejectsWith(
    http.execute(request('http.post', '/items'), { signal: controller.signal }),
    'CONNECTOR_FAILED',
    {
      aborted: true,
    },
  );
  assert.equal(seen.length, count);
  await rejectsWith(http.execute(request('http.get', '/slow'), live()), 'CONNECTOR_FAILED', {
    timeoutMs: 100,
  });
  const late = new AbortController();
  setTimeout(() => late.abort(), 20);
  const patient = createHttpConnector();
  await rejectsWith(
    patient.execute(request('http.post', '/slow'), { signal: late.signal }),
    'CONNECTOR_FAILED',
    {
      aborted: true,
    },
  );
});

test('probe cannot know for writes and says so; reads were never applied', async () => {
  const http = createHttpConnector();
  assert.equal(await http.probe(request('http.post', '/items')), 'unknown');
  assert.equal(await http.probe(request('http.delete', '/items/x')), 'unknown');
  assert.equal(await http.probe(request('http.get', '/doc')), 'not-applied');
});

test('the configuration is checked: compensations only for writes, known placeholders, sane bounds', () => {
  const post = (url: string) => ({ 'http.post': { method: 'DELETE', url } as const });
  assert.throws(
    () => createHttpConnector({ compensations: { 'http.get': { method: 'DELETE', url: '{resource}' } } }),
    /not a write/,
  );
  assert.throws(() => createHttpConnector({ compensations: post('{resource}/{id}') }), /placeholder/);
  assert.throws(() => createHttpConnector({ compensations: post('{resource}/{result.body.id') }), /brace/);
  assert.throws(() => createHttpConnector({ timeoutMs: 0 }), /timeoutMs/);
  const connector: Connector = createHttpConnector({
    compensations: post('{resource}/{result.body.items.0.id}'),
  });
  assert.equal(connector.name, 'http');
});
