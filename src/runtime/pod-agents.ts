// What the runtime does for each pod's agent: the capability token it cites (minted from the
// manifest's requested capabilities, revoked when the pod ends), its IFC session, and the
// services its gateways use — the commit path, the journal and the pre-filter.

import type { Label } from '../ifc/index.ts';
import { AgentToken } from '../kernel/index.ts';
import type { IntentOutcome, PodLifecycle, PodServices } from '../pod/index.ts';
import { type Clock, ERROR_CODES, fail, type JsonValue, ok, uuidv7 } from '../shared/index.ts';
import type { CommitRuntime } from './commit-runtime.ts';
import type { IntentStatus, KernelService } from './service.ts';

/** `token` is absent for an agent with no capabilities at all: every intent it tries is refused. */
type AgentState = { readonly token: AgentToken | undefined; readonly session: string };

export type PodAgents = {
  readonly services: PodServices;
  readonly lifecycle: PodLifecycle;
  /** What the agent's session has read: the label its messages carry (IFC). */
  labelOf(agent: string): Label;
};

/** Decider named in the journal when a pod's end refuses its held intents. */
const POD_DECIDER = 'maos:pod';

export function podAgents(options: {
  readonly rt: CommitRuntime;
  readonly service: KernelService;
  /** intent id → sending agent, for the message connector (bounded by the intents in flight). */
  readonly senders: Map<string, string>;
  readonly clock: Clock;
  /** Told of each outcome: a commit builds the agent's trust, a denial costs it. */
  readonly trust?: { record(event: { agent: string; kind: 'clean-commit' | 'denial' }): void };
}): PodAgents {
  const { rt, service, senders, clock, trust } = options;
  const agents = new Map<string, AgentState>();

  const services: PodServices = {
    submit: async (agent, request) => {
      const state = agents.get(agent);
      if (state === undefined) return fail(ERROR_CODES.AGENT_NOT_RUNNING, `agent \`${agent}\` has no pod`);
      if (state.token === undefined) {
        return fail(ERROR_CODES.GATEWAY_DENIED, `agent \`${agent}\` holds no capabilities; it cannot act`);
      }
      const id = uuidv7(clock, rt.random);
      const input = {
        id,
        agent,
        action: request.action,
        resource: request.resource,
        args: request.args,
        token: await state.token.ref(),
        session: state.session,
        ...(request.sideEffect === undefined ? {} : { sideEffect: request.sideEffect }),
        ...(request.idempotencyKey === undefined ? {} : { idempotencyKey: request.idempotencyKey }),
      };
      const message = request.action === 'message.send';
      if (message) senders.set(id, agent);
      try {
        const submitted = await service.submit(input);
        if (!submitted.ok) return submitted;
        const { state, verdict } = submitted.value;
        if (state === 'committed') trust?.record({ agent, kind: 'clean-commit' });
        else if (verdict === 'deny') trust?.record({ agent, kind: 'denial' });
        return ok(outcomeOf(submitted.value));
      } finally {
        if (message) senders.delete(id);
      }
    },
    record: (type, data) => rt.commits.record(type, data),
    screen: (text) => {
      const screening = rt.kernel.screen({
        action: 'llm.complete',
        resource: 'llm:prompt',
        args: { prompt: text },
      });
      return { verdict: screening.verdict, score: screening.score };
    },
  };

  const lifecycle: PodLifecycle = {
    admit: async (manifest) => {
      const policy = rt.kernel.policy.agents.get(manifest.id);
      if (policy === undefined) {
        return fail(ERROR_CODES.AGENT_UNKNOWN, `agent \`${manifest.id}\` is not in maos.yaml \`agents\``);
      }
      // MR-4: a manifest never raises an agent above the ring the policy gives it.
      if (manifest.ring < policy.ring) {
        return fail(
          ERROR_CODES.RING_PROMOTION_REFUSED,
          `manifest asks for ring ${manifest.ring} but maos.yaml gives \`${manifest.id}\` ring ${policy.ring}`,
        );
      }
      const scopes = manifest.capabilities.length === 0 ? policy.grants : manifest.capabilities;
      let token: AgentToken | undefined;
      if (scopes.length > 0) {
        const minted = await AgentToken.mint(rt.kernel, manifest.id, clock, scopes);
        if (!minted.ok) return minted;
        token = minted.value;
      }
      const session = await service.openSession(manifest.id);
      if (!session.ok) {
        token?.revoke('pod session refused');
        return session;
      }
      agents.get(manifest.id)?.token?.revoke('pod restarted');
      agents.set(manifest.id, { token, session: session.value.session });
      return ok(undefined);
    },
    task: async (agent, task) => {
      const state = agents.get(agent);
      if (state !== undefined) await service.addTask(state.session, taskText(task));
    },
    retire: async (agent, why) => {
      const state = agents.get(agent);
      if (state === undefined) return;
      agents.delete(agent);
      // DR-T6: revocation is effective on the very next call, so nothing the agent queued can land.
      state.token?.revoke(`pod ended: ${why}`);
      for (const held of await service.held()) {
        if (held.agent === agent)
          await service.reject(held.intentId, { by: POD_DECIDER, note: `pod ended: ${why}` });
      }
      await service.closeSession(state.session);
    },
  };
  const labelOf = (agent: string): Label => {
    const state = agents.get(agent);
    const session = state === undefined ? undefined : rt.kernel.flows.get(state.session);
    // WHY: without a session nothing vouches for what it read: its clearance, untrusted.
    return (
      session?.label ?? {
        confidentiality: rt.kernel.policy.agents.get(agent)?.clearance ?? 'RESTRICTED',
        integrity: 'UNTRUSTED',
      }
    );
  };
  return { services, lifecycle, labelOf };
}

function outcomeOf(status: IntentStatus): IntentOutcome {
  return {
    intentId: status.intentId,
    state: status.state,
    verdict: status.verdict,
    checks: status.checks.map((check) => ({
      check: check.check,
      verdict: check.verdict,
      code: check.code ?? '',
      reason: check.message ?? '',
    })),
    ...(status.result === undefined ? {} : { result: status.result }),
    ...(status.error === undefined ? {} : { error: status.error }),
  };
}

/** The task as the session's trusted text: strings as they are, anything else as JSON. */
function taskText(task: JsonValue): string {
  return typeof task === 'string' ? task : JSON.stringify(task);
}
