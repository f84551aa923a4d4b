// Journals the immune system's events. Every stage change, fever, aggregate crossing and counted
// anomaly is one record; anomalies past the agent's cap (DR-M5: they carry no weight) are only
// counted and reported with the agent's next record, so a misbehaving agent cannot flood the
// journal through the immune system.

import type { ImmuneEvent } from '../immune/index.ts';
import type { JsonValue } from '../shared/index.ts';

type Record = (type: string, data: { readonly [key: string]: JsonValue }) => Promise<number>;

/** Agents with uncounted anomalies waiting to be reported (bounded). */
const PENDING_AGENTS_MAX = 10_000;

export function immuneJournal(record: Record): (event: ImmuneEvent) => void {
  const suppressed = new Map<string, number>();
  return (event) => {
    const agent = 'agent' in event && typeof event.agent === 'string' ? event.agent : undefined;
    if (event.type === 'immune.anomaly' && !event.counted && agent !== undefined) {
      if (suppressed.has(agent) || suppressed.size < PENDING_AGENTS_MAX) {
        suppressed.set(agent, (suppressed.get(agent) ?? 0) + 1);
      }
      return;
    }
    const before = agent === undefined ? undefined : suppressed.get(agent);
    if (agent !== undefined) suppressed.delete(agent);
    const data = before === undefined ? { ...event } : { ...event, uncountedAnomaliesBefore: before };
    // WHY: a failing journal puts the kernel in commit freeze on its own; an event must not throw here.
    void record(event.type, data as { readonly [key: string]: JsonValue }).catch(() => {});
  };
}
