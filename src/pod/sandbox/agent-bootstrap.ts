// The trusted code on the agent side of a pod, in a worker thread or a child process. It loads SES,
// runs `lockdown()`, then waits for one `boot` message carrying the agent's precompiled modules and
// evaluates them in a Compartment whose only endowments are the hardened `maos` API and a console
// that forwards to `maos.log`. From then on it speaks the pod protocol (protocol.ts) for the agent.
// Nothing reachable from the compartment leads back to this file's Node objects.

import { readFileSync } from 'node:fs';
import { Script } from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import type { AgentApi } from './agent-api.ts';
import { makeAgentApi, toJson } from './agent-api.ts';
import { resolveAgentSpecifier } from './agent-specifier.ts';
import { LOCKDOWN_OPTIONS } from './ses-shim.ts';

/** One agent module as the host precompiled it (SES `PrecompiledModuleSource`, plain data). */
export type AgentModuleRecord = { readonly [field: string]: unknown };

/** The adapter-internal first message: which agent, its entry specifier and its module records. */
export type BootMessage = {
  readonly kind: 'boot';
  readonly agent: string;
  readonly entry: string;
  readonly modules: { readonly [specifier: string]: AgentModuleRecord };
};

type Wire = { post(message: unknown): void; listen(handler: (message: unknown) => void): void };
type Exports = { readonly [name: string]: unknown };
type CompartmentLike = {
  globalThis: Record<string, unknown>;
  import(specifier: string): Promise<{ namespace: Exports }>;
};
type CompartmentConstructor = new (options: object) => CompartmentLike;

// WHY: captured before lockdown and before any agent code; the compartment never sees them.
const hostSetTimeout = setTimeout;
const hostProcess = process;

function openWire(): Wire {
  const port = parentPort;
  if (port !== null) {
    return { post: (m) => port.postMessage(m), listen: (h) => port.on('message', h) };
  }
  const send = hostProcess.send?.bind(hostProcess);
  if (send === undefined) throw new Error('agent bootstrap needs a worker port or an ipc channel');
  // The host went away: nothing left to serve.
  hostProcess.on('disconnect', () => hostProcess.exit(0));
  return { post: (m) => send(m), listen: (h) => hostProcess.on('message', h) };
}

function loadSes(): void {
  const data = workerData as { sesSource?: unknown; sesCache?: unknown } | null;
  let source: string;
  let cachedData: Uint8Array | undefined;
  if (data !== null && typeof data === 'object' && typeof data.sesSource === 'string') {
    source = data.sesSource;
    if (data.sesCache instanceof Uint8Array) cachedData = data.sesCache;
  } else {
    // A process sandbox passes the shim's path as its last argument.
    const path = hostProcess.argv.at(-1);
    if (path === undefined) throw new Error('agent bootstrap needs the path of the ses shim');
    source = readFileSync(path, 'utf8');
  }
  new Script(source, { filename: 'ses.umd.js', ...(cachedData ? { cachedData } : {}) }).runInThisContext();
  const lockdown = (globalThis as unknown as { lockdown: (options: object) => void }).lockdown;
  lockdown(LOCKDOWN_OPTIONS);
}

function errorText(error: unknown): string {
  try {
    if (error !== null && typeof error === 'object' && typeof (error as Error).message === 'string') {
      return (error as Error).message.slice(0, 2000);
    }
    return String(error).slice(0, 2000);
  } catch {
    return 'unprintable error';
  }
}

function isBoot(message: unknown): message is BootMessage {
  const m = message as Partial<BootMessage> | null;
  return (
    typeof m === 'object' &&
    m !== null &&
    m.kind === 'boot' &&
    typeof m.agent === 'string' &&
    typeof m.entry === 'string' &&
    typeof m.modules === 'object' &&
    m.modules !== null
  );
}

/**
 * WHY: SES 2.3 on Node 24 leaves the float typed arrays out of new compartments' globals. They are
 * frozen intrinsics after lockdown, so lending the start realm's constructors is safe.
 */
function floatArrays(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of ['Float16Array', 'Float32Array', 'Float64Array']) {
    const ctor = (globalThis as Record<string, unknown>)[name];
    if (typeof ctor === 'function' && Object.isFrozen(ctor)) out[name] = ctor;
  }
  return out;
}

async function loadAgent(boot: BootMessage, api: AgentApi): Promise<Exports> {
  const Compartment = (globalThis as unknown as { Compartment: CompartmentConstructor }).Compartment;
  const compartment = new Compartment({
    __options__: true,
    name: `agent:${boot.agent}`,
    globals: { ...floatArrays(), maos: api.maos, console: api.console },
    resolveHook: (request: string, referrer: string) => {
      const resolved = resolveAgentSpecifier(request, referrer);
      if (!resolved.ok) throw new Error(resolved.reason);
      return resolved.specifier;
    },
    importHook: async (specifier: string) => {
      const record = Object.hasOwn(boot.modules, specifier) ? boot.modules[specifier] : undefined;
      if (record === undefined) throw new Error(`module \`${specifier}\` is not in the agent directory`);
      return { source: record, specifier };
    },
    noAggregateLoadErrors: true,
  });
  // INVARIANT: no shared memory or wasm in the compartment, and its globals cannot be swapped.
  for (const name of ['SharedArrayBuffer', 'Atomics', 'WebAssembly']) delete compartment.globalThis[name];
  (globalThis as unknown as { harden: (v: object) => void }).harden(compartment.globalThis);
  const { namespace } = await compartment.import(boot.entry);
  if (typeof namespace.onTask !== 'function') throw new Error('the agent module does not export `onTask`');
  return namespace;
}

function serve(wire: Wire, api: AgentApi, exports: Exports): void {
  const { maos } = api;
  const invoke = (name: string, arg: unknown): Promise<unknown> => {
    const fn = exports[name];
    if (typeof fn !== 'function') return Promise.resolve(undefined);
    try {
      return Promise.resolve(fn(arg, maos));
    } catch (error) {
      return Promise.reject(error);
    }
  };
  const report = (what: string) => (error: unknown) =>
    wire.post({ kind: 'log', text: `${what}: ${errorText(error)}` });
  wire.listen((raw) => {
    const m = raw as { kind?: unknown; [field: string]: unknown };
    if (typeof m !== 'object' || m === null) return;
    if (m.kind === 'reply' && typeof m.id === 'number') {
      api.settle(m.id, m.ok === true, m.value, m.error);
    } else if (m.kind === 'task' && typeof m.taskId === 'string') {
      const taskId = m.taskId;
      invoke('onTask', m.task).then(
        (value) => {
          let json: unknown;
          try {
            json = toJson(value === undefined ? null : value, 'task result');
          } catch (error) {
            wire.post({
              kind: 'task.done',
              taskId,
              ok: false,
              error: { code: 'TASK_FAILED', message: `task result is not JSON: ${errorText(error)}` },
            });
            return;
          }
          wire.post({ kind: 'task.done', taskId, ok: true, value: json });
        },
        (error) =>
          wire.post({
            kind: 'task.done',
            taskId,
            ok: false,
            error: { code: 'TASK_FAILED', message: errorText(error) },
          }),
      );
    } else if (m.kind === 'message') {
      const message = { from: m.from, type: m.type, body: m.body };
      if (typeof exports.onMessage === 'function')
        invoke('onMessage', message).catch(report('onMessage failed'));
      else if (!api.enqueue(message as never))
        wire.post({ kind: 'log', text: 'inbox full: message dropped' });
    } else if (m.kind === 'signal' && (m.signal === 'SIGINT' || m.signal === 'SIGTERM')) {
      if (m.signal === 'SIGINT') api.interrupt();
      invoke('onSignal', m.signal).catch(report('onSignal failed'));
    }
  });
}

function main(): void {
  const wire = openWire();
  hostProcess.on('unhandledRejection', (reason) =>
    wire.post({ kind: 'log', text: `unhandled rejection: ${errorText(reason)}` }),
  );
  try {
    loadSes();
  } catch (error) {
    wire.post({
      kind: 'failed',
      error: { code: 'SANDBOX_START_FAILED', message: `lockdown failed: ${errorText(error)}` },
    });
    return;
  }
  let booted = false;
  const onBoot = (raw: unknown): void => {
    if (booted || !isBoot(raw)) return;
    booted = true;
    const api = makeAgentApi({
      agent: raw.agent,
      post: (m) => wire.post(m),
      setTimer: (callback, ms) => void hostSetTimeout(callback, ms),
    });
    loadAgent(raw, api).then(
      (exports) => {
        serve(wire, api, exports);
        wire.post({ kind: 'ready', exports: Object.keys(exports).sort() });
      },
      (error) =>
        wire.post({ kind: 'failed', error: { code: 'AGENT_LOAD_FAILED', message: errorText(error) } }),
    );
  };
  wire.listen(onBoot);
}

main();
