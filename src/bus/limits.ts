// Every bound the bus enforces, in one place (TigerBeetle: every queue and loop is bounded).

/** Largest wire form of one envelope, in bytes. */
export const ENVELOPE_BYTES_MAX = 256 * 1024;
/** Deepest nesting of JSON inside an envelope (the payload sits at depth 1). */
export const ENVELOPE_DEPTH_MAX = 64;
/** Replay window: a sequence number more than this far behind the highest seen is refused. */
export const REPLAY_WINDOW = 1024;
/** Largest accepted difference between an envelope's `ts` and the receiver's wall clock. */
export const CLOCK_SKEW_MS_MAX = 5 * 60_000;
/** Recipients of one envelope. */
export const RECIPIENTS_MAX = 64;
/** Entries in one vouch chain. */
export const VOUCH_MAX = 16;
/** Default depth of a recipient's queue (back-pressure beyond it). */
export const QUEUE_DEPTH_DEFAULT = 1024;
export const QUEUE_DEPTH_MAX = 65_536;
/** Rejection and drop records a bus keeps for inspection (older ones are discarded). */
export const RECORDS_MAX = 10_000;
/** Envelopes under one batch signature (decision 0010: one Ed25519 signature per batch). */
export const BATCH_MAX = 64;
/** Batch signatures a receiver remembers as verified (LRU; positives only). */
export const VERIFIED_BATCHES_MAX = 4_096;
