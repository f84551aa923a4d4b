// Where the kernel meets its sessions (issue 7): an intent may cite only its own agent's session;
// quarantine references in its arguments are resolved before the decision, and what a committed
// intent returned is recorded, labelled by the action's policy, in that session.

import { citesRefs, type FlowLookup, type FlowSession, resolveRefs } from '../ifc/index.ts';
import { type JsonValue, type KernelError, ok, type Result } from '../shared/index.ts';
import type { Intent, JsonObject } from './intent.ts';
import { actionPolicyOf, type Policy } from './policy.ts';

/** The session the intent cites, when the kernel holds it for the intent's agent. */
export function sessionOf(flows: FlowLookup, intent: Intent): FlowSession | undefined {
  if (intent.session === undefined) return undefined;
  const session = flows.get(intent.session);
  // INVARIANT: a session belongs to one agent; an intent cannot borrow another agent's.
  return session?.agent === intent.agent ? session : undefined;
}

/** The intent with quarantined values put back; unchanged when it cites none. */
export function resolveIntentRefs(flows: FlowLookup, intent: Intent): Result<Intent, KernelError> {
  if (!citesRefs(intent.args as JsonValue)) return ok(intent);
  const args = resolveRefs(sessionOf(flows, intent), intent.args as Record<string, JsonValue>);
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
  const session = sessionOf(flows, intent);
  if (session === undefined) return;
  const action = actionPolicyOf(policy, intent.action);
  session.observe({ id: intent.id, tool: intent.action }, result ?? null, action.output, action.outputFields);
}
