// Worker sandbox (isolation level 1, Standard): the agent runs in a worker thread with its own heap
// limit, no environment, no argv and captured output; inside it, the bootstrap locks SES down and
// evaluates the agent in a compartment. It shares the host's process, so pause is impossible at the
// OS level (the pod holds the agent at its gateways) and a V8 bug would reach the host.

import type { Worker } from 'node:worker_threads';
import { ERROR_CODES, fail, ok } from '../../shared/index.ts';
import type { BootMessage } from './agent-bootstrap.ts';
import { loadAgentModules } from './agent-modules.ts';
import type { HostMessage, Sandbox, SandboxExit, SandboxReport, SandboxSpec } from './port.ts';
import { OutputTail, SandboxEvents, specProblem } from './sandbox-events.ts';
import { takeAgentWorker } from './worker-pool.ts';

export function createWorkerSandbox(spec: SandboxSpec): Sandbox {
  const events = new SandboxEvents();
  const output = new OutputTail();
  let worker: Worker | undefined;
  let killing = false;
  let crash: string | undefined;

  const watch = (w: Worker): void => {
    w.stdout.on('data', (chunk: Buffer) => output.push(chunk));
    w.stderr.on('data', (chunk: Buffer) => output.push(chunk));
    w.on('message', (message: unknown) => events.message(message));
    w.on('messageerror', () => {
      crash ??= 'a message from the agent side could not be deserialized';
    });
    w.on('error', (error: Error) => {
      crash ??= `${(error as { code?: string }).code ?? 'uncaught error'}: ${error.message.slice(0, 300)}`;
    });
    w.on('exit', (code: number) => events.ended(exitOf(code)));
  };

  const exitOf = (code: number): SandboxExit => {
    if (killing) return { cause: 'killed', code, message: 'terminated by the host' };
    if (crash !== undefined) return { cause: 'crashed', code, message: crash };
    if (code !== 0)
      return { cause: 'crashed', code, message: output.lastLine() || `worker exited with code ${code}` };
    return { cause: 'exited', code, message: 'worker exited' };
  };

  return {
    kind: 'worker',
    async start() {
      const problem = specProblem(spec);
      if (problem !== undefined) return fail(ERROR_CODES.SANDBOX_START_FAILED, problem);
      if (worker !== undefined) return fail(ERROR_CODES.SANDBOX_START_FAILED, 'sandbox was already started');
      let w: Worker;
      try {
        // INVARIANT: a worker serves one agent; it is never handed back to the pool.
        w = takeAgentWorker(spec.memoryMb);
      } catch (error) {
        return fail(ERROR_CODES.SANDBOX_UNAVAILABLE, `worker could not start: ${(error as Error).message}`);
      }
      worker = w;
      watch(w);
      // WHY in parallel: the worker boots and locks down while the host loads the agent's modules.
      const started = events.waitForStart(spec.startTimeoutMs);
      const modules = await loadAgentModules(spec.entry, spec.agent);
      if (!modules.ok) {
        killing = true;
        await w.terminate();
        return modules;
      }
      const boot: BootMessage = { kind: 'boot', agent: spec.agent, ...modules.value };
      w.postMessage(boot);
      const outcome = await started;
      if (!outcome.ok) {
        killing = true;
        await w.terminate();
        return outcome;
      }
      const report: SandboxReport = {
        kind: 'worker',
        level: 1,
        notes: ['worker thread: shares the host process; pause holds the agent at its gateways'],
      };
      return ok(report);
    },
    send(message: HostMessage) {
      if (worker === undefined || events.exit !== undefined) return;
      worker.postMessage(message);
    },
    onMessage(handler) {
      events.onMessage(handler);
    },
    onExit(handler) {
      events.onExit(handler);
    },
    pause: () => false,
    resume: () => false,
    async kill() {
      if (worker === undefined) {
        const exit: SandboxExit = { cause: 'killed', code: null, message: 'never started' };
        events.ended(exit);
        return exit;
      }
      if (events.exit === undefined) {
        killing = true;
        await worker.terminate();
      }
      return events.exited;
    },
    async memoryBytes() {
      if (worker === undefined || events.exit !== undefined) return undefined;
      try {
        const heap = await worker.getHeapStatistics();
        return heap.total_physical_size + heap.external_memory + heap.malloced_memory;
      } catch {
        return undefined;
      }
    },
  };
}
