// Trust for pods (issue 5): the ledger persisted in the runtime's storage, attestations signed with
// the issuer's Ed25519 key, and a synchronous cache of scores that the bus's receive checks read
// (a receiver refuses senders below its `inbound.trustMin`). Commits, denials, counted anomalies
// and quarantine stages feed it.

import type { KeyObject } from 'node:crypto';
import type { ImmuneEvent } from '../immune/index.ts';
import type { IssuerKeys } from '../kernel/token/issuer-keys.ts';
import { type Clock, touchBounded } from '../shared/index.ts';
import type { Storage } from '../storage/port.ts';
import { createAttestationSigner, type TrustEvent, TrustLedger } from '../trust/index.ts';

/** Cached scores kept before the least recently updated are forgotten (then read again on start). */
const CACHED_MAX = 10_000;

export class PodTrust {
  readonly ledger: TrustLedger;
  /** The key that verifies the ledger's attestations (vouches, slashes, scores), by key id. */
  readonly attestationKeys: ReadonlyMap<string, KeyObject>;
  readonly #scores = new Map<string, number>();

  constructor(options: { readonly storage: Storage; readonly clock: Clock; readonly keys: IssuerKeys }) {
    const signer = createAttestationSigner(options.keys.current.ed25519, `trust-${options.keys.current.kid}`);
    this.ledger = new TrustLedger({ storage: options.storage, clock: options.clock, signer });
    this.attestationKeys = new Map([[signer.keyId, options.keys.current.ed25519.publicKey]]);
  }

  /** Reads an agent's persisted score into the cache (a pod is starting). */
  async load(agent: string): Promise<void> {
    const score = await this.ledger.score(agent);
    if (score.ok) this.#remember(agent, score.value);
  }

  /** The cached score; undefined for an agent that never started here (the bus then counts 0). */
  scoreOf(agent: string): number | undefined {
    return this.#scores.get(agent);
  }

  record(event: TrustEvent): void {
    void this.ledger.record(event).then(
      (score) => {
        if (score.ok) this.#remember(event.agent, score.value);
      },
      () => {},
    );
  }

  /** What the immune system saw, as trust events: counted anomalies and quarantine stages. */
  observe(event: ImmuneEvent): void {
    if (event.type === 'immune.anomaly' && event.counted) {
      this.record({ agent: event.agent, kind: 'anomaly', weight: event.weight });
    } else if (event.type === 'immune.stage' && event.to > event.from) {
      this.record({ agent: event.agent, kind: 'quarantine', stage: event.to as 0 | 1 | 2 | 3 | 4 | 5 });
    }
  }

  #remember(agent: string, score: number): void {
    touchBounded(this.#scores, agent, score, CACHED_MAX);
  }
}
