// Public face of src/pod: agent pods, their Sentry and gateways, manifests and LLM providers.

export { nameAllowlist } from './allowlist.ts';
export type { AgentMemory } from './gateways/memory-router.ts';
export type { IntentOutcome, IntentRequest, PodMessage, PodServices } from './gateways/port.ts';
export { OpenAiCompatibleProvider } from './llm/openai-compatible.ts';
export type { LlmProvider } from './llm/provider.ts';
export { ScriptedProvider } from './llm/scripted.ts';
export { type AgentManifest, loadManifest, MANIFEST_FILE, parseManifest, sandboxFor } from './manifest.ts';
export { Pod, type PodState } from './pod.ts';
export { type PodLifecycle, PodManager, type PodManagerOptions, type PodSummary } from './pod-manager.ts';
export { POD_MESSAGE_BYTES_MAX, SIGNALS, type Signal } from './protocol.ts';
export { createSandbox } from './sandbox/create-sandbox.ts';
export type { CreateSandbox, Sandbox, SandboxKind, SandboxReport, SandboxSpec } from './sandbox/port.ts';
