// Files through which the CLI finds a running daemon: `<dataDir>/api-token` (the HTTP API's bearer
// token, new at every start) and `<dataDir>/daemon.json` (its URL and pid). Both owner-only (0600).

import { randomBytes } from 'node:crypto';
import { readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ERROR_CODES, err, fail, KernelError, ok, parseJsonStrict, type Result } from '../shared/index.ts';
import { writeNewFileDurable } from './durable-file.ts';

export const API_TOKEN_FILE = 'api-token';
export const DAEMON_INFO_FILE = 'daemon.json';

/** Where a running daemon listens. */
export type DaemonInfo = { readonly url: string; readonly pid: number };

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const INFO_BYTES_MAX = 4096;

/** Makes a new token (32 random bytes, base64url), writes it atomically and returns it. */
export async function writeApiToken(dataDir: string): Promise<Result<string, KernelError>> {
  const token = randomBytes(32).toString('base64url');
  const written = await writeAtomic(join(dataDir, API_TOKEN_FILE), `${token}\n`);
  return written.ok ? ok(token) : written;
}

export const MCP_TOKEN_FILE = 'mcp-token';

/**
 * The bearer token MCP clients present to `maos gateway --http`: kept across restarts (client
 * configs hold it) and distinct from the API token, so an MCP client cannot approve its own calls.
 */
export async function loadOrCreateMcpToken(dataDir: string): Promise<Result<string, KernelError>> {
  const file = join(dataDir, MCP_TOKEN_FILE);
  const existing = await readFile(file, 'utf8').then(
    (text) => text.trim(),
    () => undefined,
  );
  if (existing !== undefined && TOKEN_PATTERN.test(existing)) return ok(existing);
  const token = randomBytes(32).toString('base64url');
  const written = await writeAtomic(file, `${token}\n`);
  return written.ok ? ok(token) : written;
}

/** Reads the token a running daemon wrote; DAEMON_UNREACHABLE when there is none. */
export async function readApiToken(dataDir: string): Promise<Result<string, KernelError>> {
  const file = join(dataDir, API_TOKEN_FILE);
  const text = await readSmall(file, dataDir);
  if (!text.ok) return text;
  const token = text.value.trim();
  if (!TOKEN_PATTERN.test(token)) return fail(ERROR_CODES.IO, `\`${file}\` does not hold an api token`);
  return ok(token);
}

export async function writeDaemonInfo(dataDir: string, info: DaemonInfo): Promise<Result<void, KernelError>> {
  return writeAtomic(
    join(dataDir, DAEMON_INFO_FILE),
    `${JSON.stringify({ url: info.url, pid: info.pid })}\n`,
  );
}

/** Reads `daemon.json`; DAEMON_UNREACHABLE when no daemon has written one. */
export async function readDaemonInfo(dataDir: string): Promise<Result<DaemonInfo, KernelError>> {
  const file = join(dataDir, DAEMON_INFO_FILE);
  const text = await readSmall(file, dataDir);
  if (!text.ok) return text;
  const parsed = parseJsonStrict(text.value, { bytesMax: INFO_BYTES_MAX, depthMax: 2 });
  if (!parsed.ok) return fail(parsed.error.code, `\`${file}\`: ${parsed.error.message}`);
  const value = parsed.value;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const { url, pid } = value;
    if (typeof url === 'string' && /^https?:\/\//.test(url) && Number.isSafeInteger(pid) && Number(pid) > 0) {
      return ok({ url, pid: Number(pid) });
    }
  }
  return fail(ERROR_CODES.IO, `\`${file}\` does not describe a daemon`);
}

/** Removes `daemon.json`; removing a missing file is not an error. */
export async function removeDaemonInfo(dataDir: string): Promise<void> {
  await unlink(join(dataDir, DAEMON_INFO_FILE)).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}

/** The error every client shows when it cannot find or reach the daemon of `dataDir`. */
export function daemonUnreachable(dataDir: string, detail?: string): KernelError {
  const why = detail === undefined ? '' : ` (${detail})`;
  return new KernelError(
    ERROR_CODES.DAEMON_UNREACHABLE,
    `no maos daemon is running for data directory \`${dataDir}\`${why}; start one with \`maos start\``,
    { dataDir },
  );
}

async function readSmall(file: string, dataDir: string): Promise<Result<string, KernelError>> {
  try {
    const text = await readFile(file, 'utf8');
    if (text.length > INFO_BYTES_MAX) return fail(ERROR_CODES.IO, `\`${file}\` is too large`);
    return ok(text);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return err(daemonUnreachable(dataDir));
    return fail(ERROR_CODES.IO, `cannot read \`${file}\`: ${(error as Error).message}`);
  }
}

/** Writes owner-only to a private staging file, syncs, then renames over `file`. */
async function writeAtomic(file: string, text: string): Promise<Result<void, KernelError>> {
  const staging = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeNewFileDurable(staging, text);
    await rename(staging, file);
    return ok(undefined);
  } catch (error) {
    await unlink(staging).catch(() => undefined);
    return fail(ERROR_CODES.IO, `cannot write \`${file}\`: ${(error as Error).message}`);
  }
}
