// A JSON-lines log of kernel events in the data directory (mints with their TTL acknowledgments,
// revocations, ring and mode changes). The hash-chained journal replaces it in the commit-layer work.

import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KernelEvent, KernelEventSink } from '../kernel/events.ts';
import type { Clock } from '../shared/index.ts';

export const EVENT_LOG_FILE = 'events.jsonl';

/** Writes every event but decisions (those are the caller's output) to `<dataDir>/events.jsonl`. */
export function fileEventSink(dataDir: string, clock: Clock): KernelEventSink {
  const file = join(dataDir, EVENT_LOG_FILE);
  return {
    emit(event: KernelEvent): void {
      if (event.type === 'decision') return;
      appendFileSync(file, `${JSON.stringify({ atMs: clock.wallMs(), ...event })}\n`, { mode: 0o600 });
    },
  };
}
