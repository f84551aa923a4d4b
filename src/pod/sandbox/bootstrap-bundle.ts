// The agent side's code as plain JavaScript, built once per host process: each agent-side file is
// stripped of its types and its relative imports are replaced by `data:` URLs of the files they
// name. WHY: a worker or child started on a `.ts` entry loads Node's type stripper itself (about
// 65 ms per start here); from this bundle it loads nothing but built-in modules, and a process
// sandbox needs no read permission for any source file.

import { readFileSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The agent side's entry and the relative imports its files may use (each must be listed). */
const ENTRY = './agent-bootstrap.ts';
const AGENT_SIDE_FILES = [
  './agent-bootstrap.ts',
  './agent-api.ts',
  './agent-specifier.ts',
  './ses-shim.ts',
  '../protocol.ts',
];

export type BootstrapBundle = {
  /** The entry module as a `data:` URL, for `new Worker(url)`. */
  readonly url: URL;
  /** The entry module's source, for `node --input-type=module --eval`. */
  readonly source: string;
};

let bundle: BootstrapBundle | undefined;

function build(file: URL, built: Map<string, string>): string {
  const cached = built.get(file.href);
  if (cached !== undefined) return cached;
  const text = stripTypeScriptTypes(readFileSync(fileURLToPath(file), 'utf8'), { mode: 'strip' });
  const out = text.replace(/from '(\.{1,2}\/[\w./-]+\.ts)'/g, (_match, specifier: string) => {
    const target = new URL(specifier, file);
    const listed = AGENT_SIDE_FILES.some((f) => new URL(f, import.meta.url).href === target.href);
    if (!listed) throw new Error(`agent-side file imports unlisted \`${specifier}\``);
    return `from '${toDataUrl(build(target, built))}'`;
  });
  built.set(file.href, out);
  return out;
}

function toDataUrl(source: string): string {
  return `data:text/javascript;base64,${Buffer.from(source, 'utf8').toString('base64')}`;
}

/** The bundle, built on first use (reads and strips a handful of small files). */
export function bootstrapBundle(): BootstrapBundle {
  if (bundle !== undefined) return bundle;
  const source = build(new URL(ENTRY, import.meta.url), new Map());
  bundle = { url: new URL(toDataUrl(source)), source };
  return bundle;
}
