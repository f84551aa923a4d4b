// Public face of src/trust: inter-agent trust scores, kernel-signed attestations, vouching and
// slashing (issue 5, decision 0011). The bus carries vouch attestations; receivers apply thresholds.

export {
  ATTESTATION_KINDS,
  type Attestation,
  type AttestationFailure,
  type AttestationKeys,
  type AttestationKind,
  type AttestationSigner,
  type AttestationStatement,
  createAttestationSigner,
  type SlashStatement,
  type TrustScoreStatement,
  type VouchStatement,
  verifyAttestation,
} from './attestation.ts';
export { type Bond, effectiveScoreOf, VOUCH_REFUSALS, type VouchRefusal } from './bonds.ts';
export {
  type EffectiveQuery,
  type SlashOutcome,
  type SlashRecord,
  TrustLedger,
  type TrustLedgerOptions,
  type VouchOutcome,
} from './ledger.ts';
export * as TRUST_PARAMS from './params.ts';
export type { SlashRequest, VouchInput } from './requests.ts';
export type { TrustCounts, TrustEvent, TrustEventKind, TrustRecord } from './score.ts';
export {
  ADMISSION_REFUSALS,
  type Admission,
  type AdmissionRefusal,
  admission,
  admits,
  refuseBelowThreshold,
} from './threshold.ts';
export { type VouchChainExpectation, type VouchChainSummary, verifyVouchChain } from './vouch-chain.ts';
