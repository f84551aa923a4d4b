// Shared harness of the `maos gateway` end-to-end tests: a temporary config, the real gateway as a
// child process driven by the SDK's `Client` over stdio, its HTTP API (daemon.json + api-token) for
// the journal and held intents, and small readers for the tool results the gateway answers with.

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { type CallToolResult, ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { MAIN, maos, ROOT, type Run } from './harness.ts';

export const NODE_FLAGS = ['--disable-warning=ExperimentalWarning'] as const;
export const FIXTURES = join(ROOT, 'test/mcp/fixtures');
export const BIN = join(ROOT, 'node_modules/.bin');

export type JournalRecord = { seq: number; type: string; data: Record<string, unknown> };
export type HeldView = { intentId: string; action: string; resource: string; args: unknown };

/** A `{ command, args }` server entry that runs one of the hostile fixtures with this node. */
export function fixture(file: string, ...args: string[]): string {
  return `{ command: ${JSON.stringify(process.execPath)}, args: ${JSON.stringify([...NODE_FLAGS, join(FIXTURES, file), ...args])} }`;
}

/** A fresh directory with `maos.yaml` (the given text) whose relative `dataDir: data` lives inside it. */
export class Sandbox {
  readonly dir: string;
  readonly config: string;
  readonly dataDir: string;

  private constructor(dir: string) {
    this.dir = dir;
    this.config = join(dir, 'maos.yaml');
    this.dataDir = join(dir, 'data');
  }

  static async create(yaml: string): Promise<Sandbox> {
    const box = new Sandbox(await mkdtemp(join(tmpdir(), 'maos-gw-e2e-')));
    await writeFile(box.config, yaml);
    return box;
  }

  /** `maos <args> --config <this config>`. */
  cli(args: readonly string[]): Promise<Run> {
    return maos([...args, '--config', this.config]);
  }

  /** The gateway's HTTP API, found the way the CLI finds it. */
  async api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
    const info = JSON.parse(await readFile(join(this.dataDir, 'daemon.json'), 'utf8')) as { url: string };
    const token = (await readFile(join(this.dataDir, 'api-token'), 'utf8')).trim();
    const response = await fetch(`${info.url}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        authorization: `Bearer ${token}`,
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    const body = await response.text();
    assert.equal(response.status, 200, `${path}: ${body}`);
    return JSON.parse(body) as T;
  }

  journal(query = ''): Promise<JournalRecord[]> {
    return this.api<JournalRecord[]>(`/v1/journal?limit=1000${query}`);
  }

  /** Polls the held intents until one with `action` appears (the call that made it is still waiting). */
  async heldFor(action: string, timeoutMs = 10_000): Promise<HeldView> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const held = await this.api<HeldView[]>('/v1/held');
      const found = held.find((intent) => intent.action === action);
      if (found !== undefined) return found;
      assert.ok(Date.now() < until, `no held intent for ${action}`);
      await sleep(50);
    }
  }

  remove(): Promise<void> {
    return rm(this.dir, { recursive: true, force: true });
  }
}

export type Gateway = {
  readonly client: Client;
  /** Everything the gateway wrote to stderr so far: the failure message of an assertion. */
  stderr(): string;
  close(): Promise<void>;
};

/**
 * Starts `maos gateway --config <config> [...extra]` with a connected client. With `elicit`, the
 * client declares elicitation and accepts every request (recorded in `elicited`).
 */
export async function startGateway(
  box: Sandbox,
  options: { readonly elicit?: string[]; readonly extra?: readonly string[] } = {},
): Promise<Gateway> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [...NODE_FLAGS, MAIN, 'gateway', '--config', box.config, ...(options.extra ?? [])],
    cwd: ROOT,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const elicited = options.elicit;
  const client = new Client(
    { name: 'gateway-e2e', version: '1.0.0' },
    { capabilities: elicited === undefined ? {} : { elicitation: {} } },
  );
  if (elicited !== undefined) {
    client.setRequestHandler(ElicitRequestSchema, (request) => {
      elicited.push(request.params.message);
      return { action: 'accept', content: { approve: true } };
    });
  }
  try {
    await client.connect(transport);
  } catch (error) {
    await transport.close().catch(() => undefined);
    throw new Error(`the gateway did not start: ${String(error)}\n${stderr}`);
  }
  return {
    client,
    stderr: () => stderr,
    close: () => client.close(),
  };
}

/** The text of a tool result's content. */
export function text(result: unknown): string {
  const content = (result as CallToolResult).content ?? [];
  return content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
}

/** `_meta['maos/code']` of a refusal, asserting it is one (isError with the stable text). */
export function refusalCode(result: unknown, context = ''): string {
  const call = result as CallToolResult;
  assert.equal(
    call.isError,
    true,
    `expected a refusal, got ${JSON.stringify(call).slice(0, 500)}\n${context}`,
  );
  const code = call._meta?.['maos/code'];
  assert.equal(typeof code, 'string', JSON.stringify(call._meta));
  assert.match(text(call), new RegExp(`^MAOS(?: denied this call|: the call failed): ${String(code)}: `));
  return String(code);
}

/** Asserts a successful, labelled result and returns its intent id. */
export function committed(result: unknown, context = ''): string {
  const call = result as CallToolResult;
  assert.notEqual(call.isError, true, `${text(call)}\n${context}`);
  const id = call._meta?.['maos/intentId'];
  assert.equal(typeof id, 'string', JSON.stringify(call._meta));
  assert.ok(call._meta?.['maos/label'] !== undefined, 'the result carries its label');
  return String(id);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns a value (not undefined) or the time is up. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  what: string,
  ms = 10_000,
  everyMs = 50,
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    assert.ok(Date.now() < until, `timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}
