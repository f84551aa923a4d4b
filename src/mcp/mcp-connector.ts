// The `mcp` connector: how the commit layer forwards a decided intent to a downstream MCP server.
// Nothing else in the gateway calls a server's tools, resources or prompts, so no call reaches a
// server without a decision (MR-6, INV-2). MCP calls cannot be read back or undone: recovery
// never runs one twice (probe `unknown`), and undo is refused.

import type { Connector, EffectRequest, UndoPlan } from '../connectors/port.ts';
import type { SideEffectClass } from '../kernel/index.ts';
import { ERROR_CODES, type JsonValue, KernelError } from '../shared/index.ts';
import type { Downstream } from './downstream.ts';
import { promptGetAction, resourceReadAction, toolAction } from './tool-names.ts';

/** A result larger than this is not handed to the client (the journal keeps its size and hash). */
export const MCP_RESULT_BYTES_MAX = 8 * 1024 * 1024;

type Route =
  | { readonly kind: 'tool'; readonly server: Downstream; readonly tool: string }
  | { readonly kind: 'resource'; readonly server: Downstream }
  | { readonly kind: 'prompt'; readonly server: Downstream };

export class McpConnector implements Connector {
  readonly name = 'mcp';
  /** Filled as tools are discovered: the registry only routes actions declared here. */
  readonly actions: Record<string, SideEffectClass> = {};
  readonly #routes = new Map<string, Route>();

  /** Declares the resource and prompt actions of a server. */
  addServer(server: Downstream): void {
    this.#declare(resourceReadAction(server.name), { kind: 'resource', server }, 'read');
    this.#declare(promptGetAction(server.name), { kind: 'prompt', server }, 'read');
  }

  /**
   * Declares a tool. WHY `read`: the connector cannot know what a tool does; the class the commit
   * layer uses is the stricter of this and the policy's, so the policy (unknown = write) decides.
   */
  addTool(server: Downstream, tool: string): void {
    this.#declare(toolAction(server.name, tool), { kind: 'tool', server, tool }, 'read');
  }

  #declare(action: string, route: Route, sideEffect: SideEffectClass): void {
    this.#routes.set(action, route);
    this.actions[action] = sideEffect;
  }

  async stateHash(): Promise<string> {
    return 'absent';
  }

  async prepare(): Promise<UndoPlan> {
    return { kind: 'irreversible' };
  }

  async execute(request: EffectRequest, options: { readonly signal: AbortSignal }): Promise<JsonValue> {
    const route = this.#routes.get(request.action);
    if (route === undefined)
      throw new KernelError(ERROR_CODES.CONNECTOR_MISSING, `no MCP server handles \`${request.action}\``);
    const result = await this.#forward(route, request, options.signal);
    // WHY: one serialisation both measures the result and makes it plain JSON for the journal.
    const text = JSON.stringify(result);
    if (text.length > MCP_RESULT_BYTES_MAX)
      throw new KernelError(
        ERROR_CODES.MCP_OUTPUT_TOO_LARGE,
        `the server answered with more than ${MCP_RESULT_BYTES_MAX} bytes`,
      );
    return JSON.parse(text) as JsonValue;
  }

  #forward(route: Route, request: EffectRequest, signal: AbortSignal): Promise<unknown> {
    const args = request.args as Record<string, unknown>;
    switch (route.kind) {
      case 'tool':
        return route.server.callTool(route.tool, args, signal);
      case 'resource':
        return route.server.readResource(String(args.uri), signal);
      case 'prompt':
        return route.server.getPrompt(String(args.name), promptArguments(args.arguments), signal);
    }
  }

  /** An MCP call's effect cannot be read back: recovery marks it for review, never re-runs it. */
  async probe(): Promise<'unknown'> {
    return 'unknown';
  }

  async undo(): Promise<void> {
    throw new KernelError(ERROR_CODES.UNDO_IMPOSSIBLE, 'an MCP tool call cannot be undone by the gateway');
  }

  async discard(): Promise<void> {}
}

function promptArguments(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof value !== 'object' || value === null) return out;
  for (const [key, item] of Object.entries(value)) if (typeof item === 'string') out[key] = item;
  return out;
}
