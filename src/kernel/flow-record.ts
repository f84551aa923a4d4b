// Where the kernel feeds its sessions (issue 7): quarantine references in an intent's arguments are
// resolved before the decision, and what a committed intent returned is recorded, labelled by the
// action's policy, in the intent's session.

import { citesRefs, type FlowLookup, type FlowStore, resolveRefs } from '../ifc/index.ts';
import { type JsonValue, type KernelError, ok, type Result } from '../shared/index.ts';
import type { Intent, JsonObject } from './intent.ts';
import { actionPolicyOf, type Policy } from './policy.ts';

/** The intent with quarantined values put back; unchanged when it cites none. */
export function resolveIntentRefs(flows: FlowStore, intent: Intent): Result<Intent, KernelError> {
  if (!citesRefs(intent.args as JsonValue)) return ok(intent);
  const session = intent.session === undefined ? undefined : flows.get(intent.session);
  const owned = session?.agent === intent.agent ? session : undefined;
  const args = resolveRefs(owned, intent.args as Record<string, JsonValue>);
  if (!args.ok) return args;
  return ok({ ...intent, args: args.value as JsonObject });
}

/** Records what a committed intent returned in its session, if it has one the kernel holds. */
export function recordOutput(
  flows: FlowLookup,
  policy: Policy,
  intent: Intent,
  result: JsonValue | undefined,
): void {
  if (intent.session === undefined) return;
  const session = flows.get(intent.session);
  if (session === undefined || session.agent !== intent.agent) return;
  const action = actionPolicyOf(policy, intent.action);
  session.observe({ id: intent.id, tool: intent.action }, result ?? null, action.output, action.outputFields);
}
