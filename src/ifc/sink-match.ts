// Matching argument values against what a sink policy names (§11, issue 7): glob patterns for
// strings, ranges for numbers, host names for links. Bounded, and strict where in doubt: a value
// that might imitate an allowed one matches nothing.

import type { JsonValue } from '../shared/index.ts';
import { doubtOf } from './provenance/index.ts';
import type { Condition, ValueCondition } from './sink-policy.ts';

/** True when every listed argument meets its condition (an empty condition never holds). */
export function conditionHolds(condition: Condition, args: Readonly<Record<string, JsonValue>>): boolean {
  if (condition.length === 0) return false;
  return condition.every(([argument, wanted]) => valueMeets(args[argument], wanted));
}

/**
 * True when the condition holds and at least one listed argument names someone: a clearance is
 * granted for who receives the data, never for a call that names no receiver.
 */
export function conditionNamesSomeone(
  condition: Condition,
  args: Readonly<Record<string, JsonValue>>,
): boolean {
  if (!conditionHolds(condition, args)) return false;
  return condition.some(([argument]) => {
    const value = args[argument];
    return value !== undefined && value !== '' && stringsIn(value).strings.some((text) => text.trim() !== '');
  });
}

/**
 * Patterns: true when every string in the argument matches one. An absent argument, an empty list or
 * an empty string names nobody, so nothing in it is outside the list. Ranges: true only for a finite
 * number within bounds (an absent amount is not a small one).
 */
export function valueMeets(value: JsonValue | undefined, wanted: ValueCondition): boolean {
  if (!('patterns' in wanted)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) return false;
    return (
      (wanted.min === undefined || value >= wanted.min) && (wanted.max === undefined || value <= wanted.max)
    );
  }
  if (value === undefined || value === '') return true;
  const { strings, complete, onlyStrings } = stringsIn(value);
  // WHY: a number, boolean or object where an allowlisted string belongs matches no pattern.
  if (!complete || !onlyStrings) return false;
  return strings.every((text) => wanted.patterns.some((pattern) => globMatches(pattern, text)));
}

/** The host name of a link written in text (`www.` links get a scheme); undefined when unreadable. */
export function linkHost(link: string): string | undefined {
  try {
    const url = new URL(/^www\./i.test(link) ? `https://${link}` : link);
    return url.hostname === '' ? undefined : url.hostname;
  } catch {
    return undefined;
  }
}

const LEAVES_MAX = 256;
const DEPTH_MAX = 16;

type Strings = { readonly strings: string[]; complete: boolean; onlyStrings: boolean };

/**
 * The strings inside `value`, through lists and objects. `complete` is false past 256 leaves or
 * depth 16; `onlyStrings` is false when anything but strings and lists of them was met.
 */
export function stringsIn(value: JsonValue): Strings {
  const out: Strings = { strings: [], complete: true, onlyStrings: true };
  const walk = (item: JsonValue, depth: number): void => {
    if (depth > DEPTH_MAX || out.strings.length > LEAVES_MAX) {
      out.complete = false;
      return;
    }
    if (typeof item === 'string') out.strings.push(item);
    else if (Array.isArray(item)) for (const each of item) walk(each, depth + 1);
    else {
      out.onlyStrings = false;
      if (item !== null && typeof item === 'object')
        for (const each of Object.values(item)) walk(each, depth + 1);
    }
  };
  walk(value, 0);
  return out;
}

/** Longer values match no pattern (and cannot make a pattern backtrack for long). */
const GLOB_VALUE_MAX = 1024;
/**
 * What `*` stands for: any run of characters but separators. So `*@northwind.example` cannot match
 * `eve@evil.example, a@northwind.example` or `eve@evil.example <a@northwind.example>`, and
 * `*.northwind.example` matches host names only.
 */
const STAR = '[^\\s@,;<>/\\\\"\'`:]*';

/**
 * `*` matches any run of characters but separators; matching ignores case and surrounding space. A
 * value with hidden characters or mixed-script lookalikes never matches: it may imitate an allowed one.
 */
export function globMatches(pattern: string, value: string): boolean {
  if (value.length > GLOB_VALUE_MAX || doubtOf(value) !== undefined) return false;
  const text = value.normalize('NFKC').trim().toLowerCase();
  const source = pattern
    .normalize('NFKC')
    .trim()
    .toLowerCase()
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join(STAR);
  return new RegExp(`^${source}$`, 's').test(text);
}
