// Vouching and slashing between real pods (issue 5): a receiver with a trust threshold refuses a
// new agent until a trusted agent vouches for its messages about a subject; the chain travels
// signed on the bus; an anomaly the message causes downstream slashes the sender and its voucher.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type Envelope, signEnvelope, type VouchEntry } from '../../src/bus/index.ts';
import { openPodRuntime, type PodRuntime } from '../../src/runtime/pod-runtime.ts';
import { eventually, journalData } from './eventually.ts';

const AGENTS = join(import.meta.dirname, 'agents');
const CONFIG = `version: 1
dataDir: data
agents:
  sponsor: { ring: 2 }
  newbie:
    ring: 2
    capabilities:
      - { action: message.send, resource: "agent:guard" }
  guard: { ring: 2 }
actions:
  message.send: { sideEffect: write }
`;

let dir: string;
let rt: PodRuntime;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'maos-pod-vouch-'));
  const opened = await openPodRuntime({ configPath: join(dir, 'maos.yaml'), configText: CONFIG });
  if (!opened.ok) throw opened.error;
  rt = opened.value;
  // The sponsor has earned trust: clean commits lift it from the prior (0.5) above the 0.6 needed to vouch.
  for (let i = 0; i < 6; i++)
    assert.ok((await rt.trust.ledger.record({ agent: 'sponsor', kind: 'clean-commit' })).ok);
  for (const agent of ['sponsor', 'newbie', 'guard']) {
    const started = await rt.control.start(join(AGENTS, agent));
    assert.ok(started.ok, started.ok ? '' : started.error.message);
  }
});

after(async () => {
  await rt.close();
  await rm(dir, { recursive: true, force: true });
});

function journal(type: string): Promise<Record<string, unknown>[]> {
  return journalData(rt, type);
}

/** A note from the newbie to the guard, signed by the host with the newbie's bus key. */
function noteFromNewbie(vouch: readonly VouchEntry[] = []): Envelope {
  const signed = signEnvelope(
    {
      from: 'newbie',
      to: ['guard'],
      type: 'note',
      schema: 'maos.message.v1',
      payload: {},
      label: { confidentiality: 'PUBLIC', integrity: 'TRUSTED' },
      vouch,
    },
    rt.bus.keys,
  );
  assert.ok(signed.ok);
  return signed.value;
}

async function guardSaw(): Promise<string[]> {
  const seen = await rt.control.task('guard', 'report');
  assert.ok(seen.ok, seen.ok ? '' : seen.error.message);
  return seen.value as string[];
}

async function refusedTrust(): Promise<number> {
  return (await journal('bus.rejected')).filter((data) => data.reason === 'BUS_TRUST_BELOW_THRESHOLD').length;
}

test('a sender below the receiver threshold is refused; a vouch for its subject lets that subject through, and only it', async () => {
  assert.ok((rt.trust.scoreOf('newbie') ?? 1) < 0.55, 'the newcomer starts below the guard threshold');
  const plain = await rt.control.task('newbie', { text: 'hello' });
  assert.ok(plain.ok, plain.ok ? '' : plain.error.message);
  await eventually(async () => (await refusedTrust()) === 1, 'the unvouched note is refused');

  const vouched = await rt.control.task('sponsor', { vouchFor: 'newbie', subject: 'report-1' });
  assert.ok(vouched.ok, vouched.ok ? '' : vouched.error.message);
  assert.equal((vouched.value as { granted?: boolean }).granted, true, JSON.stringify(vouched.value));
  const bonds = await journal('trust.vouch');
  assert.deepEqual(
    bonds.map((data) => [data.voucher, data.vouchee, data.subject]),
    [['sponsor', 'newbie', 'report-1']],
  );

  assert.ok((await rt.control.task('newbie', { text: 'findings', subject: 'report-1' })).ok);
  await eventually(async () => (await guardSaw()).includes('findings'), 'the vouched note is delivered');

  assert.ok((await rt.control.task('newbie', { text: 'other', subject: 'report-2' })).ok);
  await eventually(async () => (await refusedTrust()) === 2, 'a subject nobody vouched for is refused');
  assert.equal((await guardSaw()).includes('other'), false);
});

test('an agent vouches only for agents it may message, never for itself; a newcomer cannot vouch at all', async () => {
  const offList = await rt.control.task('sponsor', { vouchFor: 'guard', subject: 'report-1' });
  assert.ok(offList.ok);
  assert.equal((offList.value as { code?: string }).code, 'MESSAGE_DENIED');
  const self = await rt.vouching.vouch('sponsor', 'sponsor', 'report-1');
  assert.ok(self.ok);
  assert.deepEqual(
    [(self.value as { granted: boolean }).granted, (self.value as { reason: string }).reason],
    [false, 'vouch-self'],
  );
  const low = await rt.vouching.vouch('newbie', 'sponsor', 'report-1');
  assert.equal(low.ok && (low.value as { reason?: string }).reason, 'vouch-below-minimum');
  assert.deepEqual(
    (await journal('trust.vouch-refused')).map((data) => data.reason),
    ['vouch-self', 'vouch-below-minimum'],
  );
});

test('a vouch chain that does not verify counts for nothing: a forged bond leaves the sender at its own score', () => {
  const chain = rt.vouching.chainOf('newbie', 'report-1');
  assert.equal(chain.length, 1);
  const link = chain[0] as { statement: { bond: number } };
  const forged = [{ ...link, statement: { ...link.statement, bond: 0.9 } }];
  const own = rt.trust.scoreOf('newbie');
  const honest = noteFromNewbie(chain);
  const tampered = noteFromNewbie(forged as never);
  assert.ok((rt.vouching.effective('newbie', honest, 'write') ?? 0) > (own ?? 0));
  assert.equal(rt.vouching.effective('newbie', tampered, 'write'), own);
  assert.equal(rt.vouching.effective('newbie', honest, 'irreversible'), own, 'ω is 0 for irreversible acts');
});

test('an anomaly a vouched message causes downstream slashes its sender and, cascading, its voucher', async () => {
  const before = { newbie: rt.trust.scoreOf('newbie') ?? 0, sponsor: rt.trust.scoreOf('sponsor') ?? 0 };
  const vouchedEnvelope = noteFromNewbie(rt.vouching.chainOf('newbie', 'report-1'));
  assert.ok((rt.vouching.effective('newbie', vouchedEnvelope, 'write') ?? 0) > before.newbie);
  assert.ok((await rt.control.task('newbie', { text: 'escape', subject: 'report-1' })).ok);
  await eventually(async () => (await journal('trust.slash')).length > 0, 'the slash is journaled');
  const [slash] = await journal('trust.slash');
  const slashed = ((slash?.slashed ?? []) as { agent: string; depth: number }[]).map((item) => [
    item.agent,
    item.depth,
  ]);
  assert.deepEqual(slashed, [
    ['newbie', 0],
    ['sponsor', 1],
  ]);
  assert.equal(slash?.subject, 'report-1');
  await eventually(
    async () =>
      (rt.trust.scoreOf('newbie') ?? 1) < before.newbie &&
      (rt.trust.scoreOf('sponsor') ?? 1) < before.sponsor,
    'both scores fall',
  );
  // The bond is forfeited: no later message carries it, and a chain that names it counts for nothing.
  assert.equal(rt.vouching.chainOf('newbie', 'report-1').length, 0);
  assert.equal(rt.vouching.effective('newbie', vouchedEnvelope, 'write'), rt.trust.scoreOf('newbie'));
  const effective = await rt.trust.ledger.effectiveScore({
    agent: 'newbie',
    session: 'pods',
    subject: 'report-1',
    reversibility: 'write',
  });
  assert.ok(effective.ok);
  // Equal up to the decay toward the prior between the two reads.
  assert.ok(Math.abs(effective.value - (rt.trust.scoreOf('newbie') ?? 0)) < 1e-6, String(effective.value));
});

test('one delivered message is slashed once, however many anomalies its recipient makes afterwards', async () => {
  const slashesBefore = (await journal('trust.slash')).length;
  const note = noteFromNewbie();
  rt.vouching.delivered('guard', note);
  const before = rt.trust.scoreOf('newbie') ?? 0;
  for (let i = 0; i < 5; i++) guardAnomaly(6 * (i + 1));
  await eventually(async () => (await journal('trust.slash')).length === slashesBefore + 1, 'one slash');
  const [last] = (await journal('trust.slash')).slice(-1);
  assert.equal(last?.message, note.id);
  await eventually(async () => (rt.trust.scoreOf('newbie') ?? 1) < before, 'the score is refreshed');
  // The recipient's later anomalies find no message to blame: the entry was consumed by the slash.
  guardAnomaly(36);
  assert.equal((await journal('trust.slash')).length, slashesBefore + 1);
});

/** A counted gateway-blocked anomaly of the guard now, as the Sentry reports one. */
function guardAnomaly(score: number): void {
  rt.vouching.observe({
    type: 'immune.anomaly',
    agent: 'guard',
    kind: 'gateway-blocked',
    source: 'sentry',
    weight: 6,
    counted: true,
    score,
    atMs: Date.now(),
  });
}
