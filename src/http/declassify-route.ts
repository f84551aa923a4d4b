// `POST /v1/sessions/:id/declassify` (§11.3, issue 7): a live session asks to release a text to a
// lower level; the service runs the three gates, journals `ifc.declassify` and grants on allow.
// Every verdict is a 200 with the decision (a denial is data); bad input is a 4xx with a code.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DeclassifyInput, KernelService } from '../runtime/service.ts';
import {
  DECLASSIFY_JUSTIFICATION_CHARS_MAX,
  DECLASSIFY_TEXT_BYTES_MAX,
} from '../runtime/session-declassify.ts';
import { ERROR_CODES, fail, type KernelError, ok, type Result } from '../shared/index.ts';
import { respond } from './error-status.ts';
import { invalid, parseFields, parseId } from './request-input.ts';

/** JSON escapes can take six bytes per character; the text's own bound is checked after parsing. */
export const DECLASSIFY_BODY_BYTES_MAX = 7 * 1024 * 1024;

/** The confidentiality levels (http/ may not import ifc/, so they are spelled here). */
const LEVELS = ['PUBLIC', 'INTERNAL', 'CONFIDENTIAL', 'RESTRICTED'] as const;
const EXPECTED = '`{ "text": "…", "to": "INTERNAL", "justification"?: "…" }`';

type IdRequest = FastifyRequest<{ Params: { id?: string } }>;

export function registerDeclassifyRoute(app: FastifyInstance, service: KernelService): void {
  app.post(
    '/v1/sessions/:id/declassify',
    { bodyLimit: DECLASSIFY_BODY_BYTES_MAX },
    async (request: IdRequest, reply) => {
      const declassify = service.declassify?.bind(service);
      if (declassify === undefined) {
        return respond(reply, fail(ERROR_CODES.NOT_FOUND, 'this daemon offers no declassification'));
      }
      const id = parseId(request.params.id, 'the session id');
      if (!id.ok) return respond(reply, id);
      const input = parseDeclassifyBody(request.body);
      if (!input.ok) return respond(reply, input);
      return respond(reply, await declassify(id.value, input.value));
    },
  );
}

/** `{ text, to, justification? }`: a non-empty text of at most 1 MiB, a level, a bounded justification. */
export function parseDeclassifyBody(body: unknown): Result<DeclassifyInput, KernelError> {
  const fields = parseFields(body, ['text', 'to', 'justification'], EXPECTED);
  if (!fields.ok) return fields;
  const { text, to, justification = '' } = fields.value;
  if (typeof text !== 'string' || text.trim() === '') return invalid(`\`text\` must be non-empty text`);
  if (Buffer.byteLength(text, 'utf8') > DECLASSIFY_TEXT_BYTES_MAX) {
    return fail(
      ERROR_CODES.OVERSIZED_INPUT,
      `\`text\` must be at most ${DECLASSIFY_TEXT_BYTES_MAX} bytes of utf-8`,
    );
  }
  const level = LEVELS.find((candidate) => candidate === to);
  if (level === undefined) return invalid(`\`to\` must be one of ${LEVELS.join(', ')}`);
  if (typeof justification !== 'string' || justification.length > DECLASSIFY_JUSTIFICATION_CHARS_MAX) {
    return invalid(
      `\`justification\` must be text of at most ${DECLASSIFY_JUSTIFICATION_CHARS_MAX} characters`,
    );
  }
  return ok({ text, to: level, justification });
}
