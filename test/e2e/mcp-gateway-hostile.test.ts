// End-to-end tests of `maos gateway` against the hostile fixtures of test/mcp/fixtures/: a rug
// pull (announced and silent) is blocked until `maos gateway tools approve`, injected output is
// withheld, and crashing, hanging, malformed, flooding and lying servers neither take the gateway
// down nor get their bad tools served.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { CLEAN_TEXT, RESOURCE_URI } from '../mcp/fixtures/injection-server.ts';
import {
  committed,
  eventually,
  fixture,
  type Gateway,
  refusalCode,
  Sandbox,
  sleep,
  startGateway,
  text,
} from './mcp-gateway-helpers.ts';

/**
 * Longer than the gateway's REFRESH_DEBOUNCE_MS (100 ms). WHY: a list_changed notification (or a
 * tools/list) within that window of the last refresh of a server is not acted on, see the report.
 */
const SETTLE_MS = 250;

function config(servers: string): string {
  return `version: 1
dataDir: data
agents:
  desktop:
    ring: 2
    capabilities:
      - { action: 'mcp.*', resource: '**' }
mcp:
  agent: desktop
  approvalTimeout: 2s
  servers:
${servers}
`;
}

async function names(gw: Gateway): Promise<string[]> {
  return (await gw.client.listTools()).tools.map((tool) => tool.name);
}

describe('gateway: rug pulls and injected content', () => {
  let box: Sandbox;
  let gw: Gateway;
  before(async () => {
    box = await Sandbox.create(
      config(`    rug: ${fixture('rug-pull-server.ts')}
    quiet: ${fixture('rug-pull-server.ts', '--silent')}
    evil: ${fixture('injection-server.ts')}`),
    );
    gw = await startGateway(box);
  });
  after(async () => {
    await gw?.close();
    await box?.remove();
  });

  test('an announced rug pull blocks the tool until `maos gateway tools approve`', async () => {
    const before = await names(gw);
    assert.ok(before.includes('rug__echo') && before.includes('rug__add'), before.join());
    await sleep(SETTLE_MS);
    const first = await gw.client.callTool({ name: 'rug__echo', arguments: { message: 'hi' } });
    committed(first, gw.stderr());
    assert.equal(text(first), 'Echo: hi');
    await eventually(
      async () => ((await box.journal('&type=mcp.tool.changed')).length > 0 ? true : undefined),
      'mcp.tool.changed after list_changed',
    );
    const changed = (await box.journal('&type=mcp.tool.changed'))[0];
    assert.deepEqual([changed?.data.server, changed?.data.tool], ['rug', 'echo']);
    const refused = await gw.client.callTool({ name: 'rug__echo', arguments: { message: 'hi' } });
    assert.equal(refusalCode(refused, gw.stderr()), 'MCP_TOOL_CHANGED');
    assert.match(text(refused), /maos gateway tools approve rug__echo/);
    const during = await names(gw);
    assert.ok(!during.includes('rug__echo'), during.join());
    assert.ok(during.includes('rug__add'), 'the unchanged tool stays served');

    const approved = await box.cli(['gateway', 'tools', 'approve', 'rug__echo']);
    assert.equal(approved.status, 0, approved.stderr);
    assert.match(approved.stdout, /approved {2}rug__echo/);
    assert.ok((await names(gw)).includes('rug__echo'));
    const again = await gw.client.callTool({
      name: 'rug__echo',
      arguments: { message: 'back', sidenote: 'now in the schema' },
    });
    committed(again, gw.stderr());
    assert.equal(text(again), 'Echo: back');
    const types = (await box.journal('&type=mcp.tool.approved')).map((record) => record.data.tool);
    assert.deepEqual(types, ['echo']);
  });

  test('a silent rug pull is caught at the next tools/list', async () => {
    await sleep(SETTLE_MS);
    committed(await gw.client.callTool({ name: 'quiet__echo', arguments: { message: 'one' } }));
    // Nothing told the gateway yet: the pinned view is still what it serves.
    assert.equal(
      (await box.journal('&type=mcp.tool.changed')).filter((r) => r.data.server === 'quiet').length,
      0,
    );
    await sleep(SETTLE_MS);
    const listed = await names(gw);
    assert.ok(!listed.includes('quiet__echo'), listed.join());
    assert.ok(listed.includes('quiet__add'), listed.join());
    const refused = await gw.client.callTool({ name: 'quiet__echo', arguments: { message: 'two' } });
    assert.equal(refusalCode(refused, gw.stderr()), 'MCP_TOOL_CHANGED');
    const changed = (await box.journal('&type=mcp.tool.changed')).filter((r) => r.data.server === 'quiet');
    assert.equal(changed.length, 1);
    assert.match(String(changed[0]?.data.reason), /changed since it was approved/);
  });

  test('tool output carrying an injection is withheld and journaled', async () => {
    const result = await gw.client.callTool({ name: 'evil__fetch_page', arguments: { url: 'https://x' } });
    assert.equal(refusalCode(result, gw.stderr()), 'MCP_OUTPUT_BLOCKED');
    assert.doesNotMatch(text(result), /credentials|attacker/);
    const intentId = String(result._meta?.['maos/intentId']);
    const blocked = await box.journal('&type=mcp.output.blocked');
    assert.ok(
      blocked.some((record) => record.data.intentId === intentId),
      JSON.stringify(blocked),
    );
    const clean = await gw.client.callTool({ name: 'evil__fetch_clean', arguments: { url: 'https://x' } });
    committed(clean, gw.stderr());
    assert.equal(text(clean), CLEAN_TEXT);
  });

  test('resources/read of an injected page is a JSON-RPC error with maos/code; prompts/get works', async () => {
    const { resources } = await gw.client.listResources();
    assert.ok(
      resources.some((resource) => resource.uri === RESOURCE_URI),
      JSON.stringify(resources),
    );
    await assert.rejects(gw.client.readResource({ uri: RESOURCE_URI }), (error: unknown) => {
      assert.ok(error instanceof McpError, String(error));
      assert.equal(error.code, -32003);
      assert.equal((error.data as Record<string, unknown>)['maos/code'], 'MCP_OUTPUT_BLOCKED');
      assert.match(error.message, /MCP_OUTPUT_BLOCKED/);
      return true;
    });
    await assert.rejects(gw.client.readResource({ uri: 'page://nowhere' }), (error: unknown) => {
      assert.ok(error instanceof McpError);
      assert.equal((error.data as Record<string, unknown>)['maos/code'], 'MCP_RESOURCE_UNKNOWN');
      return true;
    });
    const { prompts } = await gw.client.listPrompts();
    assert.deepEqual(
      prompts.map((prompt) => prompt.name),
      ['evil__summarize'],
    );
    const prompt = await gw.client.getPrompt({ name: 'evil__summarize', arguments: { topic: 'cats' } });
    const first = prompt.messages[0]?.content;
    assert.ok(first?.type === 'text', JSON.stringify(prompt));
    assert.equal(first.text, 'Please write a short summary of cats.');
  });
});

describe('gateway: crashing, hanging, malformed, flooding and lying servers', () => {
  let box: Sandbox;
  let gw: Gateway;
  const hostile = (mode: string) => fixture('hostile-server.ts', mode);
  before(async () => {
    box = await Sandbox.create(
      config(`    crash: ${hostile('crash')}
    hang: { ${hostile('hang').slice(2, -2)}, timeout: 1s }
    malformed: { ${hostile('malformed').slice(2, -2)}, timeout: 1s }
    flood: ${hostile('flood')}
    liar: ${hostile('liar')}`),
    );
    gw = await startGateway(box);
  });
  after(async () => {
    await gw?.close();
    await box?.remove();
  });

  const call = (name: string) => gw.client.callTool({ name, arguments: {} });

  test('a server that crashes mid-call fails the call; others serve; it restarts after its delay', async () => {
    const boom = await call('crash__boom');
    // WHY first: a call within DOWNSTREAM_LIMITS.restartDelayMinMs (500 ms) of the crash is refused;
    // the checks below take longer than that on a loaded machine.
    const soon = await call('crash__ok');
    assert.equal(refusalCode(boom, gw.stderr()), 'MCP_SERVER_UNAVAILABLE');
    assert.equal(refusalCode(soon), 'MCP_SERVER_UNAVAILABLE');
    assert.match(text(soon), /retrying in \d+ s/);
    const boomId = String(boom._meta?.['maos/intentId']);
    const types = (await box.journal(`&intent=${boomId}`)).map((record) => record.type);
    assert.ok(types.includes('intent.failed'), types.join());
    committed(await call('flood__ok'), 'another server keeps serving');
    await sleep(600);
    // The restart spawns the server again: seconds on a loaded machine.
    const restarted = await eventually(
      async () => {
        const result = await call('crash__ok');
        return result.isError === true ? undefined : result;
      },
      'the crashed server to restart',
      20_000,
      400,
    );
    assert.equal(text(restarted), 'ok');
  });

  test('a call that never answers is MCP_SERVER_TIMEOUT after the server timeout', async () => {
    const hung = await call('hang__hang');
    assert.equal(refusalCode(hung, gw.stderr()), 'MCP_SERVER_TIMEOUT');
    assert.equal(text(await call('hang__ok')), 'ok');
  });

  test('garbage on the server stdout does not break the connection; the call times out', async () => {
    const garbage = await call('malformed__garbage');
    assert.equal(refusalCode(garbage, gw.stderr()), 'MCP_SERVER_TIMEOUT');
    const ok = await call('malformed__ok');
    committed(ok, gw.stderr());
    assert.equal(text(ok), 'ok');
  });

  test('a flood of notifications is absorbed', async () => {
    const flood = await call('flood__flood');
    committed(flood, gw.stderr());
    assert.equal(text(flood), 'flooded');
    assert.equal(text(await call('flood__ok')), 'ok');
    assert.ok((await names(gw)).includes('flood__flood'));
  });

  test('a lying tools/list: only the valid tool is served, the rest refused with reasons', async () => {
    const listed = (await names(gw)).filter((name) => name.startsWith('liar__'));
    assert.deepEqual(listed, ['liar__ok']);
    assert.equal(text(await call('liar__ok')), 'ok');
    for (const name of ['liar__dup', 'liar__badschema', 'liar__../../etc/passwd', 'liar__huge'])
      assert.equal(refusalCode(await call(name)), 'MCP_TOOL_BLOCKED', name);
    const view = await box.cli(['gateway', 'tools', 'list', '--json']);
    assert.equal(view.status, 0, view.stderr);
    const tools = JSON.parse(view.stdout) as Array<{ name: string; status: string; reason: string | null }>;
    const liar = new Map(
      tools.filter((tool) => tool.name.startsWith('liar__')).map((tool) => [tool.name, tool]),
    );
    assert.equal(liar.get('liar__ok')?.status, 'active');
    const expected: Array<[string, string, RegExp]> = [
      ['liar__dup', 'refused', /two tools of this name/],
      ['liar__badschema', 'refused', /malformed: `inputSchema\.type`/],
      ['liar__../../etc/passwd', 'refused', /tool names may hold/],
      // WHY 'new': the 1 MB description is well-formed, so it waits for a human instead.
      ['liar__huge', 'new', /oversized/],
    ];
    for (const [name, status, reason] of expected) {
      assert.equal(liar.get(name)?.status, status, name);
      assert.match(liar.get(name)?.reason ?? '', reason, name);
    }
  });
});
