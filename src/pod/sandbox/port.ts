// Sandbox port: where an agent's code runs. Two adapters: a worker thread running the code in a
// hardened compartment (isolation level 1, Standard) and a child process under Node's permission
// model with a network namespace where the OS allows one (level 2, Hardened). The pod talks to
// either through this interface only; `node:vm` alone is never a sandbox.

import type { KernelError, Result } from '../../shared/index.ts';
import type { AgentMessage, HostMessage } from '../protocol.ts';

export type SandboxKind = 'worker' | 'process';

export type SandboxSpec = {
  readonly kind: SandboxKind;
  readonly agent: string;
  /** Absolute path of the agent's entry module (an ES module exporting `onTask`). */
  readonly entry: string;
  /** Absolute path of the agent's workspace directory (created by the pod before start). */
  readonly workspace: string;
  /** Heap limit for the agent side, in MB (worker `resourceLimits`, process `--max-old-space-size`). */
  readonly memoryMb: number;
  /** How long `start` may take before it fails with SANDBOX_START_FAILED. */
  readonly startTimeoutMs: number;
};

/** How the sandbox ended: `killed` by the host, `exited` by itself, `crashed` (uncaught error, OOM). */
export type SandboxExit = {
  readonly cause: 'killed' | 'exited' | 'crashed';
  readonly code: number | null;
  readonly message: string;
};

/** What isolation the sandbox actually got, for `maos ps` and the start report. */
export type SandboxReport = {
  readonly kind: SandboxKind;
  readonly level: 1 | 2;
  /** OS process id of a process sandbox. */
  readonly pid?: number;
  /** True when the process sandbox runs in its own network namespace (no interfaces but lo). */
  readonly networkNamespace?: boolean;
  /** Why a requested protection is missing, in words (e.g. `unshare: user namespaces disabled`). */
  readonly notes: readonly string[];
};

export interface Sandbox {
  readonly kind: SandboxKind;
  /** Boots the agent side and loads the entry module; resolves after its `ready` (or fails). */
  start(): Promise<Result<SandboxReport, KernelError>>;
  /** Sends one message to the agent side; dropped silently after exit. */
  send(message: HostMessage): void;
  /** Every message from the agent side, raw and untrusted (the pod parses it). */
  onMessage(handler: (message: unknown) => void): void;
  onExit(handler: (exit: SandboxExit) => void): void;
  /**
   * Stops the agent's execution at the OS level (SIGSTOP to a process sandbox). Returns false
   * where that is impossible (a worker thread): the pod then holds the agent at its gateways.
   */
  pause(): boolean;
  resume(): boolean;
  /** Not catchable: ends the agent side, even in a busy loop; resolves once it has ended. */
  kill(): Promise<SandboxExit>;
  /** Resident memory attributable to the sandbox in bytes, when it can be measured. */
  memoryBytes(): Promise<number | undefined>;
}

export type CreateSandbox = (spec: SandboxSpec) => Sandbox;

/** Re-exported so adapters and the pod name the same message types. */
export type { AgentMessage, HostMessage };
