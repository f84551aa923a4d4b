// Tidy (TigerBeetle's tidy.zig): style rules a reviewer would otherwise have to catch, enforced
// over src/, test/ and bench/. Each rule is a plain function, and a self-test proves it can fail.

import assert from 'node:assert/strict';
import { type Dirent, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { test } from 'node:test';

type Violation = { readonly file: string; readonly line: number; readonly message: string };
type Import = { readonly specifier: string; readonly line: number; readonly typeOnly: boolean };
/** A source file: path relative to the repository (posix separators) and its text. */
type Source = { readonly file: string; readonly text: string };

const ROOT = join(import.meta.dirname, '..');
const SRC_LINES_MAX = 450;
const KEYWORDS_BEFORE_REGEX = new Set([
  'return',
  'typeof',
  'case',
  'in',
  'of',
  'delete',
  'void',
  'throw',
  'yield',
  'await',
  'else',
  'do',
]);

// --- Reading source -------------------------------------------------------------------------

function sources(folder: string): Source[] {
  const out: Source[] = [];
  const stack = [join(ROOT, folder)];
  while (stack.length > 0) {
    const dir = stack.pop();
    if (dir === undefined) break;
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      const path = join(dir, String(entry.name));
      if (entry.isDirectory() && entry.name !== 'node_modules') stack.push(path);
      else if (entry.isFile() && String(entry.name).endsWith('.ts')) {
        out.push({ file: relative(ROOT, path).split('\\').join('/'), text: readFileSync(path, 'utf8') });
      }
    }
  }
  return out.sort((a, b) => a.file.localeCompare(b.file));
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/**
 * Blanks comments (and, unless `keepStrings`, the contents of strings, templates and regex literals)
 * with spaces, keeping every offset and newline, so code rules do not fire on prose.
 */
export function scrub(text: string, keepStrings: boolean): string {
  const out = text.split('');
  const blank = (from: number, to: number) => {
    for (let k = from; k < to && k < out.length; k++) if (out[k] !== '\n') out[k] = ' ';
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    if (c === '/' && next === '/') {
      const end = text.indexOf('\n', i);
      const stop = end === -1 ? text.length : end;
      blank(i, stop);
      i = stop;
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end === -1 ? text.length : end + 2;
      blank(i, stop);
      i = stop;
    } else if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < text.length && text[j] !== c && (c === '`' || text[j] !== '\n'))
        j += text[j] === '\\' ? 2 : 1;
      if (!keepStrings) blank(i + 1, j);
      i = j + 1;
    } else if (c === '/' && regexMayStart(out, i)) {
      let j = i + 1;
      let inClass = false;
      while (j < text.length && text[j] !== '\n' && (inClass || text[j] !== '/')) {
        if (text[j] === '[') inClass = true;
        else if (text[j] === ']') inClass = false;
        j += text[j] === '\\' ? 2 : 1;
      }
      if (!keepStrings) blank(i + 1, j);
      i = j + 1;
    } else {
      i++;
    }
  }
  return out.join('');
}

function regexMayStart(out: readonly string[], slash: number): boolean {
  let k = slash - 1;
  while (k >= 0 && /\s/.test(out[k] ?? '')) k--;
  if (k < 0) return true;
  const before = out[k] ?? '';
  if ('(,=:[!&|?{};+-*%<>~^'.includes(before)) return true;
  if (!/[A-Za-z_$]/.test(before)) return false;
  let start = k;
  while (start > 0 && /[A-Za-z0-9_$]/.test(out[start - 1] ?? '')) start--;
  return KEYWORDS_BEFORE_REGEX.has(out.slice(start, k + 1).join(''));
}

const STATIC_IMPORT = /\b(?:import|export)\s+(type\s+)?([\w*\s{},$]*?)\s*from\s*['"]([^'"\n]+)['"]/g;
const BARE_IMPORT = /\bimport\s*['"]([^'"\n]+)['"]/g;
const DYNAMIC_IMPORT = /\bimport\s*\(\s*['"]([^'"\n]+)['"]\s*\)/g;

/** Module specifiers of `import … from`, `export … from`, `import '…'` and `import('…')`. */
export function importsOf(text: string): Import[] {
  const code = scrub(text, true);
  const out: Import[] = [];
  for (const match of code.matchAll(STATIC_IMPORT)) {
    const names = match[2] ?? '';
    const inner = /\{([^}]*)\}/.exec(names)?.[1];
    const allTypes =
      inner !== undefined &&
      !/^[^{]*\w[^{]*\{/.test(names) &&
      inner.split(',').every((name) => name.trim() === '' || name.trim().startsWith('type '));
    const typeOnly = match[1] !== undefined || allTypes;
    out.push({ specifier: match[3] ?? '', line: lineAt(code, match.index), typeOnly });
  }
  for (const pattern of [BARE_IMPORT, DYNAMIC_IMPORT]) {
    for (const match of code.matchAll(pattern)) {
      out.push({ specifier: match[1] ?? '', line: lineAt(code, match.index), typeOnly: false });
    }
  }
  return out.sort((a, b) => a.line - b.line);
}

function matchesOf(source: Source, code: string, pattern: RegExp, message: string): Violation[] {
  return [...code.matchAll(pattern)].map((match) => ({
    file: source.file,
    line: lineAt(code, match.index),
    message,
  }));
}

const isTest = (file: string) => file.endsWith('.test.ts');

// --- Rules ----------------------------------------------------------------------------------

/** Folder of a path under src/ (`kernel` for `src/kernel/checks/x.ts`); '' for src/x.ts; undefined outside. */
function srcFolder(path: string): string | undefined {
  if (!path.startsWith('src/')) return undefined;
  const rest = path.slice(4);
  const slash = rest.indexOf('/');
  return slash === -1 ? '' : rest.slice(0, slash);
}

const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  shared: ['shared'],
  ifc: ['ifc', 'shared'],
  kernel: ['kernel', 'ifc', 'shared'],
  // WHY: `maos start` hosts the HTTP API and `maos mcp` the MCP servers, so the CLI composes them.
  cli: ['cli', 'runtime', 'http', 'mcp', 'replay', 'shared'],
  http: ['http', 'runtime', 'shared'],
  testing: ['testing', 'kernel', 'ifc', 'shared', 'runtime', 'storage', 'connectors', 'oversight', 'saga'],
};

/** Why importing `target` from `from` breaks ARCHITECTURE.md §3, or undefined when it is allowed. */
function boundaryProblem(from: string, target: string, typeOnly: boolean): string | undefined {
  const source = srcFolder(from);
  const folder = srcFolder(target);
  if (source === undefined) return undefined;
  if (folder === undefined) {
    return isTest(from) && target.startsWith('test/') ? undefined : `imports \`${target}\` from outside src/`;
  }
  if (source === '' || folder === source) return undefined;
  // WHY: unit tests beside the code may use the shared fakes in src/testing and real storage.
  if (isTest(from) && (folder === 'testing' || folder === 'storage')) return undefined;
  // WHY: a port is an interface; anyone may name its types (the kernel names the storage port's).
  if (typeOnly && /^src\/[a-z-]+\/port\.ts$/.test(target)) return undefined;
  if (source === 'runtime') {
    return folder === 'cli' || folder === 'http' ? `runtime/ may not import \`${target}\`` : undefined;
  }
  // WHY: provenance matching and declassification gate 1 must read text exactly as check 7 does
  // (hidden characters, lookalikes); kernel/prefilter's text primitives hold no kernel state.
  if (source === 'ifc' && target.startsWith('src/kernel/prefilter/')) return undefined;
  // WHY: the MCP servers, like the HTTP API, serve a running MAOS: the runtime's public objects.
  if (source === 'mcp' && folder === 'runtime') return undefined;
  const allowed = ALLOWED[source];
  if (allowed !== undefined) {
    return allowed.includes(folder) ? undefined : `${source}/ may not import \`${target}\``;
  }
  // Feature folders and adapters: the kernel's public face and its ports, ifc, shared.
  if (folder === 'ifc' || folder === 'shared') return undefined;
  if (
    folder === 'kernel' &&
    (target === 'src/kernel/index.ts' || /port[^/]*\.ts$|\/ports\//.test(target) || typeOnly)
  ) {
    return undefined;
  }
  return `${source}/ may import only kernel/index.ts, kernel ports and types, ifc/ and shared/, not \`${target}\``;
}

export function importBoundaryViolations(source: Source): Violation[] {
  const out: Violation[] = [];
  for (const item of importsOf(source.text)) {
    if (!item.specifier.startsWith('.')) continue;
    const target = posix.normalize(posix.join(posix.dirname(source.file), item.specifier));
    const problem = boundaryProblem(source.file, target, item.typeOnly);
    if (problem !== undefined) out.push({ file: source.file, line: item.line, message: problem });
  }
  return out;
}

const BANNED_KERNEL_MODULES = new Set([
  'node:fs',
  'fs',
  'node:fs/promises',
  'fs/promises',
  'node:net',
  'net',
]);
const BANNED_KERNEL_CALLS = /\bDate\.now\b|\bMath\.random\b|\brandomUUID\b/g;

/** Kernel code reaches time, randomness, files and the network only through ports. */
export function kernelNondeterminismViolations(source: Source): Violation[] {
  if (srcFolder(source.file) !== 'kernel' || isTest(source.file)) return [];
  const out = importsOf(source.text)
    .filter((item) => BANNED_KERNEL_MODULES.has(item.specifier))
    .map((item) => ({
      file: source.file,
      line: item.line,
      message: `kernel/ may not import \`${item.specifier}\`: use a port`,
    }));
  const code = scrub(source.text, false);
  for (const match of code.matchAll(BANNED_KERNEL_CALLS)) {
    out.push({
      file: source.file,
      line: lineAt(code, match.index),
      message: `kernel/ may not call \`${match[0]}\`: use the clock or random port`,
    });
  }
  return out;
}

export function focusedTestViolations(source: Source): Violation[] {
  if (!isTest(source.file)) return [];
  const code = scrub(source.text, false);
  return [
    ...matchesOf(source, code, /\.only\s*\(/g, 'focused test (`.only`)'),
    ...matchesOf(source, code, /\bonly\s*:\s*true\b/g, 'focused test (`only: true`)'),
  ];
}

const MARKER = new RegExp(`\\b${'FIX'}${'ME'}\\b`, 'g');

export function markerViolations(source: Source): Violation[] {
  return matchesOf(
    source,
    source.text,
    MARKER,
    `\`${'FIX'}${'ME'}\` left in the code: fix it or open an issue`,
  );
}

export function enumViolations(source: Source): Violation[] {
  return matchesOf(
    source,
    scrub(source.text, false),
    /\b(?:const\s+)?enum\s+[A-Za-z_$]/g,
    '`enum` is not erasable: use an `as const` object',
  );
}

export function importExtensionViolations(source: Source): Violation[] {
  return importsOf(source.text)
    .filter((item) => item.specifier.startsWith('.') && !item.specifier.endsWith('.ts'))
    .map((item) => ({
      file: source.file,
      line: item.line,
      message: `relative import \`${item.specifier}\` must end in \`.ts\``,
    }));
}

const ANY_TYPE = /:\s*any\b(?!\s*[:(])|\bas\s+any\b|<\s*any\s*[,>[]|,\s*any\s*>/g;

export function anyViolations(source: Source): Violation[] {
  if (srcFolder(source.file) === undefined) return [];
  return matchesOf(source, scrub(source.text, false), ANY_TYPE, '`any` type: use `unknown` or a real type');
}

export function lengthViolations(source: Source): Violation[] {
  if (srcFolder(source.file) === undefined || isTest(source.file)) return [];
  const lines = source.text.split('\n').length - (source.text.endsWith('\n') ? 1 : 0);
  if (lines <= SRC_LINES_MAX) return [];
  return [
    {
      file: source.file,
      line: SRC_LINES_MAX + 1,
      message: `file has ${lines} lines, more than ${SRC_LINES_MAX}: split it`,
    },
  ];
}

// --- The checks over the repository ---------------------------------------------------------

const SRC = sources('src');
const ALL = [...SRC, ...sources('test'), ...sources('bench')];

function report(violations: readonly Violation[]): string {
  return violations.map((v) => `${v.file}:${v.line}: ${v.message}`).join('\n');
}

function check(name: string, files: readonly Source[], rule: (source: Source) => Violation[]): void {
  test(`tidy: ${name}`, () => {
    const violations = files.flatMap(rule);
    assert.equal(violations.length, 0, `\n${report(violations)}`);
  });
}

check('import boundaries (ARCHITECTURE.md §3)', SRC, importBoundaryViolations);
check('no clock, randomness, files or network inside kernel/', SRC, kernelNondeterminismViolations);
check('no focused tests', ALL, focusedTestViolations);
check(`no ${'FIX'}${'ME'}`, ALL, markerViolations);
check('no enum', ALL, enumViolations);
check('relative imports end in .ts', ALL, importExtensionViolations);
check('no any in src/', SRC, anyViolations);
check(`src files have at most ${SRC_LINES_MAX} lines`, SRC, lengthViolations);

// --- Self-test: every rule catches a bad snippet and passes a good one ----------------------

// WHY: built from pieces so this file does not trip the rules it tests.
const IMPORT = 'import';
const only = ['.', 'only'].join('');

function flags(rule: (source: Source) => Violation[], file: string, text: string): number[] {
  return rule({ file, text }).map((violation) => violation.line);
}

test('tidy self-test: rules catch inline violations', () => {
  const kernelBad = [
    `${IMPORT} { x } from '../cli/main.ts';`,
    `${IMPORT} { readFileSync } from 'node:fs';`,
    'const t = Date.now();',
    "// Math.random() in a comment is fine; 'randomUUID' in a string too",
    `const a = await ${IMPORT}('../runtime/config.ts');`,
    `export { y } from '../pod/sentry.ts';`,
    'const id = crypto.randomUUID();',
  ].join('\n');
  assert.deepEqual(flags(importBoundaryViolations, 'src/kernel/decide.ts', kernelBad), [1, 5, 6]);
  assert.deepEqual(flags(kernelNondeterminismViolations, 'src/kernel/decide.ts', kernelBad), [2, 3, 7]);
  assert.deepEqual(flags(kernelNondeterminismViolations, 'src/runtime/config.ts', kernelBad), []);

  const multiLine = `${IMPORT} {\n  a,\n  b,\n} from '../kernel/decide.ts';\n${IMPORT} type { C } from '../kernel/policy.ts';`;
  assert.deepEqual(flags(importBoundaryViolations, 'src/immune/anomaly.ts', multiLine), [1]);
  assert.deepEqual(
    flags(importBoundaryViolations, 'src/shared/x.ts', `${IMPORT} { a } from '../ifc/label.ts';`),
    [1],
  );
  assert.deepEqual(
    flags(importBoundaryViolations, 'src/ifc/x.ts', `${IMPORT} { a } from '../kernel/rings.ts';`),
    [1],
  );
  assert.deepEqual(
    flags(importBoundaryViolations, 'src/cli/main.ts', `${IMPORT} { a } from '../kernel/rings.ts';`),
    [1],
  );
  assert.deepEqual(
    flags(importBoundaryViolations, 'src/http/server.ts', `${IMPORT} { a } from '../runtime/config.ts';`),
    [],
  );
  assert.deepEqual(
    flags(importBoundaryViolations, 'src/runtime/x.ts', `${IMPORT} { a } from '../http/server.ts';`),
    [1],
  );
  assert.deepEqual(
    flags(importBoundaryViolations, 'src/runtime/x.ts', `${IMPORT} { a } from '../storage/sqlite.ts';`),
    [],
  );
  assert.deepEqual(
    flags(importBoundaryViolations, 'src/kernel/x.test.ts', `${IMPORT} { a } from '../testing/fixtures.ts';`),
    [],
  );
  assert.deepEqual(
    flags(importBoundaryViolations, 'src/kernel/x.ts', `${IMPORT} { a } from '../testing/fixtures.ts';`),
    [1],
  );
  assert.deepEqual(
    flags(importBoundaryViolations, 'src/kernel/x.ts', `${IMPORT} { a } from '../../test/invariants.ts';`),
    [1],
  );

  assert.deepEqual(
    flags(
      focusedTestViolations,
      'src/a.test.ts',
      `test${only}('x', () => {});\ntest('y', { ${'on'}ly: true }, f);`,
    ),
    [1, 2],
  );
  assert.deepEqual(flags(focusedTestViolations, 'src/a.ts', `test${only}('x', () => {});`), []);
  assert.deepEqual(flags(markerViolations, 'src/a.ts', `const a = 1;\n// ${'FIX'}${'ME'}: later`), [2]);
  assert.deepEqual(
    flags(enumViolations, 'src/a.ts', 'export enum Color { Red }\nconst enum E { A }\n// an enum in prose'),
    [1, 2],
  );
  assert.deepEqual(
    flags(
      importExtensionViolations,
      'test/a.ts',
      `${IMPORT} { a } from './b';\n${IMPORT} { c } from './d.ts';\n${IMPORT} z from 'zod';`,
    ),
    [1],
  );
  const anyBad =
    'let a: any;\nconst b = x as any;\nconst c = <any>y;\nconst d: Record<string, any> = {};\nconst e = "a: any";\nconst f = [small, any];\nconst g = new Map<any, string>();';
  assert.deepEqual(flags(anyViolations, 'src/a.ts', anyBad), [1, 2, 3, 4, 7]);
  assert.deepEqual(flags(lengthViolations, 'src/a.ts', 'x\n'.repeat(SRC_LINES_MAX + 1)), [SRC_LINES_MAX + 1]);
  assert.deepEqual(flags(lengthViolations, 'src/a.ts', 'x\n'.repeat(SRC_LINES_MAX)), []);
});

test('tidy self-test: scrub keeps offsets and skips comments, strings and regex literals', () => {
  const text =
    "const a = '// not a comment'; // real\nconst r = /['\"]/g; /* block\n */ const b = `x$" + '{1}`;';
  const code = scrub(text, false);
  assert.equal(code.length, text.length);
  assert.equal(code.split('\n').length, text.split('\n').length);
  assert.ok(!code.includes('real') && !code.includes('block') && !code.includes('not a comment'));
  assert.ok(code.includes('const b ='));
  assert.deepEqual(
    importsOf(`/* ${IMPORT} x from './commented.ts' */\n${IMPORT} y from "./real.ts";`).map(
      (i) => i.specifier,
    ),
    ['./real.ts'],
  );
});

test('tidy self-test: the repository has sources to check', () => {
  assert.ok(SRC.some((source) => source.file === 'src/kernel/policy.ts'));
  assert.ok(dirname(ROOT).length > 0);
});
