// The LLM providers the LLM gateway may reach, built from maos.yaml's `pods.providers`.

import type { LlmProvider } from '../pod/index.ts';
import { OpenAiCompatibleProvider, ScriptedProvider } from '../pod/index.ts';
import type { LlmProviderConfig } from './config-schema-pods.ts';

export function providersOf(configs: readonly LlmProviderConfig[]): readonly LlmProvider[] {
  return configs.map((config) =>
    config.kind === 'scripted'
      ? new ScriptedProvider({ name: config.name, rules: config.rules, defaultReply: config.default })
      : new OpenAiCompatibleProvider({
          name: config.name,
          baseUrl: config.baseUrl,
          timeoutMs: config.timeoutMs,
          ...(config.apiKeyEnv === undefined ? {} : { apiKeyEnv: config.apiKeyEnv }),
        }),
  );
}
