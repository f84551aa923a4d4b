// What the http connector sends: a canonical http(s) URL without credentials, the agent's headers
// minus hop-by-hop and framing ones, and an optional JSON body. All checked before any request.

import { ERROR_CODES, type JsonValue, KernelError } from '../shared/index.ts';

export const URL_LENGTH_MAX = 8192;
const HEADERS_MAX = 64;
const HEADER_VALUE_LENGTH_MAX = 8192;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// WHY: fetch sends header values as bytes; CR and LF would split headers, NUL is never valid.
const HEADER_VALUE = /^[\t\u0020-\u007e\u0080-\u00ff]*$/;

/**
 * Headers an agent may not set. Hop-by-hop headers (RFC 9110 §7.6.1) and framing (`host`,
 * `content-length`) belong to the transport; `idempotency-key` belongs to the kernel, which sets it
 * to the intent id; `expect` would stall a request on an interim response.
 */
const DROPPED = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'idempotency-key',
  'expect',
]);

function invalid(message: string): KernelError {
  return new KernelError(ERROR_CODES.INVALID_INPUT, message);
}

/** Checks the parts every http URL here must satisfy: http or https, no credentials, no fragment. */
function checkUrl(url: URL, text: string): URL {
  // WHY: first, so no later message echoes a password.
  if (url.username !== '' || url.password !== '')
    throw invalid('url carries credentials, which are not allowed');
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalid(`url \`${text}\` is not http or https`);
  }
  if (url.hash !== '' || text.includes('#')) throw invalid(`url \`${text}\` has a fragment`);
  return url;
}

/**
 * Parses a resource as an absolute http(s) URL in its canonical (WHATWG-serialized) spelling.
 * WHY canonical: locks and policies match by resource string; `http://h/a/%2e%2e/b` or `HTTP://h`
 * would otherwise reach a different URL than the string the policy approved.
 */
export function parseResourceUrl(resource: unknown): URL {
  if (typeof resource !== 'string') throw invalid('resource is not a string');
  if (resource.length > URL_LENGTH_MAX) throw invalid(`url is longer than ${URL_LENGTH_MAX} characters`);
  const url = URL.parse(resource);
  if (url === null) throw invalid(`resource \`${resource}\` is not an absolute url`);
  checkUrl(url, resource);
  if (url.href !== resource) throw invalid(`url \`${resource}\` is not canonical: use \`${url.href}\``);
  return url;
}

/**
 * The URL of a compensating request: `resolved` may be relative (a `Location` header usually is)
 * and is taken relative to the effect's resource. It must stay on the resource's origin, so a
 * response can never aim the compensation at another host.
 */
export function compensationUrl(resolved: string, resource: string): URL {
  const base = parseResourceUrl(resource);
  const url = URL.parse(resolved, base.href);
  if (url === null || resolved.length > URL_LENGTH_MAX) {
    throw new KernelError(ERROR_CODES.UNDO_IMPOSSIBLE, `compensation url \`${resolved}\` is not a url`);
  }
  try {
    checkUrl(url, url.href);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new KernelError(ERROR_CODES.UNDO_IMPOSSIBLE, `compensation ${message}`);
  }
  if (url.origin !== base.origin) {
    throw new KernelError(
      ERROR_CODES.UNDO_IMPOSSIBLE,
      `compensation url \`${url.href}\` leaves the origin \`${base.origin}\` of the effect`,
    );
  }
  return url;
}

export type RequestParts = { readonly headers: Headers; readonly body: string | undefined };

/** Builds headers and body from `args` (`{ body?, headers? }`); refuses unknown keys and bad headers. */
export function requestParts(
  action: string,
  method: string,
  args: Readonly<Record<string, JsonValue>>,
): RequestParts {
  for (const key of Object.keys(args)) {
    if (key !== 'body' && key !== 'headers') throw invalid(`\`${action}\` does not take argument \`${key}\``);
  }
  const headers = agentHeaders(action, args.headers);
  if (args.body === undefined) return { headers, body: undefined };
  if (method === 'GET' || method === 'HEAD') throw invalid(`\`${action}\` cannot carry a body`);
  headers.set('content-type', 'application/json');
  return { headers, body: JSON.stringify(args.body) };
}

function agentHeaders(action: string, value: JsonValue | undefined): Headers {
  const headers = new Headers();
  if (value === undefined) return headers;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalid(`\`${action}\` headers must be an object of strings`);
  }
  const entries = Object.entries(value);
  if (entries.length > HEADERS_MAX) throw invalid(`\`${action}\` has more than ${HEADERS_MAX} headers`);
  const dropped = new Set(DROPPED);
  for (const [name, text] of entries) {
    if (name.toLowerCase() === 'connection' && typeof text === 'string') {
      for (const listed of text.split(',')) dropped.add(listed.trim().toLowerCase());
    }
  }
  for (const [name, text] of entries) {
    if (!TOKEN.test(name)) throw invalid(`header name \`${name.slice(0, 64)}\` is not valid`);
    if (typeof text !== 'string' || text.length > HEADER_VALUE_LENGTH_MAX || !HEADER_VALUE.test(text)) {
      throw invalid(
        `header \`${name}\` must be a single-line string of at most ${HEADER_VALUE_LENGTH_MAX} characters`,
      );
    }
    if (!dropped.has(name.toLowerCase())) headers.append(name, text);
  }
  return headers;
}
