// The daemon's HTTP API (fastify) on localhost: bearer-token auth on every route, strict JSON
// bodies, and every failure, fastify's own included, as `{ error: { code, message } }`.

import type { AddressInfo } from 'node:net';
import {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  fastify,
} from 'fastify';
import { LIMITS } from '../runtime/index.ts';
import type { KernelService } from '../runtime/service.ts';
import { assert, ERROR_CODES, isKernelError, parseJsonStrict } from '../shared/index.ts';
import { bearerChecker } from './auth.ts';
import { type ErrorBody, errorBody, INTERNAL_CODE, statusForCode } from './error-status.ts';
import { clip, DECIDER_BYTES_MAX } from './request-input.ts';
import { registerRoutes } from './routes.ts';

export type HttpServerOptions = {
  /** Interface to listen on; default 127.0.0.1. */
  readonly host?: string | undefined;
  /** TCP port; 0 (the default) picks a free one. */
  readonly port?: number | undefined;
  /** The bearer token every request must carry. */
  readonly token: string;
  /** The daemon's version, reported by `GET /v1/health`. */
  readonly version: string;
  /** Called with any failure that is not a `KernelError` (a bug); the client only sees INTERNAL. */
  readonly onInternalError?: ((error: unknown) => void) | undefined;
};

export type HttpServer = {
  /** Base URL, such as `http://127.0.0.1:4100`. */
  readonly url: string;
  close(): Promise<void>;
};

const REQUEST_TIMEOUT_MS = 30_000;
const TOKEN_LENGTH_MIN = 16;

/** Builds the API without listening: `startHttpServer` listens, tests may `inject`. */
export function buildHttpApp(service: KernelService, options: HttpServerOptions): FastifyInstance {
  assert(options.token.length >= TOKEN_LENGTH_MIN, 'the api token is too short');
  const authorized = bearerChecker(options.token);
  const app = fastify({
    logger: false,
    bodyLimit: DECIDER_BYTES_MAX,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    requestTimeout: REQUEST_TIMEOUT_MS,
    return503OnClosing: true,
    routerOptions: { maxParamLength: LIMITS.idLengthMax },
    // WHY: a malformed url or an overlong path segment fails before routing; answer it like the rest.
    frameworkErrors: (error, request, generic) => {
      const reply = generic as FastifyReply;
      if (!authorized(request.headers.authorization)) return unauthorized(reply);
      const message =
        error.code === 'FST_ERR_MAX_PARAM_LENGTH'
          ? `a path segment is longer than ${LIMITS.idLengthMax} characters`
          : 'the url is malformed';
      return reply.code(400).send(errorBody(ERROR_CODES.INVALID_INPUT, message));
    },
  });
  app.addHook('onRequest', async (request, reply) => {
    // Returning the sent reply ends the request here, before its body is read.
    if (!authorized(request.headers.authorization)) return unauthorized(reply);
  });
  acceptJsonOnly(app);
  app.setNotFoundHandler(async (request, reply) =>
    reply
      .code(404)
      .send(errorBody(ERROR_CODES.NOT_FOUND, `no route \`${request.method} ${clip(request.url)}\``)),
  );
  app.setErrorHandler(async (error: unknown, request, reply) => {
    const { status, body } = describeError(error, request, options.onInternalError ?? reportToStderr);
    return reply.code(status).send(body);
  });
  registerRoutes(app, service, options.version);
  return app;
}

/** Starts the API and resolves once it listens. Rejects when it cannot listen (address in use). */
export async function startHttpServer(
  service: KernelService,
  options: HttpServerOptions,
): Promise<HttpServer> {
  const app = buildHttpApp(service, options);
  await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { url: `http://${host}:${address.port}`, close: () => app.close() };
}

/**
 * WHY: only `application/json` is accepted, parsed by the kernel's strict parser (UTF-8, depth,
 * no `__proto__` / `constructor` / `prototype` keys) rather than fastify's, so a bad body gets the
 * same stable code over HTTP as on the command line. An empty body parses to undefined.
 */
function acceptJsonOnly(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    if (bytes.length === 0) return done(null, undefined);
    const limit = request.routeOptions.bodyLimit ?? DECIDER_BYTES_MAX;
    const parsed = parseJsonStrict(bytes, { bytesMax: limit, depthMax: LIMITS.intentDepthMax });
    return parsed.ok ? done(null, parsed.value) : done(parsed.error, undefined);
  });
}

function describeError(
  error: unknown,
  request: FastifyRequest,
  onInternalError: (error: unknown) => void,
): { status: number; body: ErrorBody } {
  if (isKernelError(error)) {
    return { status: statusForCode(error.code), body: errorBody(error.code, error.message) };
  }
  const code = (error as Partial<FastifyError>).code;
  const statusCode = (error as Partial<FastifyError>).statusCode;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    const limit = request.routeOptions.bodyLimit ?? DECIDER_BYTES_MAX;
    const body = errorBody(ERROR_CODES.OVERSIZED_INPUT, `the body is larger than ${limit} bytes`);
    return { status: 413, body };
  }
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    const type = clip(request.headers['content-type'] ?? 'none');
    const body = errorBody(
      ERROR_CODES.INVALID_INPUT,
      `content-type must be application/json, not \`${type}\``,
    );
    return { status: 415, body };
  }
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    const what = typeof code === 'string' ? ` (${code})` : '';
    return {
      status: statusCode,
      body: errorBody(ERROR_CODES.INVALID_INPUT, `the request is malformed${what}`),
    };
  }
  onInternalError(error);
  return { status: 500, body: errorBody(INTERNAL_CODE, 'internal error; see the daemon log') };
}

function unauthorized(reply: FastifyReply): FastifyReply {
  return reply
    .code(401)
    .header('www-authenticate', 'Bearer')
    .send(errorBody(ERROR_CODES.UNAUTHORIZED, 'missing or wrong bearer token; see `<dataDir>/api-token`'));
}

function reportToStderr(error: unknown): void {
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`maos: internal error in the http api: ${text}\n`);
}
