// The kernel's MCP server against a real commit runtime on a temporary data directory, through a
// real SDK client over the in-memory transport: tools, commits, denials, dry runs, tokens, errors.

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { type CommitRuntime, openCommitRuntime } from '../runtime/commit-runtime.ts';
import type { KernelMintRequest } from '../runtime/index.ts';
import { systemClock, systemRandom, uuidv7 } from '../shared/index.ts';
import { CODE_META_KEY, createKernelMcpServer } from './kernel-server.ts';

const CONFIG = `version: 1
agents:
  app: { ring: 2, capabilities: [{ action: "kv.*", resource: "kv:/**" }] }
actions:
  kv.put: { sideEffect: write }
  kv.get: { sideEffect: read }
`;

const TOOLS = [
  'check_decision',
  'intent_status',
  'read_journal',
  'submit_intent',
  'verify_journal',
  'verify_token',
];

type Harness = {
  readonly rt: CommitRuntime;
  readonly client: Client;
  mint(request?: Partial<KernelMintRequest>): Promise<string>;
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
};

/** Runs `body` with a runtime on a fresh data directory and a client connected to its MCP server. */
async function withServer(body: (h: Harness) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'maos-mcp-'));
  const configPath = join(dir, 'maos.yaml');
  await writeFile(configPath, CONFIG);
  const opened = await openCommitRuntime({ configPath, dataDir: join(dir, 'data') });
  assert.ok(opened.ok, opened.ok ? '' : opened.error.message);
  const rt = opened.value;
  const server = createKernelMcpServer(rt);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'kernel-server-test', version: '1.0.0' });
  await client.connect(clientSide);
  const harness: Harness = {
    rt,
    client,
    mint: async (request = {}) => {
      const minted = await rt.kernel.mint({
        sub: 'app',
        scopes: [{ action: 'kv.*', resource: 'kv:/**' }],
        ...request,
      });
      assert.ok(minted.ok, minted.ok ? '' : minted.error.message);
      return minted.value.token;
    },
    call: async (name, args = {}) => (await client.callTool({ name, arguments: args })) as CallToolResult,
  };
  try {
    await body(harness);
  } finally {
    await client.close();
    await server.close();
    await rt.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function put(token: string, key: string, id = uuidv7(systemClock, systemRandom)) {
  return { id, agent: 'app', action: 'kv.put', resource: `kv:/${key}`, args: { value: key }, token };
}

function text(result: CallToolResult): string {
  return result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
}

function structured<T>(result: CallToolResult): T {
  assert.notEqual(result.isError, true, text(result));
  assert.ok(result.structuredContent !== undefined, 'no structured content');
  return result.structuredContent as T;
}

function assertFailure(result: CallToolResult, code: string): void {
  assert.equal(result.isError, true, text(result));
  assert.equal(result._meta?.[CODE_META_KEY], code);
  assert.ok(text(result).startsWith(`${code}: `), text(result));
  assert.equal(result.structuredContent, undefined);
}

type Status = {
  intentId: string;
  state: string;
  verdict: string;
  checks: Array<{ check: string; code?: string }>;
};
type Entry = { seq: number; type: string; data: { intentId?: string } };
type DecisionView = { verdict: string; checks: Array<{ check: string; verdict: string; code?: string }> };

test('the server lists its six tools, each with an object input schema', async () => {
  await withServer(async ({ client }) => {
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((tool) => tool.name).sort(), TOOLS);
    for (const tool of tools) assert.equal(tool.inputSchema.type, 'object', tool.name);
    const submit = tools.find((tool) => tool.name === 'submit_intent');
    assert.deepEqual(submit?.inputSchema.required, ['intent']);
    assert.equal(submit?.annotations?.readOnlyHint, false);
    const journal = tools.find((tool) => tool.name === 'read_journal');
    assert.deepEqual(journal?.inputSchema.properties?.limit, {
      type: 'integer',
      minimum: 1,
      maximum: 1000,
      description: 'records to return (default 100)',
    });
  });
});

test('an allowed intent commits, and read_journal and intent_status show it', async () => {
  await withServer(async ({ mint, call }) => {
    const intent = put(await mint(), 'a');
    const submitted = await call('submit_intent', { intent });
    const status = structured<Status>(submitted);
    assert.equal(status.intentId, intent.id);
    assert.equal(status.state, 'committed');
    assert.equal(status.verdict, 'allow');
    assert.ok(text(submitted).includes(`intent \`${intent.id}\` committed`));
    assert.ok(!text(submitted).includes(intent.token), 'the token is never echoed');
    const journal = structured<{ entries: Entry[] }>(await call('read_journal', { intentId: intent.id }));
    const types = journal.entries.map((entry) => entry.type);
    assert.ok(types.includes('intent.committed'), types.join(', '));
    assert.ok(journal.entries.every((entry) => entry.data.intentId === intent.id));
    const later = structured<Status>(await call('intent_status', { intentId: intent.id }));
    assert.equal(later.state, 'committed');
  });
});

test('an intent without the capability is denied: a normal result naming the capability check', async () => {
  await withServer(async ({ mint, call }) => {
    const token = await mint({ scopes: [{ action: 'kv.get', resource: 'kv:/**' }] });
    const result = await call('submit_intent', { intent: put(token, 'b') });
    const status = structured<Status>(result);
    assert.equal(status.verdict, 'deny');
    assert.equal(status.state, 'denied');
    assert.deepEqual(
      status.checks.map((check) => [check.check, check.code]),
      [['capability', 'SCOPE_NOT_COVERED']],
    );
    assert.ok(text(result).includes('denied by capability (SCOPE_NOT_COVERED'), text(result));
  });
});

test('check_decision decides without journaling, committing or spending a use', async () => {
  await withServer(async ({ rt, mint, call }) => {
    const token = await mint({ maxUses: 1 });
    await rt.journal.checkpoint();
    const head = rt.journal.head.seq;
    const intent = put(token, 'c');
    for (let i = 0; i < 2; i++) {
      const decision = structured<DecisionView>(await call('check_decision', { intent }));
      assert.equal(decision.verdict, 'allow');
      assert.equal(decision.checks.length, 7);
      assert.ok(decision.checks.every((check) => check.verdict === 'allow'));
    }
    assert.equal(rt.journal.head.seq, head, 'check_decision journals nothing');
    assert.equal(rt.commits.status(intent.id), undefined, 'check_decision commits nothing');
    assert.equal(rt.kernel.ledger.openCount, 0);
    // The token's one use is still there: the real submission commits.
    assert.equal(structured<Status>(await call('submit_intent', { intent })).state, 'committed');
    const after = structured<DecisionView>(await call('check_decision', { intent: put(token, 'd') }));
    assert.equal(after.verdict, 'deny');
    assert.ok(after.checks.some((check) => check.code === 'TOKEN_USES_EXHAUSTED'));
  });
});

test('verify_token accepts a minted token and refuses a forged signature, never echoing either', async () => {
  await withServer(async ({ mint, call }) => {
    const token = await mint();
    const valid = await call('verify_token', { token });
    const claims = structured<{ valid: boolean; claims: { sub: string } }>(valid);
    assert.equal(claims.valid, true);
    assert.equal(claims.claims.sub, 'app');
    const envelope = JSON.parse(token) as { payload: string; signatures: Array<{ signature: string }> };
    const first = envelope.signatures[0];
    assert.ok(first !== undefined);
    const secrets = [envelope.payload, ...envelope.signatures.map((entry) => entry.signature)];
    const flipped = first.signature[10] === 'A' ? 'B' : 'A';
    first.signature = `${first.signature.slice(0, 10)}${flipped}${first.signature.slice(11)}`;
    const forged = await call('verify_token', { token: JSON.stringify(envelope) });
    const verdict = structured<{ valid: boolean; code: string; claims?: unknown }>(forged);
    assert.equal(verdict.valid, false);
    assert.equal(verdict.code, 'TOKEN_SIGNATURE_INVALID');
    assert.equal(verdict.claims, undefined, 'no unverified claims');
    for (const result of [valid, forged]) {
      const out = JSON.stringify(result);
      for (const part of [...secrets, first.signature]) assert.ok(!out.includes(part), 'token echoed');
    }
  });
});

test('bad input is a tool error with a stable code in _meta, never a crash', async () => {
  await withServer(async ({ call }) => {
    assertFailure(await call('submit_intent', { intent: { agent: 'app' } }), 'INVALID_INPUT');
    assertFailure(
      await call('check_decision', { intent: { agent: 'app', action: 'kv.put' } }),
      'INVALID_INPUT',
    );
    assertFailure(await call('submit_intent', { intent: 'not an object' }), 'INVALID_INPUT');
    assertFailure(await call('submit_intent', {}), 'INVALID_INPUT');
    assertFailure(await call('read_journal', { limit: 5000 }), 'INVALID_INPUT');
    assertFailure(await call('read_journal', { types: 'intent.*' }), 'INVALID_INPUT');
    assertFailure(await call('verify_token', { token: 'x'.repeat(600 * 1024) }), 'INVALID_INPUT');
    assertFailure(await call('intent_status', { intentId: 'no-such-intent' }), 'INTENT_NOT_FOUND');
  });
});

test('verify_journal reports an intact chain', async () => {
  await withServer(async ({ mint, call }) => {
    structured<Status>(await call('submit_intent', { intent: put(await mint(), 'e') }));
    const result = await call('verify_journal');
    const report = structured<{ ok: boolean; records: number }>(result);
    assert.equal(report.ok, true);
    assert.ok(report.records > 0);
    assert.ok(text(result).startsWith('journal verified: '));
  });
});
