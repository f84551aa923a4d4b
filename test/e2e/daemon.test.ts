// End-to-end tests of the daemon through the real CLI: `maos start` in a sandbox, the commands that
// talk to it (status, log, held, reject), `audit verify` offline, the lock, auth, and a clean stop.

import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock, systemRandom, uuidv7 } from '../../src/shared/index.ts';
import { errorCode, MAIN, maos, ROOT, sandbox } from './harness.ts';

const STARTUP_MS_MAX = 20_000;

type Daemon = { readonly child: ChildProcessWithoutNullStreams; stdout: string; stderr: string };

function startDaemon(args: readonly string[]): Daemon {
  const child = spawn(process.execPath, [MAIN, 'start', ...args], { cwd: ROOT });
  const daemon: Daemon = { child, stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => {
    daemon.stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    daemon.stderr += chunk.toString();
  });
  return daemon;
}

async function waitForFile(path: string, daemon: Daemon): Promise<void> {
  const deadline = Date.now() + STARTUP_MS_MAX;
  while (!existsSync(path)) {
    assert.equal(daemon.child.exitCode, null, `the daemon exited early: ${daemon.stderr}`);
    assert.ok(Date.now() < deadline, `no ${path} after ${STARTUP_MS_MAX} ms: ${daemon.stderr}`);
    await sleep(50);
  }
}

async function waitForOutput(daemon: Daemon, text: string): Promise<void> {
  const deadline = Date.now() + STARTUP_MS_MAX;
  while (!daemon.stdout.includes(text)) {
    assert.equal(daemon.child.exitCode, null, `the daemon exited early: ${daemon.stderr}`);
    assert.ok(Date.now() < deadline, `no \`${text}\` on stdout after ${STARTUP_MS_MAX} ms: ${daemon.stdout}`);
    await sleep(50);
  }
}

describe('maos daemon', () => {
  const box = sandbox();
  const daemonJson = join(box.dataDir, 'daemon.json');
  let daemon: Daemon;
  let url: string;
  let apiToken: string;

  before(async () => {
    const idle = await box.run(['status']);
    assert.equal(idle.status, 2, 'status before any daemon');
    assert.equal(errorCode(idle), 'DAEMON_UNREACHABLE');
    daemon = startDaemon(['--config', box.config, '--data-dir', box.dataDir, '--port', '0']);
    await waitForFile(daemonJson, daemon);
    url = (JSON.parse(readFileSync(daemonJson, 'utf8')) as { url: string }).url;
    apiToken = box.read('api-token').trim();
    // WHY: daemon.json is written before the banner is printed; on a loaded machine the banner's
    // chunk can arrive after the file exists.
    await waitForOutput(daemon, url);
  });

  after(() => {
    if (daemon.child.exitCode === null) daemon.child.kill('SIGKILL');
  });

  const api = (path: string, init: RequestInit = {}, token: string | null = apiToken) =>
    fetch(`${url}${path}`, {
      ...init,
      headers: {
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
    });

  test('the daemon listens on loopback, says where, and keeps its files owner-only', () => {
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(daemon.stdout.includes(url), daemon.stdout);
    assert.ok(daemon.stdout.includes(join(box.dataDir, 'api-token')), daemon.stdout);
    assert.match(apiToken, /^[A-Za-z0-9_-]{43}$/);
    for (const file of ['api-token', 'daemon.json', 'daemon.lock']) {
      assert.equal(statSync(join(box.dataDir, file)).mode & 0o777, 0o600, file);
    }
    const lock = JSON.parse(box.read('daemon.lock')) as { pid: number };
    assert.equal(lock.pid, daemon.child.pid);
  });

  test('maos status shows health as text and json', async () => {
    const [text, json] = await Promise.all([box.run(['status']), box.run(['status', '--json'])]);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /: ok\n/);
    assert.match(text.stdout, /held\s+0 intents waiting for approval/);
    assert.equal(json.status, 0, json.stderr);
    const health = JSON.parse(json.stdout) as {
      status: string;
      held: number;
      url: string;
      journalHeadSeq: number;
    };
    assert.equal(health.status, 'ok');
    assert.equal(health.url, url);
    assert.equal(typeof health.journalHeadSeq, 'number');
  });

  test('maos log prints one line per record; --json one object per line', async () => {
    const [text, json] = await Promise.all([
      box.run(['log', '--from', '0']),
      box.run(['log', '--from', '0', '--limit', '1', '--json']),
    ]);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /^#0 {2}\d{4}-\d\d-\d\dT[\d:.]+Z {2}journal\.header$/m);
    assert.equal(json.status, 0, json.stderr);
    const lines = json.stdout.trim().split('\n');
    assert.equal(lines.length, 1);
    assert.equal((JSON.parse(lines[0] ?? '') as { seq: number }).seq, 0);
  });

  test('maos audit verify checks the journal offline while the daemon runs', async () => {
    const [text, json] = await Promise.all([
      box.run(['audit', 'verify']),
      box.run(['audit', 'verify', '--json']),
    ]);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /^journal verified: \d+ records, \d+ checkpoints, head #\d+\n$/);
    assert.equal((JSON.parse(json.stdout) as { ok: boolean }).ok, true);
  });

  test('a second maos start on the same data directory fails with DAEMON_LOCKED', async () => {
    const second = await box.run(['start', '--port', '0']);
    assert.equal(second.status, 2, second.stderr);
    assert.equal(errorCode(second), 'DAEMON_LOCKED');
    assert.ok(second.stderr.includes(String(daemon.child.pid)), second.stderr);
    assert.ok(existsSync(daemonJson), 'the running daemon keeps its daemon.json');
  });

  test('a non-loopback --host is refused unless --allow-remote', async () => {
    const run = await box.run(['start', '--host', '0.0.0.0']);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /--allow-remote/);
  });

  test('the API refuses a missing or wrong token with 401', async () => {
    const none = await api('/v1/health', {}, null);
    assert.equal(none.status, 401);
    assert.equal(((await none.json()) as { error: { code: string } }).error.code, 'UNAUTHORIZED');
    const wrong = await api('/v1/health', {}, 'A'.repeat(43));
    assert.equal(wrong.status, 401);
    const right = await api('/v1/health');
    assert.equal(right.status, 200);
  });

  test('a malformed intent over HTTP gets 400 with an INVALID_* code, and the daemon keeps serving', async () => {
    const cases = ['{}', '{"agent":"researcher"}', 'not json', '[1,2]'];
    for (const body of cases) {
      const reply = await api('/v1/intents', { method: 'POST', body });
      assert.equal(reply.status, 400, body);
      const { error } = (await reply.json()) as { error: { code: string; message: string } };
      assert.match(error.code, /^INVALID_/, body);
    }
    const poisoned = await api('/v1/intents', { method: 'POST', body: '{"__proto__":{"x":1}}' });
    assert.equal(poisoned.status, 400);
    assert.equal((await api('/v1/health')).status, 200);
  });

  test('a held intent shows in maos held and maos reject decides it', async () => {
    const token = await box.mint('writer');
    const intent = {
      id: uuidv7(systemClock, systemRandom),
      agent: 'writer',
      action: 'email.send',
      resource: 'mailto:team@example.com',
      args: { subject: 'hello', body: 'a public note' },
      sideEffect: 'irreversible',
      labels: { confidentiality: 'PUBLIC', integrity: 'TRUSTED' },
      token,
    };
    const submitted = await api('/v1/intents', { method: 'POST', body: JSON.stringify(intent) });
    assert.equal(submitted.status, 200);
    assert.equal(((await submitted.json()) as { state: string }).state, 'held');
    const held = await box.run(['held']);
    assert.equal(held.status, 0, held.stderr);
    assert.ok(held.stdout.includes(intent.id), held.stdout);
    assert.match(held.stdout, /APPROVAL_REQUIRED/);
    const rejected = await box.run(['reject', intent.id, '--by', 'e2e', '--note', 'not today']);
    assert.equal(rejected.status, 0, rejected.stderr);
    assert.match(rejected.stdout, /-> rejected/);
    const again = await box.run(['reject', intent.id]);
    assert.equal(again.status, 2);
    assert.equal(errorCode(again), 'APPROVAL_DECIDED');
    const log = await box.run(['log', '--intent', intent.id]);
    assert.match(log.stdout, /intent\.rejected/);
  });

  test('maos log --follow prints new records as they come and stops on SIGINT with exit 0', async () => {
    const args = [MAIN, 'log', '--follow', '--config', box.config, '--data-dir', box.dataDir];
    const child = spawn(process.execPath, args, { cwd: ROOT });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    const deadline = Date.now() + STARTUP_MS_MAX;
    while (!/^#\d+ /m.test(out) && Date.now() < deadline) await sleep(50);
    const lines = out.split('\n').length;
    const token = await box.mint('researcher');
    const intent = { id: uuidv7(systemClock, systemRandom), agent: 'researcher', action: 'fs.read' };
    const read = { ...intent, resource: '/workspace/a.md', sideEffect: 'read', args: {}, token };
    assert.equal((await api('/v1/intents', { method: 'POST', body: JSON.stringify(read) })).status, 200);
    while (!out.includes(intent.id) && Date.now() < deadline) await sleep(50);
    assert.ok(out.includes(intent.id), out);
    assert.ok(out.split('\n').length > lines);
    child.kill('SIGINT');
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0);
  });

  test('SIGTERM stops the daemon: exit 0, daemon.json and the lock removed, clients told', async () => {
    daemon.child.kill('SIGTERM');
    const [code] = (await once(daemon.child, 'exit')) as [number | null];
    assert.equal(code, 0, daemon.stderr);
    assert.ok(!existsSync(daemonJson));
    assert.ok(!existsSync(join(box.dataDir, 'daemon.lock')));
    const status = await box.run(['status']);
    assert.equal(status.status, 2);
    assert.equal(
      status.stderr,
      `maos: DAEMON_UNREACHABLE: no maos daemon is running for data directory \`${box.dataDir}\`; start one with \`maos start\`\n`,
    );
    const audit = await box.run(['audit', 'verify']);
    assert.equal(audit.status, 0, audit.stderr);
  });
});

describe('daemon commands without a daemon', { concurrency: true }, () => {
  test('each daemon command --help exits 0 and names its options', async () => {
    const expected: Record<string, string[]> = {
      start: ['--port', '--host', '--allow-remote', 'daemon.lock', 'api-token'],
      status: ['--json', '--data-dir'],
      held: ['--json'],
      approve: ['--note', '--by'],
      reject: ['--note', '--by'],
      undo: ['--note', '--by'],
      log: ['--from', '--limit', '--type', '--agent', '--intent', '--follow', '--json'],
      audit: ['verify', '--json'],
    };
    const names = Object.keys(expected);
    const runs = await Promise.all(names.map((command) => maos([command, '--help'])));
    for (const [i, command] of names.entries()) {
      const run = runs[i];
      assert.ok(run !== undefined);
      assert.equal(run.status, 0, `${command} --help: ${run.stderr}`);
      for (const word of expected[command] ?? []) {
        assert.ok(run.stdout.includes(word), `${command} --help lacks ${word}`);
      }
    }
    const main = await maos(['--help']);
    for (const command of names) assert.ok(main.stdout.includes(command), `maos --help lacks ${command}`);
  });

  test('usage errors exit 2', async () => {
    const cases = [['approve'], ['reject', 'a', 'b'], ['audit'], ['audit', 'burn'], ['start', '--port', 'x']];
    const runs = await Promise.all(cases.map((args) => maos(args)));
    for (const [i, run] of runs.entries()) {
      assert.equal(run.status, 2, cases[i]?.join(' '));
      assert.match(`${run.stderr}${run.stdout}`, /^maos: |^Usage:/, cases[i]?.join(' '));
    }
  });
});
