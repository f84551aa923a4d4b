// Replay (issue 7): decides a recorded agent trace without executing anything. Each trace is a
// fresh session; tasks are trusted sources, results are labelled by their tool's policy, and each
// call is decided by the seven checks as if the agent attempted it now; a declassification request
// by the three-gate protocol (replay-declassify.ts).

import { Declassifier, type Gate2Evaluator } from '../ifc/declassify/index.ts';
import { classifyArguments, type FlowSession, type FlowStore, type ValueProvenance } from '../ifc/index.ts';
import {
  type ActionPolicy,
  AgentToken,
  type CheckOutcome,
  failing,
  generateIssuerKeyPair,
  Kernel,
  type Policy,
  publicKeysOf,
  unknownActionPolicy,
} from '../kernel/index.ts';
import { type Clock, type JsonValue, systemClock, systemRandom, uuidv7 } from '../shared/index.ts';
import { type DeclassifyLine, type DeclassifySummary, replayDeclassify } from './replay-declassify.ts';
import { parseTraceLine, type TraceLine } from './trace-line.ts';

export type ReplayVerdict = 'allow' | 'deny' | 'escalate';

export type CallOutcome = {
  readonly call: string;
  readonly verdict: ReplayVerdict;
  readonly checks: ReadonlyArray<Pick<CheckOutcome, 'check' | 'verdict' | 'code' | 'message' | 'detail'>>;
  readonly reason: string;
  readonly provenance: Readonly<Record<string, ValueProvenance>>;
};

export type LineError = {
  readonly line: number;
  readonly error: { readonly code: string; readonly message: string };
};
export type ReplayLine = CallOutcome | LineError;

export type ReplaySummary = {
  readonly traces: number;
  readonly calls: number;
  readonly allow: number;
  readonly deny: number;
  readonly escalate: number;
  readonly errors: number;
  readonly declassifications: DeclassifySummary;
};

export type ReplayOptions = {
  /** Gate-2 evaluators for `declassify` lines (tests, embedders); without two models gate 2 needs a human. */
  readonly evaluators?: readonly Gate2Evaluator[];
  /**
   * Receives the outcome of each `declassify` line, in trace order, before the next line is read.
   * WHY a callback and not a yielded line: `ReplayLine` consumers (the scenario runner) expect calls.
   */
  readonly onDeclassify?: (line: DeclassifyLine) => void;
};

const DECLASSIFY_TOTAL = { allow: 'allowed', escalate: 'escalated', deny: 'denied' } as const;

/** Code of a call to a tool the configuration does not name. */
export const TOOL_UNKNOWN = 'TOOL_UNKNOWN';

/** A kernel that decides only: it holds a throw-away issuer key to mint each agent's token. */
export class Replayer {
  readonly #kernel: Kernel;
  readonly #policy: Policy;
  readonly #clock: Clock;
  readonly #tokens = new Map<string, AgentToken>();
  readonly #totals = { traces: 0, calls: 0, allow: 0, deny: 0, escalate: 0, errors: 0 };
  readonly #declassifications = { requests: 0, allowed: 0, escalated: 0, denied: 0 };
  readonly #declassifier: Declassifier;
  readonly #evaluators: number;
  readonly #onDeclassify: ((line: DeclassifyLine) => void) | undefined;

  constructor(policy: Policy, clock: Clock = systemClock, options: ReplayOptions = {}) {
    const issuer = generateIssuerKeyPair('replay');
    this.#policy = policy;
    this.#clock = clock;
    const evaluators = options.evaluators ?? [];
    this.#evaluators = evaluators.length;
    this.#onDeclassify = options.onDeclassify;
    this.#declassifier = new Declassifier({
      profile: policy.profile,
      clock,
      evaluators,
      ...policy.declassification,
    });
    this.#kernel = new Kernel({ policy, publicKeys: publicKeysOf([issuer]), issuer, clock });
  }

  get summary(): ReplaySummary {
    return { ...this.#totals, declassifications: { ...this.#declassifications } };
  }

  /** Replays one trace (its lines as text) as a fresh session; one output line per call or bad line. */
  async *replay(lines: AsyncIterable<string> | Iterable<string>): AsyncGenerator<ReplayLine> {
    this.#totals.traces++;
    const trace = new TraceState(this.#kernel.flows, uuidv7(this.#clock, systemRandom));
    let n = 0;
    for await (const text of lines) {
      n++;
      if (text.trim() === '') continue;
      const parsed = parseTraceLine(text);
      if (!parsed.ok) {
        this.#totals.errors++;
        // WHY: when in doubt, untrusted: a result we cannot read still reached the agent.
        if (/"kind"\s*:\s*"result"/.test(text.slice(0, 4096))) trace.unreadable(text, n);
        yield { line: n, error: { code: parsed.error.code, message: parsed.error.message } };
        continue;
      }
      const outcome = await this.#apply(trace, parsed.value);
      if (outcome !== undefined) yield outcome;
    }
    trace.close();
  }

  async #apply(trace: TraceState, line: TraceLine): Promise<ReplayLine | undefined> {
    if (line.kind === 'meta') return undefined;
    if (line.kind === 'task') {
      trace.session(line.agent).task(line.text);
      return undefined;
    }
    if (line.kind === 'declassify') {
      const session = trace.session(line.agent);
      const outcome = await replayDeclassify(this.#declassifier, session, line, this.#evaluators);
      this.#declassifications.requests++;
      this.#declassifications[DECLASSIFY_TOTAL[outcome.verdict]]++;
      this.#onDeclassify?.(outcome);
      return undefined;
    }
    if (line.kind === 'result') {
      const call = trace.calls.get(line.call);
      const session = trace.session(call?.agent ?? trace.lastAgent);
      const action = call === undefined ? unknownActionPolicy('(unknown call)') : call.action;
      session.observe({ id: line.call, tool: action.name }, line.output, action.output, action.outputFields);
      return undefined;
    }
    const outcome = await this.#decide(trace, line);
    this.#totals.calls++;
    this.#totals[outcome.verdict]++;
    return outcome;
  }

  async #decide(trace: TraceState, call: Extract<TraceLine, { kind: 'call' }>): Promise<CallOutcome> {
    const session = trace.session(call.agent);
    const name = this.#actionOf(call.tool);
    const action =
      name === undefined ? unknownActionPolicy(call.tool) : (this.#policy.actions.get(name) as ActionPolicy);
    trace.calls.set(call.id, { agent: call.agent, action });
    // WHY: the call is decided as a `read`, so its class is the policy's; side effects and sinks are classified.
    const provenance =
      action.sideEffect === 'read' && action.sink === undefined ? {} : classifyArguments(session, call.args);
    if (name === undefined) {
      const message = `the configuration names no tool \`${call.tool.slice(0, 128)}\``;
      return {
        call: call.id,
        verdict: 'deny',
        checks: [],
        reason: `${TOOL_UNKNOWN}: ${message}`,
        provenance,
      };
    }
    const token = await this.#tokenOf(call.agent);
    const decision = this.#kernel.decide({
      id: uuidv7(this.#clock, systemRandom),
      agent: call.agent,
      action: name,
      resource: `tool:/${call.tool}`,
      args: call.args,
      token: token ?? 'tok:none',
      sideEffect: 'read',
      labels: undefined,
      idempotencyKey: undefined,
      session: session.id,
      stateHash: undefined,
      cost: { tokens: 0, apiCalls: 0, costMicros: 0 },
    });
    const failed = failing(decision);
    const first = failed.find((c) => c.verdict === 'deny') ?? failed[0];
    return {
      call: call.id,
      verdict: decision.verdict,
      checks: failed.map(({ check, verdict, code, message, detail }) => ({
        check,
        verdict,
        ...(code === undefined ? {} : { code }),
        ...(message === undefined ? {} : { message }),
        ...(detail === undefined ? {} : { detail }),
      })),
      reason: first === undefined ? 'allowed' : `${first.code ?? 'DENIED'}: ${first.message ?? ''}`,
      provenance,
    };
  }

  /** The action a tool names: an exact entry, or `mcp.<server>.<tool>` for a gateway name `server__tool`. */
  #actionOf(tool: string): string | undefined {
    if (this.#policy.actions.has(tool)) return tool;
    const at = tool.indexOf('__');
    if (at <= 0) return undefined;
    const gateway = `mcp.${tool.slice(0, at)}.${tool.slice(at + 2)}`;
    return this.#policy.actions.has(gateway) ? gateway : undefined;
  }

  async #tokenOf(agent: string): Promise<string | undefined> {
    let token = this.#tokens.get(agent);
    if (token === undefined) {
      const minted = await AgentToken.mint(this.#kernel, agent, this.#clock);
      // WHY: an agent the policy does not know gets no token; check 1 denies its calls with the reason.
      if (!minted.ok) return undefined;
      token = minted.value;
      this.#tokens.set(agent, token);
    }
    return token.ref();
  }
}

/** One trace's sessions (one per agent) and the calls seen so far. */
class TraceState {
  readonly calls = new Map<string, { agent: string; action: ActionPolicy }>();
  readonly #flows: FlowStore;
  readonly #prefix: string;
  readonly #sessions = new Map<string, FlowSession>();
  lastAgent = '(unknown)';

  constructor(flows: FlowStore, prefix: string) {
    this.#flows = flows;
    this.#prefix = prefix;
  }

  session(agent: string): FlowSession {
    this.lastAgent = agent;
    const open = this.#sessions.get(agent);
    if (open !== undefined) return open;
    const opened = this.#flows.open(`${this.#prefix}/${agent}`, agent);
    // The id is fresh per trace and agent, so it cannot belong to another agent.
    if (!opened.ok) throw opened.error;
    this.#sessions.set(agent, opened.value);
    return opened.value;
  }

  unreadable(text: string, line: number): void {
    const label = unknownActionPolicy('(unreadable)').output;
    this.session(this.lastAgent).observe(
      { id: `line-${line}`, tool: '(unreadable)' },
      text as JsonValue,
      label,
      [],
    );
  }

  close(): void {
    for (const session of this.#sessions.values()) this.#flows.close(session.id);
  }
}
