// Vouching: the 20 % bond, the 80 % per-session cap, ω by reversibility (irreversible gains nothing),
// no self-vouch, no cycle, a minimum score, release on a clean outcome, lapse at the end.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ERROR_CODES, unwrap } from '../shared/index.ts';
import { MemoryStorage } from '../storage/index.ts';
import { FakeClock } from '../testing/fake-clock.ts';
import { verifyAttestation } from './attestation.ts';
import { VOUCH_REFUSALS } from './bonds.ts';
import type { VouchOutcome } from './ledger.ts';
import { OMEGA } from './params.ts';
import { earn, harness, inAnHour } from './test-harness.ts';

const S = 'session-1';
const close = (a: number, b: number) => Math.abs(a - b) < 1e-9;

async function setUp(...vouchers: string[]) {
  const h = harness(new MemoryStorage(), new FakeClock());
  for (const voucher of vouchers) await earn(h.ledger, voucher, 0.8);
  const vouch = async (
    voucher: string,
    vouchee: string,
    subject = 'task-1',
    session = S,
  ): Promise<VouchOutcome> =>
    unwrap(await h.ledger.vouch({ voucher, vouchee, session, subject, expiresAtMs: inAnHour(h.clock) }));
  return { ...h, vouch };
}

function refusal(outcome: VouchOutcome): string {
  return outcome.granted ? 'granted' : outcome.reason;
}

test('issue 5 trust: a bond is 20 % of the voucher score and yields a signed vouch attestation', async () => {
  const { ledger, vouch, signer, clock } = await setUp('a');
  const score = unwrap(await ledger.score('a'));
  const outcome = await vouch('a', 'b');
  assert.ok(outcome.granted);
  assert.ok(close(outcome.bond.amount, 0.2 * score));
  const verified = verifyAttestation(outcome.attestation, signer.publicKey, clock.wallMs());
  assert.ok(verified.ok);
  assert.deepEqual(
    [
      outcome.attestation.statement.kind,
      outcome.attestation.statement.agent,
      outcome.attestation.statement.voucher,
    ],
    ['vouch', 'b', 'a'],
  );
  assert.equal(unwrap(await ledger.score('a')), score, 'bonding locks stake, it does not spend it');
});

test('issue 5 trust: a voucher bonds at most 80 % of its score per session (four bonds)', async () => {
  const { vouch } = await setUp('a');
  for (const vouchee of ['b', 'c', 'd', 'e']) assert.ok((await vouch('a', vouchee)).granted, vouchee);
  assert.equal(refusal(await vouch('a', 'f')), VOUCH_REFUSALS.SESSION_CAP);
  assert.ok((await vouch('a', 'f', 'task-1', 'session-2')).granted, 'the cap is per session');
});

test('issue 5 trust: the effective score is min(1, own + ω·Σ bonds) with ω by reversibility', async () => {
  const { ledger, vouch } = await setUp('a', 'c');
  const bonds = [await vouch('a', 'b'), await vouch('c', 'b')].map((o) => (o.granted ? o.bond.amount : 0));
  const sum = (bonds[0] ?? 0) + (bonds[1] ?? 0);
  const own = unwrap(await ledger.score('b'));
  const query = { agent: 'b', session: S, subject: 'task-1' } as const;
  for (const reversibility of ['read', 'write', 'destructive', 'irreversible'] as const) {
    const effective = unwrap(await ledger.effectiveScore({ ...query, reversibility }));
    assert.ok(close(effective, Math.min(1, own + OMEGA[reversibility] * sum)), reversibility);
  }
  assert.deepEqual([OMEGA.read, OMEGA.write, OMEGA.destructive, OMEGA.irreversible], [1, 0.5, 0.25, 0]);
  assert.equal(unwrap(await ledger.effectiveScore({ ...query, reversibility: 'irreversible' })), own);
  const other = unwrap(await ledger.effectiveScore({ ...query, subject: 'task-2', reversibility: 'read' }));
  assert.equal(other, own, 'bonds stand behind one subject only');
  const bad = await ledger.effectiveScore({ ...query, reversibility: 'lethal' as 'read' });
  assert.equal(bad.ok ? 'ok' : bad.error.code, ERROR_CODES.INVALID_INPUT);
});

test('issue 5 trust: the effective score never exceeds 1', async () => {
  const h = harness(new MemoryStorage(), new FakeClock());
  for (const agent of ['a', 'b', 'c', 'd']) await earn(h.ledger, agent, 0.95);
  for (const voucher of ['a', 'b', 'c']) {
    unwrap(
      await h.ledger.vouch({
        voucher,
        vouchee: 'd',
        session: S,
        subject: 't',
        expiresAtMs: inAnHour(h.clock),
      }),
    );
  }
  const effective = unwrap(
    await h.ledger.effectiveScore({ agent: 'd', session: S, subject: 't', reversibility: 'read' }),
  );
  assert.equal(effective, 1);
});

test('issue 5 trust: no agent may vouch for itself', async () => {
  const { vouch } = await setUp('a');
  assert.equal(refusal(await vouch('a', 'a')), VOUCH_REFUSALS.SELF);
});

test('issue 5 trust: no vouch may close a cycle within a session (direct or indirect)', async () => {
  const { vouch } = await setUp('a', 'b', 'c');
  assert.ok((await vouch('a', 'b')).granted);
  assert.equal(refusal(await vouch('b', 'a', 'task-2')), VOUCH_REFUSALS.CYCLE);
  assert.ok((await vouch('b', 'c')).granted);
  assert.equal(refusal(await vouch('c', 'a', 'task-3')), VOUCH_REFUSALS.CYCLE, 'a → b → c → a');
  assert.ok((await vouch('b', 'a', 'task-2', 'session-2')).granted, 'another session has its own graph');
});

test('issue 5 trust: an agent below the minimum score may not vouch; a newcomer must earn it', async () => {
  const { vouch, ledger } = await setUp();
  assert.equal(refusal(await vouch('newcomer', 'b')), VOUCH_REFUSALS.BELOW_MINIMUM);
  await earn(ledger, 'newcomer', 0.6);
  assert.ok((await vouch('newcomer', 'b')).granted);
});

test('issue 5 trust: the same voucher may not bond twice for the same subject', async () => {
  const { vouch } = await setUp('a');
  assert.ok((await vouch('a', 'b')).granted);
  assert.equal(refusal(await vouch('a', 'b')), VOUCH_REFUSALS.DUPLICATE);
});

test('issue 5 trust: a clean outcome releases the bonds, freeing the voucher cap', async () => {
  const { ledger, vouch } = await setUp('a');
  for (const subject of ['t1', 't2', 't3', 't4']) assert.ok((await vouch('a', 'b', subject)).granted);
  assert.equal(refusal(await vouch('a', 'b', 't5')), VOUCH_REFUSALS.SESSION_CAP);
  assert.equal(unwrap(await ledger.release(S, 't1')), 1);
  const effective = unwrap(
    await ledger.effectiveScore({ agent: 'b', session: S, subject: 't1', reversibility: 'read' }),
  );
  assert.equal(effective, unwrap(await ledger.score('b')));
  assert.ok((await vouch('a', 'b', 't5')).granted);
  assert.equal(unwrap(await ledger.release(S, 'nothing')), 0);
});

test('issue 5 trust: bonds lapse when their task or session ends', async () => {
  const { ledger, vouch, clock } = await setUp('a');
  assert.ok((await vouch('a', 'b')).granted);
  const query = { agent: 'b', session: S, subject: 'task-1', reversibility: 'read' } as const;
  const own = unwrap(await ledger.score('b'));
  assert.ok(unwrap(await ledger.effectiveScore(query)) > own);
  clock.advance(60 * 60_000);
  assert.equal(unwrap(await ledger.effectiveScore(query)), unwrap(await ledger.score('b')), 'expired bond');
  assert.ok((await vouch('a', 'b')).granted);
  assert.equal(unwrap(await ledger.endSession(S)), true);
  assert.equal(unwrap(await ledger.effectiveScore(query)), unwrap(await ledger.score('b')), 'session ended');
});

test('issue 5 trust: bad vouch requests fail closed with INVALID_INPUT', async () => {
  const { ledger, clock } = await setUp('a');
  const base = { voucher: 'a', vouchee: 'b', session: S, subject: 't', expiresAtMs: inAnHour(clock) };
  for (const input of [
    { ...base, voucher: '' },
    { ...base, session: 'x'.repeat(300) },
    { ...base, expiresAtMs: clock.wallMs() },
    { ...base, expiresAtMs: clock.wallMs() + 2 * 86_400_000 },
  ]) {
    const outcome = await ledger.vouch(input);
    assert.equal(outcome.ok ? 'ok' : outcome.error.code, ERROR_CODES.INVALID_INPUT);
  }
});
