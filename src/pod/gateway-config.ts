// One agent's gateway configuration (§41.3), as it appears under `gateways:` in its manifest. The
// Sentry and the five agent-facing gateways read it; every allowlist is empty (deny) unless the
// spec names a safe default. Token scopes and the DSC stay the authority: these are pre-checks.

import { z } from 'zod';
import { LIMITS } from '../kernel/index.ts';
import { POD_MESSAGE_BYTES_MAX } from './protocol.ts';

/** Bounds on the configuration itself. */
export const GATEWAY_CONFIG_LIMITS = {
  patternsMax: 1_000,
  patternLengthMax: LIMITS.resourceLengthMax,
  /** A file read or written in one call must fit in one reply, with room for JSON escapes. */
  fileBytesMax: POD_MESSAGE_BYTES_MAX / 2,
  queueMax: 10_000,
} as const;

const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const positive = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

const pattern = z
  .string()
  .min(1, { error: 'must not be empty' })
  .max(GATEWAY_CONFIG_LIMITS.patternLengthMax, {
    error: `must be at most ${GATEWAY_CONFIG_LIMITS.patternLengthMax} characters`,
  })
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
  .refine((text) => !/[\u0000-\u001f\u007f]/.test(text), { error: 'must not contain control characters' });

const patterns = z.array(pattern).max(GATEWAY_CONFIG_LIMITS.patternsMax, {
  error: `must list at most ${GATEWAY_CONFIG_LIMITS.patternsMax} patterns`,
});

/** Workspace paths: `/`-rooted segment globs (`/notes/**`), never climbing with `..`. */
const pathPattern = pattern
  .refine((text) => text.startsWith('/'), { error: 'must start with `/` (the workspace root)' })
  .refine((text) => !text.split('/').some((s) => s === '.' || s === '..'), {
    error: 'must not contain `.` or `..` segments',
  });

const ToolSchema = z.strictObject({
  /** Segment globs of resources the agent may name (`https://api.example.com/**`, `kv:notes/*`). */
  resources: patterns.default([]),
  /** Bandwidth of tool calls, arguments out plus results in; unlimited when absent. */
  bytesPerMinute: positive.optional(),
});

const LlmSchema = z.strictObject({
  /** Provider names (exact); empty: no model access. */
  providers: z.array(pattern).max(100).default([]),
  /** Model names; `*` matches any run of characters (`gpt-4o*`). Empty: no model. */
  models: patterns.default([]),
  tokensPerRequest: positive.default(4_096),
  tokensPerHour: positive.default(100_000),
  tokensPerDay: positive.default(1_000_000),
  /** Characters of all messages of one request together. */
  contextCharsMax: positive.default(100_000),
});

const FsSchema = z.strictObject({
  quotaBytes: count.default(10 * 1024 * 1024),
  readable: z.array(pathPattern).max(GATEWAY_CONFIG_LIMITS.patternsMax).default(['/**']),
  /** A write needs a readable and a writable match (writable ⊆ readable, §41.3). */
  writable: z.array(pathPattern).max(GATEWAY_CONFIG_LIMITS.patternsMax).default(['/**']),
  fileBytesMax: positive.max(GATEWAY_CONFIG_LIMITS.fileBytesMax).default(256 * 1024),
});

const OutboundSchema = z.strictObject({
  /** Agent ids; `*` matches any run of characters (`worker-*`). Empty: the agent sends nothing. */
  recipients: patterns.default([]),
  /** Message types; `*` as for recipients. */
  types: patterns.default(['*']),
  perMinute: positive.default(60),
  payloadBytesMax: positive.max(POD_MESSAGE_BYTES_MAX).default(64 * 1024),
});

const InboundSchema = z.strictObject({
  /** Sender agent ids; `*` matches any run of characters. Empty: nobody may send to the agent. */
  senders: patterns.default([]),
  types: patterns.default(['*']),
  perMinute: positive.default(120),
  payloadBytesMax: positive.max(POD_MESSAGE_BYTES_MAX).default(64 * 1024),
  queueMax: positive.max(GATEWAY_CONFIG_LIMITS.queueMax).default(100),
  /** What the bus does with a message whose payload holds secrets, addresses, IBANs or card numbers. */
  dlp: z.enum(['block', 'redact']).default('block'),
  /** Messages from senders whose trust score (0–1) is below this are refused by the bus. */
  trustMin: z.number().min(0).max(1).default(0),
  /**
   * What this agent does with what it receives, as a side-effect class: how much of a sender's
   * vouch bonds count towards `trustMin` (ω: read 1, write 0.5, destructive 0.25, irreversible 0).
   */
  trustFor: z.enum(['read', 'write', 'destructive', 'irreversible']).default('write'),
});

const SentrySchema = z.strictObject({
  /** Sustained calls per second across all gateways (flood control, DR-R5 style). */
  callsPerSecond: positive.max(1_000_000).default(200),
  /** Calls allowed at once above the sustained rate. */
  burst: positive.max(1_000_000).default(200),
  payloadBytesMax: positive.max(POD_MESSAGE_BYTES_MAX).default(POD_MESSAGE_BYTES_MAX),
});

export const GatewayConfigSchema = z
  .strictObject({
    tool: ToolSchema.prefault({}),
    llm: LlmSchema.prefault({}),
    fs: FsSchema.prefault({}),
    outbound: OutboundSchema.prefault({}),
    inbound: InboundSchema.prefault({}),
    sentry: SentrySchema.prefault({}),
  })
  .meta({ description: 'gateway configuration of one agent (§41.3); allowlists default to deny' });

export type GatewayConfig = z.infer<typeof GatewayConfigSchema>;

/** The configuration of an agent whose manifest says nothing about gateways. */
export function defaultGatewayConfig(): GatewayConfig {
  return GatewayConfigSchema.parse({});
}
