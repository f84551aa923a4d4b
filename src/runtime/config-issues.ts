// Turns schema issues into Cedar-style messages (lowercase, one line, user input in backticks)
// that name file, line, column and field: ``maos.yaml:12:7: `agents.researcher.ring` must be 1, 2 or 3``.

import type { z } from 'zod';
import { ERROR_CODES, fail, type KernelError, type Result } from '../shared/index.ts';
import { CONFIG_LIMITS } from './config-schema.ts';
import type { FieldPath, YamlSource } from './config-yaml.ts';

/** One problem found in the file, as listed in `details.issues`. */
export type ConfigIssue = {
  readonly line: number;
  readonly column: number;
  readonly path: string;
  readonly message: string;
};

type Finding = { readonly path: FieldPath; readonly at: 'key' | 'value'; readonly message: string };

const EXPECTED: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: '`true` or `false`',
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
};

const REQUIRED = 'is required';
const PLAIN_SEGMENT = /^[A-Za-z0-9_-]+$/;
const INPUT_SHOWN_MAX = 40;
const ISSUES_LOCATED_MAX = 200;

/** Renders a field path: `agents.researcher.capabilities[1].constraint`, `actions["fs.read"].output`. */
export function formatPath(path: FieldPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (PLAIN_SEGMENT.test(String(segment)))
      out += out.length === 0 ? String(segment) : `.${String(segment)}`;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}

/** Per-parse zod error map: messages for issues whose schema gave none. */
export const issueMessage: z.core.$ZodErrorMap = (issue) => {
  // WHY: zod checks a missing field against its type or literal; either way the field is absent.
  if (issue.input === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_value')) {
    return REQUIRED;
  }
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${EXPECTED[issue.expected] ?? issue.expected}${received(issue.input)}`;
    case 'too_small':
      return sizeMessage('at least', issue.origin, Number(issue.minimum), issue.inclusive !== false);
    case 'too_big':
      return sizeMessage('at most', issue.origin, Number(issue.maximum), issue.inclusive !== false);
    case 'invalid_value':
      return issue.values.length === 1
        ? `must be ${show(issue.values[0])}`
        : `must be one of ${issue.values.map(show).join(', ')}`;
    case 'invalid_format':
      return 'has an invalid format';
    case 'invalid_union':
      return 'has an invalid form';
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}`;
    default:
      return undefined;
  }
};

function sizeMessage(bound: string, origin: string, limit: number, inclusive: boolean): string {
  if (origin === 'string')
    return bound === 'at least' && limit === 1
      ? 'must not be empty'
      : `must have ${bound} ${limit} characters`;
  if (origin === 'array' || origin === 'set') return `must have ${bound} ${limit} items`;
  if (inclusive) return `must be ${bound} ${limit}`;
  return `must be ${bound === 'at least' ? 'more' : 'less'} than ${limit}`;
}

function show(value: unknown): string {
  return `\`${String(value)}\``;
}

function received(input: unknown): string {
  if (input === null) return ', not an empty value';
  if (Array.isArray(input)) return ', not a list';
  if (typeof input === 'object') return ', not a mapping';
  const text = String(input);
  return `, not \`${text.length > INPUT_SHOWN_MAX ? `${text.slice(0, INPUT_SHOWN_MAX)}…` : text}\``;
}

function findings(issue: z.core.$ZodIssue): Finding[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      path: [...issue.path, key],
      at: 'key',
      message: 'is not a known field',
    }));
  }
  if (issue.code === 'invalid_key') {
    const kind = issue.path.length === 2 && issue.path[0] === 'agents' ? 'agent id' : 'name';
    const inner = issue.issues[0]?.message ?? 'has an invalid format';
    return [{ path: issue.path, at: 'key', message: `is not a valid ${kind}: it ${inner}` }];
  }
  return [{ path: issue.path, at: 'value', message: issue.message }];
}

/** CONFIG_INVALID naming the first issue in file order; `details.issues` lists the first few. */
export function invalidConfig(
  file: string,
  source: YamlSource,
  issues: readonly z.core.$ZodIssue[],
): Result<never, KernelError> {
  // WHY: locating is linear in a mapping's size; thousands of bad keys must stay cheap to report.
  const located: ConfigIssue[] = issues
    .flatMap(findings)
    .slice(0, ISSUES_LOCATED_MAX)
    .map((finding) => {
      const { line, column } = source.locate(finding.path, finding.at);
      return { line, column, path: formatPath(finding.path), message: finding.message };
    });
  // WHY: a missing field is often a misspelt one reported elsewhere; name the misspelling first.
  const rank = (issue: ConfigIssue) => (issue.message === REQUIRED ? 1 : 0);
  located.sort((a, b) => rank(a) - rank(b) || a.line - b.line || a.column - b.column);
  const first = located[0] ?? { line: 1, column: 1, path: '', message: 'is invalid' };
  const subject = first.path.length === 0 ? 'configuration' : `\`${first.path}\``;
  return fail(
    ERROR_CODES.CONFIG_INVALID,
    `${file}:${first.line}:${first.column}: ${subject} ${first.message}`,
    {
      file,
      line: first.line,
      column: first.column,
      path: first.path,
      issues: located.slice(0, CONFIG_LIMITS.issuesReportedMax),
    },
  );
}
