// Lifecycle of both sandbox adapters through createSandbox: start → task → gateway call → reply →
// task.done → kill, the maos API's mapping onto the wire, signals, pause and the start report.

import assert from 'node:assert/strict';
import { readFile, realpath } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { createSandbox } from '../../src/pod/sandbox/create-sandbox.ts';
import { probeNetworkNamespace } from '../../src/pod/sandbox/network-namespace.ts';
import type { SandboxKind, SandboxSpec } from '../../src/pod/sandbox/port.ts';
import { createProcessSandbox } from '../../src/pod/sandbox/process-sandbox.ts';
import { eventually } from './eventually.ts';
import {
  type Call,
  echoResponder,
  entryOf,
  makeHarness,
  type Responder,
  runTask,
} from './fixtures/harness.ts';

const responder: Responder = (call: Call) => {
  if (call.gateway === 'fs' && call.op === 'read') {
    return {
      kind: 'reply',
      id: call.id,
      ok: false,
      error: { code: 'FS_PATH_DENIED', message: 'path is denied' },
    };
  }
  if (call.gateway === 'inbound')
    return { kind: 'reply', id: call.id, ok: true, value: [{ from: 'held', type: 't', body: 2 }] };
  return echoResponder(call);
};

const calls = (messages: readonly unknown[]) =>
  (messages as Call[]).filter((m) => m.kind === 'call').map((m) => `${m.gateway}/${m.op}`);

for (const kind of ['worker', 'process'] as const satisfies readonly SandboxKind[]) {
  describe(`${kind} sandbox lifecycle`, () => {
    test(`§41.4: start → task → call → reply → task.done → kill, and the maos API on the wire (${kind})`, async () => {
      const h = makeHarness(kind, 'api-agent', { responder });
      const started = await h.sandbox.start();
      assert.ok(started.ok, started.ok ? '' : started.error.message);
      assert.equal(started.value.kind, kind);
      assert.equal(started.value.level, kind === 'worker' ? 1 : 2);
      assert.deepEqual((await h.next((m) => m.kind === 'ready')).exports, ['onSignal', 'onTask']);

      const echo = await runTask(h, 'echo', { op: 'echo', n: 1 });
      const call = (h.messages as Call[]).find((m) => m.kind === 'call');
      assert.deepEqual(call?.payload, {
        action: 'echo',
        resource: 'tool://echo',
        args: { n: 1 },
        sideEffect: 'read',
      });
      assert.deepEqual(echo.value, {
        agent: h.spec.agent,
        answer: { gateway: 'tool', op: 'intent', payload: call?.payload },
      });

      const failed = await runTask(h, 'fail', { op: 'fail' });
      assert.deepEqual(
        [failed.ok, failed.error],
        [false, { code: 'TASK_FAILED', message: 'task broke on purpose' }],
      );
      const rejected = await runTask(h, 'rejected', { op: 'rejected-call' });
      assert.deepEqual(rejected.value, { code: 'FS_PATH_DENIED', message: 'path is denied' });
      const notJson = await runTask(h, 'not-json', { op: 'not-json' });
      assert.deepEqual(notJson.value, {
        name: 'TypeError',
        message: 'message body is not JSON: it holds a function',
      });

      const before = calls(h.messages).length;
      const many = await runTask(h, 'calls', { op: 'calls' });
      assert.equal(many.ok, true);
      assert.deepEqual(calls(h.messages).slice(before), [
        'llm/complete',
        'fs/write',
        'fs/list',
        'fs/remove',
        'outbound/send',
      ]);
      const writes = (h.messages as Call[]).filter((m) => m.kind === 'call' && m.op === 'write');
      assert.deepEqual(writes[0]?.payload, { path: '/notes.txt', text: 'text' });

      h.sandbox.send({ kind: 'message', from: 'peer', type: 'greeting', body: 1 });
      const inbox = await runTask(h, 'inbox', { op: 'inbox' });
      assert.deepEqual(inbox.value, [
        { from: 'peer', type: 'greeting', body: 1 },
        { from: 'held', type: 't', body: 2 },
      ]);

      h.sandbox.send({ kind: 'signal', signal: 'SIGINT' });
      await h.next((m) => m.kind === 'log' && m.text === 'signal SIGINT true');
      assert.deepEqual((await runTask(h, 'sleep', { op: 'sleep' })).value, {
        slept: true,
        interrupted: true,
      });
      h.sandbox.send({ kind: 'signal', signal: 'SIGTERM' });
      await h.next((m) => m.kind === 'log' && m.text === 'signal SIGTERM true');

      await runTask(h, 'apoptosis', { op: 'apoptosis' });
      assert.deepEqual(await h.next((m) => m.kind === 'apoptosis'), {
        kind: 'apoptosis',
        reason: 'task says stop',
      });

      assert.ok(((await h.sandbox.memoryBytes()) ?? 0) > 0);
      const exits: string[] = [];
      h.sandbox.onExit((exit) => exits.push(exit.cause));
      const exit = await h.sandbox.kill();
      assert.equal(exit.cause, 'killed');
      assert.deepEqual(exits, ['killed']);
      h.sandbox.send({ kind: 'task', taskId: 'late', task: null });
      assert.equal(await h.sandbox.memoryBytes(), undefined);
    });
  });
}

describe('sandbox specifics', () => {
  test('§41.4: a worker cannot be paused at the OS level; onMessage receives messages', async () => {
    const h = makeHarness('worker', 'echo-agent');
    assert.ok((await h.sandbox.start()).ok);
    assert.equal(h.sandbox.pause(), false);
    assert.equal(h.sandbox.resume(), false);
    h.sandbox.send({ kind: 'message', from: 'peer', type: 'note', body: { n: 1 } });
    await h.next((m) => m.kind === 'log' && m.text === 'message peer note {"n":1}');
    await h.sandbox.kill();
  });

  test('§41.4: a process sandbox is the node process itself, stops on pause and runs on resume', async () => {
    const h = makeHarness('process', 'echo-agent');
    const started = await h.sandbox.start();
    assert.ok(started.ok);
    const pid = started.value.pid;
    assert.equal(typeof pid, 'number');
    assert.equal(await realpath(`/proc/${pid}/exe`), await realpath(process.execPath));
    assert.equal(started.value.networkNamespace, (await probeNetworkNamespace()).available);
    const state = async () => /^State:\s+(\w)/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1];
    assert.equal(h.sandbox.pause(), true);
    // WHY: SIGSTOP stops the process when it next runs, which a loaded machine may delay a while.
    await eventually(async () => (await state()) === 'T', 'the process is stopped (state T)');
    assert.equal(h.sandbox.resume(), true);
    assert.notEqual(await state(), 'T');
    const done = await runTask(h, 't', { after: 'resume' });
    assert.equal(done.ok, true);
    assert.equal((await h.sandbox.kill()).cause, 'killed');
  });

  test('DR-R3: without a network namespace the start report says the network is reachable', async () => {
    const h = makeHarness('process', 'echo-agent');
    const sandbox = createProcessSandbox(h.spec, { networkNamespace: false });
    const started = await sandbox.start();
    assert.ok(started.ok);
    assert.equal(started.value.networkNamespace, false);
    assert.match(started.value.notes.join(' '), /can reach the network/);
    await sandbox.kill();
  });

  test('SANDBOX_UNAVAILABLE and SANDBOX_START_FAILED: bad specs fail closed', async () => {
    const base: SandboxSpec = {
      kind: 'worker',
      agent: 'a',
      entry: entryOf('echo-agent'),
      workspace: '/tmp',
      memoryMb: 64,
      startTimeoutMs: 1000,
    };
    const unknown = await createSandbox({ ...base, kind: 'vm' as SandboxKind }).start();
    assert.equal(unknown.ok ? '' : unknown.error.code, 'SANDBOX_UNAVAILABLE');
    const tiny = await createSandbox({ ...base, memoryMb: 0 }).start();
    assert.equal(tiny.ok ? '' : tiny.error.code, 'SANDBOX_START_FAILED');
    const relative = await createSandbox({ ...base, entry: 'main.js' }).start();
    assert.equal(relative.ok ? '' : relative.error.code, 'SANDBOX_START_FAILED');
    const noWorkspace = await createSandbox({
      ...base,
      kind: 'process',
      workspace: '/nonexistent/maos',
    }).start();
    assert.match(
      noWorkspace.ok ? '' : noWorkspace.error.message,
      /workspace `\/nonexistent\/maos` is not a directory/,
    );
  });
});
