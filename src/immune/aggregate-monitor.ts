// Aggregate monitoring (§49.11, digest §13.3): per-agent totals of external effects over long
// windows. An agent that reaches a threshold has its later intents of that type escalated to a
// human. The crossed checks are kept per agent, so a decision asks one Map lookup, and none while
// no agent has crossed anything.

import type { StandingRestriction } from '../kernel/standing-port.ts';
import { hashHex } from '../shared/index.ts';
import { makeRoom, touch, touchBounded } from '../shared/lru.ts';
import { BucketWindow } from './bucket-window.ts';
import type { AggregateSample } from './port.ts';

const HOUR_MS = 60 * 60_000;
const DAY_MS = 24 * HOUR_MS;

export type AggregateCheck =
  | 'outbound-bytes'
  | 'recipients'
  | 'api-calls'
  | 'declassifications'
  | 'peer-bytes';
/** The intent types a crossing restricts (see `intentTypeOf` in standing.ts). */
export type IntentType = 'message' | 'api-call' | 'declassification';

export type AggregateLimit = { readonly limit: number; readonly windowMs: number };
export type AggregateLimits = Readonly<Record<AggregateCheck, AggregateLimit>>;

/** Normative defaults (§49.11); MB are 10^6 bytes. Hardened and Isolated may not disable them. */
export const AGGREGATE_DEFAULTS: AggregateLimits = {
  'outbound-bytes': { limit: 100_000_000, windowMs: DAY_MS },
  recipients: { limit: 50, windowMs: 7 * DAY_MS },
  'api-calls': { limit: 500, windowMs: DAY_MS },
  declassifications: { limit: 10, windowMs: DAY_MS },
  'peer-bytes': { limit: 50_000_000, windowMs: DAY_MS },
};

/** Which intent types each check restricts once crossed. */
const RESTRICTS: Readonly<Record<AggregateCheck, readonly IntentType[]>> = {
  'outbound-bytes': ['message', 'api-call'],
  'peer-bytes': ['message', 'api-call'],
  recipients: ['message'],
  'api-calls': ['api-call'],
  declassifications: ['declassification'],
};

const CHECKS = Object.keys(RESTRICTS) as AggregateCheck[];
/** Peers tracked per agent for `peer-bytes` (space-saving: a newcomer inherits the smallest count). */
const PEERS_PER_AGENT_MAX = 32;
const PEER_KEY_CHARS_MAX = 128;

export type AggregateChange = {
  readonly agent: string;
  readonly check: AggregateCheck;
  readonly crossed: boolean;
  readonly count: number;
  readonly limit: number;
  readonly windowMs: number;
};

type Crossing = { readonly count: number };
type PeerEntry = { readonly window: BucketWindow; bytes: number };

type AgentTotals = {
  outboundBytes: BucketWindow;
  apiCalls: BucketWindow;
  declassifications: BucketWindow;
  /** Recipient → last seen, oldest first; at most `recipients.limit` kept (exact below the limit). */
  recipients: Map<string, number> | undefined;
  peers: Map<string, PeerEntry> | undefined;
  /** WHY: plain object and lazy maps: a Map per agent per kind costs more than the rest together. */
  crossed: Partial<Record<AggregateCheck, Crossing>>;
  crossedCount: number;
  restrictions: Partial<Record<IntentType, StandingRestriction>>;
};

export class AggregateMonitor {
  readonly #limits: AggregateLimits;
  readonly #agentsMax: number;
  readonly #bucketMs: number;
  readonly #agents = new Map<string, AgentTotals>();
  /** Crossed checks over all agents. INVARIANT: the sum of every agent's `crossedCount`. */
  #crossedTotal = 0;

  constructor(limits: AggregateLimits, agentsMax: number) {
    this.#limits = limits;
    this.#agentsMax = agentsMax;
    // WHY: one bucket per hour for day-long windows; shorter windows (tests, tight configs) get 24 buckets.
    const shortest = Math.min(...CHECKS.map((check) => limits[check].windowMs));
    this.#bucketMs = Math.max(1, Math.min(HOUR_MS, Math.floor(shortest / 24)));
  }

  /** Records one external effect at `nowMs`; returns the checks it made cross. */
  record(sample: AggregateSample, nowMs: number): AggregateChange[] {
    const totals = this.#totals(sample.agent);
    const peer = sample.peer === undefined || sample.peer === '' ? undefined : peerKey(sample.peer);
    const counts: [AggregateCheck, () => number][] = [];
    if (sample.kind === 'declassification') {
      totals.declassifications.add(nowMs, 1);
      counts.push(['declassifications', () => totals.declassifications.total(nowMs)]);
    } else {
      totals.outboundBytes.add(nowMs, sample.bytes);
      counts.push(['outbound-bytes', () => totals.outboundBytes.total(nowMs)]);
      if (sample.kind === 'api-call') {
        totals.apiCalls.add(nowMs, 1);
        counts.push(['api-calls', () => totals.apiCalls.total(nowMs)]);
      }
      if (sample.kind === 'message' && peer !== undefined) {
        this.#seeRecipient(totals, peer, nowMs);
        // Prunes recipients older than the window first: stale ones must not count until the next tick.
        counts.push(['recipients', () => this.#count(totals, 'recipients', nowMs)]);
      }
      if (peer !== undefined) {
        const entry = this.#peerEntry(totals, peer, nowMs);
        entry.window.add(nowMs, sample.bytes);
        entry.bytes = entry.window.total(nowMs);
        counts.push(['peer-bytes', () => entry.bytes]);
      }
    }
    // WHY: a sample only adds, so it can cross a check but never lift one; `tick` lifts them.
    const out: AggregateChange[] = [];
    for (const [check, count] of counts) {
      if (totals.crossed[check] !== undefined) continue;
      const change = this.#change(sample.agent, totals, check, count());
      if (change !== undefined) out.push(change);
    }
    if (out.length > 0) totals.restrictions = this.#restrictionsOf(totals);
    return out;
  }

  /** The restrictions of this agent's crossed checks, by intent type; undefined when none crossed. O(1). */
  restrictionsOf(agent: string): Readonly<Partial<Record<IntentType, StandingRestriction>>> | undefined {
    if (this.#crossedTotal === 0) return undefined;
    const totals = this.#agents.get(agent);
    return totals === undefined || totals.crossedCount === 0 ? undefined : totals.restrictions;
  }

  /** Re-evaluates agents with crossed checks (windows expire) and forgets agents with nothing left. */
  tick(nowMs: number): AggregateChange[] {
    const out: AggregateChange[] = [];
    if (this.#crossedTotal === 0) return out;
    for (const [agent, totals] of this.#agents) {
      if (totals.crossedCount > 0) out.push(...this.#evaluate(agent, totals, nowMs));
    }
    return out;
  }

  /** Drops agents whose every window is empty and nothing is crossed. */
  sweep(nowMs: number): void {
    for (const [agent, totals] of this.#agents) {
      if (totals.crossedCount === 0 && isIdle(totals, nowMs, this.#limits.recipients.windowMs)) {
        this.#agents.delete(agent);
      }
    }
  }

  /** Sizes, for tests and `maos ps`: agents tracked, and the largest per-agent sets. */
  stats(): { agents: number; recipientsMax: number; peersMax: number } {
    let recipientsMax = 0;
    let peersMax = 0;
    for (const totals of this.#agents.values()) {
      recipientsMax = Math.max(recipientsMax, totals.recipients?.size ?? 0);
      peersMax = Math.max(peersMax, totals.peers?.size ?? 0);
    }
    return { agents: this.#agents.size, recipientsMax, peersMax };
  }

  /** Re-counts the crossed checks only: the windows may have let them go. */
  #evaluate(agent: string, totals: AgentTotals, nowMs: number): AggregateChange[] {
    const out: AggregateChange[] = [];
    for (const check of Object.keys(totals.crossed) as AggregateCheck[]) {
      const change = this.#change(agent, totals, check, this.#count(totals, check, nowMs));
      if (change !== undefined) out.push(change);
    }
    if (out.length > 0) totals.restrictions = this.#restrictionsOf(totals);
    return out;
  }

  #change(
    agent: string,
    totals: AgentTotals,
    check: AggregateCheck,
    count: number,
  ): AggregateChange | undefined {
    const { limit, windowMs } = this.#limits[check];
    const crossed = count >= limit;
    if (crossed === (totals.crossed[check] !== undefined)) return undefined;
    if (crossed) totals.crossed[check] = { count };
    else delete totals.crossed[check];
    totals.crossedCount += crossed ? 1 : -1;
    this.#crossedTotal += crossed ? 1 : -1;
    return { agent, check, crossed, count, limit, windowMs };
  }

  #count(totals: AgentTotals, check: AggregateCheck, nowMs: number): number {
    switch (check) {
      case 'outbound-bytes':
        return totals.outboundBytes.total(nowMs);
      case 'api-calls':
        return totals.apiCalls.total(nowMs);
      case 'declassifications':
        return totals.declassifications.total(nowMs);
      case 'recipients':
        pruneRecipients(totals.recipients, nowMs - this.#limits.recipients.windowMs);
        return totals.recipients?.size ?? 0;
      case 'peer-bytes': {
        let largest = 0;
        for (const entry of totals.peers?.values() ?? []) {
          entry.bytes = entry.window.total(nowMs);
          largest = Math.max(largest, entry.bytes);
        }
        return largest;
      }
    }
  }

  #restrictionsOf(totals: AgentTotals): Partial<Record<IntentType, StandingRestriction>> {
    const out: Partial<Record<IntentType, StandingRestriction>> = {};
    for (const [check, crossing] of Object.entries(totals.crossed) as [AggregateCheck, Crossing][]) {
      const { limit, windowMs } = this.#limits[check];
      const hours = Math.round(windowMs / HOUR_MS);
      const restriction: StandingRestriction = {
        code: 'AGGREGATE_THRESHOLD',
        reason: `agent reached the aggregate threshold \`${check}\` (${crossing.count} of ${limit} in ${hours} h)`,
        detail: { kind: check, count: crossing.count, limit, windowMs },
      };
      for (const type of RESTRICTS[check]) out[type] ??= restriction;
    }
    return out;
  }

  #seeRecipient(totals: AgentTotals, peer: string, nowMs: number): void {
    totals.recipients ??= new Map();
    // INVARIANT: keeping the `limit` most recent recipients is exact for "fewer than limit" and
    // proves "at least limit" otherwise, since the forgotten ones expire before the kept ones.
    touchBounded(totals.recipients, peer, nowMs, Math.max(1, this.#limits.recipients.limit));
  }

  #peerEntry(totals: AgentTotals, peer: string, nowMs: number): PeerEntry {
    totals.peers ??= new Map();
    const peers = totals.peers;
    const found = peers.get(peer);
    if (found !== undefined) return found;
    const { windowMs } = this.#limits['peer-bytes'];
    let entry: PeerEntry = { window: new BucketWindow(windowMs, this.#bucketMs), bytes: 0 };
    if (peers.size >= PEERS_PER_AGENT_MAX) {
      // WHY: space-saving (Metwally et al.): the newcomer takes over the smallest count, so a
      // tracked peer's count is never too low and an untracked peer holds no more than the smallest.
      // The counts compared are those of each peer's last sample: stale only towards too high.
      let smallest: [string, PeerEntry] | undefined;
      for (const candidate of peers) {
        if (smallest === undefined || candidate[1].bytes < smallest[1].bytes) smallest = candidate;
      }
      if (smallest !== undefined) {
        peers.delete(smallest[0]);
        const window = smallest[1].window.clone();
        entry = { window, bytes: window.total(nowMs) };
      }
    }
    peers.set(peer, entry);
    return entry;
  }

  #totals(agent: string): AgentTotals {
    const found = this.#agents.get(agent);
    if (found !== undefined) {
      touch(this.#agents, agent, found);
      return found;
    }
    makeRoom(this.#agents, this.#agentsMax, (totals) => totals.crossedCount === 0, {
      scanMax: this.#agentsMax,
      strict: true,
    });
    const limits = this.#limits;
    const totals: AgentTotals = {
      outboundBytes: new BucketWindow(limits['outbound-bytes'].windowMs, this.#bucketMs),
      apiCalls: new BucketWindow(limits['api-calls'].windowMs, this.#bucketMs),
      declassifications: new BucketWindow(limits.declassifications.windowMs, this.#bucketMs),
      recipients: undefined,
      peers: undefined,
      crossed: {},
      crossedCount: 0,
      restrictions: {},
    };
    this.#agents.set(agent, totals);
    return totals;
  }
}

function pruneRecipients(recipients: Map<string, number> | undefined, oldestMs: number): void {
  if (recipients === undefined) return;
  for (const [recipient, seenMs] of recipients) {
    if (seenMs > oldestMs) break;
    recipients.delete(recipient);
  }
}

function isIdle(totals: AgentTotals, nowMs: number, recipientsWindowMs: number): boolean {
  pruneRecipients(totals.recipients, nowMs - recipientsWindowMs);
  if ((totals.recipients?.size ?? 0) > 0) return false;
  if (totals.outboundBytes.total(nowMs) > 0 || totals.apiCalls.total(nowMs) > 0) return false;
  if (totals.declassifications.total(nowMs) > 0) return false;
  for (const entry of totals.peers?.values() ?? []) if (entry.window.total(nowMs) > 0) return false;
  return true;
}

/** Recipients compare case-insensitively; very long ones by digest, to bound memory. */
function peerKey(peer: string): string {
  const key = peer.trim().toLowerCase();
  return key.length <= PEER_KEY_CHARS_MAX ? key : `sha256:${hashHex(key)}`;
}
