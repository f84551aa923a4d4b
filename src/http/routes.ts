// The API's routes under /v1: each validates what it reads from the request, calls one method of
// the `KernelService`, and replies with its JSON view or `{ error: { code, message } }`.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LIMITS } from '../runtime/index.ts';
import type { Decider, IntentStatus, KernelService } from '../runtime/service.ts';
import { ERROR_CODES, type KernelError, type Result } from '../shared/index.ts';
import { registerDeclassifyRoute } from './declassify-route.ts';
import { errorBody, respond } from './error-status.ts';
import { registerPodRoutes } from './pod-routes.ts';
import { parseDecider, parseId, parseJournalQuery } from './request-input.ts';
import { registerSharedSessionRoutes } from './session-routes.ts';

type IdRequest = FastifyRequest<{ Params: { id?: string } }>;
type Decide = (id: string, decider: Decider) => Promise<Result<IntentStatus, KernelError>>;

/** Registers every /v1 route; `version` is the daemon's, reported by health. */
export function registerRoutes(app: FastifyInstance, service: KernelService, version: string): void {
  app.get('/v1/health', async () => ({ ...(await service.health()), version }));
  app.post('/v1/intents', { bodyLimit: LIMITS.intentBytesMax }, async (request, reply) => {
    if (request.body === undefined) {
      // WHY: an empty body parses to undefined; with no content-type at all the media type is wrong.
      return request.headers['content-type'] === undefined
        ? failWith(reply, 415, ERROR_CODES.INVALID_INPUT, 'content-type must be application/json')
        : failWith(reply, 400, ERROR_CODES.INVALID_JSON, 'the body is empty; send the intent as json');
    }
    return respond(reply, await service.submit(request.body));
  });
  app.get('/v1/intents/:id', async (request: IdRequest, reply) => {
    const id = parseId(request.params.id, 'the intent id');
    return id.ok ? respond(reply, await service.status(id.value)) : respond(reply, id);
  });
  app.post(
    '/v1/intents/:id/undo',
    decision((id, decider) => service.undo(id, decider)),
  );
  app.get('/v1/held', async () => service.held());
  app.post(
    '/v1/held/:id/approve',
    decision((id, decider) => service.approve(id, decider)),
  );
  app.post(
    '/v1/held/:id/reject',
    decision((id, decider) => service.reject(id, decider)),
  );
  app.get('/v1/journal', async (request, reply) => {
    const query = parseJournalQuery(request.query);
    return query.ok ? respond(reply, await service.journal(query.value)) : respond(reply, query);
  });
  app.get('/v1/journal/verify', async () => service.verify());
  registerSessionRoutes(app, service);
  registerDeclassifyRoute(app, service);
  if (service.pods !== undefined) registerPodRoutes(app, service.pods);
  registerSharedSessionRoutes(app, service.sessions);
  const tools = service.tools;
  if (tools === undefined) return;
  app.get('/v1/mcp/tools', async () => tools.list());
  app.post('/v1/mcp/tools/approve', async (request, reply) => {
    const { tools: listed, all, ...rest } = (request.body ?? {}) as Record<string, unknown>;
    const names = all === true ? 'all' : listed;
    if (names !== 'all' && !(Array.isArray(names) && names.length > 0 && names.every(isToolName))) {
      return failWith(
        reply,
        400,
        ERROR_CODES.INVALID_INPUT,
        'send `{ "tools": ["server__tool", …] }` or `{ "all": true }`',
      );
    }
    const decider = parseDecider(rest);
    if (!decider.ok) return respond(reply, decider);
    return respond(reply, await tools.approve(names, decider.value));
  });
}

/** Sessions (issue 7): opened by whoever drives the agent loop, never by an intent. */
function registerSessionRoutes(app: FastifyInstance, service: KernelService): void {
  app.post('/v1/sessions', { bodyLimit: TASK_BYTES_MAX }, async (request, reply) => {
    const { agent, task } = (request.body ?? {}) as Record<string, unknown>;
    if (typeof agent !== 'string' || agent.length === 0 || agent.length > LIMITS.idLengthMax) {
      return failWith(reply, 400, ERROR_CODES.INVALID_INPUT, 'send `{ "agent": "…", "task"?: "…" }`');
    }
    if (task !== undefined && typeof task !== 'string') {
      return failWith(reply, 400, ERROR_CODES.INVALID_INPUT, '`task` must be text');
    }
    return respond(reply, await service.openSession(agent, task));
  });
  app.get('/v1/sessions/:id', async (request: IdRequest, reply) => {
    const id = parseId(request.params.id, 'the session id');
    return id.ok ? respond(reply, await service.session(id.value)) : respond(reply, id);
  });
  app.post('/v1/sessions/:id/task', { bodyLimit: TASK_BYTES_MAX }, async (request: IdRequest, reply) => {
    const id = parseId(request.params.id, 'the session id');
    if (!id.ok) return respond(reply, id);
    const { text } = (request.body ?? {}) as Record<string, unknown>;
    if (typeof text !== 'string')
      return failWith(reply, 400, ERROR_CODES.INVALID_INPUT, 'send `{ "text": "…" }`');
    return respond(reply, await service.addTask(id.value, text));
  });
  app.delete('/v1/sessions/:id', async (request: IdRequest, reply) => {
    const id = parseId(request.params.id, 'the session id');
    return id.ok ? respond(reply, await service.closeSession(id.value)) : respond(reply, id);
  });
}

/** The user's request is text an agent reads; a megabyte is far more than a task needs. */
const TASK_BYTES_MAX = 1024 * 1024;

function isToolName(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= LIMITS.idLengthMax;
}

/** A handler for `POST …/:id/<decision>` with an optional `{ by, note }` body. */
function decision(decide: Decide) {
  return async (request: IdRequest, reply: FastifyReply) => {
    const id = parseId(request.params.id, 'the intent id');
    if (!id.ok) return respond(reply, id);
    const decider = parseDecider(request.body);
    if (!decider.ok) return respond(reply, decider);
    return respond(reply, await decide(id.value, decider.value));
  };
}

function failWith(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).send(errorBody(code, message));
}
