// The gateway over Streamable HTTP (`maos gateway --http <port>`): one endpoint, `/mcp`, on
// localhost; every request needs the data directory's bearer token; the Host header must name this
// listener (DNS-rebinding protection); one gateway session per MCP session, at most SESSIONS_MAX.

import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type Server as NodeServer,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Gateway } from './gateway.ts';
import { GatewaySession } from './session.ts';

export const HTTP_LIMITS = {
  sessionsMax: 64,
  /** A session no request has touched for this long is closed (clients often leave without DELETE). */
  sessionIdleMs: 30 * 60_000,
  bodyBytesMax: 4 * 1024 * 1024,
} as const;

export type McpHttpListener = {
  readonly url: string;
  close(): Promise<void>;
};

export async function listenMcpHttp(
  gateway: Gateway,
  options: { readonly host: string; readonly port: number; readonly token: string },
): Promise<McpHttpListener> {
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const lastSeen = new Map<string, number>();
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [id, at] of lastSeen) {
      if (now - at > HTTP_LIMITS.sessionIdleMs) void transports.get(id)?.close();
    }
  }, 60_000);
  sweep.unref();
  const expected = digest(`Bearer ${options.token}`);
  let allowedHosts: string[] = [];
  const server: NodeServer = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      gateway.log(`http: ${error instanceof Error ? error.message : String(error)}`);
      if (!response.headersSent) reply(response, 500, 'INTERNAL', 'the gateway failed to answer');
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!authorized(request.headers.authorization, expected))
      return reply(response, 401, 'UNAUTHORIZED', 'send the bearer token from <data-dir>/api-token');
    if (new URL(request.url ?? '/', 'http://x').pathname !== '/mcp')
      return reply(response, 404, 'NOT_FOUND', 'the endpoint is /mcp');
    const length = Number(request.headers['content-length'] ?? 0);
    if (request.method === 'POST' && !(length <= HTTP_LIMITS.bodyBytesMax))
      return reply(response, 413, 'INVALID_INPUT', `bodies are limited to ${HTTP_LIMITS.bodyBytesMax} bytes`);
    const id = request.headers['mcp-session-id'];
    const known = typeof id === 'string' ? transports.get(id) : undefined;
    if (known !== undefined) {
      lastSeen.set(id as string, Date.now());
      return known.handleRequest(request, response);
    }
    if (typeof id === 'string')
      return reply(response, 404, 'NOT_FOUND', 'no such MCP session; initialize again');
    if (request.method !== 'POST')
      return reply(response, 400, 'INVALID_INPUT', 'initialize with a POST first');
    if (transports.size >= HTTP_LIMITS.sessionsMax)
      return reply(response, 503, 'RATE_LIMITED', `at most ${HTTP_LIMITS.sessionsMax} sessions at once`);
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      enableDnsRebindingProtection: true,
      allowedHosts,
      onsessioninitialized: (sessionId) => {
        transports.set(sessionId, transport);
        lastSeen.set(sessionId, Date.now());
      },
    });
    transport.onclose = () => {
      if (transport.sessionId === undefined) return;
      transports.delete(transport.sessionId);
      lastSeen.delete(transport.sessionId);
    };
    const session = new GatewaySession(gateway);
    await session.server.connect(transport);
    await transport.handleRequest(request, response);
    // WHY: a first request that was not `initialize` made no session; drop the one built for it.
    if (transport.sessionId === undefined) await session.server.close();
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  allowedHosts = [`${host}:${address.port}`, `localhost:${address.port}`];
  return {
    url: `http://${host}:${address.port}/mcp`,
    close: async () => {
      clearInterval(sweep);
      await Promise.all(
        [...transports.values()].map((transport) => transport.close().catch(() => undefined)),
      );
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** RFC 7235: the scheme is case-insensitive; the token is compared in constant time (by digest). */
function authorized(header: string | undefined, expected: Buffer): boolean {
  const match = header === undefined ? null : /^bearer +(\S+)$/i.exec(header);
  return match !== null && timingSafeEqual(digest(`Bearer ${match[1]}`), expected);
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function reply(response: ServerResponse, status: number, code: string, message: string): void {
  const challenge = status === 401 ? { 'www-authenticate': 'Bearer realm="maos-gateway"' } : {};
  response.writeHead(status, { 'content-type': 'application/json', ...challenge });
  response.end(JSON.stringify({ error: { code, message } }));
}
