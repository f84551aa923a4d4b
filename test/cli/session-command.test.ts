// `maos session create|token|show` run as real child processes against the real HTTP API of a real
// pod runtime (the one `maos start` opens), found through daemon.json and api-token in its data
// directory; a real pod then joins the session with the token the CLI printed.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startHttpServer } from '../../src/http/index.ts';
import { writeApiToken, writeDaemonInfo } from '../../src/runtime/api-token.ts';
import { openPodRuntime, type PodRuntime } from '../../src/runtime/pod-runtime.ts';
import type { SharedSessionView } from '../../src/runtime/service.ts';
import { unwrap } from '../../src/shared/index.ts';
import { errorCode, maos, type Run } from '../e2e/harness.ts';

const AGENTS = join(import.meta.dirname, '..', 'pod', 'agents');
const CONFIG = 'version: 1\ndataDir: data\nagents:\n  scribe: { ring: 2 }\n';
/** A join token as the daemon mints it: `payload.signature`, both base64url, and nothing else. */
const TOKEN_LINE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\n$/;

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8'));
}

describe('maos session against the HTTP API of a pod runtime', () => {
  const dir = mkdtempSync(join(tmpdir(), 'maos-session-'));
  let rt: PodRuntime;
  let close: () => Promise<void> = async () => {};
  const run = (...args: string[]): Promise<Run> => maos([...args, '--data-dir', rt.dataDir]);

  before(async () => {
    rt = unwrap(await openPodRuntime({ configPath: join(dir, 'maos.yaml'), configText: CONFIG }));
    const token = unwrap(await writeApiToken(rt.dataDir));
    const server = await startHttpServer(rt.service, { token, version: '1.0.0' });
    close = server.close;
    // WHY: the CLI checks that daemon.json's pid is alive; this test process serves the API.
    unwrap(await writeDaemonInfo(rt.dataDir, { url: server.url, pid: process.pid }));
    assert.ok((await rt.control.start(join(AGENTS, 'scribe'))).ok);
  });
  after(async () => {
    await close();
    await rt?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('create prints the head and members; --read-only agents become read-only members', async () => {
    const [text, json] = await Promise.all([
      run('session', 'create', 'plan', '--members', 'scribe,helper', '--read-only', 'helper'),
      run('session', 'create', 'notes', '-m', 'scribe', '-m', 'helper', '--read-only', 'viewer', '--json'),
    ]);
    assert.equal(text.status, 0, text.stderr);
    assert.match(
      text.stdout,
      /^created session plan: head 0, commit [0-9a-f]{64}\n {2}helper {2}read\n {2}scribe {2}write\n$/,
    );
    assert.equal(json.status, 0, json.stderr);
    const view = JSON.parse(json.stdout) as SharedSessionView;
    assert.deepEqual(view.members, [
      { agent: 'helper', role: 'write' },
      { agent: 'scribe', role: 'write' },
      { agent: 'viewer', role: 'read' },
    ]);
    assert.deepEqual(unwrap(await rt.sessions.show('notes')), view);
  });

  test('token prints only the token, and the pod joins with it; show then re-checks the chain', async () => {
    const minted = await run('session', 'token', 'plan', 'scribe');
    assert.equal(minted.status, 0, minted.stderr);
    assert.match(minted.stdout, TOKEN_LINE);
    assert.equal(minted.stderr, '');
    const token = minted.stdout.trim();
    assert.deepEqual([claimsOf(token).session, claimsOf(token).agent], ['plan', 'scribe']);
    const joined = unwrap(await rt.control.task('scribe', { join: 'plan', token })) as { seq?: number };
    assert.equal(joined.seq, 0, JSON.stringify(joined));
    const wrote = unwrap(
      await rt.control.task('scribe', { session: 'plan', write: 'goal.txt', text: 'ship it' }),
    ) as { head: { seq: number; commit: string } };
    const [text, json] = await Promise.all([
      run('session', 'show', 'plan'),
      run('session', 'show', 'plan', '--json'),
    ]);
    assert.equal(text.status, 0, text.stderr);
    assert.equal(
      text.stdout,
      `session plan: head 1, commit ${wrote.head.commit}\n  helper  read\n  scribe  write\n`,
    );
    assert.deepEqual((JSON.parse(json.stdout) as SharedSessionView).head, wrote.head);
  });

  test('token --ttl sets the expiry; --json prints { token, expiresAtMs }', async () => {
    const from = Date.now();
    const minted = await run('session', 'token', 'plan', 'helper', '--ttl', '30s', '--json');
    const to = Date.now();
    assert.equal(minted.status, 0, minted.stderr);
    const { token, expiresAtMs } = JSON.parse(minted.stdout) as { token: string; expiresAtMs: number };
    assert.equal(claimsOf(token).exp, expiresAtMs);
    assert.ok(from + 30_000 <= expiresAtMs && expiresAtMs <= to + 30_000, String(expiresAtMs - from));
  });

  test('usage errors exit 2; API failures print their code and exit 2', async () => {
    const usage = await Promise.all([
      run('session'),
      run('session', 'frob'),
      run('session', 'create'),
      run('session', 'create', 'x'),
      run('session', 'create', 'x', 'y', '--members', 'a'),
      run('session', 'create', 'x', '--members', 'a,,b'),
      run('session', 'token', 'plan'),
      run('session', 'token', 'plan', 'scribe', 'extra'),
      run('session', 'token', 'plan', 'scribe', '--ttl', 'soon'),
      run('session', 'show'),
    ]);
    for (const result of usage) {
      assert.equal(result.status, 2, result.stderr);
      assert.ok(result.stdout === '' || result.stdout.startsWith('Usage: maos session '), result.stdout);
      assert.equal(result.stdout === '', result.stderr !== '', 'usage text or an error, not both');
    }
    const failures: Array<[Promise<Run>, string]> = [
      [run('session', 'token', 'plan', 'mallory'), 'GATEWAY_DENIED'],
      [run('session', 'token', 'ghost', 'scribe'), 'SESSION_UNKNOWN'],
      [run('session', 'token', 'plan', 'scribe', '--ttl', '2h'), 'TOKEN_TTL_EXCESSIVE'],
      [run('session', 'show', 'ghost'), 'SESSION_UNKNOWN'],
      [run('session', 'create', 'plan', '--members', 'scribe'), 'SESSION_EXISTS'],
      [run('session', 'create', 'bad/id', '--members', 'scribe'), 'INVALID_INPUT'],
      [maos(['session', 'show', 'plan', '--data-dir', join(dir, 'no-daemon')]), 'DAEMON_UNREACHABLE'],
    ];
    for (const [pending, code] of failures) {
      const result = await pending;
      assert.equal(result.status, 2, result.stderr);
      assert.equal(errorCode(result), code, result.stderr);
      assert.equal(result.stdout, '');
    }
    assert.equal(unwrap(await rt.sessions.show('plan')).members.length, 2, 'plan is unchanged');
  });

  test('maos session --help exits 0 with the usage', async () => {
    const help = await run('session', '--help');
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /^Usage: maos session create <id> --members a,b/);
  });
});
