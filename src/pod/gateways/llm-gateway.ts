// LLM gateway (§41.3): model access for agent code. Provider and model allowlists, a context cap,
// a token budget per request, hour and day, and the kernel's structural pre-filter over every
// message before any of it leaves the host. Model calls are not intents: they change nothing.

import { z } from 'zod';
import type { Clock, JsonValue, KernelError, Result } from '../../shared/index.ts';
import { ERROR_CODES, fail, ok } from '../../shared/index.ts';
import { type Allowlist, nameAllowlist } from '../allowlist.ts';
import { TokenBucket } from '../call-limiter.ts';
import type { GatewayConfig } from '../gateway-config.ts';
import { estimateTokens, type LlmProvider } from '../llm/provider.ts';
import { answer, refuse } from './answer.ts';
import type { Gateway, GatewayAnswer, GatewayCall, PodServices } from './port.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

const CompletePayloadSchema = z.strictObject({
  model: z.string().min(1).max(256),
  provider: z.string().min(1).max(256).optional(),
  messages: z
    .array(z.strictObject({ role: z.enum(['system', 'user', 'assistant']), content: z.string() }))
    .min(1)
    .max(1_000),
  maxTokens: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
});

type CompletePayload = z.infer<typeof CompletePayloadSchema>;

export type LlmGatewayOptions = {
  readonly config: GatewayConfig['llm'];
  /** Providers this host can reach; the agent may use those its configuration also names. */
  readonly providers: readonly LlmProvider[];
  readonly services: PodServices;
  readonly clock: Clock;
};

export class LlmGateway implements Gateway {
  readonly name = 'llm' as const;
  readonly #config: GatewayConfig['llm'];
  readonly #providers = new Map<string, LlmProvider>();
  readonly #models: Allowlist;
  readonly #services: PodServices;
  readonly #hour: TokenBucket;
  readonly #day: TokenBucket;

  constructor(options: LlmGatewayOptions) {
    this.#config = options.config;
    for (const provider of options.providers) this.#providers.set(provider.name, provider);
    this.#models = nameAllowlist(options.config.models);
    this.#services = options.services;
    this.#hour = new TokenBucket(options.config.tokensPerHour, HOUR_MS, options.clock);
    this.#day = new TokenBucket(options.config.tokensPerDay, DAY_MS, options.clock);
  }

  /** Tokens left in the hourly and daily budgets (negative while a reply overran its estimate). */
  budget(): { readonly hour: number; readonly day: number } {
    return { hour: Math.floor(this.#hour.available()), day: Math.floor(this.#day.available()) };
  }

  async handle(call: GatewayCall): Promise<GatewayAnswer> {
    if (call.op !== 'complete') {
      return refuse(
        '',
        call.bytes,
        fail(ERROR_CODES.POD_CALL_INVALID, `unknown llm operation \`${call.op}\``),
      );
    }
    const parsed = CompletePayloadSchema.safeParse(call.payload);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue === undefined || issue.path.length === 0 ? 'payload' : issue.path.join('.');
      const message = `llm call: \`${where}\` ${(issue?.message ?? 'is invalid').toLowerCase()}`;
      return refuse('', call.bytes, fail(ERROR_CODES.POD_CALL_INVALID, message));
    }
    const payload = parsed.data;
    const providerName = payload.provider ?? this.#config.providers[0] ?? '';
    const target = `${providerName}/${payload.model}`;
    const checked = this.#check(payload, providerName);
    if (!checked.ok) return refuse(target, call.bytes, checked);
    const { provider, estimate, maxTokens } = checked.value;
    this.#hour.charge(estimate);
    this.#day.charge(estimate);
    const completion = await provider.complete({
      model: payload.model,
      messages: payload.messages,
      maxTokens,
    });
    if (!completion.ok) {
      // WHY: the estimate stays charged: a provider that timed out may still have billed the prompt.
      return answer(target, call.bytes, 0, completion, false);
    }
    const { text, usage } = completion.value;
    const used = usage.inputTokens + usage.outputTokens;
    this.#hour.charge(used - estimate);
    this.#day.charge(used - estimate);
    const value: JsonValue = {
      text,
      usage: { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens },
      provider: providerName,
      model: payload.model,
    };
    return answer(target, call.bytes, Buffer.byteLength(text), ok(value), false);
  }

  /** Allowlists, context cap, budget and prompt screening, cheapest first. */
  #check(
    payload: CompletePayload,
    providerName: string,
  ): Result<{ provider: LlmProvider; estimate: number; maxTokens: number }, KernelError> {
    if (!this.#config.providers.includes(providerName)) {
      return fail(
        ERROR_CODES.LLM_PROVIDER_DENIED,
        `llm provider \`${providerName}\` is not allowed for this agent`,
      );
    }
    const provider = this.#providers.get(providerName);
    if (provider === undefined) {
      return fail(
        ERROR_CODES.LLM_PROVIDER_DENIED,
        `llm provider \`${providerName}\` is not configured on this host`,
      );
    }
    if (!this.#models.matches(payload.model)) {
      return fail(ERROR_CODES.LLM_MODEL_DENIED, `model \`${payload.model}\` is not allowed for this agent`);
    }
    let chars = 0;
    for (const message of payload.messages) chars += message.content.length;
    if (chars > this.#config.contextCharsMax) {
      return fail(
        ERROR_CODES.LLM_BUDGET_EXCEEDED,
        `the context has ${chars} characters, more than the ${this.#config.contextCharsMax} allowed`,
      );
    }
    const estimate = estimateTokens(chars);
    const room = Math.min(
      this.#config.tokensPerRequest - estimate,
      Math.floor(this.#hour.available()) - estimate,
      Math.floor(this.#day.available()) - estimate,
    );
    if (room < 1) return fail(ERROR_CODES.LLM_BUDGET_EXCEEDED, this.#budgetMessage(estimate));
    const screened = this.#screen(payload);
    if (!screened.ok) return screened;
    return { ok: true, value: { provider, estimate, maxTokens: Math.min(payload.maxTokens ?? room, room) } };
  }

  #budgetMessage(estimate: number): string {
    if (estimate >= this.#config.tokensPerRequest) {
      return `the prompt needs about ${estimate} tokens, the limit per request is ${this.#config.tokensPerRequest}`;
    }
    const window = this.#hour.available() - estimate < 1 ? 'hourly' : 'daily';
    return `the ${window} llm token budget is used up`;
  }

  /** Every message through the kernel's pre-filter: the model input may carry an injection. */
  #screen(payload: CompletePayload): Result<void, KernelError> {
    for (let i = 0; i < payload.messages.length; i++) {
      const message = payload.messages[i];
      if (message === undefined || message.content.length === 0) continue;
      const screening = this.#services.screen(message.content);
      if (screening.verdict === 'deny') {
        return fail(
          ERROR_CODES.LLM_PROMPT_BLOCKED,
          `message ${i} (${message.role}) was blocked by the prompt filter (score ${screening.score})`,
        );
      }
      if (screening.verdict === 'escalate') {
        // WHY: there is no approval path for model input yet; a doubtful prompt is blocked (fail closed).
        return fail(
          ERROR_CODES.LLM_PROMPT_BLOCKED,
          `message ${i} (${message.role}) needs review by the prompt filter (score ${screening.score}); prompts that need review are blocked for now`,
        );
      }
    }
    return ok(undefined);
  }
}
