// The three-gate declassification protocol (spec §11.3): gate 1 screens deterministically, gate 2
// asks two evaluators on different models, gate 3 sends the request to a human where the flow or
// the profile demands it. A per-agent window escalates past 10 declassifications in 24 h (§49.11).

import type { Clock } from '../../shared/clock.ts';
import { type Confidentiality, confidentialityRank, isConfidentiality } from '../label.ts';
import { GATE1_SIMILARITY_MAX, gate1 } from './gate1.ts';

/** Stable reason codes. `DECLASSIFY_GATE3` and `DECLASSIFY_RATE` appear in escalate reasons. */
export const DECLASSIFY_CODES = {
  NOT_LOWER: 'DECLASSIFY_NOT_LOWER',
  GATE1: 'DECLASSIFY_GATE1',
  GATE2: 'DECLASSIFY_GATE2',
  GATE3: 'DECLASSIFY_GATE3',
  RATE: 'DECLASSIFY_RATE',
  INVALID: 'DECLASSIFY_INVALID',
  /** An unexpected internal failure; the request is denied (fail closed). */
  ERROR: 'DECLASSIFY_ERROR',
} as const;
export type DeclassifyCode = (typeof DECLASSIFY_CODES)[keyof typeof DECLASSIFY_CODES];

export type DeclassifyProfile = 'standard' | 'hardened' | 'isolated';

export type DeclassifyRequest = {
  agent: string;
  session?: string;
  from: Confidentiality;
  to: Confidentiality;
  original: string;
  proposed: string;
  justification: string;
};

export type GateRecord = {
  gate: 1 | 2 | 3;
  result: 'pass' | 'block' | 'human' | 'skipped';
  detail: Record<string, unknown>;
};

export type DeclassifyOutcome =
  /** All gates passed and no human is needed. */
  | { verdict: 'allow'; gates: GateRecord[] }
  /** Gate 1 (and gate 2 when automated) passed; a human must decide (gate 3). */
  | { verdict: 'escalate'; gates: GateRecord[]; reason: string }
  | { verdict: 'deny'; gates: GateRecord[]; code: string; reason: string };

/** A supervisory evaluator for gate 2; it sees the original and the proposed text. */
export type Gate2Evaluator = {
  readonly id: string;
  /** The model behind the evaluator; gate 2 needs at least two distinct models. */
  readonly model: string;
  evaluate(request: Readonly<DeclassifyRequest>): Promise<{ approve: boolean; reason: string }>;
};

/**
 * A commander-defined pattern of pre-approved output: a proposed text that fully matches `pattern`
 * (case-insensitive) for exactly this `from` → `to` skips gate 3, and only gate 3.
 */
export type DeclassifyTemplate = {
  readonly id: string;
  readonly from: Confidentiality;
  readonly to: Confidentiality;
  readonly pattern: string;
};

export type DeclassifierOptions = {
  readonly profile: DeclassifyProfile;
  readonly evaluators?: readonly Gate2Evaluator[];
  readonly templates?: readonly DeclassifyTemplate[];
  readonly dictionary?: readonly string[];
  readonly similarityMax?: number;
  /** Declassifications per agent per window before the next ones escalate (spec §49.11: 10). */
  readonly perAgentMax?: number;
  readonly windowMs?: number;
  readonly evaluatorTimeoutMs?: number;
  readonly clock: Pick<Clock, 'wallMs'>;
};

export const DECLASSIFY_PER_AGENT_MAX = 10;
export const DECLASSIFY_WINDOW_MS = 24 * 60 * 60 * 1000;
export const DECLASSIFY_EVALUATOR_TIMEOUT_MS = 10_000;
/** Agent ids longer than this are rejected, bounding the rate table's keys. */
const AGENT_ID_CHARS_MAX = 1024;
/** Timestamps kept per agent; `count()` saturates here. */
const WINDOW_ENTRIES_MAX = 10_000;
/** Past this many agents in the rate table, expired entries of every agent are swept. */
const AGENTS_SWEEP_AT = 10_000;
/** Evaluator reasons are cut to this length in gate records. */
const REASON_CHARS_MAX = 1000;

type CompiledTemplate = {
  readonly id: string;
  readonly from: Confidentiality;
  readonly to: Confidentiality;
  readonly pattern: RegExp;
};
type Evaluation = {
  readonly id: string;
  readonly model: string;
  readonly approve: boolean;
  readonly reason: string;
};

/** Runs the three gates for declassification requests and keeps the per-agent rate window. */
export class Declassifier {
  readonly #profile: DeclassifyProfile;
  readonly #evaluators: readonly Gate2Evaluator[];
  readonly #templates: readonly CompiledTemplate[];
  readonly #dictionary: readonly string[] | undefined;
  readonly #similarityMax: number;
  readonly #perAgentMax: number;
  readonly #windowMs: number;
  readonly #evaluatorTimeoutMs: number;
  readonly #clock: Pick<Clock, 'wallMs'>;
  readonly #window = new Map<string, number[]>();
  /** Ids of templates dropped at construction (bad level or pattern); they never skip gate 3. */
  readonly ignoredTemplates: readonly string[];

  constructor(options: DeclassifierOptions) {
    this.#profile = options.profile;
    // WHY: copies, so a caller mutating its arrays later cannot change decisions.
    this.#evaluators = Object.freeze([...(options.evaluators ?? [])]);
    this.#dictionary = options.dictionary === undefined ? undefined : Object.freeze([...options.dictionary]);
    this.#similarityMax = ratioOption(options.similarityMax, GATE1_SIMILARITY_MAX);
    this.#perAgentMax = countOption(options.perAgentMax, DECLASSIFY_PER_AGENT_MAX);
    this.#windowMs = positiveOption(options.windowMs, DECLASSIFY_WINDOW_MS);
    this.#evaluatorTimeoutMs = positiveOption(options.evaluatorTimeoutMs, DECLASSIFY_EVALUATOR_TIMEOUT_MS);
    this.#clock = options.clock;
    const templates: CompiledTemplate[] = [];
    const ignored: string[] = [];
    for (const template of options.templates ?? []) {
      const compiled = compileTemplate(template);
      if (typeof compiled === 'string') ignored.push(compiled);
      else templates.push(compiled);
    }
    this.#templates = Object.freeze(templates);
    this.ignoredTemplates = Object.freeze(ignored);
  }

  /**
   * Runs the gates in order (1, then 2, then decides 3). Never throws: a failure is a deny. Counts
   * every request that passes gate 1 toward the agent's window; past `perAgentMax` in the window
   * the outcome is escalate (`DECLASSIFY_RATE`) even if it would be allow.
   */
  async request(req: DeclassifyRequest): Promise<DeclassifyOutcome> {
    try {
      return await this.#decide(req);
    } catch (error) {
      return deny([], DECLASSIFY_CODES.ERROR, `declassification failed: ${describe(error)}`);
    }
  }

  /** Declassifications counted for `agent` in the current window. */
  count(agent: string): number {
    const entries = this.#window.get(agent);
    if (entries === undefined) return 0;
    this.#prune(agent, entries, this.#clock.wallMs());
    return entries.length;
  }

  async #decide(raw: DeclassifyRequest): Promise<DeclassifyOutcome> {
    const read = readRequest(raw, this.#profile);
    if (typeof read === 'string') return deny([], DECLASSIFY_CODES.INVALID, read);
    const req = read;
    if (confidentialityRank(req.to) >= confidentialityRank(req.from)) {
      return deny(
        [],
        DECLASSIFY_CODES.NOT_LOWER,
        `\`${req.from}\` to \`${req.to}\` is not a declassification: the target must be lower`,
      );
    }

    const screen = gate1(
      { original: req.original, proposed: req.proposed },
      {
        similarityMax: this.#similarityMax,
        ...(this.#dictionary === undefined ? {} : { dictionary: this.#dictionary }),
      },
    );
    const gate1Record: GateRecord = {
      gate: 1,
      result: screen.pass ? 'pass' : 'block',
      detail: {
        similarity: screen.similarity,
        similarityMax: this.#similarityMax,
        findings: screen.findings,
      },
    };
    if (screen.findings.some((finding) => finding.kind === 'oversized')) {
      return deny([gate1Record], DECLASSIFY_CODES.INVALID, 'declassification text is too large');
    }
    if (!screen.pass) {
      const kinds = [...new Set(screen.findings.map((finding) => finding.kind))].join(', ');
      return deny([gate1Record], DECLASSIFY_CODES.GATE1, `gate 1 blocked the proposed text (${kinds})`);
    }

    // INVARIANT: counted synchronously before any await, so concurrent requests all see each other.
    const counted = this.#record(req.agent, this.#clock.wallMs());
    const overRate = counted > this.#perAgentMax;

    const gate2Record = await this.#gate2(req);
    if (gate2Record.result === 'block') {
      return deny(
        [gate1Record, gate2Record],
        DECLASSIFY_CODES.GATE2,
        'gate 2 evaluators did not all approve',
      );
    }

    const flowReasons = humanRequiredByFlow(req.from, req.to, this.#profile);
    const template =
      flowReasons.length > 0 && gate2Record.result === 'pass' ? this.#matchTemplate(req) : undefined;
    // WHY: a template replaces only the human the flow asks for; it never stands in for gate 2
    // (gate 2 `human`) nor lifts the aggregate threshold.
    const reasons: string[] = template === undefined ? [...flowReasons] : [];
    if (gate2Record.result === 'human') reasons.push('gate 2 has fewer than two distinct evaluator models');
    const escalations: string[] = [];
    if (reasons.length > 0) escalations.push(`${DECLASSIFY_CODES.GATE3}: ${reasons.join('; ')}`);
    if (overRate) {
      reasons.push('aggregate declassification threshold reached');
      escalations.push(
        `${DECLASSIFY_CODES.RATE}: agent \`${req.agent}\` has ${counted} declassifications in the window (max ${this.#perAgentMax})`,
      );
    }
    const gate3Record: GateRecord = {
      gate: 3,
      result: reasons.length > 0 ? 'human' : 'skipped',
      detail: {
        required: reasons.length > 0,
        reasons,
        ...(template === undefined ? {} : { template: template.id, skippedReasons: flowReasons }),
        counted,
      },
    };
    const gates = [gate1Record, gate2Record, gate3Record];
    if (escalations.length > 0) return { verdict: 'escalate', gates, reason: escalations.join('; ') };
    return { verdict: 'allow', gates };
  }

  async #gate2(req: Readonly<DeclassifyRequest>): Promise<GateRecord> {
    const evaluations = await Promise.all(
      this.#evaluators.map((evaluator) => this.#evaluate(evaluator, req)),
    );
    // WHY: models compare trimmed and case-folded, so `GPT-x` and `gpt-x` count as one model.
    const models = [...new Set(evaluations.map((e) => e.model.trim().toLowerCase()).filter((m) => m !== ''))];
    const detail = { models, evaluations };
    // WHY: a rejection blocks even when gate 2 cannot pass for want of models: any gate blocks ⇒ deny.
    if (evaluations.some((evaluation) => !evaluation.approve)) return { gate: 2, result: 'block', detail };
    if (models.length < 2) return { gate: 2, result: 'human', detail };
    return { gate: 2, result: 'pass', detail };
  }

  /** One evaluator's verdict; a throw, a malformed answer or a timeout is a rejection. */
  async #evaluate(evaluator: Gate2Evaluator, req: Readonly<DeclassifyRequest>): Promise<Evaluation> {
    let id = '';
    let model = '';
    try {
      id = typeof evaluator.id === 'string' ? evaluator.id : '';
      model = typeof evaluator.model === 'string' ? evaluator.model : '';
    } catch {
      // A hostile getter leaves the evaluator nameless; it still gets asked and can only deny.
    }
    const timeoutMs = this.#evaluatorTimeoutMs;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<Evaluation>((resolve) => {
      timer = setTimeout(
        () => resolve({ id, model, approve: false, reason: `evaluator timed out after ${timeoutMs} ms` }),
        timeoutMs,
      );
    });
    const run = (async (): Promise<Evaluation> => {
      const answer: unknown = await evaluator.evaluate(req);
      const { approve, reason } = (answer ?? {}) as { approve?: unknown; reason?: unknown };
      return {
        id,
        model,
        approve: approve === true,
        reason: typeof reason === 'string' ? reason.slice(0, REASON_CHARS_MAX) : 'no reason given',
      };
    })().catch((error: unknown) => ({
      id,
      model,
      approve: false,
      reason: `evaluator failed: ${describe(error)}`,
    }));
    try {
      return await Promise.race([run, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  #matchTemplate(req: Readonly<DeclassifyRequest>): CompiledTemplate | undefined {
    return this.#templates.find((template) => {
      if (template.from !== req.from || template.to !== req.to) return false;
      const match = template.pattern.exec(req.proposed);
      // WHY: the anchors alone do not guarantee a full match if the pattern closes the group
      // itself (`a)|(?:b`); checking the span makes such a pattern fail safe (no skip).
      return match !== null && match.index === 0 && match[0].length === req.proposed.length;
    });
  }

  /** Adds one entry for `agent` at `nowMs`; returns the agent's count in the window. */
  #record(agent: string, nowMs: number): number {
    if (this.#window.size > AGENTS_SWEEP_AT) {
      for (const [name, entries] of this.#window) this.#prune(name, entries, nowMs);
    }
    const existing = this.#window.get(agent);
    if (existing !== undefined) this.#prune(agent, existing, nowMs);
    // INVARIANT: fetched after pruning, which removes an agent whose entries all expired.
    let entries = this.#window.get(agent);
    if (entries === undefined) {
      entries = [];
      this.#window.set(agent, entries);
    }
    entries.push(nowMs);
    if (entries.length > WINDOW_ENTRIES_MAX) entries.splice(0, entries.length - WINDOW_ENTRIES_MAX);
    return entries.length;
  }

  #prune(agent: string, entries: number[], nowMs: number): void {
    // WHY: an entry leaves only once it is provably older than the window; a clock that jumps
    // back (or reads NaN) keeps entries, which can only escalate more, never less.
    const cutoffMs = nowMs - this.#windowMs;
    let expired = 0;
    while (expired < entries.length && (entries[expired] ?? Number.NaN) <= cutoffMs) expired++;
    if (expired > 0) entries.splice(0, expired);
    if (entries.length === 0) this.#window.delete(agent);
  }
}

/** Why a human must decide for this flow in this profile (spec §11.3); empty when none must. */
function humanRequiredByFlow(
  from: Confidentiality,
  to: Confidentiality,
  profile: DeclassifyProfile,
): string[] {
  if (from === 'RESTRICTED') return ['RESTRICTED data needs a human to declassify'];
  if (from === 'CONFIDENTIAL' && to === 'PUBLIC') return ['CONFIDENTIAL to PUBLIC needs a human'];
  if (from === 'INTERNAL' && to === 'PUBLIC' && profile !== 'standard') {
    return [`INTERNAL to PUBLIC needs a human in the ${profile} profile`];
  }
  return [];
}

/** A frozen copy of a well-formed request, or why it is not one. */
function readRequest(raw: unknown, profile: DeclassifyProfile): Readonly<DeclassifyRequest> | string {
  try {
    if (typeof raw !== 'object' || raw === null) return 'declassification request is not an object';
    // WHY: each field is read once, so gate 1 and the evaluators judge the same values even if
    // the caller's object has getters.
    const { agent, session, from, to, original, proposed, justification } = raw as Record<string, unknown>;
    if (typeof agent !== 'string' || agent === '' || agent.length > AGENT_ID_CHARS_MAX) {
      return 'agent must be a non-empty id';
    }
    if (session !== undefined && typeof session !== 'string') return 'session must be a string';
    if (!isConfidentiality(from)) return `unknown confidentiality level \`${describe(from)}\` in from`;
    if (!isConfidentiality(to)) return `unknown confidentiality level \`${describe(to)}\` in to`;
    if (typeof original !== 'string') return 'original must be text';
    if (typeof proposed !== 'string' || proposed.trim() === '') return 'proposed text must not be empty';
    if (typeof justification !== 'string') return 'justification must be text';
    // WHY: spec §11.3 profile rider: hardened (and stricter isolated) ask for an explicit justification.
    if (profile !== 'standard' && justification.trim() === '') {
      return `a justification is required in the ${profile} profile`;
    }
    return Object.freeze({
      agent,
      ...(session === undefined ? {} : { session }),
      from,
      to,
      original,
      proposed,
      justification,
    });
  } catch (error) {
    return `declassification request is unreadable: ${describe(error)}`;
  }
}

/** The compiled template, or the id (as text) of one that is malformed. */
function compileTemplate(template: DeclassifyTemplate): CompiledTemplate | string {
  let name = '';
  try {
    const { id, from, to, pattern } = template;
    name = describe(id);
    if (typeof id !== 'string' || !isConfidentiality(from) || !isConfidentiality(to)) return name;
    if (typeof pattern !== 'string') return name;
    // WHY: templates are commander-defined (trusted); a pathological pattern could still be slow on
    // a large text, so keep them simple.
    return Object.freeze({ id, from, to, pattern: new RegExp(`^(?:${pattern})$`, 'i') });
  } catch {
    return name;
  }
}

function deny(gates: GateRecord[], code: DeclassifyCode, reason: string): DeclassifyOutcome {
  return { verdict: 'deny', gates, code, reason };
}

function countOption(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : fallback;
}

function ratioOption(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 1 ? value : fallback;
}

function positiveOption(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
}

/** A one-line description of a thrown value or input, safe against hostile objects. */
function describe(value: unknown): string {
  try {
    const text = value instanceof Error ? value.message : String(value);
    return text.replace(/\s+/g, ' ').slice(0, 200);
  } catch {
    return 'unprintable value';
  }
}
