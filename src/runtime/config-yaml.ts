// Reads `maos.yaml` text into a plain value, refusing what YAML allows but a security config must
// not hold (duplicate keys, prototype keys, alias bombs, custom tags), and maps a field path back
// to its line and column so every error can point at the file. Used by config.ts.

import {
  type Document,
  isAlias,
  isCollection,
  isMap,
  isNode,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type YAMLError,
} from 'yaml';
import { ERROR_CODES, FORBIDDEN_KEYS, fail, type KernelError, ok, type Result } from '../shared/index.ts';
import { CONFIG_LIMITS } from './config-schema.ts';

export type Position = { readonly line: number; readonly column: number };
export type FieldPath = readonly PropertyKey[];

export type YamlSource = {
  readonly value: unknown;
  /** Where `path` is written; the nearest existing parent when the field is missing. */
  locate(path: FieldPath, at: 'key' | 'value'): Position;
};

type Tree = Document.Parsed;
const START: Position = { line: 1, column: 1 };

/** Parses YAML text; errors carry stable codes (CONFIG_YAML, FORBIDDEN_KEY, OVERSIZED_INPUT) and a position. */
export function readYaml(text: string, file: string): Result<YamlSource, KernelError> {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > CONFIG_LIMITS.fileBytesMax) {
    return fail(
      ERROR_CODES.OVERSIZED_INPUT,
      `${file}: file is ${bytes} bytes, more than ${CONFIG_LIMITS.fileBytesMax}`,
      {
        file,
        bytes,
      },
    );
  }
  const lines = new LineCounter();
  let doc: Tree;
  try {
    doc = parseDocument(text, {
      lineCounter: lines,
      // WHY: yaml's duplicate-key check is quadratic in a mapping's size; checkTree's is linear.
      uniqueKeys: false,
      merge: false,
      version: '1.2',
      strict: true,
    });
  } catch (error) {
    // WHY: the parser should report, not throw; a throw here (stack depth) is still bad input.
    return yamlError(
      file,
      START,
      `cannot parse yaml: ${String((error as Error).message).split('\n')[0]}`,
      'PARSE',
    );
  }
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem !== undefined) return fromYamlError(file, problem);
  const position = (offset: number): Position => {
    const at = lines.linePos(offset);
    return { line: at.line, column: at.col };
  };
  const refused = checkTree(doc, file, position);
  if (refused !== undefined) return refused;
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: CONFIG_LIMITS.aliasCountMax });
  } catch (error) {
    const excessive = String((error as Error).message).startsWith('Excessive alias count');
    const message = excessive
      ? `aliases expand more than ${CONFIG_LIMITS.aliasCountMax} times`
      : `cannot expand aliases: ${String((error as Error).message).split('\n')[0]}`;
    return yamlError(file, START, message, 'ALIAS');
  }
  return ok({ value, locate: (path, at) => locateIn(doc, path, at, position) });
}

function fromYamlError(file: string, problem: YAMLError): Result<never, KernelError> {
  const at = problem.linePos?.[0];
  const position = at === undefined ? START : { line: at.line, column: at.col };
  // WHY: yaml's messages end with " at line N, column M:" and a source excerpt; we print our own.
  const first = (problem.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
  const message =
    problem.code === 'MULTIPLE_DOCS'
      ? 'the file must hold exactly one yaml document'
      : first.length > 0
        ? first[0]?.toLowerCase() + first.slice(1)
        : 'invalid yaml';
  return yamlError(file, position, message, problem.code);
}

function yamlError(
  file: string,
  at: Position,
  message: string,
  yamlCode: string,
): Result<never, KernelError> {
  return fail(ERROR_CODES.CONFIG_YAML, `${file}:${at.line}:${at.column}: ${message}`, {
    file,
    line: at.line,
    column: at.column,
    yamlCode,
  });
}

type Pending = { readonly node: unknown; readonly depth: number; readonly anchors: readonly string[] };

/**
 * Walks the syntax tree (aliases unexpanded, so the walk is linear in the file's size) and refuses
 * duplicate keys, prototype keys, non-scalar keys, dangling or self-containing aliases and deep nesting.
 */
function checkTree(
  doc: Tree,
  file: string,
  position: (offset: number) => Position,
): Result<never, KernelError> | undefined {
  const stack: Pending[] = [{ node: doc.contents, depth: 0, anchors: [] }];
  while (stack.length > 0) {
    const item = stack.pop();
    if (item === undefined) break;
    const { node, depth } = item;
    if (!isNode(node)) continue;
    const at = position(node.range?.[0] ?? 0);
    if (isAlias(node)) {
      if (node.resolve(doc) === undefined)
        return yamlError(file, at, `alias \`*${node.source}\` has no anchor`, 'ALIAS');
      if (item.anchors.includes(node.source)) {
        return yamlError(file, at, `alias \`*${node.source}\` refers to a node that contains it`, 'ALIAS');
      }
      continue;
    }
    if (!isCollection(node)) continue;
    if (depth >= CONFIG_LIMITS.depthMax) {
      return yamlError(file, at, `nesting is deeper than ${CONFIG_LIMITS.depthMax} levels`, 'DEPTH');
    }
    const anchors = node.anchor === undefined ? item.anchors : [...item.anchors, node.anchor];
    if (isSeq(node)) {
      for (const child of node.items) stack.push({ node: child, depth: depth + 1, anchors });
      continue;
    }
    const names = new Set<string>();
    for (const pair of node.items) {
      const key = pair.key;
      if (!isScalar(key) || key.value === null || typeof key.value === 'object') {
        const keyAt = isNode(key) ? offsetOf(key, position) : at;
        return yamlError(file, keyAt, 'mapping keys must be plain strings', 'KEY');
      }
      const name = String(key.value);
      if (names.has(name))
        return yamlError(file, offsetOf(key, position), `key \`${name}\` appears twice`, 'DUPLICATE_KEY');
      names.add(name);
      if (FORBIDDEN_KEYS.has(name)) {
        const keyAt = offsetOf(key, position);
        return fail(
          ERROR_CODES.FORBIDDEN_KEY,
          `${file}:${keyAt.line}:${keyAt.column}: key \`${name}\` is not allowed`,
          {
            file,
            line: keyAt.line,
            column: keyAt.column,
            key: name,
          },
        );
      }
      stack.push({ node: pair.value, depth: depth + 1, anchors });
    }
  }
  return undefined;
}

/** Follows `path` through the tree as far as it exists; see `YamlSource.locate`. */
function locateIn(
  doc: Tree,
  path: FieldPath,
  at: 'key' | 'value',
  position: (offset: number) => Position,
): Position {
  let node: unknown = doc.contents;
  let best: unknown = node;
  let depth = 0;
  for (; depth < path.length; depth++) {
    if (isAlias(node)) node = node.resolve(doc);
    const segment = path[depth];
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
      if (pair === undefined) break;
      best = pair.key;
      if (at === 'key' && depth === path.length - 1) return offsetOf(best, position);
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const child: unknown = node.items[segment];
      if (child === undefined) break;
      best = child;
      node = child;
    } else {
      break;
    }
  }
  // WHY: a scalar (or flow collection) is pointed at itself; a block mapping or list at its key.
  const complete = depth === path.length;
  const pointAtNode =
    complete && isNode(node) && (isScalar(node) || (isCollection(node) && node.flow === true));
  return offsetOf(pointAtNode ? node : best, position);
}

function offsetOf(node: unknown, position: (offset: number) => Position): Position {
  if (!isNode(node) || node.range === undefined || node.range === null) return START;
  return position(node.range[0]);
}
