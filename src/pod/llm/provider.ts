// LLM provider port: what the LLM gateway calls once a request has passed its allowlists, budget
// and prompt screening. Implementations: an OpenAI-compatible HTTP client and a scripted one.

import type { KernelError, Result } from '../../shared/index.ts';

export type LlmRole = 'system' | 'user' | 'assistant';

export type LlmMessage = { readonly role: LlmRole; readonly content: string };

export type LlmRequest = {
  readonly model: string;
  readonly messages: readonly LlmMessage[];
  /** Most tokens the reply may have; the gateway always sets it from the agent's budget. */
  readonly maxTokens?: number;
};

export type LlmUsage = { readonly inputTokens: number; readonly outputTokens: number };

export type LlmCompletion = { readonly text: string; readonly usage: LlmUsage };

export interface LlmProvider {
  /** The name manifests use in `gateways.llm.providers`. */
  readonly name: string;
  /** Fails `LLM_PROVIDER_FAILED` on any transport, status or format problem; never throws. */
  complete(request: LlmRequest): Promise<Result<LlmCompletion, KernelError>>;
}

/** The rough token count of text when a provider does not say: a quarter of its characters, rounded up. */
export function estimateTokens(chars: number): number {
  return Math.ceil(chars / 4);
}
