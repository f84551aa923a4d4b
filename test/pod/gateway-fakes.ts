// Code around the Sentry and gateways for their tests: a PodServices that records what it is asked
// and answers from a script, and an ImmuneSink that records reports, samples and stages.

import type {
  AggregateSample,
  Anomaly,
  BehaviourSample,
  ImmuneSink,
  QuarantineStage,
} from '../../src/immune/port.ts';
import type { IntentOutcome, IntentRequest, PodServices } from '../../src/pod/gateways/port.ts';
import type { JsonValue, KernelError, Result } from '../../src/shared/index.ts';
import { ok } from '../../src/shared/index.ts';

export type Screen = PodServices['screen'];

export class FakeServices implements PodServices {
  readonly submitted: { agent: string; request: IntentRequest }[] = [];
  readonly records: { type: string; data: { readonly [key: string]: JsonValue } }[] = [];
  /** How an intent settles; committed with `{ done: <action> }` by default. */
  outcome: (request: IntentRequest, id: string) => Result<IntentOutcome, KernelError> = (request, intentId) =>
    ok({ intentId, state: 'committed', verdict: 'allow', checks: [], result: { done: request.action } });
  screenWith: Screen = () => ({ verdict: 'allow', score: 0 });
  /** Set by a test that exercises vouching; absent like a host without a trust ledger. */
  vouch?: (voucher: string, vouchee: string, subject: string) => Promise<Result<JsonValue, KernelError>>;

  async submit(agent: string, request: IntentRequest): Promise<Result<IntentOutcome, KernelError>> {
    this.submitted.push({ agent, request });
    return this.outcome(request, `intent-${this.submitted.length}`);
  }

  async record(type: string, data: { readonly [key: string]: JsonValue }): Promise<number> {
    this.records.push({ type, data });
    return this.records.length;
  }

  screen(text: string): { readonly verdict: 'allow' | 'deny' | 'escalate'; readonly score: number } {
    return this.screenWith(text);
  }
}

export class ImmuneRecorder implements ImmuneSink {
  readonly reports: Anomaly[] = [];
  readonly samples: BehaviourSample[] = [];
  readonly aggregates: AggregateSample[] = [];
  readonly apoptoses: { agent: string; reason: string }[] = [];
  readonly stages = new Map<string, QuarantineStage>();

  report(anomaly: Anomaly): void {
    this.reports.push(anomaly);
  }
  observe(sample: BehaviourSample): void {
    this.samples.push(sample);
  }
  aggregate(sample: AggregateSample): void {
    this.aggregates.push(sample);
  }
  apoptosis(agent: string, reason: string): void {
    this.apoptoses.push({ agent, reason });
  }
  stageOf(agent: string): QuarantineStage {
    return this.stages.get(agent) ?? 0;
  }

  kinds(): string[] {
    return this.reports.map((r) => r.kind);
  }
}
