// Allowlists the gateways check on every call, compiled once from the gateway configuration.
// Resources and workspace paths use the token scopes' segment globs (the kernel's `resourceMatches`),
// so a gateway pre-check and a token scope read a pattern the same way; names use `*` globs.

import { resourceMatches } from '../kernel/index.ts';

export interface Allowlist {
  matches(value: string): boolean;
}

/** Longer values match no name pattern, so a pattern cannot backtrack for long. */
const NAME_LENGTH_MAX = 1024;

/**
 * Segment globs: `*` is one `/`-separated segment, `**` any number of them, the rest literal and
 * case-sensitive. Patterns without a wildcard are looked up in a set.
 */
export function segmentAllowlist(patterns: readonly string[]): Allowlist {
  const exact = new Set<string>();
  const globs: string[] = [];
  for (const pattern of patterns) {
    if (pattern.includes('*')) globs.push(pattern);
    else exact.add(pattern);
  }
  return {
    matches(value: string): boolean {
      if (exact.has(value)) return true;
      for (const glob of globs) if (resourceMatches(glob, value)) return true;
      return false;
    },
  };
}

/** Name globs: `*` matches any run of characters (`worker-*`, `task.*`), case-sensitive. */
export function nameAllowlist(patterns: readonly string[]): Allowlist {
  const exact = new Set<string>();
  const globs: string[] = [];
  let any = false;
  for (const pattern of patterns) {
    if (pattern === '*') any = true;
    else if (pattern.includes('*')) globs.push(pattern);
    else exact.add(pattern);
  }
  return {
    matches(value: string): boolean {
      if (any || exact.has(value)) return true;
      if (value.length > NAME_LENGTH_MAX) return false;
      for (const glob of globs) if (wildcardMatches(glob, value)) return true;
      return false;
    },
  };
}

/**
 * `*` matches any run of characters. Backtracks to the last `*` only: O(pattern × value) at worst,
 * however many stars the pattern holds (a regular expression could take exponential time).
 */
export function wildcardMatches(pattern: string, value: string): boolean {
  let p = 0;
  let v = 0;
  let star = -1;
  let mark = 0;
  while (v < value.length) {
    if (p < pattern.length && pattern[p] === '*') {
      star = p;
      mark = v;
      p += 1;
    } else if (p < pattern.length && pattern[p] === value[v]) {
      p += 1;
      v += 1;
    } else if (star >= 0) {
      p = star + 1;
      mark += 1;
      v = mark;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p += 1;
  return p === pattern.length;
}
