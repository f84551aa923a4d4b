// Escape tests for both sandbox adapters (§41.4 isolation levels 1 and 2): fixture agents try
// every known way out of the SES compartment and report what they reached; the process sandbox's
// OS layer is probed with the sandbox's own command line standing in for a broken compartment.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { createSandbox } from '../../src/pod/sandbox/create-sandbox.ts';
import { probeNetworkNamespace } from '../../src/pod/sandbox/network-namespace.ts';
import type { SandboxKind } from '../../src/pod/sandbox/port.ts';
import { processCommand } from '../../src/pod/sandbox/process-sandbox.ts';
import { FIXTURES, makeHarness, runTask } from './fixtures/harness.ts';

const KINDS: readonly SandboxKind[] = ['worker', 'process'];
/** How long the sleeper's timer runs before it would fire: far longer than the kill takes. */
const ARMED_MS = 1_000;
const HOST_ONLY_GLOBALS = [
  'process',
  'require',
  'setTimeout',
  'fetch',
  'SharedArrayBuffer',
  'Atomics',
  'WebAssembly',
];

for (const kind of KINDS) {
  describe(`${kind} sandbox`, () => {
    test(`INV-9: every escape attempt from the compartment is blocked (${kind})`, async () => {
      const h = makeHarness(kind, 'escape-agent');
      const started = await h.sandbox.start();
      assert.ok(started.ok, started.ok ? '' : started.error.message);
      const done = await runTask(h, 't1', {});
      await h.sandbox.kill();
      assert.equal(done.ok, true);
      const { globalNames, ...attempts } = done.value as Record<string, string>;
      assert.ok(Object.keys(attempts).length >= 40, 'the fixture ran every attempt');
      const escaped = Object.entries(attempts).filter(([, outcome]) => outcome !== 'blocked');
      assert.deepEqual(escaped, []);
      const names = String(globalNames).split(',');
      for (const name of HOST_ONLY_GLOBALS)
        assert.ok(!names.includes(name), `compartment has no \`${name}\``);
      // The host is unaffected by the pollution attempts.
      assert.equal((Object.prototype as Record<string, unknown>).polluted, undefined);
      assert.equal([1].push(2), 2);
      assert.equal(typeof globalThis.process.pid, 'number');
    });

    test(`INV-9: a timer armed through maos.sleep never fires once the sandbox is killed (${kind})`, async () => {
      const h = makeHarness(kind, 'sleeper');
      assert.ok((await h.sandbox.start()).ok);
      await runTask(h, 'control', { ms: 1 });
      await h.next((m) => m.kind === 'log' && m.text === 'timer fired');
      // WHY: the timer outlives the step from arming it to the kill on a loaded machine, and the wait
      // outlives the timer (armed before `task.done` came back), so a timer that survived is seen.
      await runTask(h, 'armed', { ms: ARMED_MS });
      const doneMs = performance.now();
      const exit = await h.sandbox.kill();
      await new Promise((resolve) => setTimeout(resolve, doneMs + ARMED_MS + 200 - performance.now()));
      assert.equal(exit.cause, 'killed');
      assert.equal(h.messages.filter((m) => (m as { text?: string }).text === 'timer fired').length, 1);
    });

    test(`INV-13: kill() ends an agent stuck in a busy loop (${kind})`, async () => {
      const h = makeHarness(kind, 'busy-loop');
      assert.ok((await h.sandbox.start()).ok);
      const exits: string[] = [];
      h.sandbox.onExit((exit) => exits.push(exit.cause));
      h.sandbox.send({ kind: 'task', taskId: 'spin', task: null });
      await new Promise((resolve) => setTimeout(resolve, 50));
      const exit = await h.sandbox.kill();
      assert.equal(exit.cause, 'killed');
      assert.deepEqual(exits, ['killed']);
      assert.equal(await h.sandbox.memoryBytes(), undefined, 'nothing left to measure');
    });

    test(`INV-13: an agent that allocates without bound crashes alone (${kind})`, async () => {
      const h = makeHarness(kind, 'allocator', { memoryMb: 32 });
      assert.ok((await h.sandbox.start()).ok);
      const exited = new Promise<{ cause: string; message: string }>((resolve) => h.sandbox.onExit(resolve));
      h.sandbox.send({ kind: 'task', taskId: 'hoard', task: null });
      const exit = await exited;
      assert.equal(exit.cause, 'crashed');
      assert.ok(exit.message.length > 0);
      // The host lives on and can still run code and allocate.
      assert.equal(new Array(1000).fill(1).length, 1000);
    });

    test(`SANDBOX_START_FAILED: an agent that throws at load gives failed (${kind})`, async () => {
      const h = makeHarness(kind, 'throws-at-load');
      const started = await h.sandbox.start();
      assert.equal(started.ok, false);
      assert.equal(started.ok ? '' : started.error.code, 'SANDBOX_START_FAILED');
      assert.match(started.ok ? '' : started.error.message, /boom at load/);
      const failed = await h.next((m) => m.kind === 'failed');
      assert.match(String((failed.error as { message: string }).message), /boom at load/);
    });
  });
}

describe('module loading (shared bootstrap, run in a worker)', () => {
  const refusal = async (fixture: string, pattern: RegExp) => {
    const h = makeHarness('worker', fixture);
    const started = await h.sandbox.start();
    assert.equal(started.ok, false);
    assert.equal(started.ok ? '' : started.error.code, 'SANDBOX_START_FAILED');
    assert.match(started.ok ? '' : started.error.message, pattern);
  };

  test('INV-9: a bare import (`node:fs`) is refused at load', () =>
    refusal('bare-import', /import of `node:fs` is refused/));
  test('INV-9: an import outside the agent directory is refused at load', () =>
    refusal('outside-import', /leaves the agent directory/));
  test('INV-9: a direct eval is refused at load', () => refusal('direct-eval', /eval/i));
  test('SANDBOX_START_FAILED: a module without onTask does not load', () =>
    refusal('no-on-task', /does not export `onTask`/));
  test('SANDBOX_START_FAILED: a module that does not parse fails before a worker runs it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'maos-agent-'));
    writeFileSync(join(dir, 'main.js'), 'export async function onTask( {\n');
    const sandbox = createSandbox({
      kind: 'worker',
      agent: 'bad',
      entry: join(dir, 'main.js'),
      workspace: dir,
      memoryMb: 64,
      startTimeoutMs: 10_000,
    });
    const started = await sandbox.start();
    assert.equal(started.ok ? '' : started.error.code, 'SANDBOX_START_FAILED');
    assert.match(started.ok ? '' : started.error.message, /does not parse/);
  });
});

type ProbeReport = Record<string, string>;

function runProbe(unshare: string | undefined, port: number): Promise<ProbeReport> {
  const workspace = mkdtempSync(join(tmpdir(), 'maos-probe-'));
  const outside = join(mkdtempSync(join(tmpdir(), 'maos-outside-')), 'escaped.txt');
  const spec = {
    kind: 'process',
    agent: 'probe',
    entry: '',
    workspace,
    memoryMb: 64,
    startTimeoutMs: 10_000,
  } as const;
  const command = processCommand(spec, unshare, {
    path: join(FIXTURES, 'os-probe.mjs'),
    extraArgs: [outside, String(port)],
  });
  return new Promise((resolve, reject) => {
    execFile(command.file, command.args, { cwd: workspace, env: {}, timeout: 10_000 }, (error, stdout) => {
      if (error !== null) reject(error);
      else resolve({ ...(JSON.parse(stdout) as ProbeReport), outsideExists: String(existsSync(outside)) });
    });
  });
}

describe('process sandbox OS layer (code outside the compartment, same command line)', () => {
  test('INV-9, DR-R3: the permission model and network namespace confine a broken-out agent', async (t) => {
    const server = createServer((socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const probe = await probeNetworkNamespace();
      // Control: without the namespace the same probe reaches the host's listener.
      const open = await runProbe(undefined, port);
      assert.equal(open.tcp, 'connected');
      const confined = probe.available ? await runProbe(probe.unshare, port) : undefined;
      for (const report of confined === undefined ? [open] : [open, confined]) {
        assert.equal(report.writeInside, 'allowed');
        assert.equal(report.writeOutside, 'ERR_ACCESS_DENIED');
        assert.equal(report.outsideExists, 'false');
        assert.equal(report.readOutside, 'ERR_ACCESS_DENIED');
        assert.equal(report.spawn, 'ERR_ACCESS_DENIED');
        assert.equal(report.worker, 'ERR_ACCESS_DENIED');
      }
      if (!probe.available) {
        t.diagnostic(`network namespace unavailable: ${probe.reason}`);
        return;
      }
      assert.ok(confined !== undefined);
      assert.notEqual(confined.tcp, 'connected');
      const postgres = await runProbe(probe.unshare, 5432);
      assert.notEqual(postgres.tcp, 'connected');
    } finally {
      server.close();
    }
  });
});
