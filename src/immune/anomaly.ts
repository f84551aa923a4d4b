// Anomalies (§37.8.2, §49.12): what each kind weighs, who may report what, and the per-agent ledger
// that turns reports into a decaying score with the 5-per-hour cap (DR-M5). Pure: time comes in.

import type { JsonValue } from '../shared/index.ts';
import { makeRoom, pushBounded, touch } from '../shared/lru.ts';
import type { StageThresholds } from './options.ts';
import type { Anomaly, AnomalyKind, QuarantineStage } from './port.ts';

/**
 * Weight of one anomaly, against the stage thresholds 10 / 30 / 60 (§49.12):
 * - `task-crash` 3: usually a bug, not an attack; four in an hour reach observation.
 * - `dsc-denial` 4: an honest agent hits an expired token now and then; three in an hour observe.
 * - `malformed-call` 5: protocol misuse from inside the pod.
 * - `gateway-blocked` 6: the agent asked for what its manifest forbids; two in an hour observe.
 * - `flood` 8 and `danger-signal` 8: sustained pressure, or a report about the agent.
 * - `fingerprint-3sigma` 15: one is enough for observation, i.e. security evaluation (§41.2);
 *   three in an hour isolate softly, five hard (75 > 60).
 * - `network-blocked` 15: a socket outside the gateways; three in 60 s are a hard trigger (DR-R3),
 *   five spread over an hour isolate hard by score.
 * - `fingerprint-4sigma` 40 and `violation:*` 40: hard triggers for stage 3 on their own; the
 *   weight only makes them count towards autonomous elimination (score > 90, Standard).
 * Under the cap of 5 counted anomalies per hour, denials alone top out at 20 (observation) and
 * floods or peers' danger signals at 40 (soft isolation): only what MAOS itself observed
 * (fingerprint, network, violations) can isolate an agent hard.
 */
export const ANOMALY_WEIGHTS: Readonly<Record<AnomalyKind, number>> = {
  'task-crash': 3,
  'dsc-denial': 4,
  'malformed-call': 5,
  'gateway-blocked': 6,
  flood: 8,
  'danger-signal': 8,
  'fingerprint-3sigma': 15,
  'network-blocked': 15,
  'fingerprint-4sigma': 40,
  'violation:network': 40,
  'violation:fs-exec': 40,
  'violation:prefilter': 40,
};

/** Sources MAOS itself runs; any other source is a peer agent reporting a danger signal. */
export const SYSTEM_SOURCES: ReadonlySet<string> = new Set(['sentry', 'dsc', 'monitor', 'fingerprint']);

/** How long a counted anomaly adds to the score, and the window of the cap (DR-M5). */
const ANOMALY_WINDOW_MS = 60 * 60_000;
export const COUNTED_PER_WINDOW_MAX = 5;
/** DR-R3: this many `network-blocked` within the window is attempted unauthorized access. */
export const NETWORK_BLOCKED_BURST = 3;
const NETWORK_BLOCKED_WINDOW_MS = 60_000;

const TEXTS_PER_AGENT_MAX = 16;
const TEXT_CHARS_MAX = 1_024;
const EXCERPTS_PER_AGENT_MAX = 8;
const EXCERPT_CHARS_MAX = 200;
const EVIDENCE_KEYS_MAX = 8;

/** Whether a kind is one of the known ones (a caller outside TypeScript may send anything). */
function isAnomalyKind(kind: unknown): kind is AnomalyKind {
  return typeof kind === 'string' && Object.hasOwn(ANOMALY_WEIGHTS, kind);
}

/**
 * The weight of an anomaly before the cap. WHY: a peer cannot see a sandbox escape, only the
 * Sentry and the DSC can; whatever kind a peer claims, its report weighs as a danger signal and is
 * never a hard trigger. An unknown kind fails closed at the weight of a malformed call.
 */
export function weightOf(anomaly: Anomaly): number {
  if (!SYSTEM_SOURCES.has(anomaly.source)) return ANOMALY_WEIGHTS['danger-signal'];
  return isAnomalyKind(anomaly.kind) ? ANOMALY_WEIGHTS[anomaly.kind] : ANOMALY_WEIGHTS['malformed-call'];
}

/** A hard trigger for stage 3 on its own (§37.8.2): from MAOS itself, a violation or a 4σ deviation. */
export function isHardTrigger(anomaly: Anomaly): boolean {
  return (
    SYSTEM_SOURCES.has(anomaly.source) &&
    (anomaly.kind === 'fingerprint-4sigma' || anomaly.kind.startsWith('violation:'))
  );
}

/**
 * The stage an anomaly calls for: stage 3 on a hard trigger or on three blocked network attempts
 * within 60 s (attempted unauthorized access, §37.8.2, DR-R3), else by score (§49.12).
 */
export function stageCalledFor(
  anomaly: Anomaly,
  recorded: Recorded,
  thresholds: StageThresholds,
): { stage: QuarantineStage; reason: string } {
  if (isHardTrigger(anomaly)) return { stage: 3, reason: `${anomaly.kind} from ${anomaly.source}` };
  if (recorded.networkBlockedRecent >= NETWORK_BLOCKED_BURST) {
    return { stage: 3, reason: `${recorded.networkBlockedRecent} blocked network attempts within 60 s` };
  }
  const { score } = recorded;
  const stage: QuarantineStage =
    score > thresholds.hardIsolation
      ? 3
      : score > thresholds.softIsolation
        ? 2
        : score > thresholds.observation
          ? 1
          : 0;
  return { stage, reason: `score ${score} after ${anomaly.kind} from ${anomaly.source}` };
}

/** Evidence cut down for events and threat records: a few keys, short strings, JSON only. */
export function boundedEvidence(evidence: { readonly [key: string]: JsonValue }): {
  [key: string]: JsonValue;
} {
  const out: { [key: string]: JsonValue } = {};
  let keys = 0;
  for (const [key, value] of Object.entries(evidence)) {
    if (keys++ >= EVIDENCE_KEYS_MAX) break;
    out[key.slice(0, 64)] = excerptOf(value);
  }
  return out;
}

function excerptOf(value: JsonValue): JsonValue {
  if (value === null || typeof value === 'boolean' || typeof value === 'number') return value;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length <= EXCERPT_CHARS_MAX ? text : `${text.slice(0, EXCERPT_CHARS_MAX)}…`;
}

/** What recording one anomaly did. */
export type Recorded = {
  /** The weight it adds to the score: 0 when over the cap. */
  readonly weight: number;
  readonly counted: boolean;
  /** The agent's score after it (counted anomalies of the last hour). */
  readonly score: number;
  /** `network-blocked` reports within the last 60 s, this one included. */
  readonly networkBlockedRecent: number;
};

type Counted = { readonly atMs: number; readonly weight: number };

type AgentAnomalies = {
  counted: Counted[];
  networkBlockedAtMs: number[];
  kinds: Set<string>;
  texts: string[];
  excerpts: string[];
  lastAtMs: number;
};

/** What an agent's anomalies say about it, for a threat record. */
export type AnomalyHistory = {
  readonly kinds: string[];
  readonly excerpts: string[];
  /** Raw `evidence.text` strings, newest last: candidates for learned patterns. */
  readonly texts: string[];
};

/** Per-agent anomaly records, bounded in agents and in records per agent. */
export class AnomalyLedger {
  readonly #agents = new Map<string, AgentAnomalies>();
  readonly #agentsMax: number;

  constructor(agentsMax: number) {
    this.#agentsMax = agentsMax;
  }

  /** Records an anomaly at `nowMs`; only the first five of the last hour carry weight (DR-M5). */
  record(anomaly: Anomaly, nowMs: number): Recorded {
    const entry = this.#entry(anomaly.agent);
    entry.lastAtMs = nowMs;
    prune(entry, nowMs);
    const counted = entry.counted.length < COUNTED_PER_WINDOW_MAX;
    const weight = counted ? weightOf(anomaly) : 0;
    if (counted) entry.counted.push({ atMs: nowMs, weight });
    if (anomaly.kind === 'network-blocked' && SYSTEM_SOURCES.has(anomaly.source)) {
      pushBounded(entry.networkBlockedAtMs, nowMs, NETWORK_BLOCKED_BURST);
    }
    if (entry.kinds.size < 32) entry.kinds.add(String(anomaly.kind).slice(0, 64));
    pushBounded(entry.excerpts, excerptLine(anomaly), EXCERPTS_PER_AGENT_MAX);
    const text = anomaly.evidence.text;
    if (typeof text === 'string')
      pushBounded(entry.texts, text.slice(0, TEXT_CHARS_MAX), TEXTS_PER_AGENT_MAX);
    const networkBlockedRecent = entry.networkBlockedAtMs.filter(
      (atMs) => nowMs - atMs < NETWORK_BLOCKED_WINDOW_MS,
    ).length;
    return { weight, counted, score: sum(entry.counted), networkBlockedRecent };
  }

  /** Counted anomalies of the last hour, summed (anomalies older than an hour no longer count). */
  score(agent: string, nowMs: number): number {
    const entry = this.#agents.get(agent);
    if (entry === undefined) return 0;
    prune(entry, nowMs);
    return sum(entry.counted);
  }

  history(agent: string): AnomalyHistory {
    const entry = this.#agents.get(agent);
    if (entry === undefined) return { kinds: [], excerpts: [], texts: [] };
    return { kinds: [...entry.kinds], excerpts: [...entry.excerpts], texts: [...entry.texts] };
  }

  /** Drops the score and the cap's count (a release or a replacement); the history stays. */
  forgive(agent: string): void {
    const entry = this.#agents.get(agent);
    if (entry === undefined) return;
    entry.counted = [];
    entry.networkBlockedAtMs = [];
  }

  forget(agent: string): void {
    this.#agents.delete(agent);
  }

  /** Forgets agents with nothing counted in the last hour for which `keep` says no. */
  sweep(nowMs: number, keep: (agent: string) => boolean): void {
    for (const [agent, entry] of this.#agents) {
      prune(entry, nowMs);
      if (entry.counted.length === 0 && nowMs - entry.lastAtMs >= ANOMALY_WINDOW_MS && !keep(agent)) {
        this.#agents.delete(agent);
      }
    }
  }

  agents(): IterableIterator<string> {
    return this.#agents.keys();
  }

  #entry(agent: string): AgentAnomalies {
    const found = this.#agents.get(agent);
    if (found !== undefined) {
      touch(this.#agents, agent, found);
      return found;
    }
    makeRoom(this.#agents, this.#agentsMax, (entry) => entry.counted.length === 0);
    const entry: AgentAnomalies = {
      counted: [],
      networkBlockedAtMs: [],
      kinds: new Set(),
      texts: [],
      excerpts: [],
      lastAtMs: 0,
    };
    this.#agents.set(agent, entry);
    return entry;
  }
}

function prune(entry: AgentAnomalies, nowMs: number): void {
  let drop = 0;
  while (drop < entry.counted.length && nowMs - (entry.counted[drop]?.atMs ?? 0) >= ANOMALY_WINDOW_MS) drop++;
  if (drop > 0) entry.counted.splice(0, drop);
}

function sum(counted: readonly Counted[]): number {
  let total = 0;
  for (const item of counted) total += item.weight;
  return total;
}

function excerptLine(anomaly: Anomaly): string {
  const line = `${anomaly.kind} from ${anomaly.source}: ${JSON.stringify(boundedEvidence(anomaly.evidence))}`;
  return line.length <= EXCERPT_CHARS_MAX ? line : `${line.slice(0, EXCERPT_CHARS_MAX)}…`;
}
