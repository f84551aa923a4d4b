// The ticket service `maos demo` talks to: a tiny in-memory HTTP server on 127.0.0.1, standing in
// for any outside system an agent changes. It logs every request so the demo can show what arrived.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Ticket = { readonly id: number; readonly title: string; status: string };

export type TicketServer = {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly origin: string;
  /** The tickets that exist now. */
  tickets(): readonly Ticket[];
  /** Every request so far, as `METHOD /path`. */
  readonly requests: string[];
  close(): Promise<void>;
};

const BODY_BYTES_MAX = 64 * 1024;

/**
 * Serves `GET /tickets`, `POST /tickets` (201 `{ id, title, status }`), `GET`/`PUT /tickets/:id`
 * (PUT merges `status`) and `DELETE /tickets/:id` (204, or 404 when there is no such ticket).
 */
export async function startTicketServer(): Promise<TicketServer> {
  const state: State = { tickets: new Map(), nextId: 1 };
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method ?? '?'} ${req.url ?? '/'}`);
    readBody(req)
      .then((body) => send(res, route(state, req.method ?? '', req.url ?? '', body)))
      .catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    tickets: () => [...state.tickets.values()],
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        // WHY: fetch keeps connections alive; without this, close waits for them to time out.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

type State = { readonly tickets: Map<number, Ticket>; nextId: number };
type Reply = { readonly status: number; readonly body?: unknown; readonly location?: string };

function route(state: State, method: string, url: string, body: Record<string, unknown> | undefined): Reply {
  const path = url.split('?')[0] ?? '';
  if (path === '/tickets' && method === 'GET') return { status: 200, body: [...state.tickets.values()] };
  if (path === '/tickets' && method === 'POST') {
    const title = typeof body?.title === 'string' ? body.title : 'untitled';
    const ticket = { id: state.nextId++, title, status: 'open' };
    state.tickets.set(ticket.id, ticket);
    return { status: 201, body: ticket, location: `/tickets/${ticket.id}` };
  }
  const one = /^\/tickets\/(\d+)$/.exec(path);
  if (one === null) return { status: 404, body: { error: 'no such route' } };
  const ticket = state.tickets.get(Number(one[1]));
  if (ticket === undefined) return { status: 404, body: { error: 'no such ticket' } };
  if (method === 'GET') return { status: 200, body: ticket };
  if (method === 'PUT') {
    if (typeof body?.status === 'string') ticket.status = body.status;
    return { status: 200, body: ticket };
  }
  if (method === 'DELETE') {
    state.tickets.delete(ticket.id);
    return { status: 204 };
  }
  return { status: 405, body: { error: 'method not allowed' } };
}

/** The JSON object a request carries, or undefined when it carries none (or not JSON). */
async function readBody(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of req) {
    bytes += (chunk as Buffer).length;
    if (bytes > BODY_BYTES_MAX) return undefined;
    chunks.push(chunk as Buffer);
  }
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = reply.location === undefined ? {} : { location: reply.location };
  if (reply.body === undefined) {
    res.writeHead(reply.status, headers).end();
    return;
  }
  headers['content-type'] = 'application/json';
  res.writeHead(reply.status, headers).end(JSON.stringify(reply.body));
}
