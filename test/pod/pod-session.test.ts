// Shared sessions through real pods (issue 5): the operator creates a session and mints join
// tokens; agents join with them, share state under /session/<id> with every change journaled as a
// delta with its hash commitment; tokens for another agent, another session or none are refused.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openPodRuntime, type PodRuntime } from '../../src/runtime/pod-runtime.ts';
import { journalData } from './eventually.ts';

const AGENTS = join(import.meta.dirname, 'agents');
const CONFIG = 'version: 1\ndataDir: data\nagents:\n  scribe: { ring: 2 }\n  scribe2: { ring: 2 }\n';

let dir: string;
let rt: PodRuntime;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'maos-pod-session-'));
  const opened = await openPodRuntime({ configPath: join(dir, 'maos.yaml'), configText: CONFIG });
  if (!opened.ok) throw opened.error;
  rt = opened.value;
  for (const agent of ['scribe', 'scribe2']) assert.ok((await rt.control.start(join(AGENTS, agent))).ok);
});

after(async () => {
  await rt.close();
  await rm(dir, { recursive: true, force: true });
});

async function task(agent: string, value: Record<string, string>): Promise<unknown> {
  const done = await rt.control.task(agent, value);
  assert.ok(done.ok, done.ok ? '' : done.error.message);
  return done.value;
}

function journal(type: string): Promise<Record<string, unknown>[]> {
  return journalData(rt, type);
}

test('members join with their own tokens and share state; every change is journaled with its commitment', async () => {
  const created = await rt.sessions.create({
    id: 'plan',
    members: ['scribe', 'scribe2'],
    readOnly: ['scribe2'],
  });
  assert.ok(created.ok, created.ok ? '' : created.error.message);
  for (const agent of ['scribe', 'scribe2']) {
    const token = await rt.sessions.token('plan', agent);
    assert.ok(token.ok);
    const joined = (await task(agent, { join: 'plan', token: token.value })) as { seq?: number };
    assert.equal(joined.seq, 0, JSON.stringify(joined));
  }
  const wrote = (await task('scribe', { session: 'plan', write: 'goal.txt', text: 'ship it' })) as {
    head?: { seq: number; commit: string };
  };
  assert.equal(wrote.head?.seq, 1, JSON.stringify(wrote));
  assert.equal(await task('scribe2', { session: 'plan', read: 'goal.txt' }), 'ship it');
  assert.deepEqual(await task('scribe2', { session: 'plan', write: 'x.txt', text: 'no' }), {
    code: 'GATEWAY_DENIED',
  });
  const changes = await journal('session.change');
  assert.equal(changes.length, 1);
  assert.equal(changes[0]?.commit, wrote.head?.commit);
  const delta = changes[0]?.delta as { path: string; op: string; agent: string; seq: number };
  assert.deepEqual([delta.path, delta.op, delta.agent, delta.seq], ['goal.txt', 'write', 'scribe', 1]);
  const shown = await rt.sessions.show('plan');
  assert.ok(shown.ok);
  assert.deepEqual(shown.value.head, wrote.head);
});

test('a token minted for another agent, for another session, or forged, does not join', async () => {
  assert.ok((await rt.sessions.create({ id: 'other', members: ['scribe', 'scribe2'] })).ok);
  const forScribe = await rt.sessions.token('other', 'scribe');
  assert.ok(forScribe.ok);
  const stolen = (await task('scribe2', { join: 'other', token: forScribe.value })) as { code?: string };
  assert.equal(stolen.code, 'TOKEN_CLAIMS_INVALID');
  const planToken = await rt.sessions.token('plan', 'scribe');
  assert.ok(planToken.ok);
  const wrongSession = (await task('scribe', { join: 'other', token: planToken.value })) as { code?: string };
  assert.equal(wrongSession.code, 'TOKEN_CLAIMS_INVALID');
  const [body, sig] = forScribe.value.split('.');
  const forged = `${body}.${sig?.startsWith('A') ? `B${sig.slice(1)}` : `A${sig?.slice(1)}`}`;
  const badSig = (await task('scribe', { join: 'other', token: forged })) as { code?: string };
  assert.ok(badSig.code?.startsWith('TOKEN_'), JSON.stringify(badSig));
  const refused = await journal('session.join-refused');
  assert.equal(refused.length, 3);
  const outsider = await rt.sessions.token('plan', 'nobody');
  assert.equal(outsider.ok ? '' : outsider.error.code, 'GATEWAY_DENIED');
  const missing = await rt.sessions.token('nope', 'scribe');
  assert.equal(missing.ok ? '' : missing.error.code, 'SESSION_UNKNOWN');
  // An agent cannot tell a session that does not exist from one it is not in.
  const probe = (await task('scribe', { join: 'nope', token: forScribe.value })) as { code?: string };
  assert.equal(probe.code, 'GATEWAY_DENIED');
});
