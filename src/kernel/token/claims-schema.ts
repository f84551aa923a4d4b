// Strict schema for token claims: every field bounded, unknown keys refused, embedded parents at most
// LIMITS.tokenChainDepthMax deep. Applied at mint and after both signatures verify.

import { z } from 'zod';
import { ERROR_CODES, fail, isUuidv7, type KernelError, ok, type Result } from '../../shared/index.ts';
import { LIMITS } from '../limits.ts';
import type { TokenClaims } from './claims.ts';
import { actionPatternProblem, resourcePatternProblem } from './pattern.ts';

const name = z.string().min(1).max(LIMITS.idLengthMax);
const text = z.string().min(1).max(LIMITS.tokenTextLengthMax);
const timeMs = z.int().min(0).max(Number.MAX_SAFE_INTEGER);
const count = z.int().min(1).max(Number.MAX_SAFE_INTEGER);
const amount = z.int().min(0).max(Number.MAX_SAFE_INTEGER);

const actionPattern = z.string().superRefine((value, ctx) => {
  const problem = actionPatternProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

const resourcePattern = z.string().superRefine((value, ctx) => {
  const problem = resourcePatternProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

export const ScopeSchema = z.strictObject({
  action: actionPattern,
  resource: resourcePattern,
  constraint: z
    .array(z.string().min(1).max(LIMITS.constraintLengthMax))
    .max(LIMITS.constraintsPerScopeMax)
    .optional(),
});

export const RateSchema = z.strictObject({ max: count, windowMs: count });
export const BudgetSchema = z.strictObject({ tokens: amount, apiCalls: amount, costMicros: amount });

const baseFields = {
  jti: z.string().refine(isUuidv7, 'must be a uuidv7'),
  kid: name,
  iss: name,
  sub: name,
  aud: name,
  iat: timeMs,
  nbf: timeMs,
  exp: timeMs,
  epoch: amount,
  ring: z.literal([1, 2, 3]),
  trust: z.enum(['internal', 'external']),
  scopes: z.array(ScopeSchema).min(1).max(LIMITS.tokenScopesMax),
  maxUses: count.optional(),
  rate: RateSchema.optional(),
  budget: BudgetSchema.optional(),
  ttlAck: z.strictObject({ by: name, reason: text, atMs: timeMs }).optional(),
};

type Times = { iat: number; nbf: number; exp: number };

function checkTimes(value: Times, ctx: z.RefinementCtx): void {
  if (value.nbf < value.iat) ctx.addIssue({ code: 'custom', path: ['nbf'], message: 'is before `iat`' });
  if (value.exp <= value.nbf) ctx.addIssue({ code: 'custom', path: ['exp'], message: 'is not after `nbf`' });
}

// WHY: a finite tower of schemas instead of a recursive one, so the nesting bound is structural.
function claimsAtDepth(depth: number): z.ZodType {
  const parent =
    depth < LIMITS.tokenChainDepthMax ? claimsAtDepth(depth + 1).optional() : z.never().optional();
  return z.strictObject({ ...baseFields, parent }).superRefine(checkTimes);
}

const ClaimsSchema = claimsAtDepth(0);

/** Validates untrusted claims (already parsed JSON); errors name the first offending field. */
export function parseClaims(value: unknown): Result<TokenClaims, KernelError> {
  const result = ClaimsSchema.safeParse(value);
  if (result.success) return ok(result.data as TokenClaims);
  const issue = result.error.issues[0];
  const where = issue === undefined || issue.path.length === 0 ? 'claims' : `\`${issue.path.join('.')}\``;
  const raw = issue?.message.replace(/\s+/g, ' ') ?? 'are invalid';
  const message = raw.charAt(0).toLowerCase() + raw.slice(1);
  return fail(ERROR_CODES.TOKEN_CLAIMS_INVALID, `invalid token claims: ${where} ${message}`, {
    path: issue?.path.map(String) ?? [],
  });
}
