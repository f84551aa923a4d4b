// Signing: canonical claims under both issuer keys with jose's GeneralSign, Ed25519 first and
// ML-DSA-65 second (§14a.3). Shared by minting and attenuation.

import { GeneralSign } from 'jose';
import { assert, canonicalJson } from '../../shared/index.ts';
import type { TokenClaims } from './claims.ts';
import type { IssuerKeyPair } from './issuer-keys.ts';
import { formatEnvelope, TOKEN_ALGS, TOKEN_TYP } from './token-envelope.ts';

const encoder = new TextEncoder();

/** Returns the serialized token for `claims`; `claims.kid` must be the key's id. */
export async function signClaims(claims: TokenClaims, key: IssuerKeyPair): Promise<string> {
  assert(claims.kid === key.kid, 'claims must name the signing key');
  const signer = new GeneralSign(encoder.encode(canonicalJson(claims)));
  signer
    .addSignature(key.ed25519.privateKey)
    .setProtectedHeader({ alg: TOKEN_ALGS[0], kid: key.kid, typ: TOKEN_TYP });
  signer
    .addSignature(key.mlDsa65.privateKey)
    .setProtectedHeader({ alg: TOKEN_ALGS[1], kid: key.kid, typ: TOKEN_TYP });
  const jws = await signer.sign();
  const [first, second] = jws.signatures;
  assert(first?.protected !== undefined && second?.protected !== undefined, 'jose returned two signatures');
  return formatEnvelope(jws.payload, [
    { protected: first.protected, signature: first.signature },
    { protected: second.protected, signature: second.signature },
  ]);
}
