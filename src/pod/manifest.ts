// Agent manifest (`maos-agent.yaml` in the agent's directory): who the agent is, its entry module,
// ring, trust class, the capabilities it requests and its gateway configuration. Validated before
// anything starts; the isolation level follows §41.6 for (trust class, ring, profile) and may be
// raised by the manifest but never lowered (DR-R4).

import { readFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ERROR_CODES, fail, type KernelError, ok, type Result } from '../shared/index.ts';
import { type GatewayConfig, GatewayConfigSchema } from './gateway-config.ts';
import type { SandboxKind } from './sandbox/port.ts';

export const MANIFEST_FILE = 'maos-agent.yaml';
const MANIFEST_BYTES_MAX = 256 * 1024;

export type TrustClass = 'A' | 'B' | 'C';
export type Profile = 'standard' | 'hardened' | 'isolated';

export type AgentManifest = {
  readonly id: string;
  /** Absolute path of the agent's directory and of its entry module inside it. */
  readonly dir: string;
  readonly entry: string;
  readonly ring: 1 | 2 | 3;
  readonly trustClass: TrustClass;
  /** Requested capabilities: a subset of the agent's grants in `maos.yaml` (checked at mint). */
  readonly capabilities: readonly { readonly action: string; readonly resource: string }[];
  /** Isolation level the manifest asks for; the pod uses the higher of this and §41.6's default. */
  readonly isolation: 1 | 2 | undefined;
  readonly gateways: GatewayConfig;
  readonly memoryMb: number;
  readonly taskTimeoutMs: number;
};

const Scope = z.strictObject({ action: z.string().min(1).max(256), resource: z.string().min(1).max(1024) });

const ManifestSchema = z.strictObject({
  id: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9_.-]+$/, 'may hold letters, digits and _ . - only'),
  entry: z.string().min(1).max(256),
  ring: z.literal([1, 2, 3]),
  trustClass: z.enum(['A', 'B', 'C']),
  capabilities: z.array(Scope).max(64).default([]),
  isolation: z.literal([1, 2]).optional(),
  gateways: GatewayConfigSchema.default(GatewayConfigSchema.parse({})),
  limits: z
    .strictObject({
      memoryMb: z.number().int().min(8).max(4096).default(64),
      taskTimeoutMs: z.number().int().min(10).max(3_600_000).default(30_000),
    })
    .default({ memoryMb: 64, taskTimeoutMs: 30_000 }),
});

/** Reads and validates `<dir>/maos-agent.yaml`. */
export async function loadManifest(dir: string): Promise<Result<AgentManifest, KernelError>> {
  const root = resolve(dir);
  let text: string;
  try {
    text = await readFile(join(root, MANIFEST_FILE), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return fail(
      ERROR_CODES.MANIFEST_INVALID,
      `cannot read \`${join(root, MANIFEST_FILE)}\`: ${code ?? 'error'}`,
    );
  }
  return parseManifest(text, root);
}

export function parseManifest(text: string, dir: string): Result<AgentManifest, KernelError> {
  if (Buffer.byteLength(text) > MANIFEST_BYTES_MAX) {
    return fail(ERROR_CODES.MANIFEST_INVALID, `manifest is larger than ${MANIFEST_BYTES_MAX} bytes`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text, { maxAliasCount: 16, uniqueKeys: true });
  } catch (error) {
    return fail(
      ERROR_CODES.MANIFEST_INVALID,
      `manifest is not valid yaml: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  const parsed = ManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || '(root)';
    return fail(ERROR_CODES.MANIFEST_INVALID, `manifest \`${where}\` ${issue?.message ?? 'is invalid'}`);
  }
  const m = parsed.data;
  const root = resolve(dir);
  const entry = resolve(root, m.entry);
  const inside = relative(root, entry);
  if (isAbsolute(m.entry) || inside.startsWith('..') || inside === '' || inside.includes(`..${sep}`)) {
    return fail(
      ERROR_CODES.MANIFEST_INVALID,
      `entry \`${m.entry}\` must name a file inside the agent directory`,
    );
  }
  if (!/\.(m?js)$/.test(entry)) {
    return fail(
      ERROR_CODES.MANIFEST_INVALID,
      `entry \`${m.entry}\` must be a JavaScript module (.js or .mjs)`,
    );
  }
  return ok({
    id: m.id,
    dir: root,
    entry,
    ring: m.ring,
    trustClass: m.trustClass,
    capabilities: m.capabilities,
    isolation: m.isolation,
    gateways: m.gateways,
    memoryMb: m.limits.memoryMb,
    taskTimeoutMs: m.limits.taskTimeoutMs,
  });
}

/** §41.6: the lowest isolation level allowed for (trust class, ring, profile); undefined = not allowed. */
export function defaultIsolation(trust: TrustClass, ring: 1 | 2 | 3, profile: Profile): number | undefined {
  return ISOLATION_FLOORS[trust][profile][ring === 3 ? 1 : 0];
}

/** §41.6: [ring 1–2, ring 3] per trust class and profile; undefined: not allowed at all. */
const ISOLATION_FLOORS: Readonly<
  Record<TrustClass, Readonly<Record<Profile, readonly [number | undefined, number | undefined]>>>
> = {
  A: { standard: [1, 2], hardened: [2, 3], isolated: [3, 4] },
  B: { standard: [2, 3], hardened: [2, 3], isolated: [3, 4] },
  C: { standard: [2, 3], hardened: [undefined, 4], isolated: [undefined, 5] },
};

/**
 * The sandbox an agent gets: the higher of the manifest's request and §41.6's default, refused
 * when that level is above what this host offers (1 worker, 2 process) — never silently lowered.
 */
export function sandboxFor(manifest: AgentManifest, profile: Profile): Result<SandboxKind, KernelError> {
  const floor = defaultIsolation(manifest.trustClass, manifest.ring, profile);
  if (floor === undefined) {
    return fail(
      ERROR_CODES.SANDBOX_UNAVAILABLE,
      `trust class \`${manifest.trustClass}\` may not run in ring ${manifest.ring} under the ${profile} profile (§41.6)`,
    );
  }
  const level = Math.max(floor, manifest.isolation ?? 1);
  if (level > 2) {
    return fail(
      ERROR_CODES.SANDBOX_UNAVAILABLE,
      `agent \`${manifest.id}\` needs isolation level ${level} (class ${manifest.trustClass}, ring ${manifest.ring}, ${profile}); this host offers levels 1 (worker) and 2 (process) only`,
    );
  }
  return ok(level === 1 ? 'worker' : 'process');
}
