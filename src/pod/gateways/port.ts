// Gateway port (§41.3): each of the six gateways mediates one kind of traffic between a pod and
// the world. The Sentry owns them; the agent can call five (tool, llm, fs, outbound, inbound)
// and never sees the sixth (admin). A gateway validates its untrusted payload, applies its own
// configuration, and turns effects into intents for the commit layer through `PodServices.submit`.

import type { SideEffectClass } from '../../kernel/index.ts';
import type { JsonValue, KernelError, Result } from '../../shared/index.ts';
import type { AgentGateway } from '../protocol.ts';

/** The part of an intent a gateway fills in; the pod adds id, agent, token and session. */
export type IntentRequest = {
  readonly action: string;
  readonly resource: string;
  readonly args: { readonly [key: string]: JsonValue };
  readonly sideEffect?: SideEffectClass;
  readonly idempotencyKey?: string;
};

/** What the commit layer made of an intent, as the gateway needs it. */
export type IntentOutcome = {
  readonly intentId: string;
  readonly state: string;
  readonly verdict: 'allow' | 'deny' | 'escalate';
  /** Checks that did not allow, with their verdicts (a deny and an escalation may both be present). */
  readonly checks: readonly {
    readonly check: string;
    readonly verdict: 'allow' | 'deny' | 'escalate';
    readonly code: string;
    readonly reason: string;
  }[];
  readonly result?: unknown;
  readonly error?: { readonly code: string; readonly message: string };
};

/** A message between pods (the bus of issue 5 replaces the local router behind this port). */
export type PodMessage = {
  readonly from: string;
  readonly to: string;
  readonly type: string;
  readonly body: JsonValue;
};

/** What the host gives the gateways: the kernel's commit path, the journal and the pre-filter. */
export interface PodServices {
  /** Submits an intent for `agent` with its cached token and session; resolves when settled or held. */
  submit(agent: string, request: IntentRequest): Promise<Result<IntentOutcome, KernelError>>;
  /** Appends a journal record (egress blocks, signals, stage changes); resolves with its seq. */
  record(type: string, data: { readonly [key: string]: JsonValue }): Promise<number>;
  /** The kernel's structural pre-filter (check 7's) on free text, e.g. an LLM prompt. */
  screen(text: string): { readonly verdict: 'allow' | 'deny' | 'escalate'; readonly score: number };
  /**
   * `voucher` bonds part of its trust behind `vouchee`'s messages about `subject` (issue 5); the
   * answer says whether the ledger granted it and why not. Absent where no trust ledger is hosted.
   */
  vouch?(voucher: string, vouchee: string, subject: string): Promise<Result<JsonValue, KernelError>>;
}

/** One call as the Sentry hands it to a gateway, after shape and size checks. */
export type GatewayCall = {
  readonly agent: string;
  readonly gateway: AgentGateway;
  readonly op: string;
  readonly payload: JsonValue;
  /** Size of the payload's JSON, in bytes. */
  readonly bytes: number;
};

/**
 * What a gateway reports about a call besides its result, for the egress log, the fingerprint and
 * the immune system: where it went, how big it was, and whether it was a violation the Sentry
 * must report (a path outside the workspace, a host not on the allowlist, …).
 */
export type CallFacts = {
  /** Destination: a tool resource, an LLM `provider/model`, a workspace path, a recipient agent. */
  readonly target: string;
  readonly bytesOut: number;
  readonly bytesIn: number;
  readonly blocked: boolean;
  /** A stable code for a blocked call (the error's code). */
  readonly code?: string;
  /** A hard violation, for the immune system (`fs-escape`, `network-escape`, `prefilter-block`, …). */
  readonly violation?: string;
  /** An external effect that counts towards aggregate monitoring (§49.11). */
  readonly external?: { readonly kind: 'api-call' | 'message' | 'declassification'; readonly peer?: string };
};

export type GatewayAnswer = {
  readonly result: Result<JsonValue, KernelError>;
  readonly facts: CallFacts;
};

export interface Gateway {
  readonly name: AgentGateway;
  handle(call: GatewayCall): Promise<GatewayAnswer>;
}
