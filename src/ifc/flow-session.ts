// One agent session's information flow (§11, issue 7): the context label (the join of everything
// the session has read), the provenance index of every value that entered the agent's context,
// and the values it holds in quarantine. Owned by the kernel; integrations only feed it.

import { randomBytes } from 'node:crypto';
import { hashHex, type JsonValue, touchBounded } from '../shared/index.ts';
import {
  type Confidentiality,
  confidentialityRank,
  joinLabels,
  type Label,
  TRUSTED_PUBLIC,
} from './label.ts';
import {
  doubtOf,
  type FieldLabelRule,
  indexLeaves,
  type LabelledLeaf,
  matchForm,
  outputLeaves,
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
  /**
   * The level `text` was declassified to in this session, when a declassification granted it:
   * compared in the provenance match form (case, spacing and quotes do not matter), whole text
   * only (a part of a released text is not released); a text with hidden characters never matches.
   */
  releasedLevel(text: string): Confidentiality | undefined;
};

export type ObservedSource = { readonly id: string; readonly tool: string };

/** A quarantined value: handed to the planner only as `maos:q:<hex>`, resolved when an intent cites it. */
export type QuarantinedValue = { readonly value: JsonValue; readonly label: Label; readonly source: string };

/** More quarantined values than this in one session: the oldest are forgotten (a later citation fails closed). */
const QUARANTINE_MAX = 10_000;
/** Granted declassifications kept per session (as hashes); past it the oldest grant is forgotten. */
export const RELEASED_MAX = 1024;
/** Characters of source text above PUBLIC kept for gate 1's comparison; the oldest go first. */
export const SOURCE_TEXT_CHARS_MAX = 1024 * 1024;
/** One leaf's text is cut to this (at most 768 KiB in UTF-8, under gate 1's 1 MiB bound). */
const SOURCE_LEAF_CHARS_MAX = 256 * 1024;
/** The UTF-8 bytes `sourceText` returns at most: gate 1's bound on the original. */
const SOURCE_TEXT_BYTES_MAX = 1024 * 1024;

type SourceText = { readonly text: string; readonly level: Confidentiality };

export class FlowSession implements FlowSessionView {
  readonly id: string;
  readonly agent: string;
  readonly #index: ProvenanceIndex;
  readonly #quarantine = new Map<string, QuarantinedValue>();
  readonly #released = new Map<string, Confidentiality>();
  readonly #texts: SourceText[] = [];
  #textChars = 0;
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
    // INVARIANT: the output is walked once; the index and the kept source texts share its leaves.
    const leaves = outputLeaves(output, base, fields);
    const label = indexLeaves(this.#index, ref, leaves, base, fields);
    this.#label = joinLabels(this.#label, label);
    // WHY: only text above PUBLIC can be the original of a declassification; most reads skip this.
    if (label.confidentiality !== 'PUBLIC') this.#keepSourceTexts(leaves);
  }

  /** Records that a declassification released `text` to `to` (keeps the lowest level granted). */
  release(text: string, to: Confidentiality): void {
    const key = releaseKey(text);
    if (key === undefined) return;
    const earlier = this.#released.get(key);
    const level =
      earlier !== undefined && confidentialityRank(earlier) < confidentialityRank(to) ? earlier : to;
    touchBounded(this.#released, key, level, RELEASED_MAX);
  }

  releasedLevel(text: string): Confidentiality | undefined {
    // WHY: hidden characters or lookalikes vanish in the match form and could carry data past the grant.
    if (typeof text !== 'string' || doubtOf(text) !== undefined) return undefined;
    const key = releaseKey(text);
    return key === undefined ? undefined : this.#released.get(key);
  }

  /**
   * The newest source texts labelled above `level`, oldest first, joined by newlines and at most
   * 1 MiB of UTF-8: what a declassification to `level` is compared against (gate 1).
   */
  sourceText(level: Confidentiality): string {
    const rank = confidentialityRank(level);
    const picked: string[] = [];
    let bytes = 0;
    for (let i = this.#texts.length - 1; i >= 0; i--) {
      const source = this.#texts[i];
      if (source === undefined || confidentialityRank(source.level) <= rank) continue;
      bytes += Buffer.byteLength(source.text, 'utf8') + 1;
      if (bytes > SOURCE_TEXT_BYTES_MAX) break;
      picked.push(source.text);
    }
    return picked.reverse().join('\n');
  }

  #keepSourceTexts(leaves: readonly LabelledLeaf[]): void {
    for (const leaf of leaves) {
      if (leaf.label.confidentiality === 'PUBLIC') continue;
      const text = String(leaf.text).slice(0, SOURCE_LEAF_CHARS_MAX);
      if (text.trim() === '') continue;
      this.#texts.push({ text, level: leaf.label.confidentiality });
      this.#textChars += text.length;
    }
    let drop = 0;
    while (this.#textChars > SOURCE_TEXT_CHARS_MAX && drop < this.#texts.length) {
      this.#textChars -= this.#texts[drop]?.text.length ?? 0;
      drop++;
    }
    if (drop > 0) this.#texts.splice(0, drop);
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

/** A released text's key: SHA-256 of its match form, so a grant costs 64 characters whatever its size. */
function releaseKey(text: string): string | undefined {
  if (typeof text !== 'string') return undefined;
  const form = matchForm(text);
  return form === '' ? undefined : hashHex(form);
}
