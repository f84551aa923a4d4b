// Public face of src/memory: the agent VFS and shared sessions.

export {
  AgentVfs,
  type AgentVfsOptions,
  type VfsChangeOptions,
  type VfsReceipt,
  type VfsStat,
  type VfsUsage,
} from './agent-vfs.ts';
export type { VfsEntry, VfsListing } from './file-tree.ts';
export { type Quota, SESSION_LIMITS, VFS_LIMITS } from './limits.ts';
export type { ChangeRecorder, SessionRecordType } from './port.ts';
export {
  SESSION_NAMESPACE,
  type SessionDelta,
  type SessionHead,
  type SessionMeta,
  type SessionRole,
  type SessionStat,
} from './session-change.ts';
export { JOIN_TOKEN_TYPE, type JoinClaims, mintJoinToken, verifyJoinToken } from './session-token.ts';
export {
  type CreateSessionOptions,
  SessionMember,
  SharedSession,
  type SharedSessionOptions,
} from './shared-session.ts';
export { EPISODIC_NAMESPACE } from './vfs-mounts.ts';
