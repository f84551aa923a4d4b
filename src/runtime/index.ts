// Public face of src/runtime: what the CLI and HTTP layers may use.

export type { Decision } from '../kernel/decision.ts';
export type { Kernel, KernelMintRequest } from '../kernel/kernel.ts';
export { LIMITS } from '../kernel/limits.ts';
export { type AgentRing, isAgentRing } from '../kernel/rings.ts';
export { inspectToken, type MintedToken, type Scope, verifyToken } from '../kernel/token/index.ts';
export { runSaga, type SagaDefinition, type SagaOutcome } from '../saga/saga.ts';
export { configJsonSchema, type LoadedConfig, loadConfig } from './config.ts';
export { loadIssuerKeys, loadOrCreateIssuerKeys, retireIssuerKey, rotateIssuerKey } from './key-store.ts';
export { openRuntime, type Runtime, type RuntimeOptions } from './runtime.ts';
export { packageVersion } from './version.ts';
