// Shared plumbing for CLI commands: exit codes, output, errors, and reading tokens and files
// given as `@path`, `-` (standard input) or inline text.

import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { ERROR_CODES, fail, type KernelError, ok, type Result } from '../shared/index.ts';

export const EXIT = { ok: 0, deny: 1, usage: 2, escalate: 3 } as const;

export class UsageError extends Error {
  override name = 'UsageError';
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Prints a kernel error as `maos: CODE: message` and returns the usage exit code. */
export function reportError(error: KernelError): number {
  process.stderr.write(`maos: ${error.code}: ${error.message}\n`);
  return EXIT.usage;
}

/** Reads an argument that is inline text, `@path` or `-` for standard input. */
export async function readArgument(value: string, what: string): Promise<Result<string, KernelError>> {
  try {
    if (value === '-') return ok(await readStdin());
    if (value.startsWith('@')) return ok((await readFile(value.slice(1), 'utf8')).trim());
    return ok(value.trim());
  } catch (error) {
    return fail(ERROR_CODES.IO, `cannot read ${what} \`${value}\`: ${(error as Error).message}`);
  }
}

/**
 * Reads a file, or standard input for `-`, as raw bytes. WHY: decoding is left to the strict
 * parser, so invalid UTF-8 is refused (INVALID_UTF8) instead of silently becoming U+FFFD.
 */
export async function readInputBytes(path: string, what: string): Promise<Result<Uint8Array, KernelError>> {
  try {
    return ok(path === '-' ? await readStdinBytes() : await readFile(path));
  } catch (error) {
    return fail(ERROR_CODES.IO, `cannot read ${what} \`${path}\`: ${(error as Error).message}`);
  }
}

async function readStdin(): Promise<string> {
  return Buffer.from(await readStdinBytes())
    .toString('utf8')
    .trim();
}

async function readStdinBytes(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Parses a duration such as `500ms`, `30s`, `15m`, `2h` or `1d` into milliseconds. */
export function parseDurationMs(text: string): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(text.trim());
  if (match === null) throw new UsageError(`\`${text}\` is not a duration like 30s, 15m, 2h or 1d`);
  const units: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  return Number(match[1]) * (units[match[2] ?? 'ms'] ?? 1);
}

export function parseCount(text: string, what: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`${what} must be a whole number of at least 1, not \`${text}\``);
  }
  return Number(text);
}

/** The operator's user name, recorded as who decided; WHY: `userInfo` throws where the uid has no passwd entry (containers). */
export function operatorName(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'cli';
  }
}
