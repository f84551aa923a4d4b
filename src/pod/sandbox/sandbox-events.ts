// What the worker and process adapters share: handler lists for messages and exit, the start
// handshake (the first `ready` or `failed` from the agent side, or exit, or timeout), and a bounded
// tail of the agent side's stdout/stderr for crash messages.

import { ERROR_CODES, fail, type KernelError, ok, type Result } from '../../shared/index.ts';
import type { SandboxExit } from './port.ts';

/** Bytes of the agent side's output kept for diagnostics (the rest is dropped). */
export const SANDBOX_OUTPUT_TAIL_BYTES = 16_384;

export class OutputTail {
  #text = '';

  push(chunk: Buffer | string): void {
    this.#text += String(chunk);
    if (this.#text.length > SANDBOX_OUTPUT_TAIL_BYTES)
      this.#text = this.#text.slice(-SANDBOX_OUTPUT_TAIL_BYTES);
  }

  /** The last line that says something, for an exit message. */
  lastLine(): string {
    const lines = this.#text.split('\n').filter((line) => line.trim() !== '');
    return (lines.at(-1) ?? '').slice(0, 300);
  }
}

type StartOutcome = Result<void, KernelError>;

export class SandboxEvents {
  readonly #messageHandlers: ((message: unknown) => void)[] = [];
  readonly #exitHandlers: ((exit: SandboxExit) => void)[] = [];
  #exit: SandboxExit | undefined;
  #exited: Promise<SandboxExit>;
  #resolveExit: (exit: SandboxExit) => void = () => {};
  #startWaiter: ((outcome: StartOutcome) => void) | undefined;

  constructor() {
    this.#exited = new Promise((resolve) => {
      this.#resolveExit = resolve;
    });
  }

  get exit(): SandboxExit | undefined {
    return this.#exit;
  }

  /** Resolves once the agent side has ended. */
  get exited(): Promise<SandboxExit> {
    return this.#exited;
  }

  onMessage(handler: (message: unknown) => void): void {
    this.#messageHandlers.push(handler);
  }

  onExit(handler: (exit: SandboxExit) => void): void {
    if (this.#exit !== undefined) handler(this.#exit);
    else this.#exitHandlers.push(handler);
  }

  /** A raw message from the agent side: settles a pending start, then goes to every handler. */
  message(raw: unknown): void {
    const waiter = this.#startWaiter;
    if (waiter !== undefined && typeof raw === 'object' && raw !== null) {
      const m = raw as { kind?: unknown; error?: { message?: unknown } };
      if (m.kind === 'ready') waiter(ok(undefined));
      else if (m.kind === 'failed') {
        const text = typeof m.error?.message === 'string' ? m.error.message.slice(0, 500) : 'no reason given';
        waiter(fail(ERROR_CODES.SANDBOX_START_FAILED, `agent failed to load: ${text}`));
      }
    }
    for (const handler of this.#messageHandlers) handler(raw);
  }

  ended(exit: SandboxExit): void {
    if (this.#exit !== undefined) return;
    this.#exit = exit;
    this.#startWaiter?.(
      fail(ERROR_CODES.SANDBOX_START_FAILED, `agent side ended before ready: ${exit.message}`),
    );
    this.#resolveExit(exit);
    for (const handler of this.#exitHandlers.splice(0)) handler(exit);
  }

  /** Waits for the first `ready` or `failed`, the end of the agent side, or `timeoutMs`. */
  waitForStart(timeoutMs: number): Promise<StartOutcome> {
    return new Promise((resolve) => {
      const timer = setTimeout(
        () =>
          settle(fail(ERROR_CODES.SANDBOX_START_FAILED, `agent did not get ready within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const settle = (outcome: StartOutcome): void => {
        clearTimeout(timer);
        this.#startWaiter = undefined;
        resolve(outcome);
      };
      this.#startWaiter = settle;
    });
  }
}

/** Checks the numbers of a spec both adapters rely on; a message when one is out of range. */
export function specProblem(spec: {
  memoryMb: number;
  startTimeoutMs: number;
  agent: string;
}): string | undefined {
  if (!Number.isSafeInteger(spec.memoryMb) || spec.memoryMb < 16 || spec.memoryMb > 16_384) {
    return `memoryMb must be an integer from 16 to 16384, got \`${spec.memoryMb}\``;
  }
  if (
    !Number.isSafeInteger(spec.startTimeoutMs) ||
    spec.startTimeoutMs < 1 ||
    spec.startTimeoutMs > 600_000
  ) {
    return `startTimeoutMs must be an integer from 1 to 600000, got \`${spec.startTimeoutMs}\``;
  }
  if (typeof spec.agent !== 'string' || spec.agent.length === 0 || spec.agent.length > 256) {
    return 'agent must be a non-empty string of at most 256 characters';
  }
  return undefined;
}
