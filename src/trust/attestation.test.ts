// Kernel-signed attestations: Ed25519 over canonical JSON, verified with the public key; tampered,
// expired, future-dated, foreign-key and malformed attestations fail with a clear reason.

import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { canonicalJson, ERROR_CODES, isKernelError, type Result, unwrap } from '../shared/index.ts';
import { MemoryStorage } from '../storage/index.ts';
import { FakeClock } from '../testing/fake-clock.ts';
import { type Attestation, createAttestationSigner, verifyAttestation } from './attestation.ts';
import { ATTESTATION_TTL_MS } from './params.ts';
import { harness, testSigner } from './test-harness.ts';

function reasonOf(result: Result<unknown>): string {
  return result.ok ? 'ok' : String(result.error.details?.reason);
}

async function signedScore() {
  const clock = new FakeClock();
  const h = harness(new MemoryStorage(), clock);
  const attestation = unwrap(await h.ledger.attest('agent-a'));
  return { ...h, attestation };
}

test('issue 5 trust: a trust-score attestation verifies with the kernel public key', async () => {
  const { attestation, signer, clock } = await signedScore();
  assert.equal(attestation.statement.kind, 'trust-score');
  assert.equal(attestation.statement.score, 0.5);
  assert.equal(attestation.statement.issuer, signer.keyId);
  assert.equal(attestation.statement.expires - attestation.statement.at, ATTESTATION_TTL_MS);
  const verified = verifyAttestation(
    JSON.parse(JSON.stringify(attestation)),
    signer.publicKey,
    clock.wallMs(),
  );
  assert.ok(verified.ok);
  const byId = verifyAttestation(attestation, new Map([[signer.keyId, signer.publicKey]]), clock.wallMs());
  assert.ok(byId.ok);
});

test('issue 5 trust: the signature covers the canonical JSON of the statement', async () => {
  const { attestation, signer, clock } = await signedScore();
  // Reordered keys are the same statement: canonical JSON makes the signature independent of order.
  const reordered = Object.fromEntries(Object.entries(attestation.statement).reverse());
  assert.equal(canonicalJson(reordered), canonicalJson(attestation.statement));
  assert.ok(
    verifyAttestation(
      { statement: reordered, signature: attestation.signature },
      signer.publicKey,
      clock.wallMs(),
    ).ok,
  );
});

test('issue 5 trust: a tampered attestation fails as signature-invalid', async () => {
  const { attestation, signer, clock } = await signedScore();
  const tampers: Attestation[] = [
    { ...attestation, statement: { ...attestation.statement, score: 0.99 } },
    { ...attestation, statement: { ...attestation.statement, agent: 'agent-b' } },
    {
      ...attestation,
      statement: { ...attestation.statement, expires: attestation.statement.expires + 60_000 },
    },
  ];
  for (const tampered of tampers) {
    const verified = verifyAttestation(tampered, signer.publicKey, clock.wallMs());
    assert.equal(reasonOf(verified), 'signature-invalid');
    assert.equal(verified.ok ? 'ok' : verified.error.code, ERROR_CODES.TOKEN_SIGNATURE_INVALID);
  }
  const flipped = Buffer.from(attestation.signature, 'base64url');
  flipped[0] = (flipped[0] ?? 0) ^ 1;
  const badSig = { ...attestation, signature: flipped.toString('base64url') };
  assert.equal(reasonOf(verifyAttestation(badSig, signer.publicKey, clock.wallMs())), 'signature-invalid');
});

test('issue 5 trust: a verification remembered for speed counts only for its exact statement, signature and key', async () => {
  const { attestation, signer, clock } = await signedScore();
  const nowMs = clock.wallMs();
  for (let i = 0; i < 2; i++) assert.ok(verifyAttestation(attestation, signer.publicKey, nowMs).ok);
  const tampered = { ...attestation, statement: { ...attestation.statement, score: 0.99 } };
  assert.equal(reasonOf(verifyAttestation(tampered, signer.publicKey, nowMs)), 'signature-invalid');
  assert.equal(reasonOf(verifyAttestation(attestation, testSigner().publicKey, nowMs)), 'signature-invalid');
  assert.equal(
    reasonOf(verifyAttestation(attestation, signer.publicKey, attestation.statement.expires)),
    'expired',
  );
  assert.ok(verifyAttestation(attestation, signer.publicKey, nowMs).ok);
});

test('issue 5 trust: an attestation signed by another key fails', async () => {
  const { attestation, clock } = await signedScore();
  const stranger = testSigner();
  assert.equal(
    reasonOf(verifyAttestation(attestation, stranger.publicKey, clock.wallMs())),
    'signature-invalid',
  );
  const verified = verifyAttestation(attestation, new Map([['other', stranger.publicKey]]), clock.wallMs());
  assert.equal(reasonOf(verified), 'key-unknown');
  assert.equal(verified.ok ? 'ok' : verified.error.code, ERROR_CODES.TOKEN_KEY_UNKNOWN);
});

test('issue 5 trust: an expired attestation fails as expired, a future-dated one as not-yet-valid', async () => {
  const { attestation, signer, clock } = await signedScore();
  const expires = attestation.statement.expires;
  assert.ok(verifyAttestation(attestation, signer.publicKey, expires - 1).ok);
  const expired = verifyAttestation(attestation, signer.publicKey, expires);
  assert.equal(reasonOf(expired), 'expired');
  assert.equal(expired.ok ? 'ok' : expired.error.code, ERROR_CODES.TOKEN_EXPIRED);
  assert.match(expired.ok ? '' : expired.error.message, /^attestation expired at \d+$/);
  const early = verifyAttestation(attestation, signer.publicKey, clock.wallMs() - 60_000);
  assert.equal(reasonOf(early), 'not-yet-valid');
});

test('issue 5 trust: malformed attestations fail as malformed before any crypto', async () => {
  const { attestation, signer, clock } = await signedScore();
  const s = attestation.statement;
  const bad: unknown[] = [
    null,
    'x',
    [],
    { statement: s },
    { statement: s, signature: attestation.signature, extra: 1 },
    { statement: { ...s, kind: 'bribe' }, signature: attestation.signature },
    { statement: { ...s, score: 1.5 }, signature: attestation.signature },
    { statement: { ...s, extra: true }, signature: attestation.signature },
    { statement: { ...s, expires: s.at }, signature: attestation.signature },
    { statement: { ...s, expires: s.at + 2 * 86_400_000 }, signature: attestation.signature },
    { statement: s, signature: 'AAAA' },
    { statement: JSON.parse('{"__proto__":{"x":1}}'), signature: attestation.signature },
  ];
  for (const value of bad) {
    const verified = verifyAttestation(value, signer.publicKey, clock.wallMs());
    assert.equal(reasonOf(verified), 'malformed', JSON.stringify(value));
    assert.equal(verified.ok ? 'ok' : verified.error.code, ERROR_CODES.TOKEN_MALFORMED);
  }
});

test('issue 5 trust: the signer refuses keys that are not an Ed25519 pair', () => {
  const a = generateKeyPairSync('ed25519');
  const b = generateKeyPairSync('ed25519');
  const x = generateKeyPairSync('x25519');
  const refused = [
    { privateKey: a.privateKey, publicKey: b.publicKey },
    { privateKey: a.publicKey, publicKey: a.publicKey },
    { privateKey: x.privateKey, publicKey: x.publicKey },
  ];
  for (const keys of refused) {
    assert.throws(
      () => createAttestationSigner(keys),
      (error) => isKernelError(error) && error.code === ERROR_CODES.INVALID_INPUT,
    );
  }
  assert.equal(createAttestationSigner(a, 'k1').keyId, 'k1');
});
