// Join tokens: only the host's Ed25519 key mints them, and a forged, altered, re-encoded,
// foreign-key or expired token never verifies.

import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { test } from 'node:test';
import { canonicalJson, type KernelError, type Result } from '../shared/index.ts';
import { FakeClock } from '../testing/fake-clock.ts';
import { JOIN_TOKEN_TYPE, mintJoinToken, SESSION_LIMITS, verifyJoinToken } from './index.ts';

const HOST = generateKeyPairSync('ed25519');
const OTHER = generateKeyPairSync('ed25519');

function codeOf(result: Result<unknown, KernelError>): string {
  return result.ok ? 'ok' : result.error.code;
}

function mint(clock: FakeClock, agent = 'alice', ttlMs = 60_000): string {
  const token = mintJoinToken({ session: 's1', agent, ttlMs }, HOST.privateKey, clock);
  if (!token.ok) assert.fail(token.error.message);
  return token.value;
}

/** Signs arbitrary payload text with the host key, as a forger holding the key could. */
function signed(payload: string): string {
  const bytes = Buffer.from(payload, 'utf8');
  return `${bytes.toString('base64url')}.${sign(null, bytes, HOST.privateKey).toString('base64url')}`;
}

test('a minted token verifies and carries its claims', () => {
  const clock = new FakeClock();
  const claims = verifyJoinToken(mint(clock), HOST.publicKey, clock);
  assert.deepEqual(claims, {
    ok: true,
    value: { typ: JOIN_TOKEN_TYPE, session: 's1', agent: 'alice', exp: clock.wallMs() + 60_000 },
  });
});

test('a token expires at exp, by the injected clock', () => {
  const clock = new FakeClock();
  const token = mint(clock, 'alice', 1_000);
  clock.advance(999);
  assert.equal(codeOf(verifyJoinToken(token, HOST.publicKey, clock)), 'ok');
  clock.advance(1);
  assert.equal(codeOf(verifyJoinToken(token, HOST.publicKey, clock)), 'TOKEN_EXPIRED');
});

test('forgeries fail: another key, altered claims, swapped signature, re-encoding, garbage', () => {
  const clock = new FakeClock();
  const token = mint(clock);
  const [payload = '', signature = ''] = token.split('.');
  const foreign = mintJoinToken({ session: 's1', agent: 'alice', ttlMs: 60_000 }, OTHER.privateKey, clock);
  assert.ok(foreign.ok);
  assert.equal(codeOf(verifyJoinToken(foreign.value, HOST.publicKey, clock)), 'TOKEN_SIGNATURE_INVALID');
  const altered = Buffer.from(Buffer.from(payload, 'base64url').toString('utf8').replace('alice', 'mallo'));
  assert.equal(
    codeOf(verifyJoinToken(`${altered.toString('base64url')}.${signature}`, HOST.publicKey, clock)),
    'TOKEN_SIGNATURE_INVALID',
  );
  const bob = mint(clock, 'bob').split('.')[1];
  assert.equal(
    codeOf(verifyJoinToken(`${payload}.${bob}`, HOST.publicKey, clock)),
    'TOKEN_SIGNATURE_INVALID',
  );
  for (const bad of [
    '',
    '.',
    `${payload}.`,
    `${payload}.${signature}.x`,
    `${payload}=.${signature}`,
    'a.b',
    7,
    null,
  ]) {
    assert.equal(codeOf(verifyJoinToken(bad, HOST.publicKey, clock)), 'TOKEN_MALFORMED', String(bad));
  }
  assert.equal(
    codeOf(verifyJoinToken('a'.repeat(SESSION_LIMITS.tokenLengthMax + 1), HOST.publicKey, clock)),
    'TOKEN_MALFORMED',
  );
  // The private key in place of the public one is a programming slip, refused as such.
  assert.equal(codeOf(verifyJoinToken(token, HOST.privateKey, clock)), 'INVALID_INPUT');
});

test('signed but not a canonical join claim set: refused even with a valid signature', () => {
  const clock = new FakeClock();
  const exp = clock.wallMs() + 60_000;
  const claims = { typ: JOIN_TOKEN_TYPE, session: 's1', agent: 'alice', exp };
  assert.equal(codeOf(verifyJoinToken(signed(canonicalJson(claims)), HOST.publicKey, clock)), 'ok');
  const variants = [
    JSON.stringify(claims, null, 1),
    canonicalJson({ ...claims, typ: 'capability' }),
    canonicalJson({ ...claims, admin: true }),
    canonicalJson({ ...claims, agent: '../bob' }),
    canonicalJson({ ...claims, exp: 'never' }),
    `{"agent":"alice","agent":"bob","exp":${exp},"session":"s1","typ":"${JOIN_TOKEN_TYPE}"}`,
    'not json',
  ];
  for (const payload of variants) {
    assert.equal(
      codeOf(verifyJoinToken(signed(payload), HOST.publicKey, clock)),
      'TOKEN_CLAIMS_INVALID',
      payload,
    );
  }
});

test('minting refuses long lifetimes, bad ids and a non-Ed25519 key', () => {
  const clock = new FakeClock();
  const request = { session: 's1', agent: 'alice', ttlMs: SESSION_LIMITS.tokenTtlMsMax + 1 };
  assert.equal(codeOf(mintJoinToken(request, HOST.privateKey, clock)), 'TOKEN_TTL_EXCESSIVE');
  assert.equal(
    codeOf(mintJoinToken({ ...request, ttlMs: 0 }, HOST.privateKey, clock)),
    'TOKEN_TTL_EXCESSIVE',
  );
  assert.equal(
    codeOf(mintJoinToken({ ...request, ttlMs: 1, agent: '../x' }, HOST.privateKey, clock)),
    'INVALID_INPUT',
  );
  assert.equal(codeOf(mintJoinToken({ ...request, ttlMs: 1 }, HOST.publicKey, clock)), 'INVALID_INPUT');
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
  assert.equal(codeOf(mintJoinToken({ ...request, ttlMs: 1 }, rsa.privateKey, clock)), 'INVALID_INPUT');
});
