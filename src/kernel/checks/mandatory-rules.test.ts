import assert from 'node:assert/strict';
import { test } from 'node:test';
import { actionPolicy, testContext, testIntent, testPolicy } from '../../testing/fixtures.ts';
import { decide } from '../decide.ts';
import { MANDATORY_RULES } from '../mandatory-rules.ts';

function check5(intent = testIntent(), overrides: Parameters<typeof testContext>[0] = {}) {
  return decide(intent, testContext(overrides)).checks.find((c) => c.check === 'mandatory-rules');
}

test('the eleven mandatory rules are frozen data', () => {
  assert.equal(MANDATORY_RULES.length, 11);
  assert.ok(Object.isFrozen(MANDATORY_RULES));
  assert.throws(() => {
    (MANDATORY_RULES as unknown as unknown[]).push({});
  });
  assert.ok(Object.isFrozen(MANDATORY_RULES[0]));
});

test('MR-1: a policy whose hash differs from the boot hash denies', () => {
  const outcome = check5(testIntent(), { bootPolicyHash: 'other' });
  assert.deepEqual(outcome?.detail, { rules: ['MR-1'] });
});

test('MR-1: an unfrozen policy object denies', () => {
  const policy = { ...testPolicy() };
  const outcome = check5(testIntent(), { policy, bootPolicyHash: policy.hash });
  assert.deepEqual(outcome?.detail, { rules: ['MR-1'] });
});

test('MR-2: private key material in arguments denies', () => {
  const pem = '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI\n-----END PRIVATE KEY-----';
  assert.deepEqual(check5(testIntent({ args: { note: pem } }))?.detail, { rules: ['MR-2'] });
  const jwk = { key: { kty: 'OKP', crv: 'Ed25519', x: 'abc', d: 'secret' } };
  assert.deepEqual(check5(testIntent({ args: jwk }))?.detail, { rules: ['MR-2'] });
  assert.equal(check5(testIntent({ args: { key: { kty: 'OKP', x: 'public-only' } } }))?.verdict, 'allow');
});

test('MR-3: emergency mode denies everything, reads included', () => {
  const read = testIntent({ action: 'fs.read', sideEffect: 'read' });
  assert.deepEqual(check5(read, { mode: 'emergency' })?.detail, { rules: ['MR-3'] });
});

test('DR-R1 MR-4: a promotion action is refused at run time', () => {
  assert.deepEqual(check5(testIntent({ action: 'ring.promote' }))?.detail, { rules: ['MR-4'] });
});

test('DR-C5 MR-5: a destructive action that cannot be snapshotted never passes', () => {
  const policy = testPolicy({
    actions: new Map([
      ['fs.delete', actionPolicy('fs.delete', { sideEffect: 'destructive', snapshot: false })],
    ]),
  });
  const outcome = check5(testIntent({ action: 'fs.delete', sideEffect: 'destructive' }), {
    policy,
    bootPolicyHash: policy.hash,
  });
  assert.deepEqual(outcome?.detail, { rules: ['MR-5'] });
  const snapshotted = testPolicy({
    actions: new Map([['fs.delete', actionPolicy('fs.delete', { sideEffect: 'destructive' })]]),
  });
  assert.equal(
    check5(testIntent({ action: 'fs.delete' }), { policy: snapshotted, bootPolicyHash: snapshotted.hash })
      ?.verdict,
    'allow',
  );
});

test('MR-5: an irreversible action escalates to a human', () => {
  const policy = testPolicy({
    actions: new Map([['email.send', actionPolicy('email.send', { sideEffect: 'irreversible' })]]),
  });
  const decision = decide(
    testIntent({ action: 'email.send' }),
    testContext({ policy, bootPolicyHash: policy.hash }),
  );
  assert.equal(decision.verdict, 'escalate');
  assert.equal(decision.checks[4]?.code, 'APPROVAL_REQUIRED');
});

test('an action the policy marks for approval escalates', () => {
  const policy = testPolicy({
    actions: new Map([['fs.write', actionPolicy('fs.write', { approval: true })]]),
  });
  const decision = decide(testIntent(), testContext({ policy, bootPolicyHash: policy.hash }));
  assert.equal(decision.verdict, 'escalate');
});

test('MR-8 MR-10: commit freeze and a missed heartbeat stop writes but not reads', () => {
  const read = testIntent({ action: 'fs.read', sideEffect: 'read' });
  assert.deepEqual(check5(testIntent(), { mode: 'commit-freeze' })?.detail, { rules: ['MR-8'] });
  assert.equal(check5(read, { mode: 'commit-freeze' })?.verdict, 'allow');
  assert.deepEqual(check5(testIntent(), { heartbeatOk: false })?.detail, { rules: ['MR-10'] });
  assert.equal(check5(read, { heartbeatOk: false })?.verdict, 'allow');
});

test('DR-H8 MR-8: during recovery hold nothing new changes the world; reads still pass', () => {
  const read = testIntent({ action: 'fs.read', sideEffect: 'read' });
  assert.deepEqual(check5(testIntent(), { mode: 'recovery-hold' })?.detail, { rules: ['MR-8'] });
  assert.deepEqual(
    check5(testIntent({ sideEffect: 'irreversible' }), { mode: 'recovery-hold' })?.verdict,
    'deny',
  );
  assert.equal(check5(read, { mode: 'recovery-hold' })?.verdict, 'allow');
});

test('MR-9: kernel operations are not callable by agents', () => {
  for (const action of ['kernel.commit', 'wal.append', 'keys.decrypt', 'config.update', 'dsc.evaluate']) {
    assert.deepEqual(check5(testIntent({ action }))?.detail, { rules: ['MR-9'] }, action);
  }
});

test('MR-11: an agent this kernel does not supervise is denied', () => {
  assert.deepEqual(check5(testIntent({ agent: 'stranger' }))?.detail, { rules: ['MR-11'] });
});
