// One line of a recorded agent trace (issue 7): the user's task, a tool call, what a call
// returned, or a declassification request. `meta` lines describe a scenario and are ignored by replay.

import { z } from 'zod';
import { GATE1_TEXT_BYTES_MAX, JUSTIFICATION_CHARS_MAX } from '../ifc/declassify/index.ts';
import { CONFIDENTIALITY, type Confidentiality } from '../ifc/index.ts';
import { LIMITS } from '../kernel/index.ts';
import {
  ERROR_CODES,
  fail,
  type JsonValue,
  type KernelError,
  ok,
  parseJsonStrict,
  type Result,
} from '../shared/index.ts';

/** A longer line is refused before it is parsed. */
export const TRACE_LINE_BYTES_MAX = 8 * 1024 * 1024;

const id = z.string().min(1).max(LIMITS.idLengthMax);

const TraceLineSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('meta') }).loose(),
  z.strictObject({ kind: z.literal('task'), agent: id, text: z.string().max(TRACE_LINE_BYTES_MAX) }),
  z.strictObject({
    kind: z.literal('call'),
    id,
    agent: id,
    tool: z.string().min(1).max(LIMITS.idLengthMax),
    args: z.record(z.string(), z.unknown()).default({}),
  }),
  z.strictObject({ kind: z.literal('result'), call: id, output: z.unknown() }),
  z.strictObject({
    kind: z.literal('declassify'),
    id,
    agent: id,
    // WHY: gate 1 refuses more than 1 MiB of UTF-8; a text longer in characters is refused here.
    text: z.string().min(1).max(GATE1_TEXT_BYTES_MAX),
    to: z.enum(CONFIDENTIALITY),
    justification: z.string().max(JUSTIFICATION_CHARS_MAX).default(''),
  }),
]);

export type TraceLine =
  | { readonly kind: 'meta'; readonly [key: string]: unknown }
  | { readonly kind: 'task'; readonly agent: string; readonly text: string }
  | {
      readonly kind: 'call';
      readonly id: string;
      readonly agent: string;
      readonly tool: string;
      readonly args: Readonly<Record<string, JsonValue>>;
    }
  | { readonly kind: 'result'; readonly call: string; readonly output: JsonValue }
  | {
      readonly kind: 'declassify';
      readonly id: string;
      readonly agent: string;
      readonly text: string;
      readonly to: Confidentiality;
      readonly justification: string;
    };

/** Parses one line; bad JSON, hostile nesting or an unknown shape is an error with a stable code. */
export function parseTraceLine(text: string): Result<TraceLine, KernelError> {
  if (text.length > TRACE_LINE_BYTES_MAX) {
    return fail(ERROR_CODES.OVERSIZED_INPUT, `trace line longer than ${TRACE_LINE_BYTES_MAX} characters`);
  }
  const parsed = parseJsonStrict(text, { bytesMax: TRACE_LINE_BYTES_MAX, depthMax: 256 });
  if (!parsed.ok) return parsed;
  const line = TraceLineSchema.safeParse(parsed.value);
  if (!line.success) {
    const issue = line.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? 'line' : `\`${issue.path.join('.')}\``;
    return fail(ERROR_CODES.INVALID_INPUT, `invalid trace line: ${where} ${issue?.message ?? 'is invalid'}`);
  }
  const value = line.data;
  if (value.kind === 'result')
    return ok({ kind: 'result', call: value.call, output: (value.output ?? null) as JsonValue });
  return ok(value as TraceLine);
}
