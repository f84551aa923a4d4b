// The `pods` section of maos.yaml (issue 4): where agent workspaces live and which LLM providers
// the LLM gateway may reach. Each agent's own gateway allowlists are in its manifest.

import { z } from 'zod';

const name = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.-]+$/, 'may hold letters, digits and _ . - only');

const OpenAiProviderSchema = z.strictObject({
  name,
  kind: z.literal('openai-compatible'),
  /** e.g. `https://api.openai.com/v1` or a local server's `/v1`. */
  baseUrl: z.url({ protocol: /^https?$/ }),
  /** Name of the environment variable holding the API key (never the key itself). */
  apiKeyEnv: z
    .string()
    .regex(/^[A-Z_][A-Z0-9_]*$/, 'must name an environment variable')
    .optional(),
  timeoutMs: z.number().int().min(100).max(600_000).default(60_000),
});

const ScriptedProviderSchema = z.strictObject({
  name,
  kind: z.literal('scripted'),
  rules: z
    .array(z.strictObject({ when: z.string().min(1).max(1000).optional(), reply: z.string().max(100_000) }))
    .max(1000)
    .default([]),
  default: z.string().max(100_000).default(''),
});

export const PodsSchema = z.strictObject({
  /** Agent workspaces: `<workspaces>/<agent>/`; relative to the data directory. */
  workspaces: z.string().min(1).max(4096).default('workspaces'),
  providers: z
    .array(z.discriminatedUnion('kind', [OpenAiProviderSchema, ScriptedProviderSchema]))
    .max(32)
    .default([]),
});

export type PodsConfig = z.infer<typeof PodsSchema>;
export type LlmProviderConfig = PodsConfig['providers'][number];
