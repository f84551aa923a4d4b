// The MCP gateway's composition: the commit runtime with the `mcp` connector, one `Downstream` per
// configured server, the tool catalog with its pins, the agent's capability token, the approval
// waiters, and the `KernelService` the HTTP API serves (approvals and tool pins included).

import { dirname, resolve } from 'node:path';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { AgentToken } from '../kernel/index.ts';
import { type CommitRuntime, openCommitRuntime } from '../runtime/commit-runtime.ts';
import type { LoadedConfig } from '../runtime/config.ts';
import { loadConfigFor } from '../runtime/config.ts';
import type { McpConfig } from '../runtime/config-schema.ts';
import { parseWindowMs } from '../runtime/config-schema.ts';
import { kernelService } from '../runtime/kernel-service.ts';
import type { GatewayToolView, IntentStatus, KernelService } from '../runtime/service.ts';
import {
  type Clock,
  ERROR_CODES,
  fail,
  type KernelError,
  ok,
  type Result,
  systemClock,
} from '../shared/index.ts';
import { Downstream } from './downstream.ts';
import { McpConnector } from './mcp-connector.ts';
import { ToolCatalog, type ToolEntry } from './tool-catalog.ts';
import { PinStore } from './tool-pins.ts';

export type GatewayOptions = {
  readonly configPath: string;
  readonly dataDir?: string;
  readonly clock?: Clock;
  /** Diagnostics; the stdio gateway writes them to stderr, never stdout. */
  readonly log?: (line: string) => void;
};

type Settled = (status: IntentStatus) => void;

/** Slack between a server's own timeout and the commit layer's execute limit. */
const LOCK_SLACK_MS = 5_000;

export class Gateway {
  readonly runtime: CommitRuntime;
  readonly mcp: McpConfig;
  readonly catalog: ToolCatalog;
  readonly connector: McpConnector;
  readonly downstreams: ReadonlyMap<string, Downstream>;
  readonly token: AgentToken;
  readonly service: KernelService;
  readonly log: (line: string) => void;
  readonly approvalTimeoutMs: number;
  /** Open client sessions, told when the tool list changes. */
  readonly sessions = new Set<Server>();
  readonly #waiters = new Map<string, Settled>();
  /** Resource URI → the server that listed it (first lister wins). */
  readonly #resourceOwners = new Map<string, string>();
  readonly #refreshing = new Map<string, Promise<void>>();
  readonly #again = new Set<string>();

  constructor(parts: {
    runtime: CommitRuntime;
    mcp: McpConfig;
    connector: McpConnector;
    downstreams: ReadonlyMap<string, Downstream>;
    token: AgentToken;
    log: (line: string) => void;
  }) {
    this.runtime = parts.runtime;
    this.mcp = parts.mcp;
    this.connector = parts.connector;
    this.downstreams = parts.downstreams;
    this.token = parts.token;
    this.log = parts.log;
    this.approvalTimeoutMs = parseWindowMs(parts.mcp.approvalTimeout) ?? 300_000;
    this.catalog = new ToolCatalog({
      kernel: parts.runtime.kernel,
      journal: parts.runtime.journal,
      pins: new PinStore(parts.runtime.storage),
      agent: parts.mcp.agent,
      pinning: parts.mcp.pinning,
      templates: (server) => parts.mcp.servers[server]?.resources ?? {},
      now: () => parts.runtime.clock.wallMs(),
    });
    this.service = this.#service();
  }

  get agent(): string {
    return this.mcp.agent;
  }

  /** Connects every server and settles its tools; a server that fails stays down and is journaled. */
  async start(): Promise<void> {
    for (const server of this.downstreams.values()) this.connector.addServer(server);
    await Promise.all([...this.downstreams.values()].map((server) => this.refresh(server.name)));
  }

  /**
   * Lists one server's tools again and tells the sessions. A request while a refresh runs is not
   * dropped: it runs once more afterwards, so a change announced mid-refresh is always seen.
   */
  refresh(name: string): Promise<void> {
    const running = this.#refreshing.get(name);
    if (running !== undefined) {
      this.#again.add(name);
      return running;
    }
    const work = this.#refresh(name).finally(() => {
      this.#refreshing.delete(name);
      if (this.#again.delete(name)) void this.refresh(name);
    });
    this.#refreshing.set(name, work);
    return work;
  }

  async #refresh(name: string): Promise<void> {
    const server = this.downstreams.get(name);
    if (server === undefined) return;
    const before = this.#visibleNames();
    try {
      if (await server.supports('tools')) await this.catalog.refresh(server);
      for (const entry of this.catalog.entries()) {
        if (entry.server === name && entry.status !== 'refused') this.connector.addTool(server, entry.tool);
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.log(`tools of \`${name}\` unavailable: ${message}`);
      await this.runtime.journal.append('mcp.server.down', { server: name, message }).catch(() => undefined);
    }
    if (this.#visibleNames() !== before) await this.#notifyToolsChanged();
  }

  /** Refreshes every server (a client's tools/list): a server that does not answer keeps its last view. */
  async refreshAll(): Promise<void> {
    await Promise.all([...this.downstreams.keys()].map((name) => this.refresh(name)));
  }

  #visibleNames(): string {
    return this.catalog
      .visible()
      .map((tool) => `${tool.name}:${this.catalog.lookup(tool.name)?.hash ?? ''}`)
      .sort()
      .join(',');
  }

  async #notifyToolsChanged(): Promise<void> {
    await Promise.all(
      [...this.sessions].map((session) => session.sendToolListChanged().catch(() => undefined)),
    );
  }

  claimResource(uri: string, server: string): void {
    if (!this.#resourceOwners.has(uri)) this.#resourceOwners.set(uri, server);
  }

  /**
   * The server to read `uri` from: the one that listed it, else the only server with resources
   * (URIs from templates are never listed). Undefined when that is ambiguous: fail closed.
   */
  resourceOwner(uri: string): string | undefined {
    const listed = this.#resourceOwners.get(uri);
    if (listed !== undefined) return listed;
    const candidates = [...this.downstreams.values()].filter((server) => server.state === 'ready');
    return candidates.length === 1 ? candidates[0]?.name : undefined;
  }

  /** Resolves with the intent's status once a human (or the timeout) settles a held intent. */
  waitFor(intentId: string): Promise<IntentStatus> {
    return new Promise((resolve) => this.#waiters.set(intentId, resolve));
  }

  forget(intentId: string): void {
    this.#waiters.delete(intentId);
  }

  #settled(status: IntentStatus): void {
    const waiter = this.#waiters.get(status.intentId);
    this.#waiters.delete(status.intentId);
    waiter?.(status);
  }

  /** The runtime's service, with approvals reported to waiting calls and the tool pins added. */
  #service(): KernelService {
    const base = kernelService(this.runtime);
    return {
      ...base,
      approve: async (intentId, decider) => {
        const result = await base.approve(intentId, decider);
        if (result.ok) this.#settled(result.value);
        return result;
      },
      reject: async (intentId, decider) => {
        const result = await base.reject(intentId, decider);
        if (result.ok) this.#settled({ ...result.value, state: 'rejected' });
        return result;
      },
      tools: {
        list: async () => this.catalog.entries().map((entry) => this.#toolView(entry)),
        approve: (names, decider) => this.#approveTools(names, decider.by),
      },
    };
  }

  async #approveTools(
    names: readonly string[] | 'all',
    by: string,
  ): Promise<Result<GatewayToolView[], KernelError>> {
    const targets =
      names === 'all'
        ? this.catalog.entries().filter((entry) => entry.status === 'new' || entry.status === 'changed')
        : names.map((name) => this.catalog.lookup(name) ?? this.catalog.lookup(name.replace('.', '__')));
    const approved: GatewayToolView[] = [];
    for (const [index, entry] of targets.entries()) {
      if (entry === undefined) {
        const name = names === 'all' ? '' : names[index];
        return fail(ERROR_CODES.MCP_TOOL_UNKNOWN, `no tool \`${name}\` is served`);
      }
      const outcome = await this.catalog.approve(entry.server, entry.tool, by, entry.hash);
      if (typeof outcome === 'string') return fail(ERROR_CODES.APPROVAL_NOT_FOUND, outcome);
      approved.push(this.#toolView(this.catalog.lookup(entry.exposed) ?? entry));
    }
    await this.#notifyToolsChanged();
    return ok(approved);
  }

  #toolView(entry: ToolEntry): GatewayToolView {
    return {
      name: entry.exposed,
      server: entry.server,
      tool: entry.tool,
      status: entry.status,
      granted: this.catalog.granted(entry),
      hash: entry.hash,
      pinnedHash: entry.status === 'active' ? entry.hash : null,
      reason: entry.reason ?? null,
      description: entry.view.description ?? null,
    };
  }

  async close(): Promise<void> {
    this.#waiters.clear();
    await Promise.all([...this.sessions].map((session) => session.close().catch(() => undefined)));
    await Promise.all([...this.downstreams.values()].map((server) => server.close()));
    await this.runtime.close();
  }
}

/** Opens the runtime and every downstream server named in `mcp.servers`. */
export async function openGateway(options: GatewayOptions): Promise<Result<Gateway, KernelError>> {
  const log = options.log ?? ((line: string) => process.stderr.write(`maos gateway: ${line}\n`));
  const clock = options.clock ?? systemClock;
  const loaded = await loadConfigFor(options);
  if (!loaded.ok) return loaded;
  const mcp = loaded.value.config.mcp;
  if (mcp === undefined)
    return fail(
      ERROR_CODES.CONFIG_INVALID,
      `${loaded.value.file}: there is no \`mcp\` section; the gateway needs one`,
    );
  const grants = loaded.value.policy.agents.get(mcp.agent)?.grants ?? [];
  if (grants.length === 0)
    return fail(
      ERROR_CODES.CONFIG_INVALID,
      `${loaded.value.file}: \`mcp.agent\` \`${mcp.agent}\` has no capabilities; the gateway would refuse every call`,
    );
  const connector = new McpConnector();
  const downstreams = downstreamsOf(loaded.value, mcp, clock, log);
  const lockTimeoutMs =
    Math.max(...[...downstreams.values()].map((server) => server.timeoutMs), 0) + LOCK_SLACK_MS;
  const runtime = await openCommitRuntime({
    configPath: options.configPath,
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    clock,
    connectors: [connector],
    lockTimeoutMs,
  });
  if (!runtime.ok) return runtime;
  const token = await AgentToken.mint(runtime.value.kernel, mcp.agent, clock);
  if (!token.ok) {
    await runtime.value.close();
    return token;
  }
  const gateway = new Gateway({
    runtime: runtime.value,
    mcp,
    connector,
    downstreams,
    token: token.value,
    log,
  });
  for (const [name, server] of downstreams) server.onToolsChanged = () => void gateway.refresh(name);
  await gateway.start();
  return ok(gateway);
}

function downstreamsOf(
  loaded: LoadedConfig,
  mcp: McpConfig,
  clock: Clock,
  log: (line: string) => void,
): Map<string, Downstream> {
  const baseDir = dirname(resolve(loaded.file));
  const out = new Map<string, Downstream>();
  for (const [name, config] of Object.entries(mcp.servers)) {
    out.set(name, new Downstream({ name, config, baseDir, log, now: () => clock.wallMs() }));
  }
  return out;
}
