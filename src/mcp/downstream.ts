// One connection to a downstream MCP server declared in `mcp.servers`: started (stdio) or reached
// (Streamable HTTP) with the SDK's real `Client`, restarted with back-off after a crash, every
// request bounded by the server's timeout. Failures become `KernelError`s with MCP_SERVER_* codes.

import { resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  type CallToolResult,
  ErrorCode,
  type GetPromptResult,
  McpError,
  type Prompt,
  type ReadResourceResult,
  type Resource,
  type Tool,
  ToolListChangedNotificationSchema,
  ToolSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { McpServerConfig } from '../runtime/config-schema.ts';
import { parseWindowMs } from '../runtime/config-schema.ts';
import { ERROR_CODES, KernelError } from '../shared/index.ts';

/** Bounds on what one server may hand the gateway in its lists. */
export const DOWNSTREAM_LIMITS = {
  listPagesMax: 20,
  toolsMax: 1_000,
  resourcesMax: 1_000,
  promptsMax: 1_000,
  restartDelayMinMs: 500,
  restartDelayMaxMs: 30_000,
  stderrLineMax: 1_000,
  /**
   * Floor of the start-up (spawn + initialize) timeout: starting a process costs what it costs on a
   * loaded machine, unrelated to how fast the server answers a call (the configured `timeout`).
   */
  connectTimeoutMinMs: 15_000,
} as const;

export type DownstreamState = 'idle' | 'connecting' | 'ready' | 'down';

export type DownstreamOptions = {
  readonly name: string;
  readonly config: McpServerConfig;
  /** Working directory for relative stdio commands: the config file's folder. */
  readonly baseDir: string;
  /** Diagnostics (stderr lines of the server, transport errors); never stdout. */
  readonly log: (line: string) => void;
  readonly now: () => number;
};

export class Downstream {
  readonly name: string;
  readonly timeoutMs: number;
  /** Called when the server says its tools changed (the gateway coalesces these). */
  onToolsChanged: () => void = () => undefined;
  readonly #options: DownstreamOptions;
  #client: Client | undefined;
  #connecting: Promise<Client> | undefined;
  #state: DownstreamState = 'idle';
  #lastError: string | undefined;
  #failures = 0;
  #retryAtMs = 0;
  #closed = false;

  constructor(options: DownstreamOptions) {
    this.name = options.name;
    this.#options = options;
    this.timeoutMs = parseWindowMs(options.config.timeout) ?? 60_000;
  }

  get state(): DownstreamState {
    return this.#state;
  }

  get lastError(): string | undefined {
    return this.#lastError;
  }

  /** The connected client, connecting (again) when needed; refused while a restart waits out its delay. */
  async client(): Promise<Client> {
    if (this.#closed) throw unavailable(this.name, 'the gateway is shutting down');
    if (this.#client !== undefined && this.#state === 'ready') return this.#client;
    if (this.#connecting !== undefined) return this.#connecting;
    const now = this.#options.now();
    if (now < this.#retryAtMs) {
      const wait = Math.ceil((this.#retryAtMs - now) / 1000);
      throw unavailable(this.name, `${this.#lastError ?? 'it stopped'}; retrying in ${wait} s`);
    }
    this.#connecting = this.#connect().finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  async #connect(): Promise<Client> {
    this.#state = 'connecting';
    const client = new Client({ name: 'maos-gateway', version: '1' }, { capabilities: {} });
    const transport = this.#transport();
    client.onerror = (error) => this.#options.log(`${this.name}: ${error.message}`);
    client.onclose = () => this.#lost(client, 'the connection closed');
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => this.onToolsChanged());
    try {
      await client.connect(transport, {
        timeout: Math.max(this.timeoutMs, DOWNSTREAM_LIMITS.connectTimeoutMinMs),
      });
    } catch (error) {
      this.#lost(client, messageOf(error));
      await client.close().catch(() => undefined);
      throw unavailable(this.name, messageOf(error));
    }
    this.#client = client;
    this.#state = 'ready';
    this.#failures = 0;
    this.#lastError = undefined;
    return client;
  }

  #transport(): Transport {
    const config = this.#options.config;
    if ('url' in config) {
      return new StreamableHTTPClientTransport(new URL(config.url), {
        requestInit: { headers: { ...config.headers } },
      });
    }
    const transport = new StdioClientTransport({
      command: config.command,
      args: [...config.args],
      env: { ...getDefaultEnvironment(), ...config.env },
      // WHY: like `dataDir`, a relative cwd is relative to the config file, not the working directory.
      cwd: config.cwd === undefined ? this.#options.baseDir : resolve(this.#options.baseDir, config.cwd),
      stderr: 'pipe',
    });
    forwardStderr(transport, this.name, this.#options.log);
    return transport;
  }

  /** A closed or failed connection: later requests reconnect after a growing delay. */
  #lost(client: Client, reason: string): void {
    if (this.#client !== undefined && this.#client !== client) return;
    this.#client = undefined;
    if (this.#closed) return;
    this.#state = 'down';
    this.#lastError = reason;
    this.#failures += 1;
    const delay = Math.min(
      DOWNSTREAM_LIMITS.restartDelayMaxMs,
      DOWNSTREAM_LIMITS.restartDelayMinMs * 2 ** Math.min(this.#failures - 1, 16),
    );
    this.#retryAtMs = this.#options.now() + delay;
    this.#options.log(`${this.name}: ${reason}`);
  }

  /**
   * The server's tools, each checked on its own: the SDK's `listTools` rejects a whole list for one
   * malformed tool, which would let one bad entry hide (or deny) all the others.
   */
  async listTools(): Promise<ListedTool[]> {
    const raw = await this.#paged(DOWNSTREAM_LIMITS.toolsMax, async (client, cursor) => {
      const page = await client.request(
        { method: 'tools/list', params: cursor === undefined ? {} : { cursor } },
        LooseToolPage,
        this.#requestOptions(),
      );
      return { items: page.tools, next: page.nextCursor };
    });
    return raw.map(checkTool);
  }

  async listResources(): Promise<Resource[]> {
    return this.#paged(DOWNSTREAM_LIMITS.resourcesMax, async (client, cursor) => {
      const page = await client.listResources(cursor === undefined ? {} : { cursor }, this.#requestOptions());
      return { items: page.resources, next: page.nextCursor };
    });
  }

  async listPrompts(): Promise<Prompt[]> {
    return this.#paged(DOWNSTREAM_LIMITS.promptsMax, async (client, cursor) => {
      const page = await client.listPrompts(cursor === undefined ? {} : { cursor }, this.#requestOptions());
      return { items: page.prompts, next: page.nextCursor };
    });
  }

  async callTool(tool: string, args: Record<string, unknown>, signal: AbortSignal): Promise<CallToolResult> {
    return this.#request(async (client) => {
      const result = await client.callTool(
        { name: tool, arguments: args },
        undefined,
        this.#requestOptions(signal),
      );
      return result as CallToolResult;
    });
  }

  async readResource(uri: string, signal: AbortSignal): Promise<ReadResourceResult> {
    return this.#request((client) => client.readResource({ uri }, this.#requestOptions(signal)));
  }

  async getPrompt(name: string, args: Record<string, string>, signal: AbortSignal): Promise<GetPromptResult> {
    return this.#request((client) =>
      client.getPrompt({ name, arguments: args }, this.#requestOptions(signal)),
    );
  }

  /** Whether the server declares a capability (`tools`, `resources`, `prompts`) once connected. */
  async supports(capability: 'tools' | 'resources' | 'prompts'): Promise<boolean> {
    const client = await this.client();
    return client.getServerCapabilities()?.[capability] !== undefined;
  }

  async close(): Promise<void> {
    this.#closed = true;
    const client = this.#client;
    this.#client = undefined;
    this.#state = 'down';
    await client?.close().catch(() => undefined);
  }

  #requestOptions(signal?: AbortSignal): { timeout: number; maxTotalTimeout: number; signal?: AbortSignal } {
    return {
      timeout: this.timeoutMs,
      maxTotalTimeout: this.timeoutMs,
      ...(signal === undefined ? {} : { signal }),
    };
  }

  async #request<T>(run: (client: Client) => Promise<T>): Promise<T> {
    const client = await this.client();
    try {
      return await run(client);
    } catch (error) {
      throw this.#failure(error);
    }
  }

  async #paged<T>(
    max: number,
    page: (client: Client, cursor: string | undefined) => Promise<Page<T>>,
  ): Promise<T[]> {
    const out: T[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < DOWNSTREAM_LIMITS.listPagesMax; pages += 1) {
      const next = await this.#request((client) => page(client, cursor));
      for (const item of next.items) if (out.length < max) out.push(item);
      cursor = next.next;
      if (cursor === undefined || out.length >= max) break;
    }
    return out;
  }

  /** The stable code of a failed request: timeout, connection gone, or the server's own error. */
  #failure(error: unknown): KernelError {
    if (error instanceof KernelError) return error;
    if (error instanceof McpError) {
      if (error.code === ErrorCode.RequestTimeout)
        return new KernelError(
          ERROR_CODES.MCP_SERVER_TIMEOUT,
          `server \`${this.name}\` did not answer within ${this.timeoutMs} ms`,
        );
      if (error.code === ErrorCode.ConnectionClosed) return unavailable(this.name, 'the connection closed');
      return new KernelError(
        ERROR_CODES.MCP_SERVER_ERROR,
        `server \`${this.name}\` answered: ${error.message}`,
        {
          mcpCode: error.code,
        },
      );
    }
    return new KernelError(ERROR_CODES.MCP_SERVER_ERROR, `server \`${this.name}\`: ${messageOf(error)}`);
  }
}

/** A tool as listed: valid, or a name (when one can be read) and why it is malformed. */
export type ListedTool =
  | { readonly ok: true; readonly tool: Tool }
  | { readonly ok: false; readonly name: string; readonly problem: string };

const LooseToolPage = z.object({ tools: z.array(z.unknown()), nextCursor: z.string().optional() });

function checkTool(raw: unknown): ListedTool {
  const parsed = ToolSchema.safeParse(raw);
  if (parsed.success) return { ok: true, tool: parsed.data };
  const name = (raw as { name?: unknown } | null)?.name;
  const issue = parsed.error.issues[0];
  return {
    ok: false,
    name: typeof name === 'string' ? name.slice(0, 256) : '',
    problem: `the server lists it malformed: \`${issue?.path.join('.') ?? ''}\` ${issue?.message ?? 'is invalid'}`,
  };
}

type Page<T> = { readonly items: readonly T[]; readonly next: string | undefined };

function unavailable(name: string, reason: string): KernelError {
  return new KernelError(ERROR_CODES.MCP_SERVER_UNAVAILABLE, `server \`${name}\` is unavailable: ${reason}`);
}

/** The server's stderr, line by line and truncated, prefixed with its name. */
function forwardStderr(transport: StdioClientTransport, name: string, log: (line: string) => void): void {
  const stream = transport.stderr;
  if (stream === null) return;
  let pending = '';
  stream.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    if (pending.length > DOWNSTREAM_LIMITS.stderrLineMax * 4)
      pending = pending.slice(-DOWNSTREAM_LIMITS.stderrLineMax * 4);
    let newline = pending.indexOf('\n');
    while (newline !== -1) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      if (line.length > 0) log(`${name}: ${line.slice(0, DOWNSTREAM_LIMITS.stderrLineMax)}`);
      newline = pending.indexOf('\n');
    }
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
