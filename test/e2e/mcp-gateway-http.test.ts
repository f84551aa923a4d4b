// End-to-end tests of `maos gateway --http 0`: the MCP endpoint it logs on stderr serves the SDK's
// Streamable HTTP client with the bearer token in <dataDir>/mcp-token, refuses requests without it (and
// with a foreign Host header), approves held calls through elicitation in a session that supports
// it, and shuts down cleanly on SIGTERM.

import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { MAIN, ROOT } from './harness.ts';
import { BIN, committed, eventually, NODE_FLAGS, refusalCode, Sandbox, text } from './mcp-gateway-helpers.ts';

const CONFIG = `version: 1
dataDir: data
agents:
  desktop:
    ring: 2
    capabilities:
      - { action: 'mcp.everything.*', resource: '**' }
actions:
  mcp.everything.echo: { sideEffect: read }
  mcp.everything.get-sum: { approval: true }
mcp:
  agent: desktop
  approvalTimeout: 60s
  servers:
    everything: { command: ${JSON.stringify(join(BIN, 'mcp-server-everything'))}, args: [stdio] }
`;

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

/** A POST of `body` to `url` with the given headers through node:http (which lets a test set Host). */
function post(url: URL, headers: Record<string, string>, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...headers,
        },
      },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('gateway over Streamable HTTP', () => {
  let box: Sandbox;
  let child: ChildProcess;
  let stderr = '';
  let url: URL;
  let token: string;
  const clients: Array<{ client: Client; transport: StreamableHTTPClientTransport }> = [];

  async function connect(elicited?: string[]): Promise<Client> {
    const client = new Client(
      { name: 'gateway-http-e2e', version: '1.0.0' },
      { capabilities: elicited === undefined ? {} : { elicitation: {} } },
    );
    if (elicited !== undefined) {
      client.setRequestHandler(ElicitRequestSchema, (req) => {
        elicited.push(req.params.message);
        return { action: 'accept', content: { approve: true } };
      });
    }
    const transport = new StreamableHTTPClientTransport(url, {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    });
    await client.connect(transport);
    clients.push({ client, transport });
    return client;
  }

  before(async () => {
    box = await Sandbox.create(CONFIG);
    child = spawn(process.execPath, [...NODE_FLAGS, MAIN, 'gateway', '--config', box.config, '--http', '0'], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [endpoint, tokenFile] = await eventually(
      async () => {
        assert.equal(child.exitCode, null, `the gateway exited: ${stderr}`);
        const match = /MCP endpoint (http:\/\/\S+\/mcp) \(bearer token in (\S+)\)/.exec(stderr);
        return match === null ? undefined : [match[1] ?? '', match[2] ?? ''];
      },
      'the MCP endpoint line on stderr',
      15_000,
    );
    url = new URL(endpoint);
    assert.equal(url.hostname, '127.0.0.1', 'it listens on localhost');
    assert.notEqual(url.port, '0', 'the logged URL names the real port');
    assert.equal(tokenFile, join(box.dataDir, 'mcp-token'));
    token = (await readFile(tokenFile, 'utf8')).trim();
  });

  after(async () => {
    await Promise.all(clients.map(({ client }) => client.close().catch(() => undefined)));
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    await box?.remove();
  });

  test('a client with the bearer token lists and calls tools', async () => {
    const client = await connect();
    const { tools } = await client.listTools();
    assert.ok(
      tools.some((tool) => tool.name === 'everything__echo'),
      stderr,
    );
    assert.ok(tools.every((tool) => tool.name.startsWith('everything__')));
    const result = await client.callTool({ name: 'everything__echo', arguments: { message: 'over http' } });
    const intentId = committed(result, stderr);
    assert.equal(text(result), 'Echo: over http');
    const types = (await box.journal(`&intent=${intentId}`)).map((record) => record.type);
    assert.ok(types.includes('intent.written') && types.includes('intent.committed'), types.join());
    const unknown = await client.callTool({ name: 'everything__nope', arguments: {} });
    assert.equal(refusalCode(unknown), 'MCP_TOOL_UNKNOWN');
  });

  test('requests without the MCP token (or with the API token) are 401; a foreign Host is refused', async () => {
    const none = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify(INITIALIZE),
    });
    assert.equal(none.status, 401);
    const body = (await none.json()) as { error: { code: string } };
    assert.equal(body.error.code, 'UNAUTHORIZED');
    assert.equal(await post(url, { authorization: 'Bearer wrong' }, INITIALIZE), 401);
    const apiToken = (await readFile(join(box.dataDir, 'api-token'), 'utf8')).trim();
    assert.notEqual(apiToken, token);
    assert.equal(
      await post(url, { authorization: `Bearer ${apiToken}` }, INITIALIZE),
      401,
      'the approval API token does not open the MCP endpoint',
    );
    const api = JSON.parse(await readFile(join(box.dataDir, 'daemon.json'), 'utf8')) as { url: string };
    const held = await fetch(`${api.url}/v1/held`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(held.status, 401, 'the MCP token does not open the approval API');
    const elsewhere = new URL('/other', url);
    assert.equal(await post(elsewhere, { authorization: `Bearer ${token}` }, INITIALIZE), 404);
    const rebinding = await post(
      url,
      { authorization: `Bearer ${token}`, host: `evil.example:${url.port}` },
      INITIALIZE,
    );
    assert.equal(rebinding, 403, 'DNS-rebinding protection rejects a foreign Host');
  });

  test('a second session that supports elicitation approves its held call', async () => {
    const elicited: string[] = [];
    const client = await connect(elicited);
    const result = await client.callTool({ name: 'everything__get-sum', arguments: { a: 40, b: 2 } });
    const intentId = committed(result, stderr);
    assert.match(text(result), /42/);
    assert.equal(elicited.length, 1);
    assert.ok(elicited[0]?.includes(intentId), elicited[0]);
  });

  test('a session without elicitation waits for `maos approve`', async () => {
    const client = await connect();
    const pending = client.callTool({ name: 'everything__get-sum', arguments: { a: 1, b: 1 } });
    const held = await box.heldFor('mcp.everything.get-sum');
    const approved = await box.cli(['approve', held.intentId]);
    assert.equal(approved.status, 0, approved.stderr);
    const result = await pending;
    assert.equal(committed(result, stderr), held.intentId);
    assert.match(text(result), /2/);
  });

  test('sessions end with DELETE; SIGTERM then stops the gateway cleanly and removes daemon.json', async () => {
    // WHY terminateSession: Client.close() alone leaves the session open on the gateway (see the report).
    for (const { transport } of clients) {
      const id = transport.sessionId;
      assert.ok(id !== undefined);
      await transport.terminateSession();
      const gone = await post(url, { authorization: `Bearer ${token}`, 'mcp-session-id': id }, INITIALIZE);
      assert.equal(gone, 404, 'a terminated session is unknown');
    }
    assert.ok(existsSync(join(box.dataDir, 'daemon.json')));
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    assert.equal(code, 0, stderr);
    assert.equal(existsSync(join(box.dataDir, 'daemon.json')), false);
  });
});
