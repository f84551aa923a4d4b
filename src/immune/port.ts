// Immune system port (§37, §41.2, §49.11): what Sentries, the DSC and monitors report, and what the
// immune system asks of the pods. Pods and the runtime name these types; only `immune/` implements.

import type { JsonValue } from '../shared/index.ts';

/** 0 normal · 1 observation · 2 soft isolation · 3 hard isolation · 4 elimination · 5 healing. */
export type QuarantineStage = 0 | 1 | 2 | 3 | 4 | 5;

export const STAGE_NAMES = [
  'normal',
  'observation',
  'soft-isolation',
  'hard-isolation',
  'elimination',
  'healing',
] as const;

export type SecurityProfile = 'standard' | 'hardened' | 'isolated';

/** Anomaly kinds; `violation:*` are the three fast-apoptosis conditions of §37.11.2. */
export type AnomalyKind =
  | 'dsc-denial'
  | 'gateway-blocked'
  | 'malformed-call'
  | 'flood'
  | 'fingerprint-3sigma'
  | 'fingerprint-4sigma'
  | 'network-blocked'
  | 'danger-signal'
  | 'task-crash'
  | 'violation:network'
  | 'violation:fs-exec'
  | 'violation:prefilter';

export type Anomaly = {
  readonly agent: string;
  readonly kind: AnomalyKind;
  /** Who saw it: `sentry`, `dsc`, `monitor`, `fingerprint`, or a reporting agent's id. */
  readonly source: string;
  readonly evidence: { readonly [key: string]: JsonValue };
};

/** One gateway call as the Sentry saw it, for the behavioural fingerprint (§41.2). */
export type BehaviourSample = {
  readonly agent: string;
  readonly gateway: string;
  readonly op: string;
  readonly target: string;
  readonly bytes: number;
  readonly blocked: boolean;
  readonly atMs: number;
};

/** An external effect for aggregate monitoring (§49.11). */
export type AggregateSample = {
  readonly agent: string;
  readonly kind: 'api-call' | 'message' | 'declassification';
  readonly bytes: number;
  /** Recipient or peer (an address, a host, an agent id). */
  readonly peer?: string;
  readonly atMs: number;
};

/** What the immune system asks the pod layer to do; the pod manager carries it out. */
export type ImmuneCommand =
  | { readonly type: 'pause'; readonly agent: string; readonly reason: string }
  | { readonly type: 'terminate'; readonly agent: string; readonly reason: string }
  /** Start a replacement from the agent's clean manifest (stage 5, healing). */
  | { readonly type: 'replace'; readonly agent: string; readonly reason: string };

/** What the Sentry reports into and asks of the immune system. */
export interface ImmuneSink {
  report(anomaly: Anomaly): void;
  observe(sample: BehaviourSample): void;
  aggregate(sample: AggregateSample): void;
  /** Self-apoptosis (§37.11.2): never blocked, lands in stage 3. */
  apoptosis(agent: string, reason: string): void;
  stageOf(agent: string): QuarantineStage;
}
