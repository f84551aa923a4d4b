// Host-side loader of an agent's module graph: reads the entry module and the relative imports it
// reaches inside the agent directory, and precompiles each into an SES module record (plain data)
// that the agent side evaluates in its compartment. Doing this on the host keeps the parser (Babel,
// through @endo/module-source) out of every sandbox and lets records be cached across starts.
// Imports that are bare or leave the directory are not loaded here; the agent side refuses them.

import { readFile, realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, relative, sep } from 'node:path';
import { ERROR_CODES, fail, type KernelError, ok, type Result } from '../../shared/index.ts';
import type { AgentModuleRecord } from './agent-bootstrap.ts';
import { resolveAgentSpecifier } from './agent-specifier.ts';

/** Modules one agent may consist of. */
export const AGENT_MODULES_MAX = 128;
/** Bytes of source one agent module may have, and all of them together. */
export const AGENT_MODULE_BYTES_MAX = 1_048_576;
export const AGENT_MODULES_BYTES_MAX = 4_194_304;
const RECORD_CACHE_ENTRIES_MAX = 1024;

export type AgentModules = {
  /** Agent-relative specifier of the entry module (`main.js`). */
  readonly entry: string;
  readonly modules: { readonly [specifier: string]: AgentModuleRecord };
};

type ModuleSourceConstructor = new (
  source: string,
  options: { sourceUrl: string },
) => { readonly imports: readonly string[]; readonly reexports: readonly string[] } & AgentModuleRecord;

const RECORD_FIELDS = [
  'imports',
  'exports',
  'reexports',
  '__syncModuleProgram__',
  '__liveExportMap__',
  '__fixedExportMap__',
  '__reexportMap__',
  '__needsImport__',
  '__needsImportMeta__',
] as const;

let moduleSource: Promise<ModuleSourceConstructor> | undefined;
const records = new Map<
  string,
  { mtimeMs: number; size: number; record: AgentModuleRecord; imports: string[] }
>();

function loadModuleSource(): Promise<ModuleSourceConstructor> {
  // WHY a specifier in a variable: a literal one makes tsc load the package's types, which declare
  // SES globals (`harden`, `Compartment`) that do not exist in the host realm.
  const name = '@endo/module-source';
  moduleSource ??= import(name).then((m: { ModuleSource: ModuleSourceConstructor }) => m.ModuleSource);
  return moduleSource;
}

function message(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]?.slice(0, 500) ?? 'unknown error';
}

async function compile(
  file: string,
  specifier: string,
  agent: string,
): Promise<Result<{ record: AgentModuleRecord; imports: string[]; size: number }, KernelError>> {
  const info = await stat(file);
  if (info.size > AGENT_MODULE_BYTES_MAX) {
    return fail(
      ERROR_CODES.SANDBOX_START_FAILED,
      `agent module \`${specifier}\` exceeds ${AGENT_MODULE_BYTES_MAX} bytes`,
    );
  }
  const cached = records.get(file);
  if (cached !== undefined && cached.mtimeMs === info.mtimeMs && cached.size === info.size) {
    return ok({ record: cached.record, imports: cached.imports, size: info.size });
  }
  const ModuleSource = await loadModuleSource();
  const text = await readFile(file, 'utf8');
  let source: InstanceType<ModuleSourceConstructor>;
  try {
    source = new ModuleSource(text, { sourceUrl: `agent:${agent}/${specifier}` });
  } catch (error) {
    return fail(
      ERROR_CODES.SANDBOX_START_FAILED,
      `agent module \`${specifier}\` does not parse: ${message(error)}`,
    );
  }
  const record: Record<string, unknown> = {};
  for (const field of RECORD_FIELDS) record[field] = source[field];
  const imports = [...new Set([...source.imports, ...source.reexports])];
  if (records.size >= RECORD_CACHE_ENTRIES_MAX) records.clear();
  records.set(file, { mtimeMs: info.mtimeMs, size: info.size, record, imports });
  return ok({ record, imports, size: info.size });
}

/** Resolves `file` and returns it only when it lies inside `root` (both real paths). */
async function inside(root: string, file: string): Promise<string | undefined> {
  try {
    const real = await realpath(file);
    return real.startsWith(root + sep) ? real : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Loads the module graph of the agent whose entry is `entry` (absolute). Fails with
 * SANDBOX_START_FAILED when the entry is missing, a module does not parse or a bound is exceeded.
 */
export async function loadAgentModules(
  entry: string,
  agent: string,
): Promise<Result<AgentModules, KernelError>> {
  if (!isAbsolute(entry))
    return fail(ERROR_CODES.SANDBOX_START_FAILED, `agent entry \`${entry}\` is not an absolute path`);
  let root: string;
  let entryReal: string | undefined;
  try {
    root = await realpath(dirname(entry));
    entryReal = await inside(root, entry);
  } catch {
    return fail(ERROR_CODES.SANDBOX_START_FAILED, `agent entry \`${entry}\` cannot be read`);
  }
  if (entryReal === undefined)
    return fail(ERROR_CODES.SANDBOX_START_FAILED, `agent entry \`${entry}\` cannot be read`);
  const entrySpecifier = relative(root, entryReal).split(sep).join('/');
  const modules: Record<string, AgentModuleRecord> = {};
  const queue = [entrySpecifier];
  let bytes = 0;
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    if (Object.hasOwn(modules, next)) continue;
    const file = await inside(root, `${root}/${next}`);
    if (file === undefined) continue; // The agent side reports the missing module.
    if (Object.keys(modules).length >= AGENT_MODULES_MAX) {
      return fail(
        ERROR_CODES.SANDBOX_START_FAILED,
        `agent \`${agent}\` has more than ${AGENT_MODULES_MAX} modules`,
      );
    }
    let compiled: Awaited<ReturnType<typeof compile>>;
    try {
      compiled = await compile(file, next, agent);
    } catch (error) {
      return fail(
        ERROR_CODES.SANDBOX_START_FAILED,
        `agent module \`${next}\` cannot be read: ${message(error)}`,
      );
    }
    if (!compiled.ok) return compiled;
    bytes += compiled.value.size;
    if (bytes > AGENT_MODULES_BYTES_MAX) {
      return fail(
        ERROR_CODES.SANDBOX_START_FAILED,
        `agent \`${agent}\` exceeds ${AGENT_MODULES_BYTES_MAX} bytes of modules`,
      );
    }
    // WHY defineProperty: a module named `__proto__` must stay an own entry.
    Object.defineProperty(modules, next, { value: compiled.value.record, enumerable: true });
    for (const request of compiled.value.imports) {
      const resolved = resolveAgentSpecifier(request, next);
      if (resolved.ok && !Object.hasOwn(modules, resolved.specifier)) queue.push(resolved.specifier);
    }
  }
  return ok({ entry: entrySpecifier, modules });
}
