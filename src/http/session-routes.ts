// The API's routes for the pods' shared sessions (issue 5): create one, mint a member's join token,
// show one (its hash chain re-checked), each a call of the daemon's `SessionControl`.
// WHY /v1/shared-sessions and not /v1/sessions: that path is the kernel sessions' (issue 7, routes.ts).

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { JOIN_TOKEN_TTL_MS_MAX } from '../runtime/pod-sessions.ts';
import type { SessionControl } from '../runtime/service.ts';
import {
  AGENT_ID_PATTERN,
  ERROR_CODES,
  fail,
  type KernelError,
  ok,
  parseJsonStrict,
  type Result,
} from '../shared/index.ts';
import { respond } from './error-status.ts';
import { parseAgentId } from './pod-routes.ts';
import { clip, type Fields, invalid, parseFields } from './request-input.ts';

export const SHARED_SESSIONS_PATH = '/v1/shared-sessions';

/** What `POST …/tokens` answers: the token, and its expiry (epoch ms) when it can be read from it. */
export type JoinTokenView = { readonly token: string; readonly expiresAtMs?: number };

const DURATION = /^(\d{1,15})(ms|s|m|h|d)$/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

type SessionRequest = FastifyRequest<{ Params: { id?: string } }>;
type CreateRequest = Parameters<SessionControl['create']>[0];

/** Registers the shared-session routes; without `sessions` each answers NOT_FOUND, saying why. */
export function registerSharedSessionRoutes(
  app: FastifyInstance,
  sessions: SessionControl | undefined,
): void {
  app.post(SHARED_SESSIONS_PATH, async (request, reply) => {
    if (sessions === undefined) return respond(reply, notHosted());
    const expected = '`{ "id": "…", "members": ["…"], "readOnly"?: ["…"] }`';
    const fields = parseFields(request.body, ['id', 'members', 'readOnly'], expected);
    if (!fields.ok) return respond(reply, fields);
    const created = parseCreate(fields.value);
    if (!created.ok) return respond(reply, created);
    return respond(reply, await sessions.create(created.value), 201);
  });
  app.post(`${SHARED_SESSIONS_PATH}/:id/tokens`, async (request: SessionRequest, reply) => {
    if (sessions === undefined) return respond(reply, notHosted());
    const id = parseSessionId(request.params.id);
    if (!id.ok) return respond(reply, id);
    const fields = parseFields(request.body, ['agent', 'ttl'], '`{ "agent": "…", "ttl"?: "10m" }`');
    if (!fields.ok) return respond(reply, fields);
    const agent = parseAgentId(fields.value.agent);
    if (!agent.ok) return respond(reply, agent);
    const ttl = fields.value.ttl === undefined ? ok(undefined) : parseTtl(fields.value.ttl);
    if (!ttl.ok) return respond(reply, ttl);
    const minted = await sessions.token(id.value, agent.value, ttl.value);
    return respond(reply, minted.ok ? ok(tokenView(minted.value)) : minted);
  });
  app.get(`${SHARED_SESSIONS_PATH}/:id`, async (request: SessionRequest, reply) => {
    if (sessions === undefined) return respond(reply, notHosted());
    const id = parseSessionId(request.params.id);
    if (!id.ok) return respond(reply, id);
    return respond(reply, await sessions.show(id.value));
  });
}

/** A session id: the agent id grammar (letters, digits, `_ . -`, 1 to 128), not only dots. */
export function parseSessionId(value: unknown): Result<string, KernelError> {
  if (typeof value !== 'string' || !AGENT_ID_PATTERN.test(value) || /^\.+$/.test(value)) {
    const shown = typeof value === 'string' ? ` \`${clip(value)}\`` : '';
    return invalid(
      `the session id${shown} must be 1 to 128 letters, digits, \`_\`, \`.\` or \`-\`, not only dots`,
    );
  }
  return ok(value);
}

/**
 * A join token's lifetime: a duration like the CLI's (`30s`, `10m`, `1h`), at least 1 ms and at most
 * JOIN_TOKEN_TTL_MS_MAX (TOKEN_TTL_EXCESSIVE above it, as the runtime itself would answer).
 */
export function parseTtl(value: unknown): Result<number, KernelError> {
  const match = typeof value === 'string' ? DURATION.exec(value) : null;
  const ms = match === null ? 0 : Number(match[1]) * (UNIT_MS[match[2] ?? ''] ?? 0);
  if (ms <= 0) {
    const shown = typeof value === 'string' ? `, not \`${clip(value)}\`` : '';
    return invalid(`\`ttl\` must be a duration like 30s, 10m or 1h${shown}`);
  }
  if (ms > JOIN_TOKEN_TTL_MS_MAX) {
    return fail(
      ERROR_CODES.TOKEN_TTL_EXCESSIVE,
      `\`ttl\` must be at most ${JOIN_TOKEN_TTL_MS_MAX / 60_000}m, not \`${clip(String(value))}\``,
    );
  }
  return ok(ms);
}

function parseCreate(fields: Fields): Result<CreateRequest, KernelError> {
  const id = parseSessionId(fields.id);
  if (!id.ok) return id;
  const members = parseAgentList(fields.members, '`members`');
  if (!members.ok) return members;
  if (members.value.length === 0) return invalid('`members` must name at least one agent');
  if (fields.readOnly === undefined) return ok({ id: id.value, members: members.value });
  const readOnly = parseAgentList(fields.readOnly, '`readOnly`');
  if (!readOnly.ok) return readOnly;
  return ok({ id: id.value, members: members.value, readOnly: readOnly.value });
}

/** An array of agent ids; how many, distinct and which are members is the runtime's to check. */
function parseAgentList(value: unknown, what: string): Result<readonly string[], KernelError> {
  if (!Array.isArray(value)) return invalid(`${what} must be an array of agent ids`);
  for (const item of value) {
    const agent = parseAgentId(item);
    if (!agent.ok) return fail(agent.error.code, `${what}: ${agent.error.message}`);
  }
  return ok(value as readonly string[]);
}

/** The token, and its `exp` claim: the payload is base64url canonical JSON the daemon just signed. */
function tokenView(token: string): JoinTokenView {
  const claims = parseJsonStrict(Buffer.from(token.split('.')[0] ?? '', 'base64url'), {
    bytesMax: token.length,
    depthMax: 2,
  });
  const exp = claims.ok ? (claims.value as { exp?: unknown } | null)?.exp : undefined;
  return typeof exp === 'number' && Number.isSafeInteger(exp) ? { token, expiresAtMs: exp } : { token };
}

function notHosted(): Result<never, KernelError> {
  return fail(
    ERROR_CODES.NOT_FOUND,
    'this daemon hosts no shared sessions: they come with agent pods (`maos start`)',
  );
}
