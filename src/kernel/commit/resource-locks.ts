// Per-resource exclusive locks for commit stages 2-5 (§13.3): one holder per resource, FIFO
// waiters, never a global lock. A waiter gives up after its timeout (LOCK_TIMEOUT).

import { ERROR_CODES, fail, type KernelError, ok, type Result } from '../../shared/index.ts';

type Waiter = { readonly grant: () => void };

/** Releases the lock; calling it twice is harmless. */
export type Release = () => void;

export class ResourceLocks {
  /** Resource → queue of waiters; the first entry holds the lock. Empty queues are deleted. */
  readonly #queues = new Map<string, Waiter[]>();

  get held(): number {
    return this.#queues.size;
  }

  /** Waits up to `timeoutMs` for the resource's lock. */
  acquire(resource: string, timeoutMs: number): Promise<Result<Release, KernelError>> {
    const queue = this.#queues.get(resource);
    if (queue === undefined) {
      this.#queues.set(resource, [{ grant: () => {} }]);
      return Promise.resolve(ok(this.#releaser(resource)));
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        const index = queue.indexOf(waiter);
        if (index > 0) queue.splice(index, 1);
        resolve(fail(ERROR_CODES.LOCK_TIMEOUT, `resource \`${resource}\` stayed locked for ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter: Waiter = {
        grant: () => {
          clearTimeout(timer);
          resolve(ok(this.#releaser(resource)));
        },
      };
      queue.push(waiter);
    });
  }

  #releaser(resource: string): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const queue = this.#queues.get(resource);
      if (queue === undefined) return;
      queue.shift();
      const next = queue[0];
      if (next === undefined) this.#queues.delete(resource);
      else next.grant();
    };
  }
}
