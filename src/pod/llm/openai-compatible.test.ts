import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { OpenAiCompatibleProvider } from './openai-compatible.ts';

type Seen = { url: string; headers: IncomingMessage['headers']; body: unknown };
const seen: Seen[] = [];
let server: Server;
let base = '';

function reply(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(body);
}

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { model: string };
      seen.push({ url: req.url ?? '', headers: req.headers, body });
      switch (body.model) {
        case 'ok':
          return reply(
            res,
            200,
            JSON.stringify({
              choices: [{ message: { role: 'assistant', content: 'hello there' } }],
              usage: { prompt_tokens: 7, completion_tokens: 3 },
            }),
          );
        case 'no-usage':
          return reply(res, 200, JSON.stringify({ choices: [{ message: { content: 'abcdefgh' } }] }));
        case 'fail':
          return reply(res, 500, '{"error":"boom"}');
        case 'not-json':
          return reply(res, 200, '<html>');
        case 'huge':
          res.writeHead(200, { 'content-type': 'application/json' });
          res.write(`{"choices":[{"message":{"content":"${'x'.repeat(64 * 1024)}`);
          return res.end('"}}]}');
        case 'declared-huge':
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100000' });
          return res.end('{}');
        case 'slow':
          return; // never answers: the client's deadline must end it
        default:
          return reply(res, 404, '{}');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server.closeAllConnections();
  server.close();
});

const messages = [{ role: 'user', content: 'hi' }] as const;

test('openai-compatible: a completion with usage, the key from the environment', async () => {
  const provider = new OpenAiCompatibleProvider({
    name: 'local',
    baseUrl: base,
    apiKeyEnv: 'TEST_KEY',
    timeoutMs: 5_000,
    env: { TEST_KEY: 'sk-test' },
  });
  const result = await provider.complete({ model: 'ok', messages, maxTokens: 50 });
  assert.deepEqual(result, {
    ok: true,
    value: { text: 'hello there', usage: { inputTokens: 7, outputTokens: 3 } },
  });
  const request = seen.at(-1);
  assert.equal(request?.url, '/v1/chat/completions');
  assert.equal(request?.headers.authorization, 'Bearer sk-test');
  assert.deepEqual(request?.body, {
    model: 'ok',
    messages: [{ role: 'user', content: 'hi' }],
    max_tokens: 50,
    stream: false,
  });
});

test('openai-compatible: a base url ending in /v1 and a reply without usage (estimated)', async () => {
  const provider = new OpenAiCompatibleProvider({ name: 'local', baseUrl: `${base}/v1/`, timeoutMs: 5_000 });
  const result = await provider.complete({ model: 'no-usage', messages });
  assert.deepEqual(result, {
    ok: true,
    value: { text: 'abcdefgh', usage: { inputTokens: 1, outputTokens: 2 } },
  });
  assert.equal(seen.at(-1)?.url, '/v1/chat/completions');
  assert.equal(seen.at(-1)?.headers.authorization, undefined);
});

test('openai-compatible: http 500, a body that is not json, a missing key: LLM_PROVIDER_FAILED', async () => {
  const provider = new OpenAiCompatibleProvider({ name: 'local', baseUrl: base, timeoutMs: 5_000 });
  const failed = await provider.complete({ model: 'fail', messages });
  assert.equal(failed.ok ? '' : failed.error.code, 'LLM_PROVIDER_FAILED');
  assert.match(failed.ok ? '' : failed.error.message, /http 500/);
  const garbled = await provider.complete({ model: 'not-json', messages });
  assert.match(garbled.ok ? '' : garbled.error.message, /not json/);
  const keyless = new OpenAiCompatibleProvider({
    name: 'local',
    baseUrl: base,
    apiKeyEnv: 'NO_SUCH_KEY',
    timeoutMs: 5_000,
    env: {},
  });
  const refused = await keyless.complete({ model: 'ok', messages });
  assert.match(refused.ok ? '' : refused.error.message, /`NO_SUCH_KEY` is not set/);
});

test('openai-compatible: a reply larger than the bound fails', async () => {
  const provider = new OpenAiCompatibleProvider({
    name: 'local',
    baseUrl: base,
    timeoutMs: 5_000,
    responseBytesMax: 16 * 1024,
  });
  const result = await provider.complete({ model: 'huge', messages });
  assert.equal(result.ok ? '' : result.error.code, 'LLM_PROVIDER_FAILED');
  assert.match(result.ok ? '' : result.error.message, /larger than 16384/);
  // A declared length over the bound fails before any of the body is read.
  const declared = await provider.complete({ model: 'declared-huge', messages });
  assert.equal(declared.ok ? '' : declared.error.code, 'LLM_PROVIDER_FAILED');
  assert.match(declared.ok ? '' : declared.error.message, /reply of 100000 bytes is larger than 16384/);
});

test('openai-compatible: a server that never answers ends at the deadline', async () => {
  const provider = new OpenAiCompatibleProvider({ name: 'local', baseUrl: base, timeoutMs: 100 });
  const result = await provider.complete({ model: 'slow', messages });
  assert.equal(result.ok ? '' : result.error.code, 'LLM_PROVIDER_FAILED');
  assert.match(result.ok ? '' : result.error.message, /did not answer within 100 ms/);
});

test('openai-compatible: an unreachable endpoint and a non-http url', async () => {
  const provider = new OpenAiCompatibleProvider({
    name: 'gone',
    baseUrl: 'http://127.0.0.1:1',
    timeoutMs: 2_000,
  });
  const result = await provider.complete({ model: 'ok', messages });
  assert.equal(result.ok ? '' : result.error.code, 'LLM_PROVIDER_FAILED');
  assert.throws(
    () => new OpenAiCompatibleProvider({ name: 'x', baseUrl: 'file:///etc', timeoutMs: 1 }),
    RangeError,
  );
});
