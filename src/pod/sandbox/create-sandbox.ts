// The sandbox factory the pod uses: a worker sandbox for isolation level 1 (Standard) and a process
// sandbox for level 2 (Hardened). An unknown kind gets a sandbox whose start fails closed.

import { ERROR_CODES, fail } from '../../shared/index.ts';
import type { CreateSandbox, Sandbox, SandboxExit, SandboxSpec } from './port.ts';
import { createProcessSandbox } from './process-sandbox.ts';
import { createWorkerSandbox } from './worker-sandbox.ts';

function unavailable(spec: SandboxSpec): Sandbox {
  const exit: SandboxExit = { cause: 'exited', code: null, message: 'never started' };
  return {
    kind: spec.kind,
    start: async () =>
      fail(ERROR_CODES.SANDBOX_UNAVAILABLE, `sandbox kind \`${String(spec.kind)}\` is unknown`),
    send: () => {},
    onMessage: () => {},
    onExit: (handler) => handler(exit),
    pause: () => false,
    resume: () => false,
    kill: async () => exit,
    memoryBytes: async () => undefined,
  };
}

export const createSandbox: CreateSandbox = (spec) => {
  if (spec.kind === 'worker') return createWorkerSandbox(spec);
  if (spec.kind === 'process') return createProcessSandbox(spec);
  return unavailable(spec);
};
