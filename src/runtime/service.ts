// What a running MAOS offers to its operators and clients: the HTTP API and the CLI's daemon
// commands call exactly these methods. Plain JSON shapes, so they cross HTTP unchanged.

import type { GateRecord } from '../ifc/declassify/index.ts';
import type { Confidentiality } from '../ifc/index.ts';
import type { CheckSummary, TrackedState } from '../kernel/index.ts';
import type { SessionHead, SessionMeta } from '../memory/index.ts';
import type { PodSummary } from '../pod/index.ts';
import type { JsonValue, KernelError, Result } from '../shared/index.ts';

/** The commit state machine's states, as the kernel names them. */
export type IntentState = TrackedState;

/** One check that did not allow, as the commit layer journals it (check 4 adds its decision packet). */
export type CheckView = CheckSummary;

export type IntentStatus = {
  readonly intentId: string;
  readonly agent: string;
  readonly action: string;
  readonly resource: string;
  readonly state: IntentState;
  readonly verdict: 'allow' | 'deny' | 'escalate';
  /** Checks that did not allow (empty on a clean allow). */
  readonly checks: readonly CheckView[];
  /** Journal sequence numbers of this intent's records, oldest first. */
  readonly journal: readonly number[];
  /** The connector's result, when committed. */
  readonly result?: unknown;
  /** Why it failed, conflicted or was rejected. */
  readonly error?: { readonly code: string; readonly message: string };
  /** Until when `undo` is possible (epoch ms); absent when it is not. */
  readonly undoUntilMs?: number;
  /** True when this call found an earlier commit of the same idempotency key and ran nothing. */
  readonly replayed?: boolean;
};

export type HeldIntent = {
  readonly intentId: string;
  readonly agent: string;
  readonly action: string;
  readonly resource: string;
  readonly args: unknown;
  /** SHA-256 of the intent's canonical JSON (token excluded): what an approval is bound to. */
  readonly digest: string;
  readonly policyHash: string;
  readonly reasons: readonly CheckView[];
  readonly heldAtMs: number;
  readonly expiresAtMs: number;
};

export type Decider = { readonly by: string; readonly note?: string };

export type JournalQuery = {
  /** First sequence number to return; negative counts back from the head (-20 = the last 20). */
  readonly fromSeq?: number;
  readonly limit?: number;
  /** Record types to keep, e.g. `intent.committed`; prefix match with a trailing `*`. */
  readonly types?: readonly string[];
  readonly agent?: string;
  readonly intentId?: string;
};

export type JournalEntryView = {
  readonly seq: number;
  readonly hash: string;
  readonly prev: string;
  readonly ts: number;
  readonly type: string;
  readonly data: unknown;
};

export type VerifyView =
  | { readonly ok: true; readonly records: number; readonly checkpoints: number; readonly headSeq: number }
  | {
      readonly ok: false;
      readonly records: number;
      readonly checkpoints: number;
      readonly brokenSeq: number;
      readonly reason: string;
      readonly message: string;
    };

export type HealthView = {
  readonly status: 'ok' | 'degraded';
  /** operational | emergency | commit-freeze | recovery-hold */
  readonly mode: string;
  readonly storage: string;
  readonly journalHeadSeq: number;
  readonly held: number;
  readonly nodeId: string;
  readonly policyHash: string;
  readonly version: string;
  readonly uptimeMs: number;
};

/** A downstream MCP tool as the gateway holds it (`maos gateway tools list`). */
export type GatewayToolView = {
  readonly name: string;
  readonly server: string;
  readonly tool: string;
  /** active: forwarded · new / changed: blocked until approved · refused: never forwarded */
  readonly status: 'active' | 'new' | 'changed' | 'refused';
  /** Whether the agent's capabilities cover it (only then it is listed to the client). */
  readonly granted: boolean;
  readonly hash: string;
  readonly pinnedHash: string | null;
  readonly reason: string | null;
  readonly description: string | null;
};

/** What the MCP gateway adds to the service: its tools and their approval. */
export interface GatewayTools {
  list(): Promise<readonly GatewayToolView[]>;
  /** Approves the waiting view of each named tool (`server__tool` or `server.tool`), or all with `all`. */
  approve(
    names: readonly string[] | 'all',
    decider: Decider,
  ): Promise<Result<readonly GatewayToolView[], KernelError>>;
}

/** A kernel session (issue 7): what it has read, as a label, and how many sources it has indexed. */
export type SessionView = {
  readonly session: string;
  readonly agent: string;
  readonly label: { readonly confidentiality: string; readonly integrity: string };
  readonly sources: number;
};

/** A declassification request of a kernel session (§11.3): release `text` to level `to`. */
export type DeclassifyInput = {
  readonly text: string;
  readonly to: Confidentiality;
  readonly justification: string;
};

/** How a declassification request was decided, as journaled (`ifc.declassify`), plus whether it was granted. */
export type DeclassifyView = {
  readonly session: string;
  readonly agent: string;
  /** The session's label when the gates ran. */
  readonly from: string;
  readonly to: string;
  readonly verdict: 'allow' | 'deny' | 'escalate';
  /** The deny code (`DECLASSIFY_*`); absent on allow and escalate. */
  readonly code?: string;
  readonly reason: string;
  readonly gates: readonly GateRecord[];
  /** True only on allow: the text may now go where `to` flows (check 4's waiver). */
  readonly granted: boolean;
  /** SHA-256 (hex) of the text; the journal never holds the text itself. */
  readonly textSha256: string;
  readonly journalSeq: number;
};

/** The operations a running MAOS exposes. Every failure is a `KernelError` with a stable code. */
export interface KernelService {
  /** Decides and, when allowed, commits an intent (JSON as an agent sends it). */
  submit(input: unknown): Promise<Result<IntentStatus, KernelError>>;
  status(intentId: string): Promise<Result<IntentStatus, KernelError>>;
  held(): Promise<readonly HeldIntent[]>;
  approve(intentId: string, decider: Decider): Promise<Result<IntentStatus, KernelError>>;
  reject(intentId: string, decider: Decider): Promise<Result<IntentStatus, KernelError>>;
  undo(intentId: string, decider: Decider): Promise<Result<IntentStatus, KernelError>>;
  journal(query: JournalQuery): Promise<Result<readonly JournalEntryView[], KernelError>>;
  verify(): Promise<VerifyView>;
  health(): Promise<HealthView>;
  /** Opens a session for `agent`; `task` (the user's request) is its first, trusted source. */
  openSession(agent: string, task?: string): Promise<Result<SessionView, KernelError>>;
  session(id: string): Promise<Result<SessionView, KernelError>>;
  /** Adds the user's words to a session as a trusted source. */
  addTask(id: string, text: string): Promise<Result<SessionView, KernelError>>;
  closeSession(id: string): Promise<Result<{ readonly closed: boolean }, KernelError>>;
  /**
   * Runs the three-gate declassification protocol for a text of session `id`, journals it
   * (`ifc.declassify`) and grants it on allow. An escalation grants nothing (no human path yet).
   */
  declassify?(id: string, input: DeclassifyInput): Promise<Result<DeclassifyView, KernelError>>;
  /** Present when the process runs the MCP gateway. */
  readonly tools?: GatewayTools;
  /** Present when the process hosts agent pods (`maos start`, the library's pod runtime). */
  readonly pods?: PodControl;
  /** The pods' shared sessions (issue 5), present with `pods`; not the kernel sessions above. */
  readonly sessions?: SessionControl;
}

/** One agent pod as `maos ps` shows it (issue 4). */
export type PodView = PodSummary;

export type PodSignal = 'SIGSTOP' | 'SIGCONT' | 'SIGINT' | 'SIGTERM' | 'SIGKILL';

/** The pods a running MAOS hosts: start, tasks, signals and quarantine (`maos agent|ps|stop|cont|kill|quarantine`). */
export interface PodControl {
  list(): Promise<readonly PodView[]>;
  /** Starts the agent whose manifest (`maos-agent.yaml`) is in `dir` (a path on the daemon's machine). */
  start(dir: string): Promise<Result<PodView, KernelError>>;
  /** Runs one task through the agent's `onTask` and answers with what it returned. */
  task(agent: string, task: JsonValue): Promise<Result<JsonValue, KernelError>>;
  signal(agent: string, signal: PodSignal): Promise<Result<PodView, KernelError>>;
  /**
   * Moves the agent to quarantine stage `stage` (0 releases). Stage 4 (elimination) needs
   * `approved: true` from a commander under the hardened and isolated profiles.
   */
  quarantine(
    agent: string,
    stage: number,
    decider: Decider & { readonly approved?: boolean },
  ): Promise<Result<PodView, KernelError>>;
}

/** A shared session of pods (issue 5): its chain head (seq, commit) and its members with their role. */
export type SharedSessionView = {
  readonly id: string;
  readonly head: SessionHead;
  readonly members: SessionMeta['members'];
};

/** The pods' shared sessions (`maos session create|token|show`); the pod runtime's `PodSessions`. */
export interface SessionControl {
  /** Creates a session; `readOnly` names members (of `members`) who may read but never change it. */
  create(request: {
    readonly id: string;
    readonly members: readonly string[];
    readonly readOnly?: readonly string[];
  }): Promise<Result<SharedSessionView, KernelError>>;
  /** A signed join token for member `agent` of session `id`, valid for `ttlMs` (default 10 min). */
  token(id: string, agent: string, ttlMs?: number): Promise<Result<string, KernelError>>;
  /** The session's head and members, after re-checking its whole hash chain. */
  show(id: string): Promise<Result<SharedSessionView, KernelError>>;
}
