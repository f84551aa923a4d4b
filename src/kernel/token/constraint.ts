// Scope constraints: CEL expressions compiled once (at mint or verify, never on the decision path)
// and evaluated per intent against `args`, `resource`, `action` and `agent`. Anything but `true` fails.

import { CelScalar, celEnv, isCelError, mapType, parse, plan } from '@bufbuild/cel';
import { ERROR_CODES, fail, type KernelError, ok, type Result } from '../../shared/index.ts';
import { LIMITS } from '../limits.ts';
import type { ConstraintVars } from './verified-token.ts';

export type ConstraintOutcome =
  | { readonly kind: 'true' }
  | { readonly kind: 'false' }
  | { readonly kind: 'error'; readonly message: string };

export type CompiledConstraint = {
  readonly expression: string;
  evaluate(vars: ConstraintVars): ConstraintOutcome;
};

const env = celEnv({
  variables: {
    args: mapType(CelScalar.STRING, CelScalar.DYN),
    resource: CelScalar.STRING,
    action: CelScalar.STRING,
    agent: CelScalar.STRING,
  },
});

const TRUE: ConstraintOutcome = { kind: 'true' };
const FALSE: ConstraintOutcome = { kind: 'false' };

// INVARIANT: holds at most LIMITS.constraintCacheEntriesMax entries; the oldest is dropped first.
const cache = new Map<string, CompiledConstraint>();

/** Compiles `expression`, reusing an earlier compilation of the same text. */
export function compileConstraint(expression: string): Result<CompiledConstraint, KernelError> {
  const cached = cache.get(expression);
  if (cached !== undefined) return ok(cached);
  if (expression.length > LIMITS.constraintLengthMax) {
    return fail(
      ERROR_CODES.TOKEN_CLAIMS_INVALID,
      `constraint \`${excerpt(expression)}\` is longer than ${LIMITS.constraintLengthMax} characters`,
    );
  }
  let program: (vars: ConstraintVars) => unknown;
  try {
    const planned = plan(env, parse(expression));
    program = (vars) => planned(vars as Parameters<typeof planned>[0]);
  } catch (error) {
    const reason = error instanceof Error ? oneLine(error.message) : 'does not parse';
    return fail(
      ERROR_CODES.TOKEN_CLAIMS_INVALID,
      `constraint \`${excerpt(expression)}\` is invalid: ${reason}`,
    );
  }
  const compiled: CompiledConstraint = { expression, evaluate: (vars) => run(program, vars) };
  if (cache.size >= LIMITS.constraintCacheEntriesMax) {
    const oldest = cache.keys().next();
    if (oldest.done !== true) cache.delete(oldest.value);
  }
  cache.set(expression, compiled);
  return ok(compiled);
}

/** Compiles every expression of a scope; the first failure is returned. */
export function compileConstraints(
  expressions: readonly string[] | undefined,
): Result<readonly CompiledConstraint[], KernelError> {
  const out: CompiledConstraint[] = [];
  for (const expression of expressions ?? []) {
    const compiled = compileConstraint(expression);
    if (!compiled.ok) return compiled;
    out.push(compiled.value);
  }
  return ok(out);
}

export function constraintCacheSize(): number {
  return cache.size;
}

function run(program: (vars: ConstraintVars) => unknown, vars: ConstraintVars): ConstraintOutcome {
  let value: unknown;
  try {
    value = program(vars);
  } catch (error) {
    // WHY: fail closed; an evaluator crash must never read as permission.
    return { kind: 'error', message: error instanceof Error ? oneLine(error.message) : 'evaluation failed' };
  }
  if (value === true) return TRUE;
  if (value === false) return FALSE;
  if (isCelError(value)) return { kind: 'error', message: oneLine(value.message) };
  return { kind: 'error', message: 'constraint did not evaluate to a boolean' };
}

function excerpt(expression: string): string {
  return expression.length <= 80 ? expression : `${expression.slice(0, 77)}...`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
