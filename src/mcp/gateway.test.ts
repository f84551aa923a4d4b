// The gateway in-process against real downstream servers (server-memory, the injection fixture),
// with the SDK's real Client over an in-memory transport: the invariants a gateway could break.

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { type Gateway, openGateway } from './gateway.ts';
import { GatewaySession } from './session.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const MEMORY = join(ROOT, 'node_modules', '.bin', 'mcp-server-memory');
const INJECTION = join(ROOT, 'test', 'mcp', 'fixtures', 'injection-server.ts');

let dir = '';
let gateway: Gateway;
let client: Client;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'maos-gateway-'));
  const config = join(dir, 'maos.yaml');
  await writeFile(
    config,
    [
      'version: 1',
      'dataDir: data',
      'agents:',
      '  desk:',
      '    ring: 2',
      '    capabilities:',
      "      - { action: 'mcp.memory.read_graph', resource: '**' }",
      "      - { action: 'mcp.evil.fetch_clean', resource: '**' }",
      "      - { action: 'mcp.evil.prompts.get', resource: 'mcp:/evil/prompts/**' }",
      'mcp:',
      '  agent: desk',
      '  servers:',
      `    memory: { command: ${JSON.stringify(MEMORY)}, env: { MEMORY_FILE_PATH: ${JSON.stringify(join(dir, 'memory.jsonl'))} } }`,
      `    evil: { command: ${JSON.stringify(process.execPath)}, args: ['--disable-warning=ExperimentalWarning', ${JSON.stringify(INJECTION)}] }`,
      '',
    ].join('\n'),
  );
  const opened = await openGateway({ configPath: config, log: () => undefined });
  assert.ok(opened.ok, opened.ok ? '' : opened.error.message);
  gateway = opened.value;
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await new GatewaySession(gateway).server.connect(serverSide);
  client = new Client({ name: 'test', version: '1' });
  await client.connect(clientSide);
});

after(async () => {
  await client?.close();
  await gateway?.close();
  await rm(dir, { recursive: true, force: true });
});

async function call(name: string, args: Record<string, unknown> = {}): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

async function records(intentId: string): Promise<string[]> {
  const entries = await gateway.service.journal({ intentId, fromSeq: 0, limit: 100 });
  assert.ok(entries.ok);
  return entries.value.map((entry) => entry.type);
}

test('tools/list shows only tools the capabilities cover', async () => {
  const names = (await client.listTools()).tools.map((tool) => tool.name).sort();
  assert.deepEqual(names, ['evil__fetch_clean', 'memory__read_graph']);
});

test('INV-2 MR-6: a call the DSC denies is journaled and never reaches the server', async () => {
  const denied = await call('memory__create_entities', {
    entities: [{ name: 'attacker', entityType: 'person', observations: ['planted'] }],
  });
  assert.equal(denied.isError, true);
  assert.equal(denied._meta?.['maos/code'], 'SCOPE_NOT_COVERED');
  const intentId = String(denied._meta?.['maos/intentId']);
  assert.deepEqual(await records(intentId), ['intent.denied']);
  const graph = await call('memory__read_graph');
  assert.notEqual(graph.isError, true);
  const text = graph.content[0]?.type === 'text' ? graph.content[0].text : '';
  assert.doesNotMatch(text, /attacker/);
  assert.deepEqual(await records(String(graph._meta?.['maos/intentId'])), [
    'intent.written',
    'intent.executing',
    'intent.committed',
  ]);
});

test('DR-C10: a tool the config does not name is decided as a write', async () => {
  const graph = await call('memory__read_graph');
  const tracked = gateway.runtime.commits.status(String(graph._meta?.['maos/intentId']));
  assert.equal(tracked?.sideEffect, 'write');
  assert.deepEqual(graph._meta?.['maos/label'], { confidentiality: 'INTERNAL', integrity: 'UNTRUSTED' });
});

test('INV-3: resources/read and prompts/get pass the checks and are journaled, without the commit stages', async () => {
  await client.listResources();
  await assert.rejects(client.readResource({ uri: 'page://home' }), (error: Error & { data?: unknown }) => {
    assert.equal((error.data as Record<string, unknown>)['maos/code'], 'SCOPE_NOT_COVERED');
    return true;
  });
  const prompt = await client.getPrompt({ name: 'evil__summarize', arguments: { topic: 'tides' } });
  assert.match(JSON.stringify(prompt.messages), /tides/);
  const committed = await gateway.service.journal({ types: ['intent.committed'], fromSeq: -5, limit: 5 });
  assert.ok(committed.ok);
  const last = committed.value.at(-1)?.data as { intentId: string };
  const tracked = gateway.runtime.commits.status(last.intentId);
  assert.equal(tracked?.action, 'mcp.evil.prompts.get');
  assert.equal(tracked?.sideEffect, 'read');
  assert.deepEqual(await records(last.intentId), ['intent.written', 'intent.committed']);
  const denied = await gateway.service.journal({ types: ['intent.denied'], fromSeq: 0, limit: 100 });
  assert.ok(denied.ok);
  assert.ok(
    denied.value.some((entry) => (entry.data as { action?: string }).action === 'mcp.evil.resources.read'),
  );
});

test('a refusal before any decision is journaled too', async () => {
  const unknown = await call('memory__no_such_tool');
  assert.equal(unknown._meta?.['maos/code'], 'MCP_TOOL_UNKNOWN');
  const invalid = await call('evil__fetch_clean', { url: 42 });
  assert.equal(invalid._meta?.['maos/code'], 'MCP_ARGS_INVALID');
  const refused = await gateway.service.journal({ types: ['mcp.call.refused'], fromSeq: 0, limit: 100 });
  assert.ok(refused.ok);
  assert.deepEqual(
    refused.value.map((entry) => (entry.data as { code: string }).code),
    ['MCP_TOOL_UNKNOWN', 'MCP_ARGS_INVALID'],
  );
});
