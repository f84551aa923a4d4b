// End-to-end tests of `maos gateway` over stdio with real downstream servers (server-everything,
// server-memory): tools/list filtered by the agent's capabilities, the stable refusal codes, the
// journal of an allowed call, and held calls settled by `maos approve`, `maos reject`, the
// approval timeout and MCP elicitation.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  BIN,
  committed,
  type Gateway,
  type JournalRecord,
  refusalCode,
  Sandbox,
  startGateway,
  text,
} from './mcp-gateway-helpers.ts';

const EVERYTHING = `{ command: ${JSON.stringify(join(BIN, 'mcp-server-everything'))}, args: [stdio] }`;

// Calls someone approves or rejects wait long enough for two CLI processes on a loaded CI machine;
// the timeout itself is tested in its own gateway with a short one.
function config(capabilities: string, servers: string, approvalTimeout = '60s'): string {
  return `version: 1
dataDir: data
agents:
  desktop:
    ring: 2
    capabilities:
${capabilities}
actions:
  mcp.everything.echo: { sideEffect: read }
  mcp.everything.get-sum: { approval: true }
mcp:
  agent: desktop
  approvalTimeout: ${approvalTimeout}
  servers:
${servers}
`;
}

describe('gateway: an agent granted only everything.echo', () => {
  let box: Sandbox;
  let gw: Gateway;
  before(async () => {
    box = await Sandbox.create(
      config("      - { action: 'mcp.everything.echo', resource: '**' }", `    everything: ${EVERYTHING}`),
    );
    gw = await startGateway(box);
  });
  after(async () => {
    await gw?.close();
    await box?.remove();
  });

  test('tools/list shows everything__echo and nothing else', async () => {
    const { tools } = await gw.client.listTools();
    assert.deepEqual(
      tools.map((tool) => tool.name),
      ['everything__echo'],
      gw.stderr(),
    );
    const view = await box.cli(['gateway', 'tools', 'list', '--json']);
    assert.equal(view.status, 0, view.stderr);
    const listed = JSON.parse(view.stdout) as Array<{ name: string; status: string; granted: boolean }>;
    const sum = listed.find((tool) => tool.name === 'everything__get-sum');
    assert.deepEqual(
      { status: sum?.status, granted: sum?.granted },
      { status: 'active', granted: false },
      'get-sum is pinned but not granted',
    );
  });

  test('an unlisted but served tool is denied by the capability check, not as unknown', async () => {
    const result = await gw.client.callTool({ name: 'everything__get-sum', arguments: { a: 1, b: 2 } });
    assert.equal(refusalCode(result, gw.stderr()), 'SCOPE_NOT_COVERED');
    assert.match(text(result), /capability check/);
    const intentId = String(result._meta?.['maos/intentId']);
    const records = await box.journal(`&intent=${intentId}`);
    assert.deepEqual(
      records.map((record) => record.type),
      ['intent.denied'],
    );
  });

  test('an unknown tool is MCP_TOOL_UNKNOWN and the refusal is journaled', async () => {
    const result = await gw.client.callTool({ name: 'nowhere__tool', arguments: {} });
    assert.equal(refusalCode(result), 'MCP_TOOL_UNKNOWN');
    const refused = await box.journal('&type=mcp.call.refused');
    assert.ok(
      refused.some(
        (record) => record.data.tool === 'nowhere__tool' && record.data.code === 'MCP_TOOL_UNKNOWN',
      ),
      JSON.stringify(refused),
    );
  });

  test('arguments that do not match the schema are MCP_ARGS_INVALID', async () => {
    const wrongType = await gw.client.callTool({ name: 'everything__echo', arguments: { message: 42 } });
    assert.equal(refusalCode(wrongType), 'MCP_ARGS_INVALID');
    assert.match(text(wrongType), /\/message/);
    const missing = await gw.client.callTool({ name: 'everything__echo', arguments: {} });
    assert.equal(refusalCode(missing), 'MCP_ARGS_INVALID');
  });

  test('a >1 MB argument is refused with MCP_ARGS_INVALID and the gateway keeps serving', async () => {
    const huge = await gw.client.callTool({
      name: 'everything__echo',
      arguments: { message: 'x'.repeat(1_100_000) },
    });
    assert.equal(refusalCode(huge), 'MCP_ARGS_INVALID');
    assert.match(text(huge), /arguments exceed \d+ bytes/);
    const large = await gw.client.callTool({
      name: 'everything__echo',
      arguments: { message: 'y'.repeat(100_000) },
    });
    assert.equal(refusalCode(large), 'PREFILTER_BLOCKED', 'a field over the pre-filter limit is denied');
    const after = await gw.client.callTool({
      name: 'everything__echo',
      arguments: { message: 'still here' },
    });
    committed(after, gw.stderr());
    assert.equal(text(after), 'Echo: still here');
  });
});

describe('gateway: allowed calls, the journal, and held calls', () => {
  let box: Sandbox;
  let gw: Gateway;
  before(async () => {
    box = await Sandbox.create(
      config(
        "      - { action: 'mcp.everything.*', resource: '**' }\n      - { action: 'mcp.memory.*', resource: '**' }",
        `    everything: ${EVERYTHING}
    memory:
      command: ${JSON.stringify(join(BIN, 'mcp-server-memory'))}
      env: { MEMORY_FILE_PATH: memory.jsonl }`,
      ),
    );
    gw = await startGateway(box);
  });
  after(async () => {
    await gw?.close();
    await box?.remove();
  });

  test('an allowed call returns the downstream result and is journaled written then committed', async () => {
    const result = await gw.client.callTool({ name: 'everything__echo', arguments: { message: 'hello' } });
    const intentId = committed(result, gw.stderr());
    assert.equal(text(result), 'Echo: hello');
    const log = await box.cli(['log', '--json', '--intent', intentId]);
    assert.equal(log.status, 0, log.stderr);
    const records = log.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as JournalRecord);
    const types = records.map((record) => record.type);
    assert.ok(types.includes('intent.written'), types.join());
    assert.ok(types.includes('intent.committed'), types.join());
    assert.ok(types.indexOf('intent.written') < types.indexOf('intent.committed'));
    const written = records.find((record) => record.type === 'intent.written');
    assert.equal(written?.data.action, 'mcp.everything.echo');
    assert.equal(written?.data.resource, 'mcp:/everything/echo');
  });

  test('server-memory: an entity created through the gateway is in read_graph', async () => {
    const created = await gw.client.callTool({
      name: 'memory__create_entities',
      arguments: { entities: [{ name: 'Ada', entityType: 'person', observations: ['wrote notes'] }] },
    });
    committed(created, gw.stderr());
    const graph = await gw.client.callTool({ name: 'memory__read_graph', arguments: {} });
    committed(graph, gw.stderr());
    const parsed = JSON.parse(text(graph)) as { entities: Array<{ name: string; observations: string[] }> };
    assert.deepEqual(
      parsed.entities.map((entity) => [entity.name, entity.observations]),
      [['Ada', ['wrote notes']]],
    );
  });

  test('a held call waits for `maos approve`, then returns the result', async () => {
    const pending = gw.client.callTool({ name: 'everything__get-sum', arguments: { a: 2, b: 40 } });
    const held = await box.heldFor('mcp.everything.get-sum');
    assert.deepEqual(held.args, { a: 2, b: 40 });
    const listed = await box.cli(['held', '--json']);
    assert.equal(listed.status, 0, listed.stderr);
    assert.ok(listed.stdout.includes(held.intentId), listed.stdout);
    const approved = await box.cli(['approve', held.intentId, '--by', 'e2e']);
    assert.equal(approved.status, 0, approved.stderr);
    const result = await pending;
    assert.equal(committed(result, gw.stderr()), held.intentId);
    assert.match(text(result), /42/);
    const types = (await box.journal(`&intent=${held.intentId}`)).map((record) => record.type);
    for (const type of ['intent.held', 'intent.approved', 'intent.committed'])
      assert.ok(types.includes(type), `${type} in ${types.join()}`);
  });

  test('a held call rejected with `maos reject` is APPROVAL_REJECTED', async () => {
    const pending = gw.client.callTool({ name: 'everything__get-sum', arguments: { a: 3, b: 4 } });
    const held = await box.heldFor('mcp.everything.get-sum');
    const rejected = await box.cli(['reject', held.intentId, '--by', 'e2e']);
    assert.equal(rejected.status, 0, rejected.stderr);
    const result = await pending;
    assert.equal(refusalCode(result, gw.stderr()), 'APPROVAL_REJECTED');
    assert.equal(result._meta?.['maos/intentId'], held.intentId);
  });
});

describe('gateway: a held call nobody decides', () => {
  let box: Sandbox;
  let gw: Gateway;
  before(async () => {
    box = await Sandbox.create(
      config("      - { action: 'mcp.everything.*', resource: '**' }", `    everything: ${EVERYTHING}`, '1s'),
    );
    gw = await startGateway(box);
  });
  after(async () => {
    await gw?.close();
    await box?.remove();
  });

  test('a held call nobody decides is APPROVAL_TIMEOUT after mcp.approvalTimeout', async () => {
    const result = await gw.client.callTool({ name: 'everything__get-sum', arguments: { a: 5, b: 6 } });
    assert.equal(refusalCode(result, gw.stderr()), 'APPROVAL_TIMEOUT');
    const held = await box.api<unknown[]>('/v1/held');
    assert.deepEqual(held, [], 'the timed-out intent is no longer held');
  });
});

describe('gateway: approval through MCP elicitation', () => {
  let box: Sandbox;
  let gw: Gateway;
  const elicited: string[] = [];
  before(async () => {
    box = await Sandbox.create(
      config("      - { action: 'mcp.everything.*', resource: '**' }", `    everything: ${EVERYTHING}`),
    );
    gw = await startGateway(box, { elicit: elicited });
  });
  after(async () => {
    await gw?.close();
    await box?.remove();
  });

  test('a client that supports elicitation approves a held call itself', async () => {
    const result = await gw.client.callTool({ name: 'everything__get-sum', arguments: { a: 20, b: 22 } });
    const intentId = committed(result, gw.stderr());
    assert.match(text(result), /42/);
    assert.equal(elicited.length, 1);
    assert.match(elicited[0] ?? '', /Action: mcp\.everything\.get-sum/);
    assert.ok(elicited[0]?.includes(intentId), elicited[0]);
    const records = await box.journal(`&intent=${intentId}`);
    const approved = records.find((record) => record.type === 'intent.approved');
    assert.ok(approved !== undefined, JSON.stringify(records));
    assert.match(JSON.stringify(approved.data), /elicitation:gateway-e2e/);
  });
});
