// The kernel's sessions (issue 7): created by whoever drives the agent loop (the MCP gateway, the
// replay command, an integration through the API), never invented by an intent. An intent citing
// a session that does not exist, or another agent's, is denied by check 4.

import { ERROR_CODES, fail, type KernelError, ok, type Result, touchBounded } from '../shared/index.ts';
import { FlowSession } from './flow-session.ts';
import type { ProvenanceLimits } from './provenance/index.ts';

export type FlowLookup = {
  get(id: string): FlowSession | undefined;
};

/** Open sessions kept at most; past it the oldest is closed (its later intents fail closed). */
export const FLOW_SESSIONS_MAX = 4096;

export class FlowStore implements FlowLookup {
  readonly #sessions = new Map<string, FlowSession>();
  readonly #limits: Partial<ProvenanceLimits> | undefined;

  constructor(limits?: Partial<ProvenanceLimits>) {
    this.#limits = limits;
  }

  /** Opens session `id` for `agent`, or returns it when it is already open for the same agent. */
  open(id: string, agent: string): Result<FlowSession, KernelError> {
    const existing = this.#sessions.get(id);
    if (existing !== undefined) {
      return existing.agent === agent
        ? ok(existing)
        : fail(ERROR_CODES.SESSION_MISMATCH, `session \`${id}\` belongs to another agent`);
    }
    const session = new FlowSession(id, agent, this.#limits);
    touchBounded(this.#sessions, id, session, FLOW_SESSIONS_MAX);
    return ok(session);
  }

  get(id: string): FlowSession | undefined {
    return this.#sessions.get(id);
  }

  close(id: string): boolean {
    return this.#sessions.delete(id);
  }

  get size(): number {
    return this.#sessions.size;
  }
}
