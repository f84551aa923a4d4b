// The Sentry (§41.2, Invariant 13): the kernel-side sidecar of one pod, invisible to the agent. Every
// gateway call passes it: quarantine stage, hold, size, flood control and operation checks, then the
// gateway; afterwards the egress log, the behavioural sample and any anomaly for the immune system.

import type { ImmuneSink, QuarantineStage } from '../immune/port.ts';
import type { Clock, JsonValue, Result } from '../shared/index.ts';
import { ERROR_CODES, err, fail, KernelError } from '../shared/index.ts';
import { Throttle, TokenBucket } from './call-limiter.ts';
import { EGRESS_ENTRIES_MAX, type EgressEntry, EgressLog } from './egress-log.ts';
import type { GatewayConfig } from './gateway-config.ts';
import { answer, refuse } from './gateways/answer.ts';
import { InboundGateway } from './gateways/inbound-gateway.ts';
import type { CallFacts, Gateway, GatewayAnswer, PodMessage, PodServices } from './gateways/port.ts';
import type { AgentGateway, AgentMessage, HostMessage } from './protocol.ts';
import { type AnomalyDraft, anomaliesOf } from './sentry-anomalies.ts';

export type CallMessage = Extract<AgentMessage, { readonly kind: 'call' }>;

/** The operations each agent-facing gateway offers; anything else is a malformed call. */
export const GATEWAY_OPS: Readonly<Record<AgentGateway, ReadonlySet<string>>> = {
  tool: new Set(['intent']),
  llm: new Set(['complete']),
  fs: new Set(['read', 'write', 'list', 'remove', 'stat', 'join']),
  outbound: new Set(['send', 'vouch']),
  inbound: new Set(['take']),
};

/** Calls that may wait for `release` while the Sentry holds (SIGSTOP); more fail `POD_BUSY`. */
export const HELD_CALLS_MAX = 1_000;
/** Journal records of blocked calls: a burst of this many, then this many per two seconds. */
const RECORDS_BURST = 20;

const STAGE_NAMES = ['normal', 'observation', 'soft isolation', 'hard isolation', 'elimination', 'healing'];

export type SentryState = 'closed' | 'open' | 'terminated';

export type SentryOptions = {
  readonly agent: string;
  readonly config: GatewayConfig;
  /** The five agent-facing gateways. */
  readonly gateways: readonly Gateway[];
  readonly immune: ImmuneSink;
  readonly services: PodServices;
  readonly clock: Clock;
  readonly egressEntriesMax?: number;
};

type Verdict = { readonly error: KernelError; readonly anomaly?: AnomalyDraft['kind'] };

export class Sentry {
  readonly agent: string;
  readonly #o: SentryOptions;
  readonly #gateways = new Map<AgentGateway, Gateway>();
  readonly #inbound: InboundGateway | undefined;
  readonly #calls: TokenBucket;
  readonly #floodReports: Throttle;
  readonly #rateReports = new Map<string, Throttle>();
  readonly #records: TokenBucket;
  readonly #egress: EgressLog;
  readonly #payloadBytesMax: number;
  #state: SentryState = 'closed';
  #held = false;
  #waiting: ((released: boolean) => void)[] = [];
  #recordsSuppressed = 0;

  /** Created closed (deny-all while the pod starts); the pod opens it after its self-check. */
  constructor(options: SentryOptions) {
    this.agent = options.agent;
    this.#o = options;
    for (const gateway of options.gateways) this.#gateways.set(gateway.name, gateway);
    const inbound = this.#gateways.get('inbound');
    this.#inbound = inbound instanceof InboundGateway ? inbound : undefined;
    const { callsPerSecond, burst, payloadBytesMax } = options.config.sentry;
    this.#calls = new TokenBucket(burst, (burst / callsPerSecond) * 1_000, options.clock);
    this.#floodReports = new Throttle(1_000, options.clock);
    this.#records = new TokenBucket(RECORDS_BURST, 2_000, options.clock);
    this.#egress = new EgressLog(options.egressEntriesMax ?? EGRESS_ENTRIES_MAX);
    this.#payloadBytesMax = payloadBytesMax;
  }

  get state(): SentryState {
    return this.#state;
  }

  get held(): boolean {
    return this.#held;
  }

  open(): void {
    if (this.#state === 'closed') this.#state = 'open';
  }

  /** For good: waiting and later calls fail `POD_TERMINATED`. */
  close(): void {
    this.#state = 'terminated';
    this.#wake(false);
  }

  /** SIGSTOP: calls wait until `release` (or fail when the Sentry closes). */
  hold(): void {
    this.#held = true;
  }

  release(): void {
    this.#held = false;
    this.#wake(true);
  }

  /** The last `limit` egress entries, oldest first. */
  egress(limit?: number): EgressEntry[] {
    return this.#egress.entries(limit);
  }

  /** Answers one call from the agent side. Never rejects. */
  async handle(call: CallMessage): Promise<HostMessage> {
    const startMs = this.#o.clock.monotonicMs();
    let closed = this.#gate(call.gateway);
    if (closed === undefined && this.#held) {
      closed = await this.#waitForRelease();
      closed ??= this.#gate(call.gateway);
    }
    if (closed !== undefined) return this.#refuse(call, startMs, 0, closed);
    let bytes: number;
    try {
      const json = JSON.stringify(call.payload);
      bytes = json === undefined ? 0 : Buffer.byteLength(json);
    } catch {
      const error = new KernelError(ERROR_CODES.POD_CALL_INVALID, 'call payload is not plain json');
      return this.#refuse(call, startMs, 0, { error, anomaly: 'malformed-call' });
    }
    if (bytes > this.#payloadBytesMax) {
      const message = `call payload has ${bytes} bytes, more than the ${this.#payloadBytesMax} allowed`;
      return this.#refuse(call, startMs, bytes, {
        error: new KernelError(ERROR_CODES.POD_CALL_TOO_LARGE, message),
        anomaly: 'malformed-call',
      });
    }
    if (!this.#calls.take()) {
      const { callsPerSecond } = this.#o.config.sentry;
      const error = new KernelError(
        ERROR_CODES.GATEWAY_RATE_LIMITED,
        `more than ${callsPerSecond} gateway calls per second`,
      );
      return this.#refuse(call, startMs, bytes, {
        error,
        ...(this.#floodReports.pass() ? { anomaly: 'flood' } : {}),
      });
    }
    const gateway = this.#gateways.get(call.gateway);
    // WHY: `gateway` was checked by the protocol parser; looked up defensively all the same.
    const ops = GATEWAY_OPS[call.gateway] as ReadonlySet<string> | undefined;
    if (ops === undefined || !ops.has(call.op) || gateway === undefined) {
      const error = new KernelError(
        ERROR_CODES.POD_CALL_INVALID,
        `unknown operation \`${call.gateway}.${call.op}\``,
      );
      return this.#refuse(call, startMs, bytes, { error, anomaly: 'malformed-call' });
    }
    let answered: GatewayAnswer;
    try {
      answered = await gateway.handle({
        agent: this.agent,
        gateway: call.gateway,
        op: call.op,
        payload: call.payload,
        bytes,
      });
    } catch {
      // WHY: a gateway must not throw; if one does, the call fails closed instead of the host.
      answered = answer('', bytes, 0, fail(ERROR_CODES.IO, `the ${call.gateway} gateway failed`), false);
    }
    return this.#finish(call, startMs, answered.facts, answered.result);
  }

  /**
   * Host side: offers an inter-agent message to the inbound gateway, refused while the Sentry is not
   * open or the agent is in hard isolation or later (stage ≥ 3 closes every gateway).
   */
  accept(message: PodMessage): Result<void, KernelError> {
    if (this.#inbound === undefined)
      return fail(ERROR_CODES.MESSAGE_DENIED, `agent \`${this.agent}\` has no inbound gateway`);
    const closed = this.#gate('inbound');
    if (closed !== undefined) return fail(ERROR_CODES.MESSAGE_DENIED, closed.error.message);
    return this.#inbound.accept(message);
  }

  /** Why `gateway` is closed now, if it is: Sentry state and quarantine stage. */
  #gate(gateway: AgentGateway): Verdict | undefined {
    if (this.#state === 'terminated')
      return { error: new KernelError(ERROR_CODES.POD_TERMINATED, `pod \`${this.agent}\` is terminated`) };
    if (this.#state === 'closed')
      return {
        error: new KernelError(ERROR_CODES.GATEWAY_CLOSED, 'gateways are closed until the pod has started'),
      };
    const stage: QuarantineStage = this.#o.immune.stageOf(this.agent);
    if (stage >= 3) {
      const message = `all gateways are closed: the agent is in quarantine stage ${stage} (${STAGE_NAMES[stage]})`;
      return { error: new KernelError(ERROR_CODES.GATEWAY_CLOSED, message) };
    }
    if (stage === 2 && gateway === 'outbound') {
      const message =
        'outbound messages are closed: the agent is in quarantine stage 2 (soft isolation); it may still answer through its task';
      return { error: new KernelError(ERROR_CODES.GATEWAY_CLOSED, message) };
    }
    return undefined;
  }

  #waitForRelease(): Promise<Verdict | undefined> {
    if (this.#waiting.length >= HELD_CALLS_MAX) {
      const error = new KernelError(
        ERROR_CODES.POD_BUSY,
        `pod \`${this.agent}\` is paused with ${HELD_CALLS_MAX} calls waiting`,
      );
      return Promise.resolve({ error });
    }
    return new Promise((resolve) => {
      this.#waiting.push((released) =>
        resolve(
          released
            ? undefined
            : {
                error: new KernelError(
                  ERROR_CODES.POD_TERMINATED,
                  `pod \`${this.agent}\` was terminated while paused`,
                ),
              },
        ),
      );
    });
  }

  #wake(released: boolean): void {
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const resume of waiting) resume(released);
  }

  /** A call refused before any gateway saw it. */
  #refuse(call: CallMessage, startMs: number, bytes: number, verdict: Verdict): HostMessage {
    const { facts, result } = refuse('', bytes, err(verdict.error));
    const anomaly = verdict.anomaly;
    const drafts: AnomalyDraft[] =
      anomaly === undefined
        ? []
        : [
            {
              kind: anomaly,
              evidence: { gateway: call.gateway, op: call.op.slice(0, 64), code: verdict.error.code },
            },
          ];
    return this.#finish(call, startMs, facts, result, drafts);
  }

  #finish(
    call: CallMessage,
    startMs: number,
    facts: CallFacts,
    result: Result<JsonValue, KernelError>,
    drafts?: AnomalyDraft[],
  ): HostMessage {
    const { clock, immune } = this.#o;
    const atMs = clock.wallMs();
    const entry: EgressEntry = {
      atMs,
      agent: this.agent,
      gateway: call.gateway,
      op: call.op,
      target: facts.target,
      bytesOut: facts.bytesOut,
      bytesIn: facts.bytesIn,
      allowed: !facts.blocked,
      ...(result.ok ? {} : { code: result.error.code }),
      latencyMs: clock.monotonicMs() - startMs,
    };
    this.#egress.append(entry);
    immune.observe({
      agent: this.agent,
      gateway: call.gateway,
      op: call.op,
      target: facts.target,
      bytes: facts.bytesOut + facts.bytesIn,
      blocked: facts.blocked,
      atMs,
    });
    if (facts.blocked) {
      this.#journal(entry);
      const reports =
        drafts ?? this.#anomaliesAfterGateway(call, facts, result.ok ? undefined : result.error);
      for (const draft of reports)
        immune.report({ agent: this.agent, kind: draft.kind, source: 'sentry', evidence: draft.evidence });
    } else if (result.ok && facts.external !== undefined) {
      const { kind, peer } = facts.external;
      immune.aggregate({
        agent: this.agent,
        kind,
        bytes: facts.bytesOut,
        ...(peer === undefined ? {} : { peer }),
        atMs,
      });
    }
    if (result.ok) return { kind: 'reply', id: call.id, ok: true, value: result.value };
    return {
      kind: 'reply',
      id: call.id,
      ok: false,
      error: { code: result.error.code, message: result.error.message },
    };
  }

  #anomaliesAfterGateway(
    call: CallMessage,
    facts: CallFacts,
    error: KernelError | undefined,
  ): AnomalyDraft[] {
    // WHY: a gateway's own rate limit is reported at most once a second per gateway, like a flood,
    // so an agent spinning against its limit cannot flood the immune system in turn.
    if (facts.code === ERROR_CODES.GATEWAY_RATE_LIMITED && facts.violation === undefined) {
      let throttle = this.#rateReports.get(call.gateway);
      if (throttle === undefined) {
        throttle = new Throttle(1_000, this.#o.clock);
        this.#rateReports.set(call.gateway, throttle);
      }
      if (!throttle.pass()) return [];
    }
    return anomaliesOf(call.gateway, call.op, facts, error);
  }

  /** Journals a blocked call (`pod.egress`) without waiting for it, at a bounded rate. */
  #journal(entry: EgressEntry): void {
    if (!this.#records.take()) {
      this.#recordsSuppressed += 1;
      return;
    }
    const data: { [key: string]: JsonValue } = { ...entry };
    if (this.#recordsSuppressed > 0) {
      data.suppressedBefore = this.#recordsSuppressed;
      this.#recordsSuppressed = 0;
    }
    try {
      this.#o.services.record('pod.egress', data).catch(() => undefined);
    } catch {
      // WHY: the journal is best effort here; the egress ring and the immune report still hold it.
    }
  }
}
