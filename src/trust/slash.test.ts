// Slashing: the vouchee and its vouchers lose trust when the vouched message or task caused a
// denial or anomaly; the cascade stops at depth 2 and halves per level; every slash is signed and
// persisted (read back from a reopened SQLite file).

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ERROR_CODES, unwrap } from '../shared/index.ts';
import { MemoryStorage, openSqliteStorage } from '../storage/index.ts';
import type { Storage } from '../storage/port.ts';
import { FakeClock } from '../testing/fake-clock.ts';
import { verifyAttestation } from './attestation.ts';
import type { TrustLedger } from './ledger.ts';
import { SLASH_ATTENUATION, SLASH_VOUCHEE_MAX } from './params.ts';
import { earn, harness, inAnHour, testSigner } from './test-harness.ts';

const S = 'session-1';
const close = (a: number, b: number) => Math.abs(a - b) < 1e-9;

/**
 * e → d → c → a (task t), b → a (task t and t2): a is the vouchee; b and c vouch for it directly,
 * d for c (depth 2), e for d (depth 3, never slashed).
 */
async function web(ledger: TrustLedger, clock: FakeClock) {
  for (const agent of ['b', 'c', 'd', 'e']) await earn(ledger, agent, 0.8);
  const bond = async (voucher: string, vouchee: string, subject: string) => {
    const outcome = unwrap(
      await ledger.vouch({ voucher, vouchee, session: S, subject, expiresAtMs: inAnHour(clock) }),
    );
    assert.ok(outcome.granted, `${voucher} → ${vouchee}`);
    return outcome.bond.amount;
  };
  return {
    ed: await bond('e', 'd', 'd-task'),
    dc: await bond('d', 'c', 'c-task'),
    ca: await bond('c', 'a', 't'),
    ba: await bond('b', 'a', 't'),
    ba2: await bond('b', 'a', 't2'),
  };
}

async function scores(ledger: TrustLedger): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const agent of ['a', 'b', 'c', 'd', 'e']) out[agent] = unwrap(await ledger.score(agent));
  return out;
}

test('issue 5 trust: a slash cascades to vouchers with attenuation and stops at depth 2', async () => {
  const clock = new FakeClock();
  const { ledger, signer } = harness(new MemoryStorage(), clock);
  const bonds = await web(ledger, clock);
  const before = await scores(ledger);
  const severity = 0.8;
  const outcome = unwrap(
    await ledger.slash({ agent: 'a', session: S, subject: 't', severity, cause: 'denial-1' }),
  );
  assert.equal(outcome.duplicate, false);
  const after = await scores(ledger);
  const lost = (agent: string) => (before[agent] ?? 0) - (after[agent] ?? 0);
  assert.ok(close(lost('a'), SLASH_VOUCHEE_MAX * severity), 'the vouchee');
  assert.ok(
    close(lost('b'), bonds.ba * severity),
    'a direct voucher loses its bond for the subject × severity',
  );
  assert.ok(close(lost('c'), bonds.ca * severity));
  assert.ok(close(lost('d'), SLASH_ATTENUATION * bonds.dc * severity), 'depth 2 loses half');
  assert.equal(lost('e'), 0, 'depth 3 is never slashed');
  assert.deepEqual(
    outcome.slashes.map((s) => [s.agent, s.depth]),
    [
      ['a', 0],
      ['b', 1],
      ['c', 1],
      ['d', 2],
    ],
  );
  for (const slash of outcome.slashes) {
    const verified = verifyAttestation(slash.attestation, signer.publicKey, clock.wallMs());
    assert.ok(verified.ok && verified.value.statement.kind === 'slash');
    assert.equal(slash.attestation.statement.score, after[slash.agent]);
    assert.ok(close(slash.attestation.statement.amount, lost(slash.agent)));
  }
});

test('issue 5 trust: a slash forfeits the bonds behind the faulty subject, not the others', async () => {
  const clock = new FakeClock();
  const { ledger } = harness(new MemoryStorage(), clock);
  const bonds = await web(ledger, clock);
  unwrap(await ledger.slash({ agent: 'a', session: S, subject: 't', severity: 1, cause: 'anomaly-7' }));
  const own = unwrap(await ledger.score('a'));
  const query = { agent: 'a', session: S, reversibility: 'read' } as const;
  assert.equal(unwrap(await ledger.effectiveScore({ ...query, subject: 't' })), own);
  assert.ok(close(unwrap(await ledger.effectiveScore({ ...query, subject: 't2' })), own + bonds.ba2));
  assert.equal(unwrap(await ledger.release(S, 't')), 0, 'forfeited bonds cannot be released');
});

test('issue 5 trust: the same cause is slashed once per session', async () => {
  const clock = new FakeClock();
  const { ledger } = harness(new MemoryStorage(), clock);
  await web(ledger, clock);
  const request = { agent: 'a', session: S, subject: 't', severity: 0.5, cause: 'denial-1' };
  unwrap(await ledger.slash(request));
  const once = await scores(ledger);
  const again = unwrap(await ledger.slash(request));
  assert.deepEqual(again, { duplicate: true, slashes: [] });
  assert.deepEqual(await scores(ledger), once);
});

test('issue 5 trust: a slash without vouchers hits the vouchee alone and floors at 0', async () => {
  const { ledger } = harness(new MemoryStorage(), new FakeClock());
  for (let i = 0; i < 4; i++) {
    unwrap(await ledger.slash({ agent: 'lone', session: S, subject: `m${i}`, severity: 1, cause: `c${i}` }));
  }
  assert.equal(unwrap(await ledger.score('lone')), 0);
  const history = unwrap(await ledger.history('lone'));
  assert.equal(history.counts.slashes, 4);
  assert.ok(close(history.counts.slashedTotal, 0.5), 'only what was there is taken');
  const bad = await ledger.slash({ agent: 'lone', session: S, subject: 'm', severity: 0, cause: 'c' });
  assert.equal(bad.ok ? 'ok' : bad.error.code, ERROR_CODES.INVALID_INPUT);
});

test('issue 5 trust: slashes are persisted, read back from a reopened SQLite storage', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'maos-trust-'));
  const path = join(dir, 'trust.db');
  try {
    const clock = new FakeClock();
    const signer = testSigner();
    let storage: Storage = await openSqliteStorage(path);
    const first = harness(storage, clock, signer).ledger;
    await web(first, clock);
    unwrap(await first.slash({ agent: 'a', session: S, subject: 't', severity: 1, cause: 'denial-9' }));
    const slashed = await scores(first);
    await storage.close();

    storage = await openSqliteStorage(path);
    const reopened = harness(storage, clock, signer).ledger;
    assert.deepEqual(await scores(reopened), slashed, 'every slashed score survives the restart');
    assert.ok((slashed.a ?? 1) < 0.5 && (slashed.b ?? 1) < 0.8);
    assert.equal(unwrap(await reopened.history('d')).counts.slashes, 1);
    const again = unwrap(
      await reopened.slash({ agent: 'a', session: S, subject: 't', severity: 1, cause: 'denial-9' }),
    );
    assert.equal(again.duplicate, true, 'the slashed cause is remembered too');
    await storage.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
