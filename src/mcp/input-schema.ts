// Argument validation against a downstream tool's input schema (ajv). The schema comes from a
// server MAOS does not trust, so it is bounded before it is compiled: size, depth, no remote
// references, and no regular expression of the catastrophic-backtracking shape.

import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { hasNestedQuantifier } from '../kernel/index.ts';
import { ERROR_CODES, fail, type KernelError, ok, type Result } from '../shared/index.ts';

export const INPUT_SCHEMA_LIMITS = {
  bytesMax: 256 * 1024,
  depthMax: 32,
  errorsReportedMax: 5,
} as const;

export type ArgsValidator = (args: unknown) => string | undefined;

const OPTIONS = { strict: false, allErrors: false, validateFormats: false, logger: false } as const;
const draft07 = new Ajv(OPTIONS);
const draft2020 = new Ajv2020(OPTIONS);

/** Compiles `schema` into a validator, or says why the gateway will not trust it. */
export function compileInputSchema(schema: unknown): Result<ArgsValidator, KernelError> {
  const problem = schemaProblem(schema);
  if (problem !== undefined) return fail(ERROR_CODES.MCP_TOOL_BLOCKED, `its input schema ${problem}`);
  const dialect = (schema as { $schema?: unknown }).$schema;
  const ajv = typeof dialect === 'string' && dialect.includes('2020-12') ? draft2020 : draft07;
  let validate: ValidateFunction;
  try {
    // WHY: compile without caching by `$id`: two servers may reuse an id for different schemas.
    const { $id: _id, ...anonymous } = schema as Record<string, unknown>;
    validate = ajv.compile(anonymous);
  } catch (error) {
    return fail(ERROR_CODES.MCP_TOOL_BLOCKED, `its input schema does not compile: ${messageOf(error)}`);
  }
  return ok((args) => {
    if (validate(args)) return undefined;
    return (validate.errors ?? [])
      .slice(0, INPUT_SCHEMA_LIMITS.errorsReportedMax)
      .map(
        (error) =>
          `${error.instancePath === '' ? 'arguments' : `\`${error.instancePath}\``} ${error.message ?? 'is invalid'}`,
      )
      .join('; ');
  });
}

function schemaProblem(schema: unknown): string | undefined {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return 'is not an object';
  if ((schema as { type?: unknown }).type !== 'object') return 'does not describe an object (`type: object`)';
  if (JSON.stringify(schema).length > INPUT_SCHEMA_LIMITS.bytesMax)
    return `is larger than ${INPUT_SCHEMA_LIMITS.bytesMax} bytes`;
  return walk(schema, 0);
}

/** Depth, remote `$ref`s and unsafe patterns, iteratively over every nested value. */
function walk(root: object, depth: number): string | undefined {
  const stack: [unknown, number][] = [[root, depth]];
  while (stack.length > 0) {
    const [value, level] = stack.pop() as [unknown, number];
    if (typeof value !== 'object' || value === null) continue;
    if (level > INPUT_SCHEMA_LIMITS.depthMax) return `nests deeper than ${INPUT_SCHEMA_LIMITS.depthMax}`;
    for (const [key, child] of Object.entries(value)) {
      if (key === '$ref' && typeof child === 'string' && !child.startsWith('#'))
        return `refers to an outside schema (\`${child.slice(0, 80)}\`)`;
      if (key === 'pattern' && typeof child === 'string' && hasNestedQuantifier(child))
        return 'has a pattern that can backtrack catastrophically';
      if (key === 'patternProperties' && typeof child === 'object' && child !== null) {
        if (Object.keys(child).some(hasNestedQuantifier))
          return 'has a pattern that can backtrack catastrophically';
      }
      stack.push([child, level + 1]);
    }
  }
  return undefined;
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 200);
}
