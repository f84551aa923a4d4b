// verifyVouchChain: every link a valid kernel-signed vouch, one session, a tree rooted at the sender
// (depth ≤ 2), no self-vouch, no cycle, no repeated bond; the Σ of direct bonds feeds the receiver.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Result, unwrap } from '../shared/index.ts';
import { MemoryStorage } from '../storage/index.ts';
import { FakeClock } from '../testing/fake-clock.ts';
import type { Attestation, VouchStatement } from './attestation.ts';
import { effectiveScoreOf } from './bonds.ts';
import { earn, harness, inAnHour, testSigner } from './test-harness.ts';
import { admits } from './threshold.ts';
import { verifyVouchChain } from './vouch-chain.ts';

const S = 'session-1';

async function chainSetUp() {
  const clock = new FakeClock();
  const h = harness(new MemoryStorage(), clock);
  for (const agent of ['b', 'c', 'd', 'e']) await earn(h.ledger, agent, 0.8);
  const link = async (voucher: string, vouchee: string, subject: string, session = S) => {
    const outcome = unwrap(
      await h.ledger.vouch({ voucher, vouchee, session, subject, expiresAtMs: inAnHour(clock) }),
    );
    assert.ok(outcome.granted, `${voucher} → ${vouchee}`);
    return outcome.attestation;
  };
  return { ...h, link };
}

function reasonOf(result: Result<unknown>): string {
  return result.ok ? 'ok' : String(result.error.details?.reason);
}

test('issue 5 trust: a vouch chain verifies link by link and sums the direct bonds', async () => {
  const { link, signer, clock, ledger } = await chainSetUp();
  const ba = await link('b', 'a', 'msg-1');
  const ca = await link('c', 'a', 'msg-1');
  const dc = await link('d', 'c', 'c-task');
  const chain = JSON.parse(JSON.stringify([ba, ca, dc]));
  const summary = unwrap(
    verifyVouchChain(chain, signer.publicKey, clock.wallMs(), { agent: 'a', subject: 'msg-1' }),
  );
  assert.equal(summary.agent, 'a');
  assert.equal(summary.links.length, 3);
  assert.ok(Math.abs(summary.bondsTotal - (ba.statement.bond + ca.statement.bond)) < 1e-12);
  // A receiver with a threshold above the sender's own score admits the vouched read, not the write.
  const own = unwrap(await ledger.score('a'));
  assert.ok(admits(0.6, effectiveScoreOf(own, summary.bondsTotal, 'read')));
  assert.ok(!admits(0.6, effectiveScoreOf(own, summary.bondsTotal, 'irreversible')));
  const empty = unwrap(verifyVouchChain([], signer.publicKey, clock.wallMs(), { agent: 'a' }));
  assert.equal(empty.bondsTotal, 0);
});

test('issue 5 trust: one bad link fails the whole chain, naming the link', async () => {
  const { link, signer, clock } = await chainSetUp();
  const ba = await link('b', 'a', 'msg-1');
  const ca = await link('c', 'a', 'msg-1');
  const forged: Attestation<VouchStatement> = { ...ca, statement: { ...ca.statement, bond: 0.9 } };
  const result = verifyVouchChain([ba, forged], signer.publicKey, clock.wallMs());
  assert.equal(reasonOf(result), 'link-invalid');
  assert.equal(result.ok ? -1 : result.error.details?.index, 1);
  assert.equal(result.ok ? '' : result.error.details?.linkReason, 'signature-invalid');
  const foreign = verifyVouchChain([ba, ca], testSigner().publicKey, clock.wallMs());
  assert.equal(reasonOf(foreign), 'link-invalid');
  const late = verifyVouchChain([ba, ca], signer.publicKey, ba.statement.expires);
  assert.equal(late.ok ? '' : late.error.details?.linkReason, 'expired');
});

test('issue 5 trust: a vouch chain must be about the expected sender, session and subject', async () => {
  const { link, signer, clock, ledger } = await chainSetUp();
  const ba = await link('b', 'a', 'msg-1');
  const now = clock.wallMs();
  assert.equal(reasonOf(verifyVouchChain([ba], signer.publicKey, now, { agent: 'z' })), 'chain-mismatch');
  assert.equal(
    reasonOf(verifyVouchChain([ba], signer.publicKey, now, { subject: 'msg-2' })),
    'chain-mismatch',
  );
  assert.equal(
    reasonOf(verifyVouchChain([ba], signer.publicKey, now, { session: 'other' })),
    'chain-mismatch',
  );
  const otherSession = await link('c', 'a', 'msg-1', 'session-2');
  assert.equal(reasonOf(verifyVouchChain([ba, otherSession], signer.publicKey, now)), 'chain-mismatch');
  const otherSubject = await link('c', 'a', 'msg-2');
  assert.equal(reasonOf(verifyVouchChain([ba, otherSubject], signer.publicKey, now)), 'chain-mismatch');
  const attest = unwrap(await ledger.attest('b'));
  assert.equal(reasonOf(verifyVouchChain([ba, attest], signer.publicKey, now)), 'kind-unexpected');
});

test('issue 5 trust: a vouch chain refuses detached links, repeats, cycles and depth beyond 2', async () => {
  const { link, signer, clock, ledger } = await chainSetUp();
  const now = clock.wallMs();
  const ba = await link('b', 'a', 'msg-1');
  const dc = await link('d', 'c', 'c-task');
  assert.equal(reasonOf(verifyVouchChain([ba, dc], signer.publicKey, now)), 'chain-broken');
  assert.equal(reasonOf(verifyVouchChain([ba, ba], signer.publicKey, now)), 'duplicate');
  const cb = await link('c', 'b', 'b-task');
  const ec = await link('e', 'c', 'c-task');
  assert.equal(reasonOf(verifyVouchChain([ba, cb, ec], signer.publicKey, now)), 'chain-too-deep');
  // The ledger refuses cycles in a session; a chain that mixes sessions is refused as a mismatch,
  // and a sender vouching inside its own chain is a cycle.
  await earn(ledger, 'a', 0.8);
  const ab = unwrap(
    await ledger.vouch({
      voucher: 'a',
      vouchee: 'b',
      session: 'session-3',
      subject: 'x',
      expiresAtMs: now + 60_000,
    }),
  );
  const ba3 = unwrap(
    await ledger.vouch({
      voucher: 'b',
      vouchee: 'a',
      session: 'session-3',
      subject: 'y',
      expiresAtMs: now + 60_000,
    }),
  );
  assert.ok(ab.granted && !ba3.granted, 'the ledger refuses b → a after a → b');
  // The verifier does not rely on the ledger: a signed cycle (another ledger, a bug) is refused too.
  const ab1 = signer.sign({
    ...ba.statement,
    agent: 'b',
    voucher: 'a',
    subject: 'b-task-2',
    bondId: 'bond-99',
  });
  assert.equal(reasonOf(verifyVouchChain([ba, ab1], signer.publicKey, now)), 'chain-cycle');
  const ca = await link('c', 'a', 'msg-1');
  const forge = (voucher: string, vouchee: string, bondId: string) =>
    signer.sign({ ...ba.statement, agent: vouchee, voucher, subject: `${vouchee}-task`, bondId });
  const loop = [ba, ca, forge('b', 'c', 'bond-97'), forge('c', 'b', 'bond-98')];
  assert.equal(reasonOf(verifyVouchChain(loop, signer.publicKey, now)), 'chain-cycle', 'b ⇄ c');
  const diamond = [ba, ca, forge('b', 'c', 'bond-97')];
  assert.ok(verifyVouchChain(diamond, signer.publicKey, now).ok, 'a diamond is no cycle');
  assert.equal(reasonOf(verifyVouchChain('nope', signer.publicKey, now)), 'malformed');
  assert.equal(reasonOf(verifyVouchChain(new Array(17).fill(ba), signer.publicKey, now)), 'malformed');
});
