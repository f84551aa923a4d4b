// An LLM provider for any OpenAI-compatible `/v1/chat/completions` endpoint (OpenAI, vLLM, llama.cpp,
// Ollama, LM Studio, …) over the global `fetch`. The reply is read with a size bound and a deadline;
// every problem becomes `LLM_PROVIDER_FAILED` with a one-line reason, never a throw.

import type { KernelError } from '../../shared/index.ts';
import { ERROR_CODES, fail, isKernelError, ok, type Result, readBodyBounded } from '../../shared/index.ts';
import { estimateTokens, type LlmCompletion, type LlmProvider, type LlmRequest } from './provider.ts';

export type OpenAiCompatibleOptions = {
  readonly name: string;
  /** `https://api.openai.com` or `http://127.0.0.1:8080/v1`; `/v1/chat/completions` is added as needed. */
  readonly baseUrl: string;
  /** The environment variable holding the API key, read on every request; none sends no key. */
  readonly apiKeyEnv?: string;
  readonly timeoutMs: number;
  /** The largest reply body read; a longer one fails. */
  readonly responseBytesMax?: number;
  /** Where `apiKeyEnv` is looked up (tests); `process.env` by default. */
  readonly env?: Readonly<Record<string, string | undefined>>;
};

export const OPENAI_RESPONSE_BYTES_MAX = 4 * 1024 * 1024;

export class OpenAiCompatibleProvider implements LlmProvider {
  readonly name: string;
  readonly #url: string;
  readonly #options: OpenAiCompatibleOptions;

  constructor(options: OpenAiCompatibleOptions) {
    if (!(options.timeoutMs > 0)) throw new RangeError('an llm provider needs a positive timeout');
    const base = new URL(options.baseUrl);
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new RangeError(`llm provider url \`${options.baseUrl}\` is not http or https`);
    }
    const path = base.pathname.replace(/\/+$/, '');
    base.pathname = path.endsWith('/v1') ? `${path}/chat/completions` : `${path}/v1/chat/completions`;
    this.name = options.name;
    this.#url = base.toString();
    this.#options = options;
  }

  async complete(request: LlmRequest): Promise<Result<LlmCompletion, KernelError>> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json',
    };
    const keyEnv = this.#options.apiKeyEnv;
    if (keyEnv !== undefined) {
      const key = (this.#options.env ?? process.env)[keyEnv];
      if (key === undefined || key === '') return this.#fail(`environment variable \`${keyEnv}\` is not set`);
      headers.authorization = `Bearer ${key}`;
    }
    const body = JSON.stringify({
      model: request.model,
      messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
      ...(request.maxTokens === undefined ? {} : { max_tokens: request.maxTokens }),
      stream: false,
    });
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.#options.timeoutMs);
    try {
      const response = await fetch(this.#url, {
        method: 'POST',
        headers,
        body,
        signal: abort.signal,
        redirect: 'error',
      });
      const text = await this.#readBounded(response, abort);
      if (!text.ok) return text;
      if (!response.ok) return this.#fail(`answered http ${response.status}`, { status: response.status });
      return this.#completionOf(text.value, request);
    } catch (error) {
      if (abort.signal.aborted) return this.#fail(`did not answer within ${this.#options.timeoutMs} ms`);
      return this.#fail(`could not be reached: ${oneLine(error)}`);
    } finally {
      clearTimeout(timer);
    }
  }

  async #readBounded(response: Response, abort: AbortController): Promise<Result<string, KernelError>> {
    const max = this.#options.responseBytesMax ?? OPENAI_RESPONSE_BYTES_MAX;
    let bytes: Uint8Array;
    try {
      bytes = await readBodyBounded(response, max);
    } catch (error) {
      if (!isKernelError(error) || error.code !== ERROR_CODES.OVERSIZED_INPUT) throw error;
      abort.abort();
      const declared = error.details?.declaredBytes;
      return this.#fail(
        declared === undefined
          ? `reply is larger than ${max} bytes`
          : `reply of ${declared} bytes is larger than ${max}`,
      );
    }
    return ok(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  }

  #completionOf(text: string, request: LlmRequest): Result<LlmCompletion, KernelError> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return this.#fail('answered with a body that is not json');
    }
    const choice = (parsed as { choices?: unknown })?.choices;
    const first = Array.isArray(choice)
      ? (choice[0] as { message?: { content?: unknown } } | undefined)
      : undefined;
    const content = first?.message?.content;
    if (typeof content !== 'string') return this.#fail('answered without `choices[0].message.content`');
    const usage = (parsed as { usage?: { prompt_tokens?: unknown; completion_tokens?: unknown } }).usage;
    // WHY: a server that reports no usage is charged the estimate, never nothing.
    const inputTokens =
      count(usage?.prompt_tokens) ??
      estimateTokens(request.messages.reduce((n, m) => n + m.content.length, 0));
    const outputTokens = count(usage?.completion_tokens) ?? estimateTokens(content.length);
    return ok({ text: content, usage: { inputTokens, outputTokens } });
  }

  #fail(reason: string, details?: Record<string, unknown>): Result<never, KernelError> {
    return fail(ERROR_CODES.LLM_PROVIDER_FAILED, `llm provider \`${this.name}\` ${reason}`, details);
  }
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

function oneLine(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } })?.cause?.code;
  const text = typeof cause === 'string' ? cause : String((error as Error)?.message ?? error);
  return text.split('\n')[0]?.slice(0, 200) ?? 'unknown error';
}
