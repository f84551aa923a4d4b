// Loads `maos.yaml` (§5.2): YAML text → validated config → the frozen `Policy` the kernel decides
// against (MR-1). Every error names file, line, column and field; nothing half-loaded escapes.

import { readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import {
  DECLASSIFY_PER_AGENT_MAX,
  DECLASSIFY_WINDOW_MS,
  DEFAULT_CLASSIFICATION_DICTIONARY,
  GATE1_SIMILARITY_MAX,
} from '../ifc/declassify/index.ts';
import type { Condition, FieldLabelRule, SinkPolicy } from '../ifc/index.ts';
import type {
  ActionPolicy,
  AgentPolicy,
  DeclassificationPolicy,
  Policy,
  RateRule,
} from '../kernel/policy.ts';
import type { Scope } from '../kernel/token/claims.ts';
import {
  assert,
  decodeUtf8,
  deepFreeze,
  ERROR_CODES,
  FrozenMap,
  fail,
  hashCanonical,
  type KernelError,
  ok,
  type Result,
} from '../shared/index.ts';
import { invalidConfig, issueMessage } from './config-issues.ts';
import {
  type ActionConfig,
  type AgentConfig,
  type CapabilityConfig,
  CONFIG_LIMITS,
  ConfigSchema,
  type MaosConfig,
  parseWindowMs,
  type RateLimitConfig,
} from './config-schema.ts';
import { readYaml } from './config-yaml.ts';

export { type ConfigIssue, formatPath } from './config-issues.ts';
export {
  type ActionConfig,
  type AgentConfig,
  CONFIG_LIMITS,
  ConfigSchema,
  configJsonSchema,
  type MaosConfig,
} from './config-schema.ts';

export type LoadedConfig = {
  /** The validated file with defaults filled in; deep-frozen. */
  readonly config: MaosConfig;
  readonly policy: Policy;
  /** The file as named by the caller. */
  readonly file: string;
  /** Absolute; a relative `dataDir` is resolved against the config file's directory. */
  readonly dataDir: string;
};

/** Loads `configPath`, or parses `configText` naming it `configPath` when given (tests, the demo). */
export async function loadConfigFor(options: {
  readonly configPath: string;
  readonly configText?: string;
}): Promise<Result<LoadedConfig, KernelError>> {
  return options.configText === undefined
    ? loadConfig(options.configPath)
    : parseConfig(options.configText, options.configPath);
}

/**
 * Parses and validates configuration text. `file` names it in messages and anchors `dataDir`.
 * Codes: CONFIG_YAML (syntax, aliases), FORBIDDEN_KEY, OVERSIZED_INPUT, CONFIG_INVALID (schema).
 */
export function parseConfig(text: string, file: string): Result<LoadedConfig, KernelError> {
  const source = readYaml(text, file);
  if (!source.ok) return source;
  const parsed = ConfigSchema.safeParse(source.value.value, { error: issueMessage });
  if (!parsed.success) return invalidConfig(file, source.value, parsed.error.issues);
  const config = deepFreeze(parsed.data);
  return ok(
    Object.freeze({
      config,
      policy: compilePolicy(config),
      file,
      dataDir: resolve(dirname(resolve(file)), config.dataDir),
    }),
  );
}

/** Reads and parses the file at `path`; CONFIG_NOT_FOUND when it does not exist. */
export async function loadConfig(path: string): Promise<Result<LoadedConfig, KernelError>> {
  let bytes: Uint8Array;
  try {
    const info = await stat(path);
    if (!info.isFile())
      return fail(ERROR_CODES.CONFIG_NOT_FOUND, `${path}: not a regular file`, { file: path });
    if (info.size > CONFIG_LIMITS.fileBytesMax) {
      return fail(
        ERROR_CODES.OVERSIZED_INPUT,
        `${path}: file is ${info.size} bytes, more than ${CONFIG_LIMITS.fileBytesMax}`,
        { file: path, bytes: info.size },
      );
    }
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      return fail(ERROR_CODES.CONFIG_NOT_FOUND, `${path}: configuration file not found`, { file: path });
    }
    return fail(ERROR_CODES.IO, `${path}: cannot read configuration: ${String(code ?? error)}`, {
      file: path,
    });
  }
  const text = decodeUtf8(bytes);
  if (!text.ok) return fail(ERROR_CODES.INVALID_UTF8, `${path}: file is not valid utf-8`, { file: path });
  return parseConfig(text.value.replace(/^\uFEFF/, ''), path);
}

/**
 * Builds the kernel's view of a validated config: maps for agents and actions, defaults applied,
 * everything deep-frozen (MR-1). `hash` is SHA-256 of the canonical config, so key order and
 * formatting do not change it.
 */
export function compilePolicy(config: MaosConfig): Policy {
  const agents = Object.entries(config.agents).map(([id, agent]) => [id, agentPolicy(id, agent)] as const);
  const actions = Object.entries({ ...mcpDefaultActions(config), ...config.actions }).map(
    ([name, action]) => [name, actionPolicy(name, action, config.rollback)] as const,
  );
  const policy: Policy = {
    nodeId: config.node.id,
    profile: config.profile,
    agents: new FrozenMap(agents),
    actions: new FrozenMap(actions),
    rateRules: config.rateLimits.map(rateRule),
    approvalTtlMs: durationMs(config.approvals.ttl),
    declassification: declassificationPolicy(config.declassification),
    prefilter: {
      enabled: config.prefilter.enabled,
      fieldBytesMax: config.prefilter.fieldBytesMax,
      blockScore: config.prefilter.blockScore,
      escalateScore: config.prefilter.escalateScore,
      signatures: [...config.prefilter.signatures],
    },
    hash: hashCanonical(config),
  };
  return deepFreeze(policy);
}

/**
 * What the MCP gateway's actions default to when `actions` does not say: a tool call is a write
 * whose output is INTERNAL and untrusted (DR-C10: unknown counts as write). Reading a resource or
 * getting a prompt is an observation (§26.1) labelled like the entry that covers it.
 */
function mcpDefaultActions(config: MaosConfig): Record<string, ActionConfig> {
  if (config.mcp === undefined) return {};
  const base: ActionConfig = {
    sideEffect: 'write',
    output: { confidentiality: 'INTERNAL', integrity: 'UNTRUSTED', fields: {}, quarantine: false },
    destination: 'INTERNAL',
    external: false,
    snapshot: false,
    approval: false,
  };
  const declared = (name: string): ActionConfig | undefined =>
    Object.hasOwn(config.actions, name) ? config.actions[name] : undefined;
  const out: Record<string, ActionConfig> = {};
  if (declared('mcp.*') === undefined && declared('*') === undefined) out['mcp.*'] = base;
  for (const server of Object.keys(config.mcp.servers)) {
    for (const name of [`mcp.${server}.resources.read`, `mcp.${server}.prompts.get`]) {
      if (declared(name) !== undefined) continue;
      const covering = coveringPattern(name, declared) ?? base;
      out[name] = { ...covering, sideEffect: 'read' };
    }
  }
  return out;
}

/** The longest `prefix.*` entry (or `*`) the config declares for `name`. */
function coveringPattern(
  name: string,
  declared: (name: string) => ActionConfig | undefined,
): ActionConfig | undefined {
  for (let end = name.lastIndexOf('.'); end > 0; end = name.lastIndexOf('.', end - 1)) {
    const entry = declared(`${name.slice(0, end)}.*`);
    if (entry !== undefined) return entry;
  }
  return declared('*');
}

function agentPolicy(id: string, agent: AgentConfig): AgentPolicy {
  return {
    id,
    ring: agent.ring,
    trust: agent.trust,
    clearance: agent.clearance,
    grants: agent.capabilities.map(scope),
    budget:
      agent.budget === undefined
        ? undefined
        : {
            // WHY: a dimension the config leaves out is unlimited; an explicit 0 is exhausted (MR-7).
            tokens: agent.budget.tokens ?? Number.POSITIVE_INFINITY,
            apiCalls: agent.budget.apiCalls ?? Number.POSITIVE_INFINITY,
            costMicros: agent.budget.costMicros ?? Number.POSITIVE_INFINITY,
          },
  };
}

function scope(capability: CapabilityConfig): Scope {
  const { action, resource, constraint } = capability;
  if (constraint === undefined) return { action, resource };
  return { action, resource, constraint: typeof constraint === 'string' ? [constraint] : [...constraint] };
}

function actionPolicy(name: string, action: ActionConfig, rollback: MaosConfig['rollback']): ActionPolicy {
  const sideEffect = action.sideEffect === 'unknown' ? 'write' : action.sideEffect;
  return {
    name,
    // INVARIANT: an undeclared or `unknown` side effect is a write (DR-C10).
    sideEffect,
    output: { confidentiality: action.output.confidentiality, integrity: action.output.integrity },
    outputFields: outputFields(action.output),
    quarantine: action.output.quarantine,
    sink: action.sink === undefined ? undefined : sinkPolicy(action.sink),
    destination: action.destination,
    external: action.external,
    snapshot: action.snapshot,
    approval: action.approval,
    holdMs: durationMs(action.hold ?? defaultHold(name, sideEffect, rollback)),
  };
}

function sinkPolicy(sink: NonNullable<ActionConfig['sink']>): SinkPolicy {
  return {
    arguments: Object.entries(sink.arguments).map(([argument, rule]) => ({
      argument,
      requires: rule.requires,
      otherwise: rule.otherwise,
      part: rule.part,
      allow: rule.allow ?? [],
      unless: condition(rule.unless ?? {}),
    })),
    rules: sink.rules.map((rule) => ({
      read: rule.when.read,
      holds: rule.when.holds,
      unless: condition(rule.unless),
      verdict: rule.then,
      reason: rule.reason,
    })),
    cleared: sink.cleared.map((rule) => ({ level: rule.level, when: condition(rule.when) })),
  };
}

type ConditionConfig = Readonly<
  Record<string, readonly string[] | { min?: number | undefined; max?: number | undefined }>
>;

function condition(config: ConditionConfig): Condition {
  return Object.entries(config).map(([argument, wanted]) => [
    argument,
    'min' in wanted || 'max' in wanted
      ? { min: (wanted as { min?: number }).min, max: (wanted as { max?: number }).max }
      : { patterns: wanted as readonly string[] },
  ]);
}

/** Per-field label rules, then the record classifier (if any) as one more rule. */
function outputFields(output: ActionConfig['output']): FieldLabelRule[] {
  const rules: FieldLabelRule[] = Object.entries(output.fields).map(([path, label]) => ({
    path,
    label: {
      ...(label.confidentiality === undefined ? {} : { confidentiality: label.confidentiality }),
      ...(label.integrity === undefined ? {} : { integrity: label.integrity }),
    },
  }));
  if (output.classifiedBy !== undefined)
    rules.push({ path: '', label: {}, classifiedBy: output.classifiedBy });
  return rules;
}

/** §35's defaults: 60 min for email, 24 h for file deletions, 7 d for account changes. */
function defaultHold(name: string, sideEffect: string, rollback: MaosConfig['rollback']): string {
  if (name.startsWith('email.') || name.startsWith('mail.')) return rollback.email;
  if (name.startsWith('account.')) return rollback.account;
  if (name.startsWith('fs.') && sideEffect === 'destructive') return rollback.fileDeletion;
  return rollback.default;
}

function durationMs(text: string): number {
  const ms = parseWindowMs(text);
  assert(ms !== undefined, 'the schema accepts only valid durations');
  return ms;
}

function rateRule(rule: RateLimitConfig): RateRule {
  const windowMs = rule.windowMs ?? parseWindowMs(rule.window ?? '');
  assert(windowMs !== undefined, 'the schema accepts a rate limit only with exactly one valid window');
  return { agent: rule.agent, action: rule.action, max: rule.max, windowMs };
}

/** The declassification section with its defaults; configured keywords join the built-in ones. */
function declassificationPolicy(section: MaosConfig['declassification']): DeclassificationPolicy {
  const dictionary = [...DEFAULT_CLASSIFICATION_DICTIONARY, ...(section?.dictionary ?? [])];
  return {
    templates: (section?.templates ?? []).map(({ id, from, to, pattern }) => ({ id, from, to, pattern })),
    dictionary: [...new Set(dictionary)],
    similarityMax: section?.similarityMax ?? GATE1_SIMILARITY_MAX,
    perAgentMax: section?.perAgentMax ?? DECLASSIFY_PER_AGENT_MAX,
    windowMs: section === undefined ? DECLASSIFY_WINDOW_MS : durationMs(section.window),
  };
}
