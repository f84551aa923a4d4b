// Public face of the kernel for feature folders (oversight, saga, pods, …) and the runtime.

export * from './commit/index.ts';
export type { Decision, Verdict } from './decision.ts';
export type { KernelMode } from './decision-context.ts';
export type { KernelEvent, KernelEventSink } from './events.ts';
export { type Intent, type JsonObject, parseIntent } from './intent.ts';
export * from './journal/index.ts';
export { type Decided, Kernel, type KernelOptions, type Screening } from './kernel.ts';
export { type ActionPolicy, actionPolicyOf, type Policy } from './policy.ts';
export { hasNestedQuantifier } from './prefilter/regex-safety.ts';
export { type SideEffectClass, strictestSideEffect } from './side-effect.ts';
export { actionMatches, resourceMatches } from './token/pattern.ts';
export { TOKEN_REF_PREFIX } from './token/verified-token.ts';
