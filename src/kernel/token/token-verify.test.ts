// Unit tests for verification: both signatures must verify (hybrid), claims are validated after the
// crypto, and the attenuation chain is re-checked (INV-4). Also the digest and inspection.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { GeneralSign, generalVerify } from 'jose';
import { canonicalJson } from '../../shared/index.ts';
import { FakeClock } from '../../testing/fake-clock.ts';
import { SeededRandom } from '../../testing/seeded-random.ts';
import type { TokenClaims } from './claims.ts';
import type { IssuerKeyPair } from './issuer-keys.ts';
import { generateIssuerKeyPair, publicKeysOf } from './key-material.ts';
import { type MintRequest, mintToken } from './token-mint.ts';
import { inspectToken, tokenDigest, verifyToken } from './token-verify.ts';

const KID = 'k-verify';
const key = generateIssuerKeyPair(KID);
const impostor = generateIssuerKeyPair(KID);
const keys = publicKeysOf([key]);
const clock = new FakeClock();
const ctx = { clock, random: new SeededRandom(11), epoch: 3 };
const REQUEST: MintRequest = {
  sub: 'alice',
  aud: 'node-1',
  ring: 2,
  trust: 'internal',
  scopes: [{ action: 'fs.*', resource: '/w/**', constraint: ['args.size < 10'] }],
};

async function mint(request: MintRequest = REQUEST, issuer: IssuerKeyPair = key) {
  const minted = await mintToken(request, issuer, ctx);
  assert.ok(minted.ok);
  return minted.value;
}

/** Signs arbitrary payload text; `ed` and `ml` may be different key pairs (forgery attempts). */
async function signRaw(payload: string, ed: IssuerKeyPair, ml: IssuerKeyPair, kid = KID): Promise<string> {
  const signer = new GeneralSign(new TextEncoder().encode(payload));
  signer.addSignature(ed.ed25519.privateKey).setProtectedHeader({ alg: 'EdDSA', kid, typ: 'maos-cap+jws' });
  signer
    .addSignature(ml.mlDsa65.privateKey)
    .setProtectedHeader({ alg: 'ML-DSA-65', kid, typ: 'maos-cap+jws' });
  const jws = await signer.sign();
  return JSON.stringify({
    payload: jws.payload,
    signatures: jws.signatures.map((s) => ({ protected: s.protected, signature: s.signature })),
  });
}

async function code(serialized: string): Promise<string | undefined> {
  const verified = await verifyToken(serialized, keys);
  return verified.ok ? undefined : verified.error.code;
}

test('DR-T1: a minted token verifies and exposes its claims, chain and validity window', async () => {
  const { token, claims } = await mint();
  const verified = await verifyToken(token, keys);
  assert.ok(verified.ok);
  assert.deepEqual(verified.value.claims, claims);
  assert.deepEqual(verified.value.chainIds, [claims.jti]);
  assert.equal(verified.value.notBeforeMs, claims.nbf);
  assert.equal(verified.value.expiresMs, claims.exp);
  assert.equal(verified.value.claims.epoch, 3);
  const vars = { args: { size: 1 }, resource: '/w/a', action: 'fs.read', agent: 'alice' };
  assert.equal(verified.value.match('fs.read', '/w/a', vars).kind, 'covered');
  assert.equal(
    verified.value.match('fs.read', '/w/a', { ...vars, args: { size: 99 } }).kind,
    'constraint-failed',
  );
  assert.equal(verified.value.match('net.get', '/w/a', vars).kind, 'not-covered');
  assert.ok(Object.isFrozen(verified.value.claims.scopes[0]));
});

test('the digest is `tok:` + base64url sha-256 of the exact text', async () => {
  const { token } = await mint();
  const expected = `tok:${createHash('sha256').update(token).digest('base64url')}`;
  assert.equal(tokenDigest(token), expected);
  const verified = await verifyToken(token, keys);
  assert.ok(verified.ok);
  assert.equal(verified.value.digest, expected);
});

test('DR-T1: both signatures must verify; one valid signature is not enough', async () => {
  const { claims } = await mint();
  const payload = canonicalJson(claims);
  assert.equal(await code(await signRaw(payload, key, key)), undefined);
  assert.equal(await code(await signRaw(payload, key, impostor)), 'TOKEN_SIGNATURE_INVALID');
  assert.equal(await code(await signRaw(payload, impostor, key)), 'TOKEN_SIGNATURE_INVALID');
  assert.equal(await code(await signRaw(payload, impostor, impostor)), 'TOKEN_SIGNATURE_INVALID');
});

test('DR-T1: signatures cannot be mixed between tokens', async () => {
  const a = JSON.parse((await mint()).token) as { payload: string; signatures: unknown[] };
  const b = JSON.parse((await mint({ ...REQUEST, sub: 'bob' })).token) as {
    payload: string;
    signatures: unknown[];
  };
  const mixed = JSON.stringify({ payload: a.payload, signatures: [a.signatures[0], b.signatures[1]] });
  assert.equal(await code(mixed), 'TOKEN_SIGNATURE_INVALID');
  const swappedPayload = JSON.stringify({ payload: b.payload, signatures: a.signatures });
  assert.equal(await code(swappedPayload), 'TOKEN_SIGNATURE_INVALID');
});

test('DR-T1: widened claims under the original signatures fail', async () => {
  const { token, claims } = await mint();
  const w = JSON.parse(token) as { payload: string; signatures: unknown[] };
  const widened: TokenClaims[] = [
    { ...claims, scopes: [...claims.scopes, { action: '*', resource: '**' }] },
    { ...claims, exp: claims.exp + 3_600_000 },
    { ...claims, sub: 'mallory' },
    { ...claims, ring: 1 },
  ];
  for (const forged of widened) {
    const payload = Buffer.from(canonicalJson(forged)).toString('base64url');
    assert.equal(await code(JSON.stringify({ ...w, payload })), 'TOKEN_SIGNATURE_INVALID');
  }
});

test('an unknown kid is refused before any crypto', async () => {
  const { token } = await mint(REQUEST, generateIssuerKeyPair('k-stranger'));
  assert.equal(await code(token), 'TOKEN_KEY_UNKNOWN');
});

test('claims are validated after the signatures: json, schema and kid', async () => {
  const { claims } = await mint();
  assert.equal(await code(await signRaw('not json', key, key)), 'TOKEN_CLAIMS_INVALID');
  assert.equal(await code(await signRaw('[1]', key, key)), 'TOKEN_CLAIMS_INVALID');
  const duplicate = canonicalJson(claims).replace('{', '{"sub":"mallory",');
  assert.equal(await code(await signRaw(duplicate, key, key)), 'TOKEN_CLAIMS_INVALID');
  const unknown = canonicalJson({ ...claims, admin: true });
  assert.equal(await code(await signRaw(unknown, key, key)), 'TOKEN_CLAIMS_INVALID');
  const otherKid = canonicalJson({ ...claims, kid: 'k-other' });
  assert.equal(await code(await signRaw(otherKid, key, key)), 'TOKEN_HEADER_INVALID');
  const badConstraint = canonicalJson({
    ...claims,
    scopes: [{ action: '*', resource: '**', constraint: ['(('] }],
  });
  assert.equal(await code(await signRaw(badConstraint, key, key)), 'TOKEN_CLAIMS_INVALID');
});

test('INV-4: a signed child whose embedded parent is narrower is refused when checking', async () => {
  const { claims: parent } = await mint({ ...REQUEST, scopes: [{ action: 'fs.read', resource: '/w/*' }] });
  const child: TokenClaims = {
    ...parent,
    jti: '01900000-0000-7000-8000-0000000000c1',
    scopes: [{ action: 'fs.*', resource: '/w/*' }],
    parent,
  };
  const verified = await verifyToken(await signRaw(canonicalJson(child), key, key), keys);
  assert.ok(!verified.ok);
  assert.equal(verified.error.code, 'TOKEN_ATTENUATION_WIDENS');
  assert.match(verified.error.message, /`fs\.\*` on `\/w\/\*`/);
});

test('DR-T5: a chain deeper than the limit is refused by the schema', async () => {
  const { claims } = await mint();
  let deep: TokenClaims = claims;
  for (let i = 0; i < 4; i++) deep = { ...claims, parent: deep };
  assert.equal(await code(await signRaw(canonicalJson(deep), key, key)), 'TOKEN_CLAIMS_INVALID');
});

test('inspectToken decodes without verifying and shares the structural errors', async () => {
  const { token, claims } = await mint(REQUEST, impostor);
  const inspected = inspectToken(token);
  assert.ok(inspected.ok);
  assert.deepEqual(inspected.value.claims, claims);
  assert.equal(inspected.value.headers[1].alg, 'ML-DSA-65');
  assert.equal(inspected.value.digest, tokenDigest(token));
  const bad = inspectToken(`${token}x`);
  assert.ok(!bad.ok);
  assert.equal(bad.error.code, 'TOKEN_TRAILING_DATA');
});

test('non-string input never throws', async () => {
  for (const input of [undefined, null, 42, {}] as unknown as string[]) {
    const verified = await verifyToken(input, keys);
    assert.ok(!verified.ok);
    assert.equal(verified.error.code, 'TOKEN_MALFORMED');
  }
});

test('DR-T1: jose verifies both signatures of a minted token, and rejects the tampered token we reject', async () => {
  const minted = await mintToken(REQUEST, key, ctx);
  assert.ok(minted.ok);
  const envelope = JSON.parse(minted.value.token) as Parameters<typeof generalVerify>[0];
  const ed = await generalVerify(envelope, key.ed25519.publicKey, { algorithms: ['EdDSA'] });
  const ml = await generalVerify(envelope, key.mlDsa65.publicKey, { algorithms: ['ML-DSA-65'] });
  assert.equal(ed.protectedHeader?.alg, 'EdDSA');
  assert.equal(ml.protectedHeader?.alg, 'ML-DSA-65');
  assert.deepEqual(JSON.parse(new TextDecoder().decode(ed.payload)), minted.value.claims);

  const claims = { ...minted.value.claims, scopes: [{ action: '*', resource: '**' }] };
  const forged = {
    ...(envelope as { payload: string }),
    payload: Buffer.from(JSON.stringify(claims)).toString('base64url'),
  };
  const ours = await verifyToken(JSON.stringify(forged), keys);
  assert.equal(ours.ok ? 'accepted' : ours.error.code, 'TOKEN_SIGNATURE_INVALID');
  for (const [publicKey, alg] of [
    [key.ed25519.publicKey, 'EdDSA'],
    [key.mlDsa65.publicKey, 'ML-DSA-65'],
  ] as const) {
    await assert.rejects(generalVerify(forged as typeof envelope, publicKey, { algorithms: [alg] }));
  }
});
