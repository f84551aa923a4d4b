// End-to-end tests of the `maos` command as a black box: hostile and broken input (bad JSON, bad
// UTF-8, forbidden keys, missing or broken config, forged tokens) and operators acting at once.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { claimsOf, errorCode, maos, read, sandbox } from './harness.ts';

describe('maos cli input', { concurrency: true }, () => {
  describe('bad input', { concurrency: true }, () => {
    const box = sandbox();
    let token = '';
    before(async () => {
      token = await box.mint('researcher');
    });

    const checkRaw = (content: string | Uint8Array, ...extra: string[]) =>
      box.run(['check', '--intent', box.file(content), ...extra]);

    test('malformed json, forbidden keys, non-objects and oversized intents exit 2 with their codes', async () => {
      const cases: Array<[string, string]> = [
        ['{"agent": "researcher",', 'INVALID_JSON'],
        ['', 'INVALID_JSON'],
        ['{"__proto__": {"admin": true}, "agent": "researcher"}', 'FORBIDDEN_KEY'],
        ['{"agent": "researcher", "args": {"a": {"constructor": {"prototype": 1}}}}', 'FORBIDDEN_KEY'],
        ['["not", "an", "object"]', 'INVALID_INPUT'],
        ['null', 'INVALID_INPUT'],
        ['{"agent": "researcher", "action": "fs.read"}', 'INVALID_INPUT'],
        [`${'['.repeat(100)}${']'.repeat(100)}`, 'OVERSIZED_INPUT'],
        [JSON.stringify({ ...read('/w'), args: { pad: 'x'.repeat(1024 * 1024) } }), 'OVERSIZED_INPUT'],
      ];
      const runs = await Promise.all(cases.map(([content]) => checkRaw(content)));
      for (const [i, run] of runs.entries()) {
        const [content, code] = cases[i] ?? ['', ''];
        assert.equal(run.status, 2, `${content.slice(0, 40)}: ${run.stderr}`);
        assert.equal(errorCode(run), code, content.slice(0, 40));
        assert.equal(run.stdout, '');
      }
    });

    test('an intent file or standard input that is not valid utf-8 exits 2 with INVALID_UTF8', async () => {
      const bytes = Buffer.concat([
        Buffer.from('{"agent":"researcher","action":"fs.read","resource":"/workspace/'),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('"}'),
      ]);
      const [fromFile, fromStdin] = await Promise.all([
        checkRaw(bytes, '--token', token),
        box.run(['check', '--intent', '-', '--token', token], bytes),
      ]);
      assert.equal(fromFile.status, 2, fromFile.stdout);
      assert.equal(errorCode(fromFile), 'INVALID_UTF8');
      assert.equal(fromStdin.status, 2, fromStdin.stdout);
      assert.equal(errorCode(fromStdin), 'INVALID_UTF8');
    });

    test('a missing config, broken yaml and unreadable files exit 2', async () => {
      const intent = box.file(JSON.stringify(read('/workspace/a.md')));
      const broken = box.file('version: 1\nagents:\n  researcher: [ring: 2\n', 'broken.yaml');
      const [missing, yaml, absent, noToken, both] = await Promise.all([
        maos(['check', '--config', join(box.dir, 'nope.yaml'), '--intent', intent]),
        maos(['check', '--config', broken, '--intent', intent]),
        box.run(['check', '--intent', join(box.dir, 'absent.json')]),
        box.run(['check', '--intent', intent, '--token', `@${join(box.dir, 'absent')}`]),
        box.run(['check', '--intent', '-', '--token', '-'], JSON.stringify(read('/w'))),
      ]);
      assert.equal(missing.status, 2);
      assert.equal(errorCode(missing), 'CONFIG_NOT_FOUND');
      assert.equal(yaml.status, 2);
      assert.equal(errorCode(yaml), 'CONFIG_YAML');
      assert.match(yaml.stderr, /broken\.yaml:\d+:\d+: /, 'the message names the line');
      assert.equal(errorCode(absent), 'IO');
      assert.equal(errorCode(noToken), 'IO');
      assert.equal(both.status, 2, 'one standard input cannot hold both the intent and the token');
      assert.match(both.stderr, /^maos: .*standard input/m);
      assert.equal(both.stdout, '');
    });

    test('DR-T1: a token whose claims were widened after signing is denied TOKEN_INVALID', async () => {
      const envelope = JSON.parse(token) as { payload: string; signatures: unknown[] };
      const claims = { ...claimsOf(token), scopes: [{ action: '*', resource: '**' }] };
      const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
      const forged = JSON.stringify({ ...envelope, payload });
      const [decided, verify] = await Promise.all([
        box.check({ agent: 'researcher', action: 'fs.delete', resource: '/etc/passwd' }, forged),
        box.run(['token', 'verify', forged]),
      ]);
      assert.equal(decided.status, 1);
      assert.equal(decided.decision.verdict, 'deny');
      assert.ok(decided.codes.includes('TOKEN_INVALID'), decided.codes.join());
      assert.equal(verify.status, 1);
      assert.equal((JSON.parse(verify.stdout) as { valid: boolean }).valid, false);
    });

    test('INV-7: an unknown agent, a foreign subject and an unverified tok: reference are denied', async () => {
      const verified = await box.run(['token', 'verify', token]);
      const digest = (JSON.parse(verified.stdout) as { digest: string }).digest;
      assert.match(digest, /^tok:/);
      const [unknown, foreign, ref] = await Promise.all([
        box.check({ ...read('/workspace/a.md'), agent: 'mallory' }, token),
        box.check({ ...read('/workspace/notes/a.md'), agent: 'writer' }, token),
        box.check(read('/workspace/a.md'), digest),
      ]);
      assert.equal(unknown.status, 1);
      assert.ok(unknown.codes.includes('UNKNOWN_AGENT'), unknown.codes.join());
      assert.equal(foreign.status, 1);
      assert.ok(foreign.codes.includes('TOKEN_SUBJECT_MISMATCH'), foreign.codes.join());
      assert.equal(ref.status, 1, 'a new process has verified nothing yet');
      assert.ok(ref.codes.includes('TOKEN_NOT_VERIFIED'), ref.codes.join());
    });
  });

  describe('concurrent operators', { concurrency: 1 }, () => {
    const box = sandbox();

    test('DR-T6: revocations made at the same time by separate processes are all kept', {}, async () => {
      assert.equal((await box.run(['keys', 'list'])).status, 0);
      const jtis = ['1', '2', '3', '4'].map((n) => `01900000-0000-7000-8000-00000000000${n}`);
      const runs = await Promise.all(jtis.map((jti) => box.run(['token', 'revoke', jti])));
      assert.deepEqual(
        runs.map((run) => run.status),
        [0, 0, 0, 0],
      );
      const stored = JSON.parse(box.read('revocations.json')) as {
        epoch: number;
        revoked: Array<{ jti: string }>;
      };
      assert.deepEqual(stored.revoked.map((r) => r.jti).sort(), jtis);
      assert.equal(stored.epoch, 4);
    });
  });
});
