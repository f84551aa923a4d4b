// Public face of src/bus: signed envelopes (alone or one signature per batch), the receiving
// side's checks and the two adapters.

export { signEnvelope, signEnvelopes } from './batch.ts';
export { BatchSigner, type BatchSignerStats } from './batch-signer.ts';
export type { BusOptions } from './delivery.ts';
export type { DlpFinding, DlpMode } from './dlp/index.ts';
export type {
  Envelope,
  EnvelopeDraft,
  MerkleProof,
  VouchEntry,
} from './envelope.ts';
export { BusKeyRing, type BusPublicKey, type KeyDirectory } from './key-ring.ts';
export { MemoryBus } from './memory-bus.ts';
export { NatsBus, type NatsBusOptions } from './nats-bus.ts';
export type { Bus, BusHandler, BusRecord, Subscription } from './port.ts';
export { BUS_REASONS, type BusReason, codeOfReason, reasonOf } from './reasons.ts';
export { type Delivery, type PolicyLookup, type ReceivePolicy, Receiver } from './receive-checks.ts';
export { SchemaRegistry } from './schema-registry.ts';
