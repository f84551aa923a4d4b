// One agent session's information flow (§11, issue 7): the context label (the join of everything
// the session has read), the provenance index of every value that entered the agent's context,
// and the values it holds in quarantine. Owned by the kernel; integrations only feed it.

import { randomBytes } from 'node:crypto';
import { type JsonValue, touchBounded } from '../shared/index.ts';
import { joinLabels, type Label, TRUSTED_PUBLIC } from './label.ts';
import {
  type FieldLabelRule,
  indexOutput,
  ProvenanceIndex,
  type ProvenanceLimits,
  type ValueProvenance,
} from './provenance/index.ts';

/** What a session knows about where one value came from; read by DSC check 4. */
export type FlowSessionView = {
  readonly id: string;
  readonly agent: string;
  /** Join of the labels of everything the session has read; TRUSTED PUBLIC before the first read. */
  readonly label: Label;
  readonly sources: number;
  classify(value: JsonValue): ValueProvenance;
};

export type ObservedSource = { readonly id: string; readonly tool: string };

/** A quarantined value: handed to the planner only as `maos:q:<hex>`, resolved when an intent cites it. */
export type QuarantinedValue = { readonly value: JsonValue; readonly label: Label; readonly source: string };

/** More quarantined values than this in one session: the oldest are forgotten (a later citation fails closed). */
const QUARANTINE_MAX = 10_000;

export class FlowSession implements FlowSessionView {
  readonly id: string;
  readonly agent: string;
  readonly #index: ProvenanceIndex;
  readonly #quarantine = new Map<string, QuarantinedValue>();
  #label: Label = TRUSTED_PUBLIC;
  #sources = 0;

  constructor(id: string, agent: string, limits?: Partial<ProvenanceLimits>) {
    this.id = id;
    this.agent = agent;
    this.#index = new ProvenanceIndex(limits);
  }

  get label(): Label {
    return this.#label;
  }

  get sources(): number {
    return this.#sources;
  }

  /** The user's request: a trusted source. */
  task(text: string): void {
    this.#sources++;
    this.#index.addText({ id: `task-${this.#sources}`, kind: 'task' }, '', text, TRUSTED_PUBLIC);
  }

  /**
   * A tool's output reached the agent: every leaf is indexed under its field label and the context
   * label joins them all (an empty output still joins the tool's own label).
   */
  observe(source: ObservedSource, output: JsonValue, base: Label, fields: readonly FieldLabelRule[]): void {
    this.#sources++;
    const ref = { id: source.id, kind: 'output' as const, tool: source.tool };
    this.#label = joinLabels(this.#label, indexOutput(this.#index, ref, output, base, fields));
  }

  classify(value: JsonValue): ValueProvenance {
    return this.#index.classify(value);
  }

  /** Keeps `value` out of the planner's sight and returns the reference it may pass on instead. */
  hold(value: JsonValue, label: Label, source: string): string {
    const ref = `maos:q:${randomBytes(16).toString('hex')}`;
    touchBounded(this.#quarantine, ref, { value, label, source }, QUARANTINE_MAX);
    return ref;
  }

  held(ref: string): QuarantinedValue | undefined {
    return this.#quarantine.get(ref);
  }
}
