// Token benchmarks: cold verification of a hybrid-signed token (both signatures, claims schema,
// scope index), each iteration a token this process has never verified; and minting.

import { sign, verify } from 'node:crypto';
import { generateIssuerKeyPair, mintToken, publicKeysOf, verifyToken } from '../src/kernel/token/index.ts';
import { systemClock, systemRandom } from '../src/shared/index.ts';
import { benchScopes } from './fixture.ts';
import type { BenchCase } from './harness.ts';

const COLD_TOKENS = 2_000;

export async function tokenCases(): Promise<BenchCase[]> {
  const issuer = generateIssuerKeyPair('k-bench');
  const keys = publicKeysOf([issuer]);
  const scopes = benchScopes(10);
  const mint = () =>
    mintToken({ sub: 'agent-0', aud: 'bench-node', ring: 2, trust: 'internal', scopes }, issuer, {
      clock: systemClock,
      random: systemRandom,
      epoch: 0,
    });
  const tokens: string[] = [];
  for (let i = 0; i < COLD_TOKENS * 2; i++) {
    const minted = await mint();
    if (!minted.ok) throw minted.error;
    tokens.push(minted.value.token);
  }
  let next = 0;
  // The floor under cold verification: the two primitives alone, over a token-sized signing input.
  const input = Buffer.from(tokens[0] ?? '').subarray(0, 1_600);
  const edSignature = sign(null, input, issuer.ed25519.privateKey);
  const mlSignature = sign(null, input, issuer.mlDsa65.privateKey);
  return [
    {
      name: 'crypto/ed25519-verify',
      iterations: 3_000,
      run: () => {
        return verify(null, input, issuer.ed25519.publicKey, edSignature);
      },
    },
    {
      name: 'crypto/ml-dsa-65-verify',
      iterations: 3_000,
      run: () => {
        return verify(null, input, issuer.mlDsa65.publicKey, mlSignature);
      },
    },
    {
      name: 'token/verify/cold',
      iterations: COLD_TOKENS,
      warmup: COLD_TOKENS,
      run: async () => {
        const token = tokens[next++ % tokens.length] ?? '';
        const verified = await verifyToken(token, keys);
        if (!verified.ok) throw verified.error;
        return verified.value;
      },
      meta: {
        scopes: 10,
        tokenBytes: tokens[0]?.length,
        note: 'strict parse, Ed25519 + ML-DSA-65 (node:crypto), claims schema, scope index; every token new',
      },
    },
    {
      name: 'token/mint',
      iterations: 1_000,
      warmup: 200,
      run: async () => {
        const minted = await mint();
        return minted.ok;
      },
      meta: { scopes: 10 },
    },
  ];
}
