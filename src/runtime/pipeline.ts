// Typed pipes (Agent OS, issue 5): `pipeline(['researcher', expect(schema), 'summarizer'])` runs a
// task through agents in turn. Between two agents the output travels as a signed bus message from
// the one to the other, so the receiving side's checks apply (signature, replay, schema, rate, IFC,
// DLP, trust); an `expect` stage before the handoff validates the output against its JSON Schema
// first. Nothing reaches the next agent that did not pass both.

import { Ajv, type ValidateFunction } from 'ajv';
import {
  ERROR_CODES,
  fail,
  hashHex,
  type JsonValue,
  type KernelError,
  ok,
  type Result,
} from '../shared/index.ts';

export type ExpectStage = {
  readonly kind: 'expect';
  /** The schema's id on the bus (its `$id`, or a hash of it); the receiver checks it again. */
  readonly schemaId: string;
  readonly schema: object;
  readonly validate: (value: unknown) => string | undefined;
};

export type AgentStage = { readonly kind: 'agent'; readonly agent: string };
export type PipeStage = AgentStage | ExpectStage;

/** What a pipeline needs from its host: running a task in a pod, and handing a payload over the bus. */
export interface PipelineHost {
  task(agent: string, input: JsonValue): Promise<Result<JsonValue, KernelError>>;
  /**
   * Sends `payload` from `from` to `to` as a signed message, under the schema of the `expect`
   * stage before the handoff when there is one; returns what `to` receives (maybe redacted).
   */
  handoff(
    from: string,
    to: string,
    payload: JsonValue,
    check: ExpectStage | undefined,
  ): Promise<Result<JsonValue, KernelError>>;
}

export type PipelineStep =
  | { readonly stage: number; readonly agent: string; readonly ok: boolean; readonly code?: string }
  | { readonly stage: number; readonly expect: string; readonly ok: boolean; readonly problem?: string }
  | { readonly stage: number; readonly handoff: string; readonly ok: boolean; readonly code?: string };

export type PipelineRun = {
  readonly ok: boolean;
  readonly output?: JsonValue;
  readonly error?: { readonly code: string; readonly message: string };
  readonly steps: readonly PipelineStep[];
};

const SCHEMA_BYTES_MAX = 64 * 1024;
const STAGES_MAX = 32;
const ajv = new Ajv({ strict: false, allErrors: false, validateFormats: false, logger: false });

/** A schema check between two agents. Throws on a schema that does not compile (a programming error). */
export function expect(schema: object, schemaId?: string): ExpectStage {
  const text = JSON.stringify(schema);
  if (text.length > SCHEMA_BYTES_MAX) throw new TypeError(`schema is larger than ${SCHEMA_BYTES_MAX} bytes`);
  const { $id, ...anonymous } = schema as { $id?: unknown };
  const validate: ValidateFunction = ajv.compile(anonymous);
  const id = schemaId ?? (typeof $id === 'string' ? $id : `sha256:${hashHex(text).slice(0, 32)}`);
  return {
    kind: 'expect',
    schemaId: id,
    schema,
    validate: (value) => {
      if (validate(value)) return undefined;
      const first = validate.errors?.[0];
      return first === undefined
        ? 'does not match the schema'
        : `${first.instancePath === '' ? 'the value' : `\`${first.instancePath}\``} ${first.message ?? 'is invalid'}`;
    },
  };
}

export class Pipeline {
  readonly stages: readonly PipeStage[];

  private constructor(stages: readonly PipeStage[]) {
    this.stages = stages;
  }

  /** Agents by id, `expect(...)` checks between them; starts and ends with an agent, no two checks in a row. */
  static of(stages: readonly (string | PipeStage)[]): Result<Pipeline, KernelError> {
    const normal = stages.map(
      (stage): PipeStage => (typeof stage === 'string' ? { kind: 'agent', agent: stage } : stage),
    );
    if (normal.length === 0 || normal.length > STAGES_MAX) {
      return fail(ERROR_CODES.INVALID_INPUT, `a pipeline has 1 to ${STAGES_MAX} stages`);
    }
    if (normal[0]?.kind !== 'agent' || normal.at(-1)?.kind !== 'agent') {
      return fail(ERROR_CODES.INVALID_INPUT, 'a pipeline starts and ends with an agent');
    }
    for (let i = 1; i < normal.length; i++) {
      if (normal[i]?.kind === 'expect' && normal[i - 1]?.kind === 'expect') {
        return fail(
          ERROR_CODES.INVALID_INPUT,
          `stages ${i - 1} and ${i} are both checks; merge their schemas`,
        );
      }
    }
    return ok(new Pipeline(normal));
  }

  /** Runs `input` through every stage; stops at the first failure and says where. */
  async run(input: JsonValue, host: PipelineHost): Promise<PipelineRun> {
    const steps: PipelineStep[] = [];
    let value = input;
    let from: string | undefined;
    let check: ExpectStage | undefined;
    for (const [stage, step] of this.stages.entries()) {
      if (step.kind === 'expect') {
        const problem = step.validate(value);
        steps.push({
          stage,
          expect: step.schemaId,
          ok: problem === undefined,
          ...(problem === undefined ? {} : { problem }),
        });
        if (problem !== undefined) {
          return stopped(
            steps,
            ERROR_CODES.INVALID_INPUT,
            `stage ${stage}: output of \`${from ?? '?'}\` ${problem}`,
          );
        }
        check = step;
        continue;
      }
      if (from !== undefined) {
        const handed = await host.handoff(from, step.agent, value, check);
        steps.push({
          stage,
          handoff: `${from} → ${step.agent}`,
          ok: handed.ok,
          ...(handed.ok ? {} : { code: handed.error.code }),
        });
        if (!handed.ok) return stopped(steps, handed.error.code, `stage ${stage}: ${handed.error.message}`);
        value = handed.value;
      }
      const done = await host.task(step.agent, value);
      steps.push({ stage, agent: step.agent, ok: done.ok, ...(done.ok ? {} : { code: done.error.code }) });
      if (!done.ok) return stopped(steps, done.error.code, `stage ${stage}: ${done.error.message}`);
      value = done.value;
      from = step.agent;
      check = undefined;
    }
    return { ok: true, output: value, steps };
  }
}

/** `pipeline([...])`: a pipeline, or a thrown error for a malformed stage list (a programming error). */
export function pipeline(stages: readonly (string | PipeStage)[]): Pipeline {
  const built = Pipeline.of(stages);
  if (!built.ok) throw built.error;
  return built.value;
}

function stopped(steps: readonly PipelineStep[], code: string, message: string): PipelineRun {
  return { ok: false, error: { code, message }, steps };
}
