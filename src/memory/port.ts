// The journal port of shared sessions: every session event (creation, join, refusal, change) is
// recorded through it. The runtime wires it to the MAOS journal; tests use an in-test recorder.

import type { JsonValue } from '../shared/index.ts';

/** The session events written to the journal. */
export type SessionRecordType =
  | 'session.created'
  | 'session.joined'
  | 'session.join-refused'
  | 'session.change'
  | 'session.change-aborted';

export interface ChangeRecorder {
  /**
   * Durably records one event and resolves to its journal sequence number. A rejection means
   * nothing was recorded; the session then refuses the change it was about to make.
   */
  record(type: SessionRecordType, data: Readonly<Record<string, JsonValue>>): Promise<number>;
}
