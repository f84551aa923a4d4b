// An agent execution pod (§41.1): one sandbox running the agent's code, its Sentry in front of
// every gateway call, and the admin side the agent never sees — signals, tasks and health. The
// Sentry starts closed and opens only after the agent side reported ready (deny-all during boot).

import {
  type Clock,
  ERROR_CODES,
  fail,
  type JsonValue,
  type KernelError,
  ok,
  type Result,
  systemRandom,
  uuidv7,
} from '../shared/index.ts';
import type { InboundGateway } from './gateways/inbound-gateway.ts';
import type { PodMessage } from './gateways/port.ts';
import { type AgentMessage, parseAgentMessage, type Signal } from './protocol.ts';
import type { Sandbox, SandboxExit, SandboxReport } from './sandbox/port.ts';
import type { Sentry } from './sentry.ts';

export type PodState = 'starting' | 'running' | 'paused' | 'stopping' | 'terminated';

/** What the pod reports to whoever hosts it (the pod manager): apoptosis, exit, logs. */
export type PodHooks = {
  apoptosis(agent: string, reason: string): void;
  /** After the sandbox ended (journal, token revocation); `kill` resolves only after it. */
  exited(agent: string, exit: SandboxExit): Promise<void>;
  /** A crashed task, a malformed message: for the immune system. */
  misbehaved(agent: string, kind: 'malformed-call' | 'task-crash', detail: string): void;
};

export type PodOptions = {
  readonly agent: string;
  readonly sandbox: Sandbox;
  readonly sentry: Sentry;
  readonly inbound: InboundGateway;
  readonly clock: Clock;
  readonly hooks: PodHooks;
  readonly taskTimeoutMs: number;
  /** How long SIGTERM waits for running tasks before it kills (default 5 s). */
  readonly termGraceMs?: number;
};

type PendingTask = {
  readonly resolve: (result: Result<JsonValue, KernelError>) => void;
  timer: ReturnType<typeof setTimeout>;
};

const LOG_LINES_MAX = 200;
/** Tasks one pod runs at once; more wait for none — they are refused with POD_BUSY. */
const TASKS_IN_FLIGHT_MAX = 64;

export class Pod {
  readonly agent: string;
  readonly startedMs: number;
  readonly #o: PodOptions;
  readonly #tasks = new Map<string, PendingTask>();
  readonly #log: string[] = [];
  #state: PodState = 'starting';
  #report: SandboxReport | undefined;
  #exports: readonly string[] = [];
  #osPaused = false;
  #exit: SandboxExit | undefined;
  #exited: Promise<SandboxExit>;
  #tasksRun = 0;
  #afterExit: Promise<void> = Promise.resolve();
  #apoptosis = false;
  /** Set while SIGTERM waits for the running tasks to end. */
  #whenIdle: (() => void) | undefined;

  constructor(options: PodOptions) {
    this.#o = options;
    this.agent = options.agent;
    this.startedMs = options.clock.wallMs();
    this.#exited = new Promise((resolve) => {
      options.sandbox.onExit((exit) => {
        this.#ended(exit);
        resolve(exit);
      });
    });
    options.sandbox.onMessage((raw) => this.#onMessage(raw));
  }

  get state(): PodState {
    return this.#state;
  }

  get report(): SandboxReport | undefined {
    return this.#report;
  }

  get exit(): SandboxExit | undefined {
    return this.#exit;
  }

  get tasksRun(): number {
    return this.#tasksRun;
  }

  get tasksInFlight(): number {
    return this.#tasks.size;
  }

  /** True when SIGSTOP stopped the agent's code at the OS level, not only at its gateways. */
  get osPaused(): boolean {
    return this.#osPaused;
  }

  logTail(limit = 50): readonly string[] {
    return this.#log.slice(-limit);
  }

  /** Boots the sandbox; the Sentry opens its gateways only once the agent reported ready. */
  async start(): Promise<Result<SandboxReport, KernelError>> {
    const started = await this.#o.sandbox.start();
    if (!started.ok) {
      this.#state = 'terminated';
      this.#o.sentry.close();
      return started;
    }
    if (this.#state !== 'starting')
      return fail(ERROR_CODES.POD_TERMINATED, `pod \`${this.agent}\` ended while starting`);
    this.#report = started.value;
    this.#o.sentry.open();
    this.#state = 'running';
    return started;
  }

  /** Runs one task through the agent's `onTask`; a task that outlives its timeout kills the pod. */
  run(task: JsonValue): Promise<Result<JsonValue, KernelError>> {
    if (this.#state === 'terminated' || this.#state === 'stopping' || this.#state === 'starting') {
      return Promise.resolve(
        fail(ERROR_CODES.AGENT_NOT_RUNNING, `agent \`${this.agent}\` is ${this.#state}`),
      );
    }
    if (this.#tasks.size >= TASKS_IN_FLIGHT_MAX) {
      return Promise.resolve(
        fail(ERROR_CODES.POD_BUSY, `agent \`${this.agent}\` already runs ${TASKS_IN_FLIGHT_MAX} tasks`),
      );
    }
    const taskId = uuidv7(this.#o.clock, systemRandom);
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#timedOut(taskId), this.#o.taskTimeoutMs);
      this.#tasks.set(taskId, { resolve, timer });
      this.#o.sandbox.send({ kind: 'task', taskId, task });
    });
  }

  /** Hands a message to the inbound gateway; an agent exporting `onMessage` gets it pushed at once. */
  deliver(message: PodMessage): Result<void, KernelError> {
    if (this.#state === 'terminated')
      return fail(ERROR_CODES.AGENT_NOT_RUNNING, `agent \`${this.agent}\` is terminated`);
    const accepted = this.#o.sentry.accept(message);
    if (!accepted.ok) return accepted;
    if (this.#exports.includes('onMessage') && this.#state === 'running') this.#pushMessages();
    return ok(undefined);
  }

  /**
   * Delivers a signal. SIGSTOP holds every gateway call (and stops a process sandbox at the OS
   * level); SIGCONT releases; SIGINT and SIGTERM reach the agent's `onSignal`; SIGTERM then waits
   * for running tasks up to its grace period and kills; SIGKILL cannot be caught.
   */
  async signal(signal: Signal): Promise<Result<PodState, KernelError>> {
    if (this.#state === 'terminated') {
      return fail(ERROR_CODES.AGENT_NOT_RUNNING, `agent \`${this.agent}\` is already terminated`);
    }
    switch (signal) {
      case 'SIGSTOP':
        if (this.#state === 'running') {
          this.#o.sentry.hold();
          this.#osPaused = this.#o.sandbox.pause();
          this.#state = 'paused';
        }
        return ok(this.#state);
      case 'SIGCONT':
        if (this.#state === 'paused') {
          if (this.#osPaused) this.#o.sandbox.resume();
          this.#osPaused = false;
          this.#o.sentry.release();
          this.#state = 'running';
          this.#pushMessages();
        }
        return ok(this.#state);
      case 'SIGINT':
        this.#o.sandbox.send({ kind: 'signal', signal: 'SIGINT' });
        return ok(this.#state);
      case 'SIGTERM':
        return ok(await this.#terminate());
      case 'SIGKILL':
        await this.kill();
        return ok(this.#state);
    }
  }

  /** SIGKILL: the sandbox ends even in a busy loop; waiting calls and tasks fail POD_TERMINATED. */
  async kill(): Promise<SandboxExit> {
    if (this.#exit !== undefined) {
      await this.#afterExit;
      return this.#exit;
    }
    this.#o.sentry.close();
    if (this.#osPaused) this.#o.sandbox.resume();
    const exit = await this.#o.sandbox.kill();
    this.#ended(exit);
    await this.#afterExit;
    return exit;
  }

  async #terminate(): Promise<PodState> {
    if (this.#state === 'paused') {
      if (this.#osPaused) this.#o.sandbox.resume();
      this.#o.sentry.release();
    }
    this.#state = 'stopping';
    this.#o.sandbox.send({ kind: 'signal', signal: 'SIGTERM' });
    // Waits for the running tasks (each settle, and the sandbox's exit, wakes it), at most the grace period.
    if (this.#tasks.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.#o.termGraceMs ?? 5_000);
        this.#whenIdle = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#whenIdle = undefined;
    }
    await this.kill();
    return this.#state;
  }

  #ended(exit: SandboxExit): void {
    if (this.#exit !== undefined) return;
    this.#exit = exit;
    this.#state = 'terminated';
    this.#o.sentry.close();
    for (const taskId of [...this.#tasks.keys()]) {
      this.#settle(
        taskId,
        fail(ERROR_CODES.POD_TERMINATED, `agent \`${this.agent}\` ${exit.cause}: ${exit.message}`),
      );
    }
    this.#afterExit = this.#o.hooks.exited(this.agent, exit).catch(() => {});
  }

  /**
   * A task past its timeout kills the pod — unless the pod is paused: a frozen agent (SIGSTOP,
   * quarantine stage 3) waits for a human, and only a human (or the immune system's elimination)
   * may end it, so its timer is suspended until it runs again.
   */
  #timedOut(taskId: string): void {
    const pending = this.#tasks.get(taskId);
    if (pending === undefined) return;
    if (this.#state === 'paused') {
      pending.timer = setTimeout(() => this.#timedOut(taskId), this.#o.taskTimeoutMs);
      return;
    }
    // The task leaves the table first, so the kill below does not settle it as POD_TERMINATED.
    this.#tasks.delete(taskId);
    if (this.#tasks.size === 0) this.#whenIdle?.();
    this.#tasksRun += 1;
    void this.kill().then(() =>
      pending.resolve(
        fail(
          ERROR_CODES.TASK_TIMEOUT,
          `task ran longer than ${this.#o.taskTimeoutMs} ms; the pod was killed`,
        ),
      ),
    );
  }

  #settle(taskId: string, result: Result<JsonValue, KernelError>): void {
    const pending = this.#tasks.get(taskId);
    if (pending === undefined) return;
    this.#tasks.delete(taskId);
    if (this.#tasks.size === 0) this.#whenIdle?.();
    clearTimeout(pending.timer);
    this.#tasksRun += 1;
    pending.resolve(result);
  }

  #pushMessages(): void {
    for (let message = this.#o.inbound.next(); message !== undefined; message = this.#o.inbound.next()) {
      this.#o.sandbox.send({ kind: 'message', from: message.from, type: message.type, body: message.body });
    }
  }

  #onMessage(raw: unknown): void {
    const message = parseAgentMessage(raw);
    if (message === undefined) {
      this.#o.hooks.misbehaved(
        this.agent,
        'malformed-call',
        'a message from the agent side had no valid shape',
      );
      return;
    }
    this.#dispatch(message);
  }

  #dispatch(message: AgentMessage): void {
    switch (message.kind) {
      case 'call':
        void this.#o.sentry.handle(message).then((reply) => this.#o.sandbox.send(reply));
        return;
      case 'task.done':
        if (!message.ok) this.#o.hooks.misbehaved(this.agent, 'task-crash', message.error.message);
        this.#settle(
          message.taskId,
          message.ok
            ? ok(message.value)
            : fail(ERROR_CODES.TASK_FAILED, `agent \`${this.agent}\` task failed: ${message.error.message}`),
        );
        return;
      case 'apoptosis':
        // §37.11.2: nothing may block it — not a closed gateway, not a hold, not a rate limit.
        // Once is enough: repeats would only flood the journal.
        if (this.#apoptosis) return;
        this.#apoptosis = true;
        this.#o.hooks.apoptosis(this.agent, message.reason);
        return;
      case 'log':
        if (this.#log.length >= LOG_LINES_MAX) this.#log.shift();
        this.#log.push(message.text);
        return;
      case 'ready':
        this.#exports = message.exports;
        return;
      case 'failed':
        return;
    }
  }
}
