// Calls a fastify app in-process with a JSON body and a bearer token, as the HTTP route tests do:
// `auth: null` sends no Authorization header, `raw` sends a body as given.

import type { FastifyInstance } from 'fastify';

export type JsonReply = { status: number; body: unknown };

export type InjectOptions = {
  readonly raw?: string;
  readonly auth?: string | null;
  readonly on?: FastifyInstance;
};

export async function injectJson(
  app: FastifyInstance,
  token: string,
  request: { readonly method: 'GET' | 'POST'; readonly url: string; readonly body?: unknown },
  options: InjectOptions = {},
): Promise<JsonReply> {
  const headers: Record<string, string> = {};
  if (options.auth !== null) headers.authorization = options.auth ?? `Bearer ${token}`;
  const payload = options.raw ?? (request.body === undefined ? undefined : JSON.stringify(request.body));
  if (payload !== undefined) headers['content-type'] = 'application/json';
  const response = await (options.on ?? app).inject({
    method: request.method,
    url: request.url,
    headers,
    ...(payload === undefined ? {} : { payload }),
  });
  return { status: response.statusCode, body: response.body === '' ? undefined : JSON.parse(response.body) };
}
