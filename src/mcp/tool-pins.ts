// Tool pinning (rug-pull detection): the first approved view of a downstream tool — name, title,
// description, input and output schema, annotations — is hashed and kept in storage. A later view
// with another hash waits here as `pending` until a human approves it.

import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { canonicalJson, hashHex } from '../shared/index.ts';
import type { Storage } from '../storage/port.ts';

const NAMESPACE = 'mcp-tools';
const LIST_MAX = 100_000;

/** What of a tool the model reads and the server may change under it: what a pin covers. */
export type ToolView = Pick<
  Tool,
  'name' | 'title' | 'description' | 'inputSchema' | 'outputSchema' | 'annotations'
>;

export type PinnedView = {
  readonly hash: string;
  readonly view: ToolView;
  readonly by: string;
  readonly atMs: number;
};

export type PendingView = {
  readonly hash: string;
  readonly view: ToolView;
  /** Why it waits: `new` (never approved) or `changed` (differs from the pin), with findings. */
  readonly reason: string;
  readonly atMs: number;
};

export type PinRecord = {
  readonly server: string;
  readonly tool: string;
  readonly pinned?: PinnedView;
  readonly pending?: PendingView;
};

/** The parts of a downstream tool a pin covers, with undefined fields left out. */
export function toolView(tool: Tool): ToolView {
  const view: Record<string, unknown> = { name: tool.name, inputSchema: tool.inputSchema };
  if (tool.title !== undefined) view.title = tool.title;
  if (tool.description !== undefined) view.description = tool.description;
  if (tool.outputSchema !== undefined) view.outputSchema = tool.outputSchema;
  if (tool.annotations !== undefined) view.annotations = tool.annotations;
  return view as ToolView;
}

/** SHA-256 of the view's canonical JSON (RFC 8785): key order and spacing do not change it. */
export function viewHash(view: ToolView): string {
  return hashHex(canonicalJson(view));
}

export class PinStore {
  readonly #storage: Storage;

  constructor(storage: Storage) {
    this.#storage = storage;
  }

  async get(server: string, tool: string): Promise<PinRecord | undefined> {
    const found = await this.#storage.get(NAMESPACE, keyOf(server, tool));
    return found === undefined ? undefined : (JSON.parse(found.value) as PinRecord);
  }

  async put(record: PinRecord): Promise<void> {
    await this.#storage.put(NAMESPACE, keyOf(record.server, record.tool), JSON.stringify(record));
  }

  /** Pins the view waiting in `record` (a human's approval) and returns the new record. */
  async approvePending(
    record: PinRecord,
    pending: PendingView,
    by: string,
    atMs: number,
  ): Promise<PinRecord> {
    const approved: PinRecord = {
      server: record.server,
      tool: record.tool,
      pinned: { hash: pending.hash, view: pending.view, by, atMs },
    };
    await this.put(approved);
    return approved;
  }

  async list(): Promise<PinRecord[]> {
    const entries = await this.#storage.list(NAMESPACE, '', LIST_MAX);
    return entries.map((entry) => JSON.parse(entry.value) as PinRecord);
  }
}

function keyOf(server: string, tool: string): string {
  return `${server}/${tool}`;
}
