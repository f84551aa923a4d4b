// Public face of the kernel for feature folders (oversight, saga, pods, …) and the runtime.

export { AgentToken } from './agent-token.ts';
export * from './commit/index.ts';
export { type CheckOutcome, type Decision, failing, type Verdict } from './decision.ts';
export type { KernelMode } from './decision-context.ts';
export type { KernelEvent, KernelEventSink } from './events.ts';
export { type Intent, type JsonObject, parseIntent } from './intent.ts';
export * from './journal/index.ts';
export { type Decided, Kernel, type KernelOptions, type Screening } from './kernel.ts';
export { LIMITS } from './limits.ts';
export { type ActionPolicy, actionPolicyOf, type Policy, unknownActionPolicy } from './policy.ts';
export { hasNestedQuantifier } from './prefilter/regex-safety.ts';
export { type SideEffectClass, strictestSideEffect } from './side-effect.ts';
export {
  NORMAL_STANDING,
  type Standing,
  type StandingLookup,
  type StandingRestriction,
} from './standing-port.ts';
export { generateIssuerKeyPair, publicKeysOf } from './token/index.ts';
export { actionMatches, resourceMatches } from './token/pattern.ts';
export { TOKEN_REF_PREFIX } from './token/verified-token.ts';
