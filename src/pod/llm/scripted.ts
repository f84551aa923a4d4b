// A deterministic LLM provider for tests and demos: replies chosen by substring rules over the last
// user message, first match wins. Usage is estimated like the gateway's (characters / 4).

import type { KernelError } from '../../shared/index.ts';
import { ok, type Result } from '../../shared/index.ts';
import { estimateTokens, type LlmCompletion, type LlmProvider, type LlmRequest } from './provider.ts';

/** Requests a scripted provider keeps for tests to read; older ones are dropped. */
export const SCRIPTED_REQUESTS_KEPT_MAX = 100;

export type ScriptedRule = {
  /** A substring of the last user message; a rule without one always matches. */
  readonly when?: string | undefined;
  readonly reply: string;
};

export type ScriptedProviderOptions = {
  readonly name?: string;
  readonly rules?: readonly ScriptedRule[];
  readonly defaultReply?: string;
};

export class ScriptedProvider implements LlmProvider {
  readonly name: string;
  readonly #rules: readonly ScriptedRule[];
  readonly #defaultReply: string;
  /** The last `SCRIPTED_REQUESTS_KEPT_MAX` requests seen, newest last, for tests. */
  readonly requests: LlmRequest[] = [];

  constructor(options: ScriptedProviderOptions = {}) {
    this.name = options.name ?? 'scripted';
    this.#rules = [...(options.rules ?? [])];
    this.#defaultReply = options.defaultReply ?? 'ok';
  }

  async complete(request: LlmRequest): Promise<Result<LlmCompletion, KernelError>> {
    if (this.requests.length >= SCRIPTED_REQUESTS_KEPT_MAX) this.requests.shift();
    this.requests.push(request);
    let lastUser = '';
    let chars = 0;
    for (const message of request.messages) {
      chars += message.content.length;
      if (message.role === 'user') lastUser = message.content;
    }
    const rule = this.#rules.find((r) => r.when === undefined || lastUser.includes(r.when));
    const text = rule?.reply ?? this.#defaultReply;
    return ok({
      text,
      usage: { inputTokens: estimateTokens(chars), outputTokens: estimateTokens(text.length) },
    });
  }
}
