// A bounded queue of operations run one at a time, shared by the agent VFS and shared sessions: each
// starts once the one before it has settled, and past the bound a call is refused at once, so a
// flood cannot pile up closures.

import type { KernelError, Result } from '../shared/index.ts';
import { ERROR_CODES, fail } from '../shared/index.ts';

export class OpQueue {
  /** Names the owner in the refusal (`the vfs of \`alice\``). */
  readonly #owner: string;
  readonly #pendingMax: number;
  #tail: Promise<unknown> = Promise.resolve();
  #pending = 0;

  constructor(owner: string, pendingMax: number) {
    this.#owner = owner;
    this.#pendingMax = pendingMax;
  }

  /** Runs `op` after every operation queued before it; GATEWAY_RATE_LIMITED when the queue is full. */
  run<T>(op: () => Promise<Result<T, KernelError>>): Promise<Result<T, KernelError>> {
    if (this.#pending >= this.#pendingMax) {
      return Promise.resolve(
        fail(ERROR_CODES.GATEWAY_RATE_LIMITED, `${this.#owner} has too many pending calls`),
      );
    }
    this.#pending++;
    const run = this.#tail.then(op);
    this.#tail = run.finally(() => {
      this.#pending--;
    });
    return run;
  }

  /** Settles once every operation queued so far has. */
  settled(): Promise<unknown> {
    return this.#tail;
  }
}
