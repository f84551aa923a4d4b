// The pods a MAOS process hosts (INV-1: an agent runs only inside a pod, behind its Sentry). Starts
// agents from their manifests, routes tasks, signals and messages, carries out what the immune
// system commands (pause, terminate, replace), and journals every step.

import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImmuneCommand, ImmuneSink } from '../immune/port.ts';
import {
  type Clock,
  ERROR_CODES,
  fail,
  type JsonValue,
  type KernelError,
  ok,
  type Result,
} from '../shared/index.ts';
import { buildGateways } from './gateway-set.ts';
import type { AgentMemory } from './gateways/memory-router.ts';
import type { PodMessage, PodServices } from './gateways/port.ts';
import type { LlmProvider } from './llm/provider.ts';
import { type AgentManifest, loadManifest, type Profile, sandboxFor } from './manifest.ts';
import { Pod } from './pod.ts';
import type { Signal } from './protocol.ts';
import type { CreateSandbox, SandboxExit } from './sandbox/port.ts';
import { Sentry } from './sentry.ts';

/** One pod as operators see it (`maos ps`, the runtime's `PodView`). */
export type PodSummary = {
  readonly agent: string;
  /** starting · running · paused · stopping · terminated */
  readonly state: string;
  /** worker (isolation level 1) or process (level 2). */
  readonly sandbox: 'worker' | 'process';
  readonly level: number;
  readonly pid?: number;
  /** Whether a process sandbox runs in its own network namespace. */
  readonly networkNamespace?: boolean;
  /** Protections the host could not give, in words. */
  readonly notes: readonly string[];
  /** Quarantine stage 0–5 and its name (`normal`, `observation`, …) and the anomaly score. */
  readonly stage: number;
  readonly stageName: string;
  readonly score: number;
  readonly startedMs: number;
  readonly tasksRun: number;
  readonly tasksInFlight: number;
  /** True when SIGSTOP stopped the code at the OS level (process sandbox), not only at the gateways. */
  readonly osPaused: boolean;
  readonly exit?: { readonly cause: string; readonly code: number | null; readonly message: string };
};

/** What the host (the runtime) does around a pod's life: its token and session, and their end. */
export interface PodLifecycle {
  /** Before the sandbox starts: admit the manifest against the policy, mint the token, open a session. */
  admit(manifest: AgentManifest): Promise<Result<void, KernelError>>;
  /** Before a task runs: its text joins the agent's session as a trusted source (issue 7). */
  task(agent: string, task: JsonValue): Promise<void>;
  /** After the pod ended: revoke its token, refuse its held intents, close its session. */
  retire(agent: string, why: string): Promise<void>;
}

export type PodManagerOptions = {
  readonly profile: Profile;
  readonly clock: Clock;
  readonly createSandbox: CreateSandbox;
  readonly immune: ImmuneSink;
  /** Stage, its name and score of an agent, for `maos ps`. */
  readonly standing: (agent: string) => {
    readonly stage: number;
    readonly stageName: string;
    readonly score: number;
  };
  readonly services: PodServices;
  readonly lifecycle: PodLifecycle;
  readonly providers: readonly LlmProvider[];
  /** Directory under which each agent gets `<agent>/` as its workspace. */
  readonly workspaceRoot: string;
  /** Opens the agent's VFS (issue 5); absent: the fs gateway serves the workspace only. */
  readonly openMemory?: (manifest: AgentManifest) => Promise<Result<AgentMemory, KernelError>>;
  readonly startTimeoutMs?: number;
  readonly termGraceMs?: number;
};

type Entry = {
  readonly pod: Pod;
  readonly manifest: AgentManifest;
  readonly kind: 'worker' | 'process';
  readonly memory: AgentMemory | undefined;
};

/** Terminated pods kept for `maos ps` and forensics before the oldest is forgotten. */
const ENDED_KEPT_MAX = 100;

export class PodManager {
  readonly #o: PodManagerOptions;
  readonly #pods = new Map<string, Entry>();

  constructor(options: PodManagerOptions) {
    this.#o = options;
  }

  async start(dir: string): Promise<Result<PodSummary, KernelError>> {
    const manifest = await loadManifest(dir);
    return manifest.ok ? this.startManifest(manifest.value) : manifest;
  }

  async startManifest(manifest: AgentManifest): Promise<Result<PodSummary, KernelError>> {
    const running = this.#pods.get(manifest.id);
    if (running !== undefined && running.pod.state !== 'terminated') {
      return fail(ERROR_CODES.AGENT_RUNNING, `agent \`${manifest.id}\` is already running`);
    }
    const kind = sandboxFor(manifest, this.#o.profile);
    if (!kind.ok) return kind;
    const admitted = await this.#o.lifecycle.admit(manifest);
    if (!admitted.ok) return admitted;
    const workspace = join(this.#o.workspaceRoot, manifest.id);
    await mkdir(workspace, { recursive: true, mode: 0o700 });
    const memory = this.#o.openMemory === undefined ? undefined : await this.#o.openMemory(manifest);
    if (memory !== undefined && !memory.ok) {
      await this.#o.lifecycle.retire(manifest.id, 'memory refused');
      return memory;
    }
    const built = await this.#build(manifest, kind.value, workspace, memory?.value);
    if (!built.ok) {
      await memory?.value.close();
      await this.#o.lifecycle.retire(manifest.id, 'start failed');
      return built;
    }
    const pod = built.value;
    this.#remember({ pod, manifest, kind: kind.value, memory: memory?.value });
    const started = await pod.start();
    if (!started.ok) {
      await this.#o.lifecycle.retire(manifest.id, 'start failed');
      await this.#record('pod.start-failed', {
        agent: manifest.id,
        code: started.error.code,
        message: started.error.message,
      });
      return started;
    }
    const report = started.value;
    await this.#record('pod.started', {
      agent: manifest.id,
      sandbox: report.kind,
      level: report.level,
      pid: report.pid ?? null,
      networkNamespace: report.networkNamespace ?? null,
      notes: [...report.notes],
    });
    return ok(this.#summary(manifest.id));
  }

  get(agent: string): Pod | undefined {
    return this.#pods.get(agent)?.pod;
  }

  list(): readonly PodSummary[] {
    return [...this.#pods.keys()].map((agent) => this.#summary(agent));
  }

  summary(agent: string): Result<PodSummary, KernelError> {
    return this.#pods.has(agent) ? ok(this.#summary(agent)) : unknown(agent);
  }

  async task(agent: string, task: JsonValue): Promise<Result<JsonValue, KernelError>> {
    const entry = this.#pods.get(agent);
    if (entry === undefined) return unknown(agent);
    await this.#o.lifecycle.task(agent, task);
    return entry.pod.run(task);
  }

  async signal(agent: string, signal: Signal, by: string): Promise<Result<PodSummary, KernelError>> {
    const entry = this.#pods.get(agent);
    if (entry === undefined) return unknown(agent);
    await this.#record('pod.signal', { agent, signal, by });
    const sent = await entry.pod.signal(signal);
    return sent.ok ? ok(this.#summary(agent)) : sent;
  }

  /** Delivers an inter-agent message to its recipient's inbound gateway. */
  async deliver(message: PodMessage): Promise<Result<void, KernelError>> {
    const entry = this.#pods.get(message.to);
    if (entry === undefined || entry.pod.state === 'terminated') {
      return fail(ERROR_CODES.MESSAGE_DENIED, `agent \`${message.to}\` is not running`);
    }
    return entry.pod.deliver(message);
  }

  /** Carries out what the immune system decided (§37.8.2). */
  async command(command: ImmuneCommand): Promise<void> {
    const entry = this.#pods.get(command.agent);
    if (entry === undefined) return;
    await this.#record('pod.immune-command', {
      agent: command.agent,
      command: command.type,
      reason: command.reason,
    });
    switch (command.type) {
      case 'pause':
        if (entry.pod.state === 'running') await entry.pod.signal('SIGSTOP');
        return;
      case 'terminate':
        await entry.pod.kill();
        return;
      case 'replace':
        await this.#replace(entry, command.reason);
        return;
    }
  }

  /** SIGKILL to every pod (shutdown). */
  async closeAll(): Promise<void> {
    await Promise.all([...this.#pods.values()].map((entry) => entry.pod.kill()));
  }

  async #replace(entry: Entry, reason: string): Promise<void> {
    // WHY: kill also waits for the old pod's retirement (token revocation, session close), which
    // must finish before the replacement is admitted or it would revoke the new token.
    await entry.pod.kill();
    const workspace = join(this.#o.workspaceRoot, entry.manifest.id);
    // §37.8.2 stage 4: the eliminated agent's state is kept for forensics; the replacement starts clean.
    const kept = `${workspace}.forensic-${this.#o.clock.wallMs()}`;
    await rename(workspace, kept).catch(() => {});
    const started = await this.startManifest(entry.manifest);
    await this.#record('pod.replaced', {
      agent: entry.manifest.id,
      reason,
      forensics: kept,
      started: started.ok,
      ...(started.ok ? {} : { code: started.error.code }),
    });
  }

  async #build(
    manifest: AgentManifest,
    kind: 'worker' | 'process',
    workspace: string,
    memory: AgentMemory | undefined,
  ): Promise<Result<Pod, KernelError>> {
    const { clock, services, immune } = this.#o;
    const built = await buildGateways({
      manifest,
      workspace,
      clock,
      services,
      providers: this.#o.providers,
      ...(memory === undefined ? {} : { memory }),
    });
    if (!built.ok) return built;
    const gateways = built.value;
    const sentry = new Sentry({
      agent: manifest.id,
      config: manifest.gateways,
      gateways: gateways.list,
      immune,
      services,
      clock,
    });
    const sandbox = this.#o.createSandbox({
      kind,
      agent: manifest.id,
      entry: manifest.entry,
      workspace,
      memoryMb: manifest.memoryMb,
      startTimeoutMs: this.#o.startTimeoutMs ?? 10_000,
    });
    const pod = new Pod({
      agent: manifest.id,
      sandbox,
      sentry,
      inbound: gateways.inbound,
      clock,
      taskTimeoutMs: manifest.taskTimeoutMs,
      ...(this.#o.termGraceMs === undefined ? {} : { termGraceMs: this.#o.termGraceMs }),
      hooks: {
        apoptosis: (agent, reason) => {
          immune.apoptosis(agent, reason);
          void this.#record('pod.apoptosis', { agent, reason });
        },
        exited: (agent, exit) => this.#exited(agent, exit),
        misbehaved: (agent, kind, detail) =>
          immune.report({ agent, kind, source: 'sentry', evidence: { detail } }),
      },
    });
    return ok(pod);
  }

  async #exited(agent: string, exit: SandboxExit): Promise<void> {
    // Working memory is gone with the pod; episodic memory stays in storage.
    await this.#pods.get(agent)?.memory?.close();
    await this.#record('pod.exited', { agent, cause: exit.cause, code: exit.code, message: exit.message });
    await this.#o.lifecycle.retire(agent, `pod ${exit.cause}`);
  }

  #remember(entry: Entry): void {
    this.#pods.delete(entry.manifest.id);
    this.#pods.set(entry.manifest.id, entry);
    if (this.#pods.size <= ENDED_KEPT_MAX) return;
    for (const [agent, old] of this.#pods) {
      if (this.#pods.size <= ENDED_KEPT_MAX) break;
      if (old.pod.state === 'terminated') this.#pods.delete(agent);
    }
  }

  #summary(agent: string): PodSummary {
    const entry = this.#pods.get(agent);
    if (entry === undefined) throw new Error(`no pod for \`${agent}\``);
    const { pod, kind } = entry;
    const report = pod.report;
    const standing = this.#o.standing(agent);
    const exit = pod.exit;
    return {
      agent,
      state: pod.state,
      sandbox: kind,
      level: report?.level ?? (kind === 'worker' ? 1 : 2),
      ...(report?.pid === undefined ? {} : { pid: report.pid }),
      ...(report?.networkNamespace === undefined ? {} : { networkNamespace: report.networkNamespace }),
      notes: report?.notes ?? [],
      stage: standing.stage,
      stageName: standing.stageName,
      score: standing.score,
      startedMs: pod.startedMs,
      tasksRun: pod.tasksRun,
      tasksInFlight: pod.tasksInFlight,
      osPaused: pod.osPaused,
      ...(exit === undefined ? {} : { exit: { cause: exit.cause, code: exit.code, message: exit.message } }),
    };
  }

  async #record(type: string, data: { readonly [key: string]: JsonValue }): Promise<void> {
    try {
      await this.#o.services.record(type, data);
    } catch {
      // WHY: a journal failure puts the kernel in commit freeze on its own; a pod step must not throw.
    }
  }
}

function unknown(agent: string): Result<never, KernelError> {
  return fail(ERROR_CODES.AGENT_UNKNOWN, `no agent \`${agent}\` has been started here`);
}
