// For the trust tests only: a ledger on the storage and clock a test hands in (real storage, fake
// clock) with a fresh Ed25519 key pair, and a way to earn an agent a score through clean commits.
// Production code never imports this file.

import { generateKeyPairSync } from 'node:crypto';
import { type Clock, unwrap } from '../shared/index.ts';
import type { Storage } from '../storage/port.ts';
import { type AttestationSigner, createAttestationSigner } from './attestation.ts';
import { TrustLedger } from './ledger.ts';

export type Harness<C extends Clock> = {
  readonly ledger: TrustLedger;
  readonly clock: C;
  readonly signer: AttestationSigner;
};

export function testSigner(): AttestationSigner {
  return createAttestationSigner(generateKeyPairSync('ed25519'));
}

export function harness<C extends Clock>(storage: Storage, clock: C, signer = testSigner()): Harness<C> {
  return { ledger: new TrustLedger({ storage, clock, signer }), clock, signer };
}

/** Records clean commits until the agent's score reaches `target`; resolves to the score. */
export async function earn(ledger: TrustLedger, agent: string, target: number): Promise<number> {
  let score = unwrap(await ledger.score(agent));
  for (let i = 0; i < 1_000 && score < target; i++) {
    score = unwrap(await ledger.record({ agent, kind: 'clean-commit' }));
  }
  return score;
}

/** A bond end an hour ahead of the harness clock. */
export function inAnHour(clock: Clock): number {
  return clock.wallMs() + 60 * 60_000;
}
