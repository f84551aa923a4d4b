// Sagas (Agent Hypervisor): ordered steps, each a committed intent whose undo plan is its
// compensation. When a step fails, the committed steps are undone in reverse. Progress is
// journaled; a saga a crash interrupted is compensated at the next start (`resumeSagas`).

import { type CommitLayer, type JsonObject, type Tracked, undoIntent } from '../kernel/index.ts';
import {
  type Clock,
  ERROR_CODES,
  fail,
  type KernelError,
  ok,
  type Random,
  type Result,
  uuidv7,
} from '../shared/index.ts';

export const SAGA_STEPS_MAX = 64;

export const SAGA_RECORDS = {
  started: 'saga.started',
  step: 'saga.step',
  failed: 'saga.failed',
  completed: 'saga.completed',
  compensated: 'saga.compensated',
  compensationFailed: 'saga.compensation-failed',
} as const;

const FINAL: ReadonlySet<string> = new Set([
  SAGA_RECORDS.completed,
  SAGA_RECORDS.compensated,
  SAGA_RECORDS.compensationFailed,
]);

export type SagaStep = {
  readonly name: string;
  /** The intent JSON as an agent would submit it. */
  readonly intent: unknown;
};

export type SagaDefinition = { readonly name: string; readonly steps: readonly SagaStep[] };

export type SagaState = 'completed' | 'compensated' | 'compensation-failed';

export type SagaOutcome = {
  readonly sagaId: string;
  readonly state: SagaState;
  /** The steps that ran, in order, with their final intent state. */
  readonly steps: ReadonlyArray<{ readonly name: string; readonly intentId: string; readonly state: string }>;
  readonly failure?: { readonly step: string; readonly code: string; readonly message: string };
};

/**
 * Runs the steps in order. A step that is not committed (denied, held, failed, conflicting) stops
 * the saga and undoes every committed step in reverse. A held step counts as a failure: a saga does
 * not wait for a human halfway through.
 */
export async function runSaga(
  layer: CommitLayer,
  definition: SagaDefinition,
  ids: { readonly clock: Clock; readonly random: Random },
): Promise<Result<SagaOutcome, KernelError>> {
  const problem = definitionProblem(definition);
  if (problem !== undefined) return fail(ERROR_CODES.SAGA_INVALID, problem);
  const sagaId = uuidv7(ids.clock, ids.random);
  await layer.record(SAGA_RECORDS.started, {
    sagaId,
    name: definition.name,
    steps: definition.steps.map((step) => step.name),
  });
  const done: Array<{ name: string; intentId: string; state: string }> = [];
  for (const [index, step] of definition.steps.entries()) {
    const submitted = await layer.submit(step.intent, { saga: sagaId });
    const tracked = submitted.ok ? submitted.value : undefined;
    if (tracked !== undefined)
      done.push({ name: step.name, intentId: tracked.intentId, state: tracked.state });
    if (tracked?.state === 'committed') {
      await layer.record(SAGA_RECORDS.step, { sagaId, index, intentId: tracked.intentId });
      continue;
    }
    const failure = failureOf(step.name, submitted, tracked);
    await layer.record(SAGA_RECORDS.failed, { sagaId, index, ...failure });
    const state = await compensate(layer, sagaId);
    return ok({ sagaId, state, steps: refreshed(layer, done), failure });
  }
  await layer.record(SAGA_RECORDS.completed, { sagaId });
  return ok({ sagaId, state: 'completed', steps: done });
}

/** Undoes the saga's committed steps, newest first; journals the end state. */
export async function compensate(layer: CommitLayer, sagaId: string): Promise<SagaState> {
  const committed = [...layer.index.all()]
    .filter((tracked) => tracked.saga === sagaId && tracked.state === 'committed')
    .sort((a, b) => (b.seqs[0] ?? 0) - (a.seqs[0] ?? 0));
  const failures: JsonObject[] = [];
  for (const tracked of committed) {
    const undone = await undoIntent(layer, tracked.intentId, `saga:${sagaId}`);
    if (!undone.ok)
      failures.push({ intentId: tracked.intentId, code: undone.error.code, message: undone.error.message });
  }
  if (failures.length > 0) {
    await layer.record(SAGA_RECORDS.compensationFailed, { sagaId, failures });
    return 'compensation-failed';
  }
  await layer.record(SAGA_RECORDS.compensated, { sagaId, undone: committed.map((t) => t.intentId) });
  return 'compensated';
}

/**
 * After a crash: every saga started but not finished is compensated (its forward steps would need
 * the agent's tokens and intent again; undoing restores the world it started from). Returns the ids.
 */
export async function resumeSagas(layer: CommitLayer): Promise<string[]> {
  const open = new Set<string>();
  for await (const entry of layer.journal.entries()) {
    const sagaId = (entry.data as { sagaId?: unknown }).sagaId;
    if (typeof sagaId !== 'string') continue;
    if (entry.type === SAGA_RECORDS.started) open.add(sagaId);
    else if (FINAL.has(entry.type)) open.delete(sagaId);
  }
  for (const sagaId of open) {
    await layer.record(SAGA_RECORDS.failed, {
      sagaId,
      step: '',
      code: 'INTERRUPTED',
      message: 'the process stopped while the saga ran',
    });
    await compensate(layer, sagaId);
  }
  return [...open];
}

function definitionProblem(definition: SagaDefinition): string | undefined {
  if (definition.steps.length === 0) return 'a saga needs at least one step';
  if (definition.steps.length > SAGA_STEPS_MAX) return `a saga has at most ${SAGA_STEPS_MAX} steps`;
  const names = new Set(definition.steps.map((step) => step.name));
  if (names.size !== definition.steps.length) return 'saga step names must be unique';
  return undefined;
}

function failureOf(
  step: string,
  submitted: Result<Tracked, KernelError>,
  tracked: Tracked | undefined,
): { step: string; code: string; message: string } {
  if (!submitted.ok) return { step, code: submitted.error.code, message: submitted.error.message };
  const code =
    tracked?.error?.code ?? tracked?.checks.find((c) => c.verdict !== 'allow')?.code ?? 'NOT_COMMITTED';
  const message = tracked?.error?.message ?? `step \`${step}\` ended ${tracked?.state ?? 'unknown'}`;
  return { step, code, message };
}

function refreshed(
  layer: CommitLayer,
  steps: ReadonlyArray<{ name: string; intentId: string; state: string }>,
): Array<{ name: string; intentId: string; state: string }> {
  return steps.map((step) => ({ ...step, state: layer.index.get(step.intentId)?.state ?? step.state }));
}
