// The MCP methods a gateway session answers. tools/list shows only active tools the agent's
// capabilities cover; tools/call goes through tool-call.ts; resources/read and prompts/get take
// the observation path (all checks, journaled, no commit stages) and fail as JSON-RPC errors.

import {
  CallToolRequestSchema,
  type CallToolResult,
  GetPromptRequestSchema,
  type GetPromptResult,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  type Prompt,
  ReadResourceRequestSchema,
  type ReadResourceResult,
  type Resource,
} from '@modelcontextprotocol/sdk/types.js';
import { ERROR_CODES } from '../shared/index.ts';
import type { Gateway } from './gateway.ts';
import { screenOutput } from './output-screen.ts';
import type { GatewaySession } from './session.ts';
import { callTool, refusalOf, submit } from './tool-call.ts';
import { exposedToolName, promptGetAction, resourceReadAction, splitToolName } from './tool-names.ts';

/** JSON-RPC error code (server range) of a refused resources/read or prompts/get. */
export const MAOS_REFUSED = -32003;

export function registerHandlers(gateway: Gateway, session: GatewaySession): void {
  const server = session.server;
  server.setRequestHandler(ListToolsRequestSchema, async () => {
    await gateway.refreshAll();
    return { tools: gateway.catalog.visible() };
  });
  server.setRequestHandler(CallToolRequestSchema, (request, extra) =>
    callTool(gateway, session, request.params.name, request.params.arguments, extra.signal),
  );
  server.setRequestHandler(ListResourcesRequestSchema, async () => ({
    resources: await listResources(gateway),
  }));
  server.setRequestHandler(ReadResourceRequestSchema, async (request, extra) => {
    const uri = request.params.uri;
    const owner = gateway.resourceOwner(uri);
    if (owner === undefined)
      throw refused(
        ERROR_CODES.MCP_RESOURCE_UNKNOWN,
        `no server lists the resource \`${uri.slice(0, 256)}\``,
      );
    return (await observe(
      gateway,
      session,
      resourceReadAction(owner),
      uri,
      { uri },
      extra.signal,
    )) as ReadResourceResult;
  });
  server.setRequestHandler(ListPromptsRequestSchema, async () => ({ prompts: await listPrompts(gateway) }));
  server.setRequestHandler(GetPromptRequestSchema, async (request, extra) => {
    const split = splitToolName(request.params.name);
    if (split === undefined || !gateway.downstreams.has(split.server))
      throw refused(
        ERROR_CODES.MCP_TOOL_UNKNOWN,
        `no server offers a prompt \`${request.params.name.slice(0, 256)}\``,
      );
    const args = { name: split.tool, arguments: { ...(request.params.arguments ?? {}) } };
    const resource = promptResource(split.server, split.tool);
    return (await observe(
      gateway,
      session,
      promptGetAction(split.server),
      resource,
      args,
      extra.signal,
    )) as GetPromptResult;
  });
}

/** An observation: decided and journaled like any intent, its result screened; refusals throw. */
async function observe(
  gateway: Gateway,
  session: GatewaySession,
  action: string,
  resource: string,
  args: { [key: string]: string | { [key: string]: string } },
  signal: AbortSignal,
): Promise<unknown> {
  const submitted = await submit(gateway, session, action, resource, args, signal);
  if (!submitted.ok) throw refusedFrom(submitted.refusal);
  const status = submitted.status;
  if (status.state !== 'committed') throw refusedFrom(refusalOf(status));
  const screened = await screenOutput(gateway, status, false);
  if (!screened.ok) throw refusedFrom(screened.refusal);
  return screened.result;
}

async function listResources(gateway: Gateway): Promise<Resource[]> {
  const out: Resource[] = [];
  for (const [name, server] of gateway.downstreams) {
    const listed = await server
      .supports('resources')
      .then((yes) => (yes ? server.listResources() : []))
      .catch(() => [] as Resource[]);
    for (const resource of listed) {
      gateway.claimResource(resource.uri, name);
      if (gateway.catalog.covers(resourceReadAction(name), resource.uri)) out.push(resource);
    }
  }
  return out;
}

async function listPrompts(gateway: Gateway): Promise<Prompt[]> {
  const out: Prompt[] = [];
  for (const [name, server] of gateway.downstreams) {
    const listed = await server
      .supports('prompts')
      .then((yes) => (yes ? server.listPrompts() : []))
      .catch(() => [] as Prompt[]);
    for (const prompt of listed) {
      if (gateway.catalog.covers(promptGetAction(name), promptResource(name, prompt.name)))
        out.push({ ...prompt, name: exposedToolName(name, prompt.name) });
    }
  }
  return out;
}

function promptResource(server: string, prompt: string): string {
  return `mcp:/${server}/prompts/${prompt}`;
}

function refused(code: string, message: string): McpError {
  return new McpError(MAOS_REFUSED, `MAOS denied this request: ${code}: ${message}`, { 'maos/code': code });
}

function refusedFrom(result: CallToolResult): McpError {
  const code = String(result._meta?.['maos/code'] ?? ERROR_CODES.MCP_SERVER_ERROR);
  const text = result.content[0]?.type === 'text' ? result.content[0].text : code;
  return new McpError(MAOS_REFUSED, text, {
    'maos/code': code,
    'maos/intentId': result._meta?.['maos/intentId'] ?? null,
  });
}
