// The gateway's view of every downstream tool: which are active (pinned, clean, with a compiled
// argument validator), which wait for a human (new or changed since their pin), which are refused
// (bad names, duplicates, untrustworthy schemas), and which the client's agent may see.

import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import {
  actionMatches,
  type Journal,
  type Kernel,
  resourceMatches,
  type Screening,
} from '../kernel/index.ts';
import type { JsonValue } from '../shared/index.ts';
import type { Downstream } from './downstream.ts';
import { type ArgsValidator, compileInputSchema } from './input-schema.ts';
import { defaultToolResource } from './resource-template.ts';
import { exposedToolName, toolAction, toolNameProblem } from './tool-names.ts';
import {
  type PendingView,
  type PinRecord,
  type PinStore,
  type ToolView,
  toolView,
  viewHash,
} from './tool-pins.ts';

/** `active`: forwarded; `new`/`changed`: blocked until approved; `refused`: never forwarded. */
export type ToolStatus = 'active' | 'new' | 'changed' | 'refused';

export type ToolEntry = {
  readonly server: string;
  readonly tool: string;
  readonly exposed: string;
  readonly action: string;
  readonly view: ToolView;
  readonly hash: string;
  readonly status: ToolStatus;
  readonly reason: string | undefined;
  /** Set only for active tools. */
  readonly validate: ArgsValidator | undefined;
  /** From `mcp.servers.<name>.resources`; undefined means `mcp:/<server>/<tool>`. */
  readonly template: string | undefined;
};

export type CatalogOptions = {
  readonly kernel: Kernel;
  readonly journal: Journal;
  readonly pins: PinStore;
  readonly agent: string;
  readonly pinning: 'tofu' | 'explicit';
  readonly templates: (server: string) => Readonly<Record<string, string>>;
  readonly now: () => number;
};

export class ToolCatalog {
  readonly #options: CatalogOptions;
  /** Exposed name → entry, per server so a refresh replaces one server's tools at once. */
  readonly #byServer = new Map<string, Map<string, ToolEntry>>();

  constructor(options: CatalogOptions) {
    this.#options = options;
  }

  lookup(exposed: string): ToolEntry | undefined {
    for (const tools of this.#byServer.values()) {
      const entry = tools.get(exposed);
      if (entry !== undefined) return entry;
    }
    return undefined;
  }

  entries(): ToolEntry[] {
    return [...this.#byServer.values()].flatMap((tools) => [...tools.values()]);
  }

  /** Active tools the agent's capabilities cover, as the client sees them. */
  visible(): Tool[] {
    return this.entries()
      .filter((entry) => entry.status === 'active' && this.granted(entry))
      .map(exposedTool);
  }

  /** Whether some grant of the agent names this tool's action (and its fixed resource, if it has one). */
  granted(entry: ToolEntry): boolean {
    const fixed = entry.template === undefined ? defaultToolResource(entry.server, entry.tool) : undefined;
    return this.covers(entry.action, fixed);
  }

  /** Whether some grant of the agent covers `action` (on `resource`, unless it depends on arguments). */
  covers(action: string, resource: string | undefined): boolean {
    const grants = this.#options.kernel.policy.agents.get(this.#options.agent)?.grants ?? [];
    return grants.some(
      (grant) =>
        actionMatches(grant.action, action) &&
        (resource === undefined || resourceMatches(grant.resource, resource)),
    );
  }

  /** Lists `server`'s tools again and settles each against its pin. A failed listing keeps the last view. */
  async refresh(server: Downstream): Promise<void> {
    const listed = await server.listTools();
    const counts = new Map<string, number>();
    for (const item of listed) {
      const name = item.ok ? item.tool.name : item.name;
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    const next = new Map<string, ToolEntry>();
    for (const item of listed) {
      const entry = item.ok
        ? await this.#settle(server.name, item.tool, (counts.get(item.tool.name) ?? 0) > 1)
        : this.#refused(server.name, { name: item.name, inputSchema: { type: 'object' } }, '', item.problem);
      if (!next.has(entry.exposed)) next.set(entry.exposed, entry);
    }
    this.#byServer.set(server.name, next);
  }

  /** Pins the pending view of a tool (a human's approval) and activates it if it is the one served. */
  async approve(server: string, tool: string, by: string, hashPrefix?: string): Promise<PinRecord | string> {
    const record = await this.#options.pins.get(server, tool);
    const pending = record?.pending;
    if (record === undefined || pending === undefined)
      return `no view of \`${server}__${tool}\` waits for approval`;
    if (hashPrefix !== undefined && !pending.hash.startsWith(hashPrefix))
      return `the waiting view of \`${server}__${tool}\` has hash ${pending.hash.slice(0, 12)}, not ${hashPrefix}`;
    const approved = await this.#options.pins.approvePending(record, pending, by, this.#options.now());
    await this.#journal('mcp.tool.approved', { server, tool, hash: pending.hash, by });
    const current = this.#byServer.get(server)?.get(exposedToolName(server, tool));
    if (current !== undefined && current.hash === pending.hash) {
      this.#byServer
        .get(server)
        ?.set(current.exposed, this.#active(current.server, current.tool, current.view));
    }
    return approved;
  }

  async #settle(server: string, tool: Tool, duplicated: boolean): Promise<ToolEntry> {
    const view = toolView(tool);
    const hash = viewHash(view);
    const refusal = duplicated ? 'the server lists two tools of this name' : toolNameProblem(tool.name);
    if (refusal !== undefined) return this.#refused(server, view, hash, refusal);
    const record = await this.#options.pins.get(server, tool.name);
    if (record?.pinned?.hash === hash) return this.#active(server, tool.name, view);
    const screening = this.#screen(server, view);
    const concern = screening.verdict === 'allow' ? undefined : describe(screening);
    if (record?.pinned === undefined && concern === undefined && this.#options.pinning === 'tofu') {
      const active = this.#active(server, tool.name, view);
      if (active.status !== 'active') return active;
      await this.#options.pins.put({
        server,
        tool: tool.name,
        pinned: { hash, view, by: 'tofu', atMs: this.#options.now() },
      });
      await this.#journal('mcp.tool.pinned', { server, tool: tool.name, hash, by: 'tofu' });
      return active;
    }
    const status = record?.pinned === undefined ? 'new' : 'changed';
    const reason =
      status === 'changed'
        ? `changed since it was approved${concern === undefined ? '' : `; ${concern}`}`
        : (concern ?? 'new tools wait for approval (`mcp.pinning: explicit`)');
    if (record?.pending?.hash !== hash) {
      const pending: PendingView = { hash, view, reason, atMs: this.#options.now() };
      await this.#options.pins.put({
        server,
        tool: tool.name,
        ...(record?.pinned ? { pinned: record.pinned } : {}),
        pending,
      });
      await this.#journal(status === 'changed' ? 'mcp.tool.changed' : 'mcp.tool.blocked', {
        server,
        tool: tool.name,
        hash,
        pinnedHash: record?.pinned?.hash ?? null,
        reason,
      });
    }
    return entryOf(server, view, hash, status, reason, undefined, this.#options.templates(server)[tool.name]);
  }

  #active(server: string, tool: string, view: ToolView): ToolEntry {
    const hash = viewHash(view);
    const compiled = compileInputSchema(view.inputSchema);
    if (!compiled.ok) return this.#refused(server, view, hash, compiled.error.message);
    return entryOf(
      server,
      view,
      hash,
      'active',
      undefined,
      compiled.value,
      this.#options.templates(server)[tool],
    );
  }

  #refused(server: string, view: ToolView, hash: string, reason: string): ToolEntry {
    return entryOf(server, view, hash, 'refused', reason, undefined, undefined);
  }

  /** Check 7's scanner over everything the model will read of the tool. */
  #screen(server: string, view: ToolView): Screening {
    return this.#options.kernel.screen({
      action: toolAction(server, view.name),
      resource: defaultToolResource(server, view.name),
      args: JSON.parse(JSON.stringify(view)) as { [key: string]: JsonValue },
    });
  }

  async #journal(type: string, data: { [key: string]: JsonValue }): Promise<void> {
    await this.#options.journal.append(type, data);
  }
}

function entryOf(
  server: string,
  view: ToolView,
  hash: string,
  status: ToolStatus,
  reason: string | undefined,
  validate: ArgsValidator | undefined,
  template: string | undefined,
): ToolEntry {
  return {
    server,
    tool: view.name,
    exposed: exposedToolName(server, view.name),
    action: toolAction(server, view.name),
    view,
    hash,
    status,
    reason,
    validate,
    template,
  };
}

/** The tool as the client sees it: the pinned view under its server-prefixed name, nothing else. */
function exposedTool(entry: ToolEntry): Tool {
  return { ...entry.view, name: entry.exposed } as Tool;
}

function describe(screening: Screening): string {
  const kinds = [...new Set(screening.findings.map((finding) => `${finding.kind} at \`${finding.path}\``))];
  return `the pre-filter found ${kinds.slice(0, 3).join(', ')} (score ${screening.score})`;
}
