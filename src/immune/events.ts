// What the immune system tells the runtime, which journals each one: small, JSON-only records.
// `atMs` is wall-clock time; durations inside the immune system run on the monotonic clock.

import type { JsonValue } from '../shared/index.ts';
import type { AggregateCheck } from './aggregate-monitor.ts';
import type { FeverChange } from './fever.ts';
import type { FingerprintFinding } from './fingerprint.ts';
import type { ThreatRecord } from './immune-memory.ts';
import type { QuarantineStage } from './port.ts';

export type ImmuneEvent =
  | {
      readonly type: 'immune.anomaly';
      readonly agent: string;
      readonly kind: string;
      readonly source: string;
      /** Weight added to the score; 0 once the agent is over the cap of 5 per hour (DR-M5). */
      readonly weight: number;
      readonly counted: boolean;
      readonly score: number;
      readonly atMs: number;
    }
  | {
      readonly type: 'immune.stage';
      readonly agent: string;
      readonly from: QuarantineStage;
      readonly to: QuarantineStage;
      readonly stageName: string;
      readonly reason: string;
      /** `immune` for automatic moves, else the operator, commander or `tsca`. */
      readonly by: string;
      readonly score: number;
      readonly atMs: number;
    }
  | ({ readonly type: 'immune.fever' } & FeverChange)
  | {
      readonly type: 'immune.aggregate';
      readonly agent: string;
      readonly kind: AggregateCheck;
      /** True when the threshold was reached, false when the window let it go. */
      readonly crossed: boolean;
      readonly count: number;
      readonly limit: number;
      readonly windowMs: number;
      readonly atMs: number;
    }
  | ({ readonly type: 'immune.fingerprint' } & FingerprintFinding & { readonly atMs: number })
  /** A threat record (§37.8.3) as it goes into immune memory. */
  | ({ readonly type: 'immune.memory' } & ThreatRecord)
  | {
      readonly type: 'immune.fast-apoptosis';
      readonly agent: string;
      readonly kind: string;
      readonly source: string;
      readonly evidence: { readonly [key: string]: JsonValue };
      readonly atMs: number;
    };

export type ImmuneEventType = ImmuneEvent['type'];
