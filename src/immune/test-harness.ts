// For the immune system's tests only: an `ImmuneSystem` on a given clock that keeps every command
// and event it emits, and shorthands for reports. Production code never imports this file.

import type { Clock } from '../shared/index.ts';
import type { ImmuneEvent } from './events.ts';
import { ImmuneSystem } from './immune-system.ts';
import type { ImmuneOptions } from './options.ts';
import type { AnomalyKind, ImmuneCommand, SecurityProfile } from './port.ts';

export const MINUTE_MS = 60_000;

export type Harness = {
  readonly immune: ImmuneSystem;
  readonly commands: ImmuneCommand[];
  readonly events: ImmuneEvent[];
  /** Reports one anomaly (from the Sentry unless told otherwise). */
  readonly report: (agent: string, kind: AnomalyKind, source?: string, text?: string) => void;
  readonly eventsOf: <T extends ImmuneEvent['type']>(type: T) => Extract<ImmuneEvent, { type: T }>[];
};

export function harness(
  profile: SecurityProfile,
  clock: Clock,
  extra: Omit<ImmuneOptions, 'profile' | 'clock' | 'onCommand' | 'onEvent'> = {},
): Harness {
  const commands: ImmuneCommand[] = [];
  const events: ImmuneEvent[] = [];
  const immune = new ImmuneSystem({
    profile,
    clock,
    onCommand: (command) => commands.push(command),
    onEvent: (event) => events.push(event),
    ...extra,
  });
  return {
    immune,
    commands,
    events,
    report: (agent, kind, source = 'sentry', text) =>
      immune.report({ agent, kind, source, evidence: text === undefined ? {} : { text } }),
    eventsOf: <T extends ImmuneEvent['type']>(type: T) =>
      events.filter((event): event is Extract<ImmuneEvent, { type: T }> => event.type === type),
  };
}
