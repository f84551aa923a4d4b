// Process sandbox (isolation level 2, Hardened): the agent runs in a child Node process under the
// permission model (reads: the SES shim; reads and writes: the workspace; no child processes,
// workers, addons or WASI), talking JSON over an IPC channel, with an empty environment. Where
// `unshare -rn` works it runs in a fresh user+network namespace with no interface but loopback
// (Node's permission model has no network rule). Inside, the agent still runs in an SES
// compartment. Pause and resume are SIGSTOP and SIGCONT; kill is SIGKILL.

import { type ChildProcess, spawn } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { assert, ERROR_CODES, fail, ok } from '../../shared/index.ts';
import type { BootMessage } from './agent-bootstrap.ts';
import { loadAgentModules } from './agent-modules.ts';
import { bootstrapBundle } from './bootstrap-bundle.ts';
import { probeNetworkNamespace } from './network-namespace.ts';
import type { HostMessage, Sandbox, SandboxExit, SandboxReport, SandboxSpec } from './port.ts';
import { OutputTail, SandboxEvents, specProblem } from './sandbox-events.ts';
import { sesShimPath } from './ses-shim.ts';

const BUNDLE_ARG_CHARS_MAX = 120_000;

export type ProcessSandboxOptions = {
  /** Set false to skip the network namespace even where it is available (tests of the fallback). */
  readonly networkNamespace?: boolean;
};

/**
 * The child's command line: Node with the permission model evaluating the bootstrap bundle (or,
 * for a test, running `script` with `extraArgs` under the same flags), wrapped in `unshare -rn`
 * where a network namespace is available. The SES shim's path is the last argument.
 */
export function processCommand(
  spec: SandboxSpec,
  unshare: string | undefined,
  script?: { readonly path: string; readonly extraArgs: readonly string[] },
): { file: string; args: string[] } {
  const shim = sesShimPath();
  const bundle = bootstrapBundle().source;
  const reads = [shim, spec.workspace, ...(script === undefined ? [] : [script.path])];
  // INVARIANT: one argv string stays under Linux's MAX_ARG_STRLEN (128 KiB).
  assert(bundle.length < BUNDLE_ARG_CHARS_MAX, 'bootstrap bundle too large for --eval');
  const node = [
    '--permission',
    ...reads.map((path) => `--allow-fs-read=${path}`),
    `--allow-fs-write=${spec.workspace}`,
    '--disable-warning=ExperimentalWarning',
    `--max-old-space-size=${spec.memoryMb}`,
    '--max-semi-space-size=2',
    ...(script === undefined
      ? ['--input-type=module', '--eval', bundle, shim]
      : [script.path, shim, ...script.extraArgs]),
  ];
  return unshare === undefined
    ? { file: process.execPath, args: node }
    : { file: unshare, args: ['-rn', process.execPath, ...node] };
}

export function createProcessSandbox(spec: SandboxSpec, options: ProcessSandboxOptions = {}): Sandbox {
  const events = new SandboxEvents();
  const output = new OutputTail();
  let child: ChildProcess | undefined;
  let killing = false;

  const exitOf = (code: number | null, signal: NodeJS.Signals | null): SandboxExit => {
    if (killing) return { cause: 'killed', code, message: 'killed by the host' };
    if (code === 0) return { cause: 'exited', code, message: 'process exited' };
    const last = output.lastLine();
    return { cause: 'crashed', code, message: last || `process ended by ${signal ?? `exit code ${code}`}` };
  };

  const watch = (c: ChildProcess): void => {
    c.stdout?.on('data', (chunk: Buffer) => output.push(chunk));
    c.stderr?.on('data', (chunk: Buffer) => output.push(chunk));
    c.on('message', (message: unknown) => events.message(message));
    c.on('error', (error: Error) => {
      output.push(`process error: ${error.message}\n`);
      // WHY: a spawn that failed (no pid) may never emit 'exit'.
      if (c.pid === undefined)
        events.ended({ cause: 'crashed', code: null, message: `spawn failed: ${error.message}` });
    });
    c.on('exit', (code, signal) => events.ended(exitOf(code, signal)));
  };

  const live = (): ChildProcess | undefined => (events.exit === undefined ? child : undefined);

  const signal = (name: NodeJS.Signals): boolean => {
    const c = live();
    if (c?.pid === undefined) return false;
    try {
      process.kill(c.pid, name);
      return true;
    } catch {
      return false;
    }
  };

  const kill = async (): Promise<SandboxExit> => {
    if (child === undefined) {
      const exit: SandboxExit = { cause: 'killed', code: null, message: 'never started' };
      events.ended(exit);
      return exit;
    }
    if (events.exit === undefined) {
      killing = true;
      child.kill('SIGKILL');
    }
    return events.exited;
  };

  return {
    kind: 'process',
    async start() {
      const problem = specProblem(spec);
      if (problem !== undefined) return fail(ERROR_CODES.SANDBOX_START_FAILED, problem);
      if (child !== undefined) return fail(ERROR_CODES.SANDBOX_START_FAILED, 'sandbox was already started');
      const workspace = await stat(spec.workspace).catch(() => undefined);
      if (workspace?.isDirectory() !== true) {
        return fail(ERROR_CODES.SANDBOX_START_FAILED, `workspace \`${spec.workspace}\` is not a directory`);
      }
      const notes: string[] = [];
      let unshare: string | undefined;
      if (options.networkNamespace === false)
        notes.push('network namespace not requested: the agent side can reach the network');
      else {
        const probe = await probeNetworkNamespace();
        if (probe.available) unshare = probe.unshare;
        else notes.push(`no network namespace (${probe.reason}): the agent side can reach the network`);
      }
      const modules = await loadAgentModules(spec.entry, spec.agent);
      if (!modules.ok) return modules;
      const command = processCommand(spec, unshare);
      let c: ChildProcess;
      try {
        c = spawn(command.file, command.args, {
          cwd: spec.workspace,
          env: {},
          stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
          serialization: 'json',
        });
      } catch (error) {
        return fail(ERROR_CODES.SANDBOX_UNAVAILABLE, `process could not start: ${(error as Error).message}`);
      }
      child = c;
      watch(c);
      const started = events.waitForStart(spec.startTimeoutMs);
      const boot: BootMessage = { kind: 'boot', agent: spec.agent, ...modules.value };
      c.send(boot);
      const outcome = await started;
      if (!outcome.ok) {
        await kill();
        return outcome;
      }
      const report: SandboxReport = {
        kind: 'process',
        level: 2,
        ...(c.pid === undefined ? {} : { pid: c.pid }),
        networkNamespace: unshare !== undefined,
        notes,
      };
      return ok(report);
    },
    send(message: HostMessage) {
      const c = live();
      if (c === undefined || !c.connected) return;
      c.send(message, (error) => {
        if (error !== null && error !== undefined) output.push(`send failed: ${error.message}\n`);
      });
    },
    onMessage(handler) {
      events.onMessage(handler);
    },
    onExit(handler) {
      events.onExit(handler);
    },
    pause: () => signal('SIGSTOP'),
    resume: () => signal('SIGCONT'),
    kill,
    async memoryBytes() {
      const c = live();
      if (c?.pid === undefined) return undefined;
      try {
        const status = await readFile(`/proc/${c.pid}/status`, 'utf8');
        const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
        return match?.[1] === undefined ? undefined : Number(match[1]) * 1024;
      } catch {
        return undefined;
      }
    },
  };
}
