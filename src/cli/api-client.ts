// How the CLI's daemon commands reach a running `maos start`: find the data directory (from
// `--data-dir` or the config), read daemon.json and the api token there, and call the HTTP API.

import { resolve } from 'node:path';
import { daemonUnreachable, readApiToken, readDaemonInfo } from '../runtime/api-token.ts';
import { loadConfig } from '../runtime/index.ts';
import { ERROR_CODES, err, ok, type Result } from '../shared/index.ts';
import { EXIT } from './io.ts';

/** A failure as the API reports it: a `KernelError`, or a wire code the daemon sent. */
export type ApiFailure = { readonly code: string; readonly message: string };

/** A connection to the daemon of one data directory. */
export type ApiClient = {
  readonly url: string;
  readonly dataDir: string;
  get<T>(path: string, query?: Readonly<Record<string, string | undefined>>): Promise<Result<T, ApiFailure>>;
  post<T>(path: string, body?: unknown): Promise<Result<T, ApiFailure>>;
};

export type DaemonFlags = { readonly config: string; readonly 'data-dir'?: string | undefined };

/** A daemon on localhost answers quickly; longer means it is stuck. */
const REQUEST_TIMEOUT_MS = 30_000;

/** The data directory named by `--data-dir`, or else by the config's `dataDir`. */
export async function dataDirFromFlags(flags: DaemonFlags): Promise<Result<string, ApiFailure>> {
  const dataDir = flags['data-dir'];
  if (dataDir !== undefined) return ok(resolve(dataDir));
  const config = await loadConfig(resolve(flags.config));
  return config.ok ? ok(config.value.dataDir) : config;
}

/** Finds the daemon for the flags' data directory; DAEMON_UNREACHABLE when none is running. */
export async function connectDaemon(flags: DaemonFlags): Promise<Result<ApiClient, ApiFailure>> {
  const dataDir = await dataDirFromFlags(flags);
  if (!dataDir.ok) return dataDir;
  const dir = dataDir.value;
  const info = await readDaemonInfo(dir);
  if (!info.ok) return info;
  if (!processExists(info.value.pid)) return err(daemonUnreachable(dir));
  const token = await readApiToken(dir);
  if (!token.ok) return token;
  const call = <T>(method: string, path: string, body?: unknown) =>
    request<T>({ url: `${info.value.url}${path}`, method, token: token.value, dataDir: dir, body });
  return ok({
    url: info.value.url,
    dataDir: dir,
    get: (path, query) => call('GET', `${path}${queryString(query)}`),
    post: (path, body) => call('POST', path, body ?? {}),
  });
}

/** Prints `maos: CODE: message` and returns the exit code for a failed call (2). */
export function reportFailure(failure: ApiFailure): number {
  process.stderr.write(`maos: ${failure.code}: ${failure.message}\n`);
  return EXIT.usage;
}

type Request = {
  readonly url: string;
  readonly method: string;
  readonly token: string;
  readonly dataDir: string;
  readonly body: unknown;
};

async function request<T>(req: Request): Promise<Result<T, ApiFailure>> {
  let response: Response;
  try {
    response = await fetch(req.url, {
      method: req.method,
      headers: {
        authorization: `Bearer ${req.token}`,
        ...(req.method === 'GET' ? {} : { 'content-type': 'application/json' }),
      },
      ...(req.method === 'GET' ? {} : { body: JSON.stringify(req.body) }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    if ((error as Error).name === 'TimeoutError') {
      return err({
        code: ERROR_CODES.DAEMON_UNREACHABLE,
        message: `the daemon at \`${req.url}\` did not answer within ${REQUEST_TIMEOUT_MS / 1000} s`,
      });
    }
    // WHY: fetch reports a refused or reset connection as a TypeError; every such case means no daemon.
    return err(daemonUnreachable(req.dataDir));
  }
  const text = await response.text().catch(() => '');
  const body = parseBody(text);
  if (response.ok && body !== undefined) return ok(body as T);
  const failure = (body as { error?: Partial<ApiFailure> } | undefined)?.error;
  if (typeof failure?.code === 'string' && typeof failure.message === 'string') {
    return err({ code: failure.code, message: failure.message });
  }
  return err({
    code: 'HTTP_ERROR',
    message: `the daemon answered http ${response.status} without a json body`,
  });
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function queryString(query: Readonly<Record<string, string | undefined>> | undefined): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) params.set(key, value);
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/** False only when the pid certainly names no process: a crashed daemon leaves daemon.json behind. */
function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** Options of every command that talks to the daemon. */
export const CLIENT_OPTIONS = {
  config: { type: 'string', short: 'c', default: 'maos.yaml' },
  'data-dir': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;
