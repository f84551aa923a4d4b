// All agent-to-agent traffic goes over the signed bus (issue 5): each pod gets an Ed25519 key when
// it starts (the host holds it; agent code never sees it, MR-2), a receive policy from its manifest
// and the policy (senders, clearance, rate, DLP), and a subscription that hands checked messages to
// its inbound gateway. A `message.send` intent, once committed, is signed as its sender (one
// signature per sender and event-loop turn, each envelope with its Merkle proof: decision 0010)
// and published; typed pipes hand their payloads over the same bus and wait for the checked delivery.

import {
  BatchSigner,
  BusKeyRing,
  type BusRecord,
  type Delivery,
  type Envelope,
  MemoryBus,
  type ReceivePolicy,
  SchemaRegistry,
  type Subscription,
  type VouchEntry,
} from '../bus/index.ts';
import type { Label } from '../ifc/index.ts';
import type { SideEffectClass } from '../kernel/index.ts';
import { type AgentManifest, nameAllowlist, type PodManager } from '../pod/index.ts';
import {
  type Clock,
  ERROR_CODES,
  fail,
  type JsonValue,
  type KernelError,
  ok,
  type Random,
  type Result,
} from '../shared/index.ts';

/** The schema of a plain agent message (`maos.send(to, type, body)`): any JSON body. */
export const MESSAGE_SCHEMA = 'maos.message.v1';
/** Envelope type of a typed pipe's handoff; delivered to the pipe, not to the agent's inbox. */
const PIPE_TYPE = 'maos.pipe';
/** How long a pipe handoff waits for its checked delivery. */
const HANDOFF_TIMEOUT_MS = 10_000;
const HANDOFFS_PENDING_MAX = 1_000;

type Pending = {
  readonly resolve: (result: Result<JsonValue, KernelError>) => void;
  readonly timer: ReturnType<typeof setTimeout>;
};

export type PodBusOptions = {
  readonly clock: Clock;
  readonly random: Random;
  /** The journal (refusals and drops). */
  readonly record: (type: string, data: { readonly [key: string]: JsonValue }) => Promise<number>;
  /** Every agent id in maos.yaml (fixed at boot): the senders a manifest's patterns can name. */
  readonly agents: readonly string[];
  /** Clearance of an agent in maos.yaml (its receive policy's IFC bound). */
  readonly clearanceOf: (agent: string) => Label['confidentiality'];
  /** The session label of the sending agent: what its message carries (IFC). */
  readonly labelOf: (agent: string) => Label;
  /**
   * A sender's effective trust for one checked envelope, as a receiver that acts with side-effect
   * class `trustFor` counts it (a receiver's `inbound.trustMin` applies it): the ledger's cached
   * score, raised by the envelope's vouch chain when that verifies.
   */
  readonly trustOf: (agent: string, envelope: Envelope, trustFor: SideEffectClass) => number | undefined;
  /** The vouch chain a sender's message about `subject` carries (empty when nobody vouched). */
  readonly chainOf?: (agent: string, subject: string) => readonly VouchEntry[];
  /** Told of each message handed to a pod, for tracing a downstream anomaly back to it (slashing). */
  readonly onDelivered?: (recipient: string, envelope: Envelope) => void;
  /** Told when the pod did not take a message `onDelivered` announced. */
  readonly onUndelivered?: (recipient: string, id: string) => void;
};

export class PodBus {
  readonly keys: BusKeyRing;
  readonly schemas = new SchemaRegistry({ [MESSAGE_SCHEMA]: {} });
  readonly bus: MemoryBus;
  /** Signs each sender's messages of one event-loop turn with one signature (decision 0010). */
  readonly #signer: BatchSigner;
  readonly #o: PodBusOptions;
  readonly #policies = new Map<string, ReceivePolicy>();
  readonly #subscriptions = new Map<string, Subscription>();
  readonly #pending = new Map<string, Pending>();
  #pods: PodManager | undefined;

  constructor(options: PodBusOptions) {
    this.#o = options;
    this.keys = new BusKeyRing({ clock: options.clock, random: options.random });
    this.#signer = new BatchSigner(this.keys);
    this.bus = new MemoryBus({
      keys: this.keys,
      policies: (recipient) => this.#policies.get(recipient),
      clock: options.clock,
      onRecord: (record) => this.#refused(record),
    });
  }

  attach(pods: PodManager): void {
    this.#pods = pods;
  }

  /** A pod is starting: its key, its receive policy, its subscription. */
  async join(manifest: AgentManifest): Promise<Result<void, KernelError>> {
    const inbound = manifest.gateways.inbound;
    const allowed = nameAllowlist(inbound.senders);
    this.keys.forget(manifest.id);
    this.keys.generate(manifest.id);
    this.#policies.set(manifest.id, {
      // WHY: the bus's allowlist is exact; the manifest's patterns are read as the inbound gateway reads them.
      senders: this.#o.agents.filter((agent) => allowed.matches(agent)),
      clearance: this.#o.clearanceOf(manifest.id),
      rate: { perSecond: Math.max(1, inbound.perMinute / 60), burst: inbound.perMinute },
      dlp: inbound.dlp,
      schemas: this.schemas,
      trust: {
        min: inbound.trustMin,
        scoreOf: (sender, envelope) => this.#o.trustOf(sender, envelope, inbound.trustFor),
      },
    });
    await this.#subscriptions.get(manifest.id)?.unsubscribe();
    await this.bus.unblock(manifest.id);
    const subscribed = await this.bus.subscribe(manifest.id, (delivery) => this.#deliver(delivery));
    if (!subscribed.ok) return subscribed;
    this.#subscriptions.set(manifest.id, subscribed.value);
    return ok(undefined);
  }

  /** The pod ended: nothing more reaches it, and its key signs nothing more. */
  async leave(agent: string): Promise<void> {
    await this.bus.block(agent);
    this.keys.forget(agent);
  }

  /** Signs a message as `from` and publishes it to `to`, with the vouch chain for `subject` if any. */
  async send(
    from: string,
    to: string,
    type: string,
    body: JsonValue,
    subject?: string,
  ): Promise<Result<void, KernelError>> {
    const vouch = subject === undefined ? [] : (this.#o.chainOf?.(from, subject) ?? []);
    const envelope = await this.#sign(from, to, type, MESSAGE_SCHEMA, body, vouch);
    return envelope.ok ? this.bus.publish(envelope.value) : envelope;
  }

  /** A typed pipe's handoff: the payload as `to` receives it after every receive check, or why not. */
  async handoff(
    from: string,
    to: string,
    payload: JsonValue,
    check: { readonly schemaId: string; readonly schema: object } | undefined,
  ): Promise<Result<JsonValue, KernelError>> {
    if (this.#pending.size >= HANDOFFS_PENDING_MAX)
      return fail(ERROR_CODES.POD_BUSY, 'too many pipe handoffs in flight');
    if (check !== undefined && !this.schemas.has(check.schemaId))
      this.schemas.register(check.schemaId, check.schema);
    const envelope = await this.#sign(from, to, PIPE_TYPE, check?.schemaId ?? MESSAGE_SCHEMA, payload);
    if (!envelope.ok) return envelope;
    const id = envelope.value.id;
    const settled = new Promise<Result<JsonValue, KernelError>>((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        resolve(
          fail(
            ERROR_CODES.TASK_TIMEOUT,
            `handoff ${from} → ${to} was not delivered in ${HANDOFF_TIMEOUT_MS} ms`,
          ),
        );
      }, HANDOFF_TIMEOUT_MS);
      this.#pending.set(id, { resolve, timer });
    });
    const published = await this.bus.publish(envelope.value);
    if (!published.ok) {
      this.#settle(id, published);
      return published;
    }
    return settled;
  }

  async close(): Promise<void> {
    for (const id of [...this.#pending.keys()])
      this.#settle(id, fail(ERROR_CODES.POD_TERMINATED, 'the bus closed'));
    this.#signer.flush();
    await this.bus.close();
  }

  async #sign(
    from: string,
    to: string,
    type: string,
    schema: string,
    payload: JsonValue,
    vouch: readonly VouchEntry[] = [],
  ): Promise<Result<Envelope, KernelError>> {
    if (!this.keys.hasSigner(from))
      return fail(ERROR_CODES.AGENT_NOT_RUNNING, `agent \`${from}\` has no bus key (no running pod)`);
    return this.#signer.sign({ from, to: [to], type, schema, payload, label: this.#o.labelOf(from), vouch });
  }

  #deliver(delivery: Delivery): void {
    const { envelope, payload, recipient } = delivery;
    if (envelope.type === PIPE_TYPE) {
      this.#settle(envelope.id, ok(payload));
      return;
    }
    this.#o.onDelivered?.(recipient, envelope);
    const delivered = this.#pods?.deliver({
      from: envelope.from,
      to: recipient,
      type: envelope.type,
      body: payload,
    });
    void delivered?.then((result) => {
      if (result.ok) return;
      this.#o.onUndelivered?.(recipient, envelope.id);
      void this.#journal('bus.undelivered', {
        id: envelope.id,
        from: envelope.from,
        to: recipient,
        code: result.error.code,
        message: result.error.message,
      });
    });
  }

  #refused(record: BusRecord): void {
    if (record.id !== undefined && this.#pending.has(record.id)) {
      this.#settle(
        record.id,
        fail(
          ERROR_CODES.MESSAGE_DENIED,
          `${record.recipient} refused it: ${record.reason}: ${record.message}`,
          { reason: record.reason },
        ),
      );
    }
    void this.#journal(`bus.${record.kind.replace('_', '-')}`, {
      recipient: record.recipient,
      reason: record.reason,
      message: record.message,
      ...(record.id === undefined ? {} : { id: record.id }),
      ...(record.from === undefined ? {} : { from: record.from }),
      ...(record.seq === undefined ? {} : { seq: record.seq }),
    });
  }

  #settle(id: string, result: Result<JsonValue, KernelError> | Result<void, KernelError>): void {
    const pending = this.#pending.get(id);
    if (pending === undefined) return;
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    pending.resolve(result.ok ? ok((result.value ?? null) as JsonValue) : result);
  }

  async #journal(type: string, data: { readonly [key: string]: JsonValue }): Promise<void> {
    await this.#o.record(type, data).catch(() => {});
  }
}
