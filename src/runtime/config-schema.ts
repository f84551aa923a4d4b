// The schema of `maos.yaml`: one zod 4 schema gives the config's type, its run-time validation
// and the JSON Schema editors use (`maos schema`). Loading and error locations are in config.ts.

import { parse as parseCel } from '@bufbuild/cel';
import { z } from 'zod';
import { CONFIDENTIALITY } from '../ifc/index.ts';
import { LIMITS } from '../kernel/limits.ts';
import { SIDE_EFFECT_CLASSES } from '../kernel/side-effect.ts';
import { declassificationSchema } from './config-schema-declassify.ts';
import { OutputLabelSchema, SinkSchema } from './config-schema-ifc.ts';
import { PodsSchema } from './config-schema-pods.ts';

/** Bounds on the configuration file itself; the kernel's own bounds stay in kernel/limits.ts. */
export const CONFIG_LIMITS = {
  /** A larger file is refused before it is parsed. */
  fileBytesMax: 1024 * 1024,
  /** YAML alias expansions (anchor uses weighted by nested aliases): stops "billion laughs". */
  aliasCountMax: 32,
  /** Nesting of mappings and lists. */
  depthMax: 32,
  agentsMax: 10_000,
  actionsMax: 10_000,
  rateLimitsMax: 1_000,
  signaturesMax: 256,
  signatureLengthMax: 1024,
  /** Issues reported in an error's details; the message names the first. */
  issuesReportedMax: 20,
} as const;

export const DEFAULT_NODE_ID = 'maos-local';

/** Agent and node ids, action names: what `parseIntent` accepts too. */
export const ID_PATTERN = /^[A-Za-z0-9_.:-]{1,256}$/;
const SEGMENT = '[A-Za-z0-9_:-]+';
/** Exact dotted name (`fs.read`), dotted prefix (`email.*`) or `*`. */
export const ACTION_PATTERN = new RegExp(`^(?:\\*|${SEGMENT}(?:\\.${SEGMENT})*(?:\\.\\*)?)$`);
const WINDOW = /^([0-9]{1,9})(ms|s|m|h|d)$/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Reads a window such as `500ms`, `30s`, `5m`, `1h`, `1d`; undefined when malformed. */
export function parseWindowMs(text: string): number | undefined {
  const match = WINDOW.exec(text);
  if (match === null) return undefined;
  const ms = Number(match[1]) * (UNIT_MS[match[2] ?? ''] ?? 0);
  return ms > 0 && Number.isSafeInteger(ms) ? ms : undefined;
}

/** A schema-level message for a present but wrong value; a missing one keeps "is required". */
function unlessMissing(message: string): (issue: { readonly input?: unknown }) => string | undefined {
  return (issue) => (issue.input === undefined ? undefined : message);
}

const amount = z.number().int().min(0);

const id = z
  .string()
  .regex(ID_PATTERN, { error: 'must be 1 to 256 letters, digits or `_` `.` `:` `-`' })
  .meta({ description: 'letters, digits and `_ . : -`, 1 to 256 characters' });

const actionPattern = z
  .string()
  .max(LIMITS.idLengthMax)
  .regex(ACTION_PATTERN, { error: 'must be an action name, a prefix such as `fs.*`, or `*`' });

const celExpression = z
  .string()
  .min(1)
  .max(LIMITS.constraintLengthMax)
  .superRefine((source, ctx) => {
    try {
      parseCel(source);
    } catch (error) {
      const detail =
        String((error as Error).message)
          .split('\n')[0]
          ?.replace(/^<input>:/, '') ?? '';
      ctx.addIssue({ code: 'custom', message: `is not a valid cel expression: ${detail}` });
    }
  });

const resource = z
  .string()
  .min(1)
  .max(LIMITS.resourceLengthMax)
  .refine((text) => text.split('/').length <= LIMITS.patternSegmentsMax, {
    error: `must have at most ${LIMITS.patternSegmentsMax} segments`,
  });

const CapabilitySchema = z
  .strictObject({
    action: actionPattern,
    resource,
    constraint: z
      .union([celExpression, z.array(celExpression).max(LIMITS.constraintsPerScopeMax)], {
        error: (issue) =>
          issue.code === 'invalid_union' ? 'must be a cel expression or a list of them' : undefined,
      })
      .optional(),
  })
  .meta({ description: 'a granted scope: action pattern, resource pattern, optional cel constraints' });

const BudgetSchema = z
  .strictObject({ tokens: amount.optional(), apiCalls: amount.optional(), costMicros: amount.optional() })
  .meta({ description: 'hard limits (MR-7); a missing amount is unlimited, 0 means exhausted' });

const AgentSchema = z.strictObject({
  ring: z.literal([1, 2, 3], {
    error: (issue) => {
      if (issue.input === undefined) return undefined;
      return issue.input === 0
        ? 'must be 1, 2 or 3: ring 0 is the kernel and runs no agent'
        : 'must be 1, 2 or 3';
    },
  }),
  trust: z.enum(['internal', 'external']).default('internal'),
  clearance: z.enum(CONFIDENTIALITY).default('INTERNAL'),
  capabilities: z.array(CapabilitySchema).max(LIMITS.tokenScopesMax).default([]),
  budget: BudgetSchema.optional(),
});

const duration = z.string().refine((text) => parseWindowMs(text) !== undefined, {
  error: 'must be a duration such as `500ms`, `30s`, `5m`, `1h` or `1d`',
});

const CompensationSchema = z
  .strictObject({
    method: z.enum(['DELETE', 'POST', 'PUT', 'PATCH']),
    url: z.string().min(1).max(LIMITS.resourceLengthMax),
    body: z.unknown().optional(),
  })
  .meta({ description: 'http compensation: `{resource}` and `{result.<path>}` fill the url template' });

const ActionSchema = z.strictObject({
  /** `unknown` is accepted and treated as `write` (DR-C10). */
  sideEffect: z.enum([...SIDE_EFFECT_CLASSES, 'unknown']).default('write'),
  output: OutputLabelSchema.default({
    confidentiality: 'INTERNAL',
    integrity: 'UNTRUSTED',
    fields: {},
    quarantine: false,
  }),
  destination: z.enum(CONFIDENTIALITY).default('INTERNAL'),
  external: z.boolean().default(false),
  snapshot: z.boolean().default(false),
  approval: z.boolean().default(false),
  /** How long `maos undo` works after a commit; defaults by kind in `rollback`. */
  hold: duration.optional(),
  compensation: CompensationSchema.optional(),
  /** Argument provenance and context rules for this side effect (§11, issue 7). */
  sink: SinkSchema.optional(),
});

const StorageSchema = z
  .strictObject({
    kind: z.enum(['sqlite', 'postgres', 'memory']).default('sqlite'),
    /** PostgreSQL connection string (kind `postgres`). */
    url: z.string().min(1).max(4096).optional(),
    schema: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lowercase sql identifier')
      .default('maos'),
  })
  .superRefine((storage, ctx) => {
    if (storage.kind === 'postgres' && storage.url === undefined) {
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'is required for postgres storage' });
    }
  });

const ConnectorsSchema = z.strictObject({
  fs: z
    .strictObject({
      enabled: z.boolean().default(true),
      root: z.string().min(1).max(4096).default('workspace'),
    })
    .default({ enabled: true, root: 'workspace' }),
  http: z
    .strictObject({ enabled: z.boolean().default(true), timeout: duration.default('30s') })
    .default({ enabled: true, timeout: '30s' }),
  kv: z.strictObject({ enabled: z.boolean().default(true) }).default({ enabled: true }),
});

const ROLLBACK_DEFAULTS = { email: '60m', fileDeletion: '24h', account: '7d', default: '24h' };
const RollbackSchema = z
  .strictObject({
    email: duration.default(ROLLBACK_DEFAULTS.email),
    fileDeletion: duration.default(ROLLBACK_DEFAULTS.fileDeletion),
    account: duration.default(ROLLBACK_DEFAULTS.account),
    default: duration.default(ROLLBACK_DEFAULTS.default),
  })
  .meta({ description: 'hold periods of the rollback zone (§35): how long `maos undo` works' });

const JournalSchema = z.strictObject({
  checkpointEveryRecords: z.number().int().min(1).max(1_000_000).default(1000),
  checkpointEvery: duration.default('10s'),
});

/** MCP server names: no `.` (they become an action segment) and no `__` (the tool-name separator). */
export const MCP_SERVER_NAME = /^(?!.*__)[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
/** `{arg}` placeholders name top-level arguments; the rest of a resource template is literal. */
const RESOURCE_TEMPLATE = /^(?:[^{}]|\{[A-Za-z0-9_.-]{1,128}\})+$/;

const mcpServerCommon = {
  /** Per-request limit towards this server (tools/call, resources/read, prompts/get, lists). */
  timeout: duration.default('60s'),
  /** Tool name → resource template, e.g. `write_file: '{path}'`; default `mcp:/<server>/<tool>`. */
  resources: z
    .record(
      z.string().min(1).max(128),
      z
        .string()
        .min(1)
        .max(LIMITS.resourceLengthMax)
        .regex(RESOURCE_TEMPLATE, { error: 'must be text with `{argument}` placeholders' }),
    )
    .default({}),
};

const McpStdioServerSchema = z
  .strictObject({
    type: z.literal('stdio').optional(),
    command: z.string().min(1).max(4096),
    args: z.array(z.string().max(65_536)).max(1_000).default([]),
    env: z.record(z.string().min(1).max(1024), z.string().max(65_536)).default({}),
    cwd: z.string().min(1).max(4096).optional(),
    ...mcpServerCommon,
  })
  .meta({
    description:
      'a local MCP server the gateway starts: `{ command, args, env }` as desktop clients write it',
  });

const McpHttpServerSchema = z
  .strictObject({
    type: z.enum(['http', 'streamable-http']).optional(),
    url: z.url({ protocol: /^https?$/, error: 'must be an http or https url' }).max(4096),
    headers: z.record(z.string().min(1).max(256), z.string().max(8192)).default({}),
    ...mcpServerCommon,
  })
  .meta({ description: 'a remote MCP server reached over Streamable HTTP: `{ url }`' });

const McpServerSchema = z.union([McpStdioServerSchema, McpHttpServerSchema], {
  error: (issue) =>
    issue.code === 'invalid_union' ? 'must be `{ command, args, env }` or `{ url }`' : undefined,
});

const McpSchema = z
  .strictObject({
    /** The agent the MCP client acts as: its ring, clearance and capabilities apply to every call. */
    agent: id,
    servers: z
      .record(
        z.string().regex(MCP_SERVER_NAME, {
          error: 'must be letters, digits, `_` or `-` (no `.`, no `__`), at most 64',
        }),
        McpServerSchema,
      )
      .refine((servers) => Object.keys(servers).length <= 64, { error: 'must have at most 64 entries' })
      .default({}),
    /** How long a held call waits for a human before the gateway answers it as rejected. */
    approvalTimeout: duration.default('5m'),
    /** Ask the client's user through MCP elicitation, where the client supports it (standard profile only). */
    elicitation: z.boolean().default(true),
    /** `tofu`: a tool's first clean view is pinned on sight; `explicit`: every new tool waits for approval. */
    pinning: z.enum(['tofu', 'explicit']).default('tofu'),
    /** What the pre-filter does with tool output: `block` withholds output it would deny, `flag` only journals. */
    outputScan: z.enum(['block', 'flag', 'off']).default('block'),
  })
  .meta({ description: 'the MCP gateway: `maos gateway` in front of these servers, acting as `agent`' });

const RateLimitSchema = z
  .strictObject({
    agent: z.union([z.literal('*'), id], { error: unlessMissing('must be an agent id or `*`') }),
    action: actionPattern,
    max: amount,
    window: z
      .string()
      .refine((text) => parseWindowMs(text) !== undefined, {
        error: 'must be a duration such as `500ms`, `30s`, `5m`, `1h` or `1d`',
      })
      .optional(),
    windowMs: z.number().int().min(1).optional(),
  })
  .superRefine((rule, ctx) => {
    if (rule.window === undefined && rule.windowMs === undefined) {
      ctx.addIssue({ code: 'custom', path: ['window'], message: 'is required (or give `windowMs`)' });
    }
    if (rule.window !== undefined && rule.windowMs !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['windowMs'],
        message: 'must not be given together with `window`',
      });
    }
  });

const PrefilterSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    fieldBytesMax: z.number().int().min(1).max(LIMITS.fieldBytesMax).default(LIMITS.fieldBytesMax),
    blockScore: z.number().int().min(1).default(10),
    escalateScore: z.number().int().min(1).default(5),
    signatures: z
      .array(
        z
          .string()
          .min(1)
          .max(CONFIG_LIMITS.signatureLengthMax)
          .refine(isRegExp, { error: 'must be a valid regular expression' }),
      )
      .max(CONFIG_LIMITS.signaturesMax)
      .default([]),
  })
  .superRefine((prefilter, ctx) => {
    if (prefilter.escalateScore > prefilter.blockScore) {
      ctx.addIssue({ code: 'custom', path: ['escalateScore'], message: 'must not exceed `blockScore`' });
    }
  });

function isRegExp(source: string): boolean {
  try {
    new RegExp(source, 'i');
    return true;
  } catch {
    return false;
  }
}

function mapOf<T extends z.ZodType>(key: z.ZodString, value: T, entriesMax: number) {
  return z
    .record(key, value)
    .refine((map) => Object.keys(map).length <= entriesMax, {
      error: `must have at most ${entriesMax} entries`,
    })
    .default({});
}

/** The whole of `maos.yaml`. Every object is strict: an unknown key is an error, never ignored. */
export const ConfigSchema = z
  .strictObject({
    version: z.literal(1, { error: unlessMissing('must be `1`') }),
    node: z.strictObject({ id: id.default(DEFAULT_NODE_ID) }).default({ id: DEFAULT_NODE_ID }),
    profile: z.enum(['standard', 'hardened', 'isolated']).default('standard'),
    dataDir: z.string().min(1).max(4096).default('.maos'),
    agents: mapOf(id, AgentSchema, CONFIG_LIMITS.agentsMax),
    /** Exact names (`fs.write`) or prefixes (`mcp.files.*`, `*`): the exact entry wins, then the longest prefix. */
    actions: mapOf(actionPattern, ActionSchema, CONFIG_LIMITS.actionsMax),
    rateLimits: z.array(RateLimitSchema).max(CONFIG_LIMITS.rateLimitsMax).default([]),
    storage: StorageSchema.default({ kind: 'sqlite', schema: 'maos' }),
    connectors: ConnectorsSchema.default({
      fs: { enabled: true, root: 'workspace' },
      http: { enabled: true, timeout: '30s' },
      kv: { enabled: true },
    }),
    rollback: RollbackSchema.default(ROLLBACK_DEFAULTS),
    approvals: z.strictObject({ ttl: duration.default('1h') }).default({ ttl: '1h' }),
    journal: JournalSchema.default({ checkpointEveryRecords: 1000, checkpointEvery: '10s' }),
    mcp: McpSchema.optional(),
    declassification: declassificationSchema(duration).optional(),
    pods: PodsSchema.default({ workspaces: 'workspaces', providers: [] }),
    prefilter: PrefilterSchema.default({
      enabled: true,
      fieldBytesMax: LIMITS.fieldBytesMax,
      blockScore: 10,
      escalateScore: 5,
      signatures: [],
    }),
  })
  .superRefine((config, ctx) => {
    if (config.mcp !== undefined && !Object.hasOwn(config.agents, config.mcp.agent)) {
      ctx.addIssue({ code: 'custom', path: ['mcp', 'agent'], message: 'names no agent defined in `agents`' });
    }
    config.rateLimits.forEach((rule, index) => {
      if (rule.agent !== '*' && !Object.hasOwn(config.agents, rule.agent)) {
        ctx.addIssue({
          code: 'custom',
          path: ['rateLimits', index, 'agent'],
          message: `names no agent defined in \`agents\``,
        });
      }
    });
  })
  .meta({ title: 'maos.yaml', description: 'MAOS node configuration' });

/** A validated configuration with every default filled in. */
export type MaosConfig = z.infer<typeof ConfigSchema>;
export type AgentConfig = MaosConfig['agents'][string];
export type ActionConfig = MaosConfig['actions'][string];
export type CapabilityConfig = AgentConfig['capabilities'][number];
export type RateLimitConfig = MaosConfig['rateLimits'][number];
export type McpConfig = NonNullable<MaosConfig['mcp']>;
export type McpServerConfig = McpConfig['servers'][string];

/** JSON Schema (draft 2020-12) of `maos.yaml` as a user writes it (defaults make fields optional). */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(ConfigSchema, { io: 'input', unrepresentable: 'any' });
}
