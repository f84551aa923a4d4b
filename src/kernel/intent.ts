// Intent: what an agent asks MAOS to do to the world (§13, §4.2 of the digest). Every effect and
// every observation becomes one; the DSC decides it, the commit layer executes it.

import { z } from 'zod';
import { CONFIDENTIALITY, INTEGRITY, type Label } from '../ifc/index.ts';
import {
  checkJsonValue,
  ERROR_CODES,
  fail,
  isUuidv7,
  type JsonValue,
  type KernelError,
  ok,
  parseJsonStrict,
  type Result,
} from '../shared/index.ts';
import { LIMITS } from './limits.ts';
import { SIDE_EFFECT_CLASSES, type SideEffectClass } from './side-effect.ts';
import { resourceProblem } from './token/pattern.ts';

export type JsonObject = { readonly [key: string]: JsonValue };

/** Amounts an intent expects to consume; missing amounts are zero. */
export type Cost = { readonly tokens: number; readonly apiCalls: number; readonly costMicros: number };

export type Intent = {
  readonly id: string;
  readonly agent: string;
  readonly action: string;
  readonly resource: string;
  readonly args: JsonObject;
  /** A serialized capability token (JWS general JSON), or `tok:<digest>` naming one already verified. */
  readonly token: string;
  /** As declared by the caller; the DSC uses the stricter of this and the action's policy. */
  readonly sideEffect: SideEffectClass;
  /** Label of the data the intent carries; missing means "whatever the agent could have read". */
  readonly labels: Label | undefined;
  readonly idempotencyKey: string | undefined;
  readonly session: string | undefined;
  /**
   * The resource's state hash as the agent last saw it (optimistic concurrency, §13.3): the commit
   * layer refuses the intent when the resource has changed since. Absent = no expectation.
   */
  readonly stateHash: string | undefined;
  readonly cost: Cost;
};

const id = z.string().min(1).max(LIMITS.idLengthMax);
const amount = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

const IntentInput = z.strictObject({
  id: z.string().refine(isUuidv7, 'must be a uuidv7'),
  agent: id,
  action: id.regex(/^[A-Za-z0-9_.:-]+$/, 'may hold letters, digits and _ . : - only'),
  resource: z.string().superRefine((resource, ctx) => {
    const problem = resourceProblem(resource);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  }),
  args: z.record(z.string(), z.unknown()).default({}),
  token: z.string().min(1).max(LIMITS.tokenBytesMax),
  sideEffect: z.string().optional(),
  labels: z
    .strictObject({ confidentiality: z.enum(CONFIDENTIALITY), integrity: z.enum(INTEGRITY) })
    .optional(),
  idempotencyKey: id.optional(),
  session: id.optional(),
  stateHash: id.optional(),
  cost: z
    .strictObject({ tokens: amount.optional(), apiCalls: amount.optional(), costMicros: amount.optional() })
    .optional(),
});

/**
 * Validates untrusted input (a JSON string, bytes or an already-parsed value) into an `Intent`.
 * Bad input never throws: it returns a `KernelError` with a stable code.
 */
export function parseIntent(input: string | Uint8Array | unknown): Result<Intent, KernelError> {
  const limits = { bytesMax: LIMITS.intentBytesMax, depthMax: LIMITS.intentDepthMax };
  const parsed =
    typeof input === 'string' || input instanceof Uint8Array
      ? parseJsonStrict(input, limits)
      : checkJsonValue(input, limits);
  if (!parsed.ok) return parsed;
  const result = IntentInput.safeParse(parsed.value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? 'intent' : `\`${issue.path.join('.')}\``;
    return fail(ERROR_CODES.INVALID_INPUT, `invalid intent: ${where} ${issue?.message ?? 'is invalid'}`, {
      path: issue?.path.map(String) ?? [],
    });
  }
  const value = result.data;
  const sideEffect = (SIDE_EFFECT_CLASSES as readonly string[]).includes(value.sideEffect ?? '')
    ? (value.sideEffect as SideEffectClass)
    : 'write';
  return ok({
    id: value.id,
    agent: value.agent,
    action: value.action,
    resource: value.resource,
    args: value.args as JsonObject,
    token: value.token,
    sideEffect,
    labels: value.labels,
    idempotencyKey: value.idempotencyKey,
    session: value.session,
    stateHash: value.stateHash,
    cost: {
      tokens: value.cost?.tokens ?? 0,
      apiCalls: value.cost?.apiCalls ?? 0,
      costMicros: value.cost?.costMicros ?? 0,
    },
  });
}
