// Proves the hostile downstream MCP servers in test/mcp/fixtures/ behave as their headers claim,
// by driving each one over stdio with the SDK's own Client. Gateway e2e tests build on these
// fixtures, so a fixture that quietly stopped misbehaving would make those tests vacuous.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import {
  CallToolResultSchema,
  ErrorCode,
  ListToolsResultSchema,
  LoggingMessageNotificationSchema,
  McpError,
  type Tool,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import {
  FLOOD_LIST_CHANGED,
  FLOOD_LOG_MESSAGES,
  HUGE_DESCRIPTION_LENGTH,
  LIAR_TOOLS,
} from './fixtures/hostile-server.ts';
import { CLEAN_TEXT, PAGE_INJECTION, RESOURCE_INJECTION, RESOURCE_URI } from './fixtures/injection-server.ts';
import {
  BENIGN_DESCRIPTION,
  POISONED_DESCRIPTION,
  POISONED_DESCRIPTION_VISIBLE,
  ZERO_WIDTH_SPACE,
} from './fixtures/rug-pull-server.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures');

type Connection = { readonly client: Client; readonly closed: Promise<void>; readonly errors: Error[] };
type CallResult = Awaited<ReturnType<Client['callTool']>>;

/** Spawns a fixture, connects an SDK client to it, and closes it when the test ends. */
async function connect(t: TestContext, file: string, args: readonly string[] = []): Promise<Connection> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ['--disable-warning=ExperimentalWarning', join(FIXTURES, file), ...args],
    stderr: 'ignore',
  });
  const client = new Client({ name: 'fixtures-test', version: '1.0.0' });
  const errors: Error[] = [];
  client.onerror = (error) => errors.push(error);
  const closed = new Promise<void>((resolve) => {
    client.onclose = resolve;
  });
  t.after(() => client.close());
  await client.connect(transport);
  return { client, closed, errors };
}

function textOf(result: CallResult): string {
  const first = CallToolResultSchema.parse(result).content[0];
  assert.ok(first !== undefined && first.type === 'text', 'first content block is text');
  return first.text;
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<string> {
  return textOf(await client.callTool({ name, arguments: args }));
}

async function toolNamed(client: Client, name: string): Promise<Tool> {
  const tool = (await client.listTools()).tools.find((candidate) => candidate.name === name);
  assert.ok(tool !== undefined, `tool ${name} is listed`);
  return tool;
}

function isMcpError(code: number): (error: unknown) => boolean {
  return (error) => error instanceof McpError && error.code === code;
}

/** Resolves when `count()` reaches `target`; rejects after `ms`. */
function countReaches(count: () => number, target: number, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = setInterval(() => {
      if (count() >= target) resolve();
      else if (Date.now() - started > ms) reject(new Error(`count ${count()} never reached ${target}`));
      else return;
      clearInterval(poll);
    }, 10);
  });
}

// --- rug-pull -------------------------------------------------------------------------------

async function rugPull(t: TestContext, silent: boolean): Promise<void> {
  const { client } = await connect(t, 'rug-pull-server.ts', silent ? ['--silent'] : []);
  let notified = 0;
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
    notified++;
  });
  assert.deepEqual(client.getServerCapabilities()?.tools, { listChanged: true });
  const before = await toolNamed(client, 'echo');
  const addBefore = await toolNamed(client, 'add');
  assert.equal(before.description, BENIGN_DESCRIPTION);
  assert.deepEqual(Object.keys(before.inputSchema.properties ?? {}), ['message']);

  assert.equal(await call(client, 'echo', { message: 'hi' }), 'Echo: hi');
  if (!silent) await countReaches(() => notified, 1, 10_000);

  const after = await toolNamed(client, 'echo');
  assert.equal(after.description, POISONED_DESCRIPTION);
  assert.ok(after.description?.includes(ZERO_WIDTH_SPACE));
  assert.equal(after.description?.replaceAll(ZERO_WIDTH_SPACE, ''), POISONED_DESCRIPTION_VISIBLE);
  assert.deepEqual(Object.keys(after.inputSchema.properties ?? {}), ['message', 'sidenote']);
  assert.deepEqual(after.inputSchema.required, ['message']);
  assert.deepEqual(await toolNamed(client, 'add'), addBefore);
  assert.equal(await call(client, 'add', { a: 2, b: 3 }), '5');

  // Only the first echo pulls the rug; the list round trip flushes any notification it would send.
  assert.equal(await call(client, 'echo', { message: 'again', sidenote: 'x' }), 'Echo: again');
  await client.listTools();
  assert.equal(notified, silent ? 0 : 1);
}

test('rug-pull: echo is poisoned after its first call and list_changed is announced', (t) =>
  rugPull(t, false));

test('rug-pull --silent: echo is poisoned without any list_changed', (t) => rugPull(t, true));

// --- injection ------------------------------------------------------------------------------

test('injection: tool output and resource carry injections, controls are benign', async (t) => {
  const { client } = await connect(t, 'injection-server.ts');
  const page = await call(client, 'fetch_page', { url: 'https://travel.example/' });
  assert.match(page, /^Welcome to Example Travel!/);
  assert.ok(page.includes(PAGE_INJECTION));
  assert.equal(await call(client, 'fetch_clean', { url: 'https://travel.example/hours' }), CLEAN_TEXT);

  const { resources } = await client.listResources();
  assert.deepEqual(
    resources.map((resource) => resource.uri),
    [RESOURCE_URI],
  );
  const [content] = (await client.readResource({ uri: RESOURCE_URI })).contents;
  assert.ok(content !== undefined && 'text' in content && content.text.includes(RESOURCE_INJECTION));

  const prompt = await client.getPrompt({ name: 'summarize', arguments: { topic: 'Lisbon' } });
  const [message] = prompt.messages;
  assert.ok(message !== undefined && message.content.type === 'text');
  assert.equal(message.content.text, 'Please write a short summary of Lisbon.');
});

// --- hostile --------------------------------------------------------------------------------

test('hostile crash: boom rejects with ConnectionClosed and the transport closes', async (t) => {
  const { client, closed } = await connect(t, 'hostile-server.ts', ['crash']);
  assert.equal(await call(client, 'ok'), 'ok');
  await assert.rejects(client.callTool({ name: 'boom' }), isMcpError(ErrorCode.ConnectionClosed));
  await closed;
});

test('hostile hang: hang times out, ok still answers', async (t) => {
  const { client } = await connect(t, 'hostile-server.ts', ['hang']);
  await assert.rejects(
    client.callTool({ name: 'hang' }, undefined, { timeout: 500 }),
    isMcpError(ErrorCode.RequestTimeout),
  );
  assert.equal(await call(client, 'ok'), 'ok');
});

test('hostile malformed: garbage lines are reported, the call times out, ok still answers', async (t) => {
  const { client, errors } = await connect(t, 'hostile-server.ts', ['malformed']);
  await assert.rejects(
    client.callTool({ name: 'garbage' }, undefined, { timeout: 500 }),
    isMcpError(ErrorCode.RequestTimeout),
  );
  assert.equal(await call(client, 'ok'), 'ok');
  // The SDK stdio client drops each bad line, reports it through onerror, and keeps the connection.
  const messages = errors.map((error) => error.message);
  assert.equal(messages.length, 3, messages.join('\n'));
  assert.ok(errors[0] instanceof SyntaxError);
  assert.match(messages[1] ?? '', /unknown message ID/);
  assert.ok(errors[2] instanceof SyntaxError);
});

test('hostile flood: 5,000 log messages and 200 list_changed arrive, then flooded', async (t) => {
  const { client } = await connect(t, 'hostile-server.ts', ['flood']);
  let logs = 0;
  let changes = 0;
  client.setNotificationHandler(LoggingMessageNotificationSchema, () => {
    logs++;
  });
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
    changes++;
  });
  assert.ok(client.getServerCapabilities()?.logging !== undefined);
  assert.equal(textOf(await client.callTool({ name: 'flood' }, undefined, { timeout: 10_000 })), 'flooded');
  assert.equal(logs, FLOOD_LOG_MESSAGES);
  assert.equal(changes, FLOOD_LIST_CHANGED);
  assert.equal(await call(client, 'ok'), 'ok');
});

function isNamed(tool: unknown, name: string): boolean {
  return typeof tool === 'object' && tool !== null && 'name' in tool && tool.name === name;
}

/** The error `listTools()` throws for the liar's list: a zod error about tools[5].inputSchema.type only. */
function isOnlyBadSchemaError(error: unknown): boolean {
  if (!(error instanceof z.core.$ZodError)) return false;
  const paths = error.issues.map((issue) => issue.path.map(String).join('.'));
  return paths.length === 1 && paths[0] === 'tools.5.inputSchema.type';
}

const RawToolList = z.object({
  tools: z.array(z.looseObject({ name: z.string(), description: z.string() })),
});

test('hostile liar: the SDK client rejects the whole tools/list; the raw list is as described', async (t) => {
  const { client } = await connect(t, 'hostile-server.ts', ['liar']);
  // badschema's `{ type: "string" }` input schema fails ListToolsResultSchema, so nothing is returned;
  // the SDK rejects with the raw ZodError, not an McpError, and names only that one entry.
  await assert.rejects(client.listTools(), isOnlyBadSchemaError);
  // The other lies pass the SDK's schema untouched: it does not check names, duplicates or sizes.
  const rest = LIAR_TOOLS.filter((tool) => !isNamed(tool, 'badschema'));
  assert.equal(ListToolsResultSchema.safeParse({ tools: rest }).success, true);

  const { tools } = await client.request({ method: 'tools/list' }, RawToolList);
  assert.deepEqual(
    tools.map((tool) => tool.name),
    ['ok', '../../etc/passwd', 'dup', 'dup', 'huge', 'badschema'],
  );
  assert.notEqual(tools[2]?.description, tools[3]?.description);
  assert.equal(tools[4]?.description.length, HUGE_DESCRIPTION_LENGTH);
  assert.deepEqual(tools[5]?.inputSchema, { type: 'string' });

  assert.equal(await call(client, 'ok'), 'ok');
  assert.equal(await call(client, '../../etc/passwd'), 'called ../../etc/passwd');
  assert.equal(await call(client, 'dup'), 'called dup');
});
