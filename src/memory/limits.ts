// Every bound of the agent VFS and of shared sessions, in one place (TigerBeetle: every queue and
// loop bounded). Quotas given to `AgentVfs.open` or `SharedSession.create` may only lower these.

/** A mount's budget: total UTF-8 bytes of its files and how many files it may hold. */
export type Quota = { readonly bytesMax: number; readonly filesMax: number };

export const VFS_LIMITS = {
  /** A whole path, in UTF-16 units (every accepted character is one unit and one byte). */
  pathLengthMax: 1024,
  segmentLengthMax: 255,
  /** Segments in a path, mount prefix included (`/mem/working/a` has three). */
  depthMax: 32,
  /** Entries one `list` returns; the rest are counted in `more`. */
  listEntriesMax: 1_000,
  /** Operations one VFS queues before it refuses more (a flood cannot pile up closures). */
  pendingOpsMax: 256,
  /** Sessions one agent may have joined at once. */
  sessionsMax: 16,
  working: { bytesMax: 8 * 1024 * 1024, filesMax: 1_000 },
  episodic: { bytesMax: 16 * 1024 * 1024, filesMax: 1_000 },
  policy: { bytesMax: 1024 * 1024, filesMax: 64 },
} as const;

export const SESSION_LIMITS = {
  membersMax: 64,
  /** Shared state: the files as they are now. */
  state: { bytesMax: 4 * 1024 * 1024, filesMax: 1_000 },
  /** One file's content, which a delta carries whole. */
  fileBytesMax: 256 * 1024,
  /** Changes a session keeps; the chain is replayed from the first one on open and on verify. */
  changesMax: 10_000,
  /** Sum of the content bytes of all stored deltas. */
  historyBytesMax: 64 * 1024 * 1024,
  /** Changes (and joins) one session queues before it refuses more. */
  pendingOpsMax: 256,
  tokenTtlMsMax: 60 * 60 * 1000,
  tokenLengthMax: 1024,
} as const;

/**
 * A quota no larger than `limit`; a missing field takes the limit. Undefined when a given field
 * is not a non-negative integer (the caller refuses it: a NaN quota would admit everything).
 */
export function clampQuota(quota: Partial<Quota> | undefined, limit: Quota): Quota | undefined {
  const bytesMax = quota?.bytesMax ?? limit.bytesMax;
  const filesMax = quota?.filesMax ?? limit.filesMax;
  if (!Number.isSafeInteger(bytesMax) || !Number.isSafeInteger(filesMax) || bytesMax < 0 || filesMax < 0) {
    return undefined;
  }
  return { bytesMax: Math.min(bytesMax, limit.bytesMax), filesMax: Math.min(filesMax, limit.filesMax) };
}
