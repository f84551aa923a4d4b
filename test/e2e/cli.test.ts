// End-to-end tests of the `maos` command as a black box: help, demo, and the token life cycle
// (mint, inspect, verify, check, attenuate, revoke, rotate), each suite in its own sandbox.

import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { claimsOf, errorCode, MAIN, maos, ROOT, read, sandbox, spawnProcess } from './harness.ts';

// WHY: suites share nothing, so they run side by side; each spawn costs a Node start-up.
describe('maos cli', { concurrency: true }, () => {
  describe('help, version, schema and demo', { concurrency: true }, () => {
    test('maos --help exits 0 and lists every command; bare maos exits 2', async () => {
      const [help, bare, version] = await Promise.all([maos(['--help']), maos([]), maos(['--version'])]);
      assert.equal(help.status, 0);
      for (const word of ['demo', 'check', 'token', 'keys', 'schema', '--version', 'Exit codes']) {
        assert.ok(help.stdout.includes(word), `maos --help lacks ${word}`);
      }
      assert.equal(bare.status, 2);
      assert.equal(bare.stdout, help.stdout);
      const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
      assert.equal(version.stdout.trim(), pkg.version);
    });

    test('each command --help exits 0 and names its options', async () => {
      const expected: Record<string, string[]> = {
        check: ['--intent', '--token', '--config', '--data-dir'],
        token: [
          'mint',
          'attenuate',
          'inspect',
          'verify',
          'revoke',
          '--ttl',
          '--ack-by',
          '--ack-reason',
          '--scope',
        ],
        keys: ['list', 'rotate', '--data-dir'],
        schema: ['JSON Schema'],
        demo: ['--json', '--keep'],
      };
      const runs = await Promise.all(Object.keys(expected).map((command) => maos([command, '--help'])));
      for (const [i, [command, words]] of Object.entries(expected).entries()) {
        const run = runs[i];
        assert.ok(run !== undefined);
        assert.equal(run.status, 0, `${command} --help: ${run.stderr}`);
        for (const word of words) assert.ok(run.stdout.includes(word), `${command} --help lacks ${word}`);
      }
      const sub = await maos(['token', 'mint', '--help']);
      assert.equal(sub.status, 0);
      assert.ok(sub.stdout.includes('--agent'));
    });

    test('unknown commands, subcommands and options exit 2 with a maos: message', async () => {
      const cases = [
        ['frobnicate'],
        ['token', 'forge'],
        ['keys', 'burn'],
        ['check', '--bogus'],
        ['schema', 'x'],
      ];
      const runs = await Promise.all(cases.map((args) => maos(args)));
      for (const [i, run] of runs.entries()) {
        const args = cases[i]?.join(' ');
        assert.equal(run.status, 2, args);
        assert.match(run.stderr, /^maos: /, args);
        assert.equal(run.stdout, '', `${args} prints nothing on stdout`);
      }
    });

    test('maos schema prints a JSON Schema describing agents', async () => {
      const run = await maos(['schema']);
      assert.equal(run.status, 0);
      const schema = JSON.parse(run.stdout) as { $schema: string; type: string; properties: object };
      assert.match(schema.$schema, /json-schema\.org/);
      assert.equal(schema.type, 'object');
      assert.ok('agents' in schema.properties && 'actions' in schema.properties);
    });

    test('maos demo runs every step as expected and removes its directory', async () => {
      const run = await maos(['demo']);
      assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
      const steps = run.stdout.split('\n').filter((line) => /^[ !][ \d]\d\. /.test(line));
      assert.equal(steps.length, 8, 'the demo runs eight steps');
      for (const step of steps) assert.match(step, /^ /, `step failed: ${step}`);
      assert.doesNotMatch(run.stdout, /NOT TRUE/);
      const outcomes = steps.map((line) => line.slice(line.lastIndexOf('→ ') + 2));
      assert.deepEqual(outcomes, [
        'COMMITTED',
        'DENIED',
        'COMMITTED',
        'HELD, THEN COMMITTED',
        'COMPENSATED',
        'UNDONE',
        'COMMITTED',
        'VERIFIED',
      ]);
      assert.match(run.stdout, /why: the capability check answered SCOPE_NOT_COVERED/);
      assert.match(run.stdout, /the service received DELETE \/tickets\/\d+/);
      assert.match(run.stdout, /killed \(SIGKILL\)/);
      assert.ok(run.stdout.includes('all 8 steps went as expected'));
      const dir = /^demo directory (\S+?):/m.exec(run.stdout)?.[1];
      assert.ok(dir !== undefined && !existsSync(dir), 'the temporary directory is removed');
    });

    test('maos demo --json prints one JSON object per step, each ok; --keep keeps the directory', async () => {
      const run = await maos(['demo', '--json', '--keep']);
      assert.equal(run.status, 0, run.stderr);
      type Step = { step: number; title: string; expected: string; actual: string; ok: boolean; why: string };
      const steps = run.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Step);
      assert.deepEqual(
        steps.map((s) => s.step),
        [1, 2, 3, 4, 5, 6, 7, 8],
      );
      for (const step of steps) {
        assert.equal(step.ok, true, JSON.stringify(step));
        assert.equal(step.actual, step.expected);
        assert.ok(step.title.length > 0 && step.why.length > 0);
      }
      assert.deepEqual(
        steps.map((s) => s.actual),
        [
          'committed',
          'denied',
          'committed',
          'held, then committed',
          'compensated',
          'undone',
          'committed',
          'verified',
        ],
      );
      const dir = /^demo directory kept: (\S+)$/m.exec(run.stderr)?.[1];
      assert.ok(
        dir !== undefined && existsSync(join(dir, 'data', 'maos.db')),
        'the kept directory holds the journal',
      );
      const verify = await maos(['audit', 'verify', '--config', join(dir, 'maos.yaml')]);
      assert.equal(verify.status, 0, verify.stderr);
      rmSync(dir, { recursive: true, force: true });
    });

    test('maos demo piped into a reader that closes early neither crashes nor leaks its directory', async () => {
      const run = await spawnProcess('sh', ['-c', `"${process.execPath}" "${MAIN}" demo | head -n 2`]);
      assert.doesNotMatch(run.stderr, /EPIPE|Unhandled/);
      const dir = /^demo directory (\S+?):/m.exec(run.stdout)?.[1];
      assert.ok(dir !== undefined);
      // WHY: the shell waits for the whole pipeline, so the demo has exited by now.
      assert.equal(existsSync(dir), false, `${dir} was left behind`);
    });
  });

  describe('token round trip: mint, inspect, verify, check, attenuate, revoke', { concurrency: 1 }, () => {
    const box = sandbox();
    let parent = '';
    let child = '';
    before(async () => {
      parent = await box.mint('researcher');
    });

    test('DR-T1: a minted token inspects unverified, names the agent and its grants, and verifies', async () => {
      const [inspected, verify] = await Promise.all([
        maos(['token', 'inspect', parent]),
        box.run(['token', 'verify', parent]),
      ]);
      assert.equal(inspected.status, 0, inspected.stderr);
      const { verified, claims } = JSON.parse(inspected.stdout) as {
        verified: boolean;
        claims: Record<string, unknown>;
      };
      assert.equal(verified, false, 'inspect never claims to have verified');
      assert.equal(claims.sub, 'researcher');
      assert.equal(claims.aud, 'maos-local');
      assert.equal((claims.scopes as unknown[]).length, 3, 'all three granted capabilities');
      assert.equal(verify.status, 0, verify.stdout);
      assert.equal((JSON.parse(verify.stdout) as { valid: boolean }).valid, true);
      assert.ok(existsSync(join(box.dataDir, 'keys')), '--data-dir is where the keys go');
      assert.equal(
        existsSync(join(box.dir, 'config-data')),
        false,
        '--data-dir overrides the config dataDir',
      );
    });

    test('DR-T1: check allows a covered read, denies an uncovered write, escalates an email', async () => {
      const email = {
        agent: 'writer',
        action: 'email.send',
        resource: 'mailto:team@example.com',
        args: { subject: 'report', body: 'attached' },
        labels: { confidentiality: 'PUBLIC', integrity: 'TRUSTED' },
      };
      const write = {
        agent: 'researcher',
        action: 'fs.write',
        resource: '/etc/passwd',
        args: { content: 'x' },
      };
      const [allowed, denied, escalated] = await Promise.all([
        box.check(read('/workspace/report.md'), parent),
        box.check(write, parent),
        box.mint('writer').then((writer) => box.check(email, writer)),
      ]);
      assert.equal(allowed.status, 0);
      assert.equal(allowed.decision.verdict, 'allow');
      assert.equal(allowed.decision.checks.length, 7);
      assert.equal(denied.status, 1);
      assert.ok(denied.codes.includes('SCOPE_NOT_COVERED'), denied.codes.join());
      assert.equal(escalated.status, 3);
      assert.equal(escalated.decision.verdict, 'escalate');
      assert.deepEqual(escalated.codes, ['APPROVAL_REQUIRED']);
    });

    test('DR-T5: an attenuated child works within its narrower scope only and cannot widen', async () => {
      const [run, widen] = await Promise.all([
        box.run(['token', 'attenuate', parent, '--scope', 'fs.read=/workspace/notes/**']),
        box.run(['token', 'attenuate', parent, '--scope', 'fs.delete=/workspace/**']),
      ]);
      assert.equal(run.status, 0, run.stderr);
      child = run.stdout.trim();
      assert.deepEqual(claimsOf(child).scopes, [{ action: 'fs.read', resource: '/workspace/notes/**' }]);
      assert.equal(widen.status, 2);
      assert.equal(errorCode(widen), 'TOKEN_ATTENUATION_WIDENS');
      const [inside, outside] = await Promise.all([
        box.check(read('/workspace/notes/a.md'), child),
        box.check(read('/workspace/report.md'), child),
      ]);
      assert.equal(inside.status, 0);
      assert.equal(outside.status, 1);
      assert.ok(outside.codes.includes('SCOPE_NOT_COVERED'));
    });

    test('DR-T6: revoking the parent by jti revokes the child, persisted for new processes', async () => {
      const jti = String(claimsOf(parent).jti);
      const revoke = await box.run(['token', 'revoke', jti, '--reason', 'e2e']);
      assert.equal(revoke.status, 0, revoke.stderr);
      assert.deepEqual(JSON.parse(revoke.stdout), { revoked: jti, epoch: 1 });
      const stored = JSON.parse(box.read('revocations.json')) as {
        epoch: number;
        revoked: Array<{ jti: string }>;
      };
      assert.equal(stored.epoch, 1);
      assert.deepEqual(
        stored.revoked.map((r) => r.jti),
        [jti],
      );
      const [verify, ...decided] = await Promise.all([
        box.run(['token', 'verify', child]),
        box.check(read('/workspace/notes/a.md'), child),
        box.check(read('/workspace/notes/a.md'), parent),
      ]);
      assert.equal(verify.status, 1);
      assert.equal((JSON.parse(verify.stdout) as { code: string }).code, 'TOKEN_REVOKED');
      for (const d of decided) {
        assert.equal(d.status, 1);
        assert.ok(d.codes.includes('TOKEN_REVOKED'), d.codes.join());
      }
      assert.ok(box.events().some((e) => e.type === 'token.revoked' && e.jti === jti && e.epoch === 1));
    });

    test('DR-T6: each new revocation bumps the epoch by one; repeating one or naming garbage does not', async () => {
      const other = String(claimsOf(await box.mint('writer')).jti);
      const epochOf = async (jti: string) =>
        (JSON.parse((await box.run(['token', 'revoke', jti])).stdout) as { epoch: number }).epoch;
      assert.equal(await epochOf(other), 2);
      assert.equal(await epochOf(other), 2);
      const junk: Array<[string, RegExp]> = [
        ['', /^INVALID_INPUT$/],
        [' ', /^INVALID_INPUT$/],
        ['not-a-token-id', /^INVALID_INPUT$/],
        ['x'.repeat(300), /^INVALID_INPUT$/],
        ['{"payload":"e30","signatures":[]}', /^TOKEN_/],
      ];
      const runs = await Promise.all(junk.map(([id]) => box.run(['token', 'revoke', id])));
      for (const [i, run] of runs.entries()) {
        const [id, code] = junk[i] ?? ['', /^$/];
        assert.equal(run.status, 2, `revoke \`${id.slice(0, 20)}\`: ${run.stderr}`);
        assert.match(errorCode(run) ?? 'none', code, run.stderr);
        assert.doesNotMatch(run.stderr, /AssertionError|\n\s+at /, 'a usage error, not a crash');
      }
      assert.equal((JSON.parse(box.read('revocations.json')) as { epoch: number }).epoch, 2);
    });
  });

  describe('minting limits', { concurrency: 1 }, () => {
    const box = sandbox();
    before(async () => {
      // WHY: create the first issuer key before tests mint side by side.
      assert.equal((await box.run(['keys', 'list'])).status, 0);
    });

    test('DR-T3: a ring-2 token may live exactly 4x the default (4 h) but not a millisecond more', async () => {
      const [fourHours, overByOne, fiveHours, scout] = await Promise.all([
        box.mint('researcher', '--ttl', '4h'),
        box.run(['token', 'mint', '--agent', 'researcher', '--ttl', '14400001ms']),
        box.run(['token', 'mint', '--agent', 'researcher', '--ttl', '5h']),
        box.run(['token', 'mint', '--agent', 'web-scout', '--ttl', '21m']),
      ]);
      const claims = claimsOf(fourHours);
      assert.equal(Number(claims.exp) - Number(claims.nbf), 4 * 3_600_000);
      assert.equal(claims.ttlAck, undefined);
      for (const run of [overByOne, fiveHours]) {
        assert.equal(run.status, 2);
        assert.equal(errorCode(run), 'TOKEN_TTL_EXCESSIVE');
      }
      assert.equal(errorCode(scout), 'TOKEN_TTL_EXCESSIVE', 'external agents: 4 x 5 min');
    });

    test('DR-T3: an acknowledged long lifetime is recorded in the token and in events.jsonl', async () => {
      const [token, half] = await Promise.all([
        box.mint('researcher', '--ttl', '5h', '--ack-by', 'alice', '--ack-reason', 'batch job'),
        box.run(['token', 'mint', '--agent', 'researcher', '--ttl', '5h', '--ack-by', 'alice']),
      ]);
      const claims = claimsOf(token);
      const ack = claims.ttlAck as { by: string; reason: string; atMs: number };
      assert.equal(ack.by, 'alice');
      assert.equal(ack.reason, 'batch job');
      assert.ok(Number.isSafeInteger(ack.atMs));
      assert.equal(Number(claims.exp) - Number(claims.nbf), 5 * 3_600_000);
      const minted = box
        .events()
        .find((e) => e.type === 'token.minted' && (e.claims as { jti: string }).jti === claims.jti);
      assert.ok(minted !== undefined, 'the mint is in events.jsonl');
      assert.deepEqual((minted.claims as { ttlAck: unknown }).ttlAck, ack);
      assert.equal(half.status, 2, 'an acknowledgment needs both who and why');
    });

    test('DR-R1: scopes beyond the grants, unknown agents and a higher ring are refused', async () => {
      const mint = (...args: string[]) => box.run(['token', 'mint', ...args]);
      const [scope, wider, mallory, ring] = await Promise.all([
        mint('--agent', 'researcher', '--scope', 'fs.delete=/workspace/**'),
        mint('--agent', 'researcher', '--scope', 'fs.read=/**'),
        mint('--agent', 'mallory'),
        mint('--agent', 'researcher', '--ring', '1'),
      ]);
      for (const run of [scope, wider, mallory]) {
        assert.equal(run.status, 2);
        assert.equal(errorCode(run), 'TOKEN_GRANT_EXCEEDED');
      }
      assert.equal(ring.status, 2);
      assert.equal(errorCode(ring), 'RING_PROMOTION_REFUSED');
    });

    test('keys rotate: old tokens still verify and decide, new tokens carry the new kid', async () => {
      const listed = JSON.parse((await box.run(['keys', 'list'])).stdout) as { current: string };
      const old = await box.mint('researcher');
      const rotated = await box.run(['keys', 'rotate']);
      assert.equal(rotated.status, 0, rotated.stderr);
      const now = JSON.parse(rotated.stdout) as { current: string; verifying: string[] };
      assert.notEqual(now.current, listed.current);
      assert.deepEqual([...now.verifying].sort(), [listed.current, now.current].sort());
      const [verify, decided, fresh] = await Promise.all([
        box.run(['token', 'verify', old]),
        box.check(read('/workspace/a.md'), old),
        box.mint('researcher'),
      ]);
      assert.equal(verify.status, 0);
      assert.equal(decided.status, 0);
      assert.equal(claimsOf(old).kid, listed.current);
      assert.equal(claimsOf(fresh).kid, now.current);
    });
  });
});
