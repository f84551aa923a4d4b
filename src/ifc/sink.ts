// Judging one side effect against its sink policy (§11, issue 7): every argument is classified by
// provenance, critical ones must meet their requirement, context rules look at what the session
// has read. The result carries the decision packet a human sees when the call is escalated.

import type { JsonValue } from '../shared/index.ts';
import type { FlowSessionView } from './flow-session.ts';
import { type Confidentiality, confidentialityRank, integrityRank, type Label } from './label.ts';
import { OVERSIZED, type ValueProvenance } from './provenance/index.ts';
import {
  conditionHolds,
  conditionNamesSomeone,
  globMatches,
  linkHost,
  stringsIn,
  valueMeets,
} from './sink-match.ts';
import {
  type ArgumentRule,
  type ContextRule,
  type ProvenanceRequirement,
  type SinkPolicy,
  type SinkVerdict,
  stricter,
} from './sink-policy.ts';

export type ArgumentReport = ValueProvenance & {
  readonly requires?: ProvenanceRequirement;
  /** The rule was met by the policy itself: the value is one it allows, or its `unless` held. */
  readonly met?: 'allow' | 'unless';
};

/** What a human is shown for an escalated call: where each value came from and what the session read. */
export type DecisionPacket = {
  readonly context: Label | undefined;
  readonly arguments: Readonly<Record<string, ArgumentReport>>;
  /** Critical arguments whose provenance fell short, with what they needed. */
  readonly failed: ReadonlyArray<{ argument: string; requires: ProvenanceRequirement; class: string }>;
  /** Context rules that matched. */
  readonly rules: readonly string[];
};

export type SinkJudgement = {
  readonly verdict: SinkVerdict | undefined;
  readonly code: 'IFC_PROVENANCE' | 'IFC_CONTEXT_RULE' | 'IFC_NO_SESSION' | undefined;
  readonly message: string | undefined;
  readonly packet: DecisionPacket;
};

/** Classifies every top-level argument; arguments past the first 64 count as one untrusted report. */
export function classifyArguments(
  session: FlowSessionView,
  args: Readonly<Record<string, JsonValue>>,
): Record<string, ValueProvenance> {
  const out: Record<string, ValueProvenance> = {};
  let n = 0;
  for (const [name, value] of Object.entries(args)) {
    if (++n > ARGUMENTS_CLASSIFIED_MAX) {
      // WHY: when in doubt, untrusted; a call with this many arguments is not a normal tool call.
      out['…'] = OVERSIZED;
      break;
    }
    out[name] = session.classify(value);
  }
  return out;
}

const ARGUMENTS_CLASSIFIED_MAX = 64;

/** Judges a call to a sink. `session` undefined: the call came outside any session. */
export function judgeSink(
  sink: SinkPolicy | undefined,
  args: Readonly<Record<string, JsonValue>>,
  session: FlowSessionView | undefined,
): SinkJudgement {
  const empty: DecisionPacket = { context: session?.label, arguments: {}, failed: [], rules: [] };
  if (sink === undefined || (sink.arguments.length === 0 && sink.rules.length === 0)) {
    return { verdict: undefined, code: undefined, message: undefined, packet: empty };
  }
  if (session === undefined) {
    const verdict = [...sink.arguments.map((a) => a.otherwise), ...sink.rules.map((r) => r.verdict)].reduce<
      SinkVerdict | undefined
    >(stricter, undefined);
    return {
      verdict,
      code: 'IFC_NO_SESSION',
      message: 'no session vouches for the arguments of this call',
      packet: empty,
    };
  }
  const classified = classifyArguments(session, args);
  const reports: Record<string, ArgumentReport> = { ...classified };
  const failed: Array<{ argument: string; requires: ProvenanceRequirement; class: string }> = [];
  let argumentVerdict: SinkVerdict | undefined;
  for (const rule of sink.arguments) {
    const value = args[rule.argument];
    const report =
      rule.part === 'links'
        ? value === undefined
          ? undefined
          : linksReport(session, value, rule.allow)
        : classified[rule.argument];
    if (report === undefined) continue;
    const key = rule.part === 'links' ? `${rule.argument}[links]` : rule.argument;
    // WHY: a value the user named (allow) or a call the user exempted (unless) meets the rule
    // whatever its provenance; the packet still shows where the value came from.
    const met = metByPolicy(rule, value, args);
    reports[key] = { ...report, requires: rule.requires, ...(met === undefined ? {} : { met }) };
    if (met !== undefined || meets(rule.requires, report)) continue;
    failed.push({ argument: rule.argument, requires: rule.requires, class: report.class });
    argumentVerdict = stricter(argumentVerdict, rule.otherwise);
  }
  const matched = sink.rules.filter((rule) => applies(rule, session.label, args));
  const ruleVerdict = matched
    .map((rule) => rule.verdict)
    .reduce<SinkVerdict | undefined>(stricter, undefined);
  const packet: DecisionPacket = {
    context: session.label,
    arguments: reports,
    failed,
    rules: matched.map(describeRule),
  };
  const verdict = stricter(argumentVerdict, ruleVerdict);
  if (verdict === undefined) return { verdict, code: undefined, message: undefined, packet };
  // WHY: name the reason that decided the verdict; a deny from either source outranks an escalation.
  const byArguments = argumentVerdict === verdict;
  const message = byArguments
    ? failed.map((f) => `\`${f.argument}\` is ${f.class} but must be ${f.requires}`).join('; ')
    : (packet.rules[0] ?? 'a context rule matched');
  return { verdict, code: byArguments ? 'IFC_PROVENANCE' : 'IFC_CONTEXT_RULE', message, packet };
}

function metByPolicy(
  rule: ArgumentRule,
  value: JsonValue | undefined,
  args: Readonly<Record<string, JsonValue>>,
): 'allow' | 'unless' | undefined {
  if (conditionHolds(rule.unless, args)) return 'unless';
  // WHY: for links, allowed hosts are left out of the classification instead (linksReport).
  if (rule.part === 'whole' && rule.allow.length > 0 && value !== undefined && value !== '') {
    if (valueMeets(value, { patterns: rule.allow })) return 'allow';
  }
  return undefined;
}

/** Links written inside text: scheme URLs and `www.` hosts, up to the first space or closing mark. */
const LINK = /\b(?:https?:\/\/|www\.)[^\s<>"'`)\]]+/gi;
const LINKS_MAX = 64;

/**
 * The worst provenance among the links inside `value`'s strings, leaving out links whose host the
 * rule allows; trusted when none is left.
 */
function linksReport(session: FlowSessionView, value: JsonValue, allow: readonly string[]): ValueProvenance {
  const { strings, complete } = stringsIn(value);
  // WHY: links past the walk's bounds would go unchecked; when in doubt, untrusted.
  if (!complete) return OVERSIZED;
  const links = strings.flatMap((text) => text.match(LINK) ?? []).slice(0, LINKS_MAX + 1);
  if (links.length > LINKS_MAX) return OVERSIZED;
  const checked = links
    .map((link) => link.replace(/[.,;:!?]+$/, ''))
    .filter((link) => !hostAllowed(link, allow));
  if (checked.length === 0) return { class: 'trusted', why: 'structure', trusted: [], untrusted: [] };
  return session.classify(checked);
}

function hostAllowed(link: string, allow: readonly string[]): boolean {
  if (allow.length === 0) return false;
  const host = linkHost(link);
  return host !== undefined && allow.some((pattern) => globMatches(pattern, host));
}

function meets(requirement: ProvenanceRequirement, report: ValueProvenance): boolean {
  if (requirement === 'any') return true;
  if (requirement === 'trusted') return report.class === 'trusted';
  return report.class !== 'untrusted';
}

function applies(rule: ContextRule, context: Label, args: Readonly<Record<string, JsonValue>>): boolean {
  if (rule.read !== undefined && integrityRank(context.integrity) < integrityRank(rule.read)) return false;
  if (
    rule.holds !== undefined &&
    confidentialityRank(context.confidentiality) < confidentialityRank(rule.holds)
  )
    return false;
  return !conditionHolds(rule.unless, args);
}

/**
 * The level `destination` is cleared for with these arguments: the highest level of a clearance
 * rule that holds and names a receiver, never lower than the action's own destination.
 */
export function clearedDestination(
  sink: SinkPolicy | undefined,
  destination: Confidentiality,
  args: Readonly<Record<string, JsonValue>>,
): Confidentiality {
  let level = destination;
  for (const rule of sink?.cleared ?? []) {
    if (
      confidentialityRank(rule.level) > confidentialityRank(level) &&
      conditionNamesSomeone(rule.when, args)
    ) {
      level = rule.level;
    }
  }
  return level;
}

function describeRule(rule: ContextRule): string {
  if (rule.reason !== undefined) return rule.reason;
  const parts = [
    rule.read === undefined ? undefined : `read ${rule.read} data`,
    rule.holds === undefined ? undefined : `holds ${rule.holds} data`,
  ].filter((part) => part !== undefined);
  return `the session ${parts.join(' and ')}`;
}
