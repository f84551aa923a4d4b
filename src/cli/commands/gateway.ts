// `maos gateway`: MAOS in front of MCP servers. Serves MCP to one client over stdio (or Streamable
// HTTP with --http), the HTTP API for approvals beside it, and `maos gateway tools list|approve`
// for pinned tools (through the running gateway, or offline when none runs).

import { parseArgs } from 'node:util';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { type HttpServer, startHttpServer } from '../../http/index.ts';
import { type Gateway, openGateway } from '../../mcp/gateway.ts';
import { listenMcpHttp, type McpHttpListener } from '../../mcp/http-transport.ts';
import { approvePinsOffline, listPinsOffline } from '../../mcp/offline-pins.ts';
import { GatewaySession } from '../../mcp/session.ts';
import {
  loadOrCreateMcpToken,
  MCP_TOKEN_FILE,
  removeDaemonInfo,
  writeApiToken,
  writeDaemonInfo,
} from '../../runtime/api-token.ts';
import type { GatewayToolView } from '../../runtime/service.ts';
import { packageVersion } from '../../runtime/version.ts';
import { ERROR_CODES, type KernelError, type Result } from '../../shared/index.ts';
import { CLIENT_OPTIONS, connectDaemon, reportFailure } from '../api-client.ts';
import { GATEWAY_HELP } from '../help.ts';
import { EXIT, printJson, reportError, UsageError } from '../io.ts';
import { waitForStop } from '../stop-signal.ts';
import { RUNTIME_OPTIONS, runtimeLocation } from './options.ts';
import { isLoopback, listen, parsePort } from './start.ts';

export async function gatewayCommand(args: string[]): Promise<number> {
  if (args[0] === 'tools') return toolsCommand(args.slice(1));
  const { values } = parseArgs({
    args,
    options: { ...RUNTIME_OPTIONS, http: { type: 'string' }, host: { type: 'string', default: '127.0.0.1' } },
  });
  if (values.help) {
    process.stdout.write(GATEWAY_HELP);
    return EXIT.ok;
  }
  if (!isLoopback(values.host))
    throw new UsageError(
      `refusing to serve MCP on \`${values.host}\`: the gateway listens on localhost only`,
    );
  const httpPort = values.http === undefined ? undefined : parsePort(values.http);
  const stop = waitForStop({ stdin: httpPort === undefined });
  const opened = await openGateway(runtimeLocation(values));
  if (!opened.ok) {
    stop.cancel();
    return reportError(opened.error);
  }
  const gateway = opened.value;
  let api: HttpServer | undefined;
  let mcpHttp: McpHttpListener | undefined;
  try {
    const token = await writeApiToken(gateway.runtime.dataDir);
    if (!token.ok) return reportError(token.error);
    const listening = await listen(() =>
      startHttpServer(gateway.service, {
        host: '127.0.0.1',
        port: 0,
        token: token.value,
        version: packageVersion(),
      }),
    );
    if (!('url' in listening)) return reportError(listening);
    api = listening;
    const info = await writeDaemonInfo(gateway.runtime.dataDir, { url: api.url, pid: process.pid });
    if (!info.ok) return reportError(info.error);
    if (httpPort === undefined) serveStdio(gateway, () => stop.stop('the client closed the connection'));
    if (httpPort !== undefined) {
      const mcpToken = await loadOrCreateMcpToken(gateway.runtime.dataDir);
      if (!mcpToken.ok) return reportError(mcpToken.error);
      mcpHttp = await listenMcpHttp(gateway, { host: values.host, port: httpPort, token: mcpToken.value });
      gateway.log(
        `MCP endpoint ${mcpHttp.url} (bearer token in ${gateway.runtime.dataDir}/${MCP_TOKEN_FILE})`,
      );
    }
    gateway.log(
      `serving ${gateway.catalog.visible().length} tools as agent \`${gateway.agent}\`; approvals: maos held / maos approve (api ${api.url})`,
    );
    await stop.reason;
    return EXIT.ok;
  } finally {
    await mcpHttp?.close();
    await api?.close();
    await removeDaemonInfo(gateway.runtime.dataDir).catch(() => undefined);
    await gateway.close();
    stop.cancel();
  }
}

/** Serves one client on stdin/stdout; `closed` runs when its transport closes. */
function serveStdio(gateway: Gateway, closed: () => void): void {
  const session = new GatewaySession(gateway);
  const transport = new StdioServerTransport();
  transport.onclose = closed;
  void session.server.connect(transport);
}

async function toolsCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...CLIENT_OPTIONS, all: { type: 'boolean' }, by: { type: 'string', default: 'operator' } },
  });
  const [verb, ...names] = positionals;
  if (values.help || verb === undefined) {
    process.stdout.write(GATEWAY_HELP);
    return values.help ? EXIT.ok : EXIT.usage;
  }
  if (verb !== 'list' && verb !== 'approve')
    throw new UsageError(`unknown \`tools\` command \`${verb}\`; use list or approve`);
  if (verb === 'approve' && names.length === 0 && values.all !== true)
    throw new UsageError('name the tools to approve (`server__tool`), or pass --all');
  const result = await viaDaemonOrOffline(values, verb, values.all === true ? 'all' : names, values.by);
  if (!result.ok) return reportFailure(result.error);
  if (values.json) printJson(result.value);
  else process.stdout.write(formatTools(result.value, verb));
  return EXIT.ok;
}

async function viaDaemonOrOffline(
  flags: { config: string; 'data-dir'?: string | undefined },
  verb: 'list' | 'approve',
  names: readonly string[] | 'all',
  by: string,
): Promise<Result<readonly GatewayToolView[], { code: string; message: string }>> {
  const client = await connectDaemon(flags);
  if (client.ok) {
    return verb === 'list'
      ? client.value.get<GatewayToolView[]>('/v1/mcp/tools')
      : client.value.post<GatewayToolView[]>(
          '/v1/mcp/tools/approve',
          names === 'all' ? { all: true, by } : { tools: names, by },
        );
  }
  if (client.error.code !== ERROR_CODES.DAEMON_UNREACHABLE) return client;
  const options = runtimeLocation(flags);
  const offline: Result<GatewayToolView[], KernelError> =
    verb === 'list' ? await listPinsOffline(options) : await approvePinsOffline(options, names, by);
  return offline;
}

function formatTools(tools: readonly GatewayToolView[], verb: 'list' | 'approve'): string {
  if (tools.length === 0) return verb === 'list' ? 'no tools known\n' : 'nothing was waiting for approval\n';
  const lines = tools.map((tool) => {
    const why = tool.reason === null ? '' : `\n    ${tool.reason}`;
    return `${verb === 'approve' ? 'approved' : tool.status.padEnd(8)}  ${tool.name}  ${tool.hash.slice(0, 12)}${why}`;
  });
  return `${lines.join('\n')}\n`;
}
