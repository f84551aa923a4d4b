// The connector port: effect handlers that only the commit layer calls (§13). Each connector
// declares the side-effect class of its actions, how it snapshots or compensates (MR-5), and how
// recovery finds out whether an effect already happened (idempotency, §14.2).

import type { SideEffectClass } from '../kernel/side-effect.ts';
import type { JsonValue } from '../shared/index.ts';

type JsonObject = { readonly [key: string]: JsonValue };

/** One effect the commit layer asks for. `intentId` doubles as the idempotency key. */
export type EffectRequest = {
  readonly intentId: string;
  readonly action: string;
  readonly resource: string;
  readonly args: JsonObject;
};

/**
 * How to undo an effect, decided before it runs (stage 3) and journaled. `data` is JSON the
 * connector itself reads back in `undo`/`discard`; the commit layer only stores it.
 * - `none`: nothing to undo (reads, or a write to a resource that did not exist is undone by `data`).
 * - `snapshot`: prior state was captured (a file copy, a stored value).
 * - `compensation`: a compensating call the policy names (HTTP DELETE after POST, say).
 * - `irreversible`: no undo exists; only allowed when the policy says so (MR-5 denies otherwise).
 */
export type UndoPlan = {
  readonly kind: 'none' | 'snapshot' | 'compensation' | 'irreversible';
  readonly data?: JsonValue;
};

/** What recovery learns from `probe`: did this intent's effect already happen? */
export type ProbeResult = 'applied' | 'not-applied' | 'unknown';

export type ExecuteOptions = {
  /** Aborted when the commit's lock timeout (30 s) passes; the connector stops as soon as it can. */
  readonly signal: AbortSignal;
};

export interface Connector {
  /** Short name, also the action prefix it handles: `fs` handles `fs.read`, `fs.write`, … */
  readonly name: string;

  /**
   * Side-effect class of each action this connector handles. An action missing here is refused by
   * the commit layer; the class used is the stricter of this and the policy's (unknown = write).
   */
  readonly actions: Readonly<Record<string, SideEffectClass>>;

  /**
   * A hash of the resource's current state for optimistic concurrency (stage 2); the same value an
   * agent saw when it read the resource. A resource that does not exist hashes to `absent`.
   */
  stateHash(resource: string): Promise<string>;

  /**
   * Stage 3: capture what undo needs, before the effect. Must be durable when it resolves, and
   * idempotent per `intentId`: called again for the same intent (after a crash) it returns the
   * plan captured the first time, never a snapshot of the already-changed state.
   */
  prepare(request: EffectRequest): Promise<UndoPlan>;

  /** Stage 4: perform the effect. Resolves to a JSON result for the agent and the journal. */
  execute(request: EffectRequest, options: ExecuteOptions): Promise<JsonValue>;

  /** Recovery: whether the effect of this exact intent is already in the world. */
  probe(request: EffectRequest): Promise<ProbeResult>;

  /**
   * Restores the prior state (snapshot) or runs the compensation. `result` is what `execute`
   * returned, when it did (a compensation may need the id a POST created). Idempotent.
   */
  undo(request: EffectRequest, plan: UndoPlan, result: JsonValue | undefined): Promise<void>;

  /** Frees what `prepare` kept (after the hold period, or when the plan was never needed). Idempotent. */
  discard(request: EffectRequest, plan: UndoPlan): Promise<void>;
}
