// `maos start`: the daemon. Opens the kernel service (taking the data directory's lock), serves
// the HTTP API on localhost with a fresh bearer token, and shuts down cleanly on SIGINT/SIGTERM.

import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type HttpServer, startHttpServer } from '../../http/index.ts';
import { API_TOKEN_FILE, removeDaemonInfo, writeApiToken, writeDaemonInfo } from '../../runtime/api-token.ts';
import { openPodRuntime } from '../../runtime/pod-runtime.ts';
import { ERROR_CODES, KernelError } from '../../shared/index.ts';
import { START_HELP } from '../help.ts';
import { EXIT, reportError, UsageError } from '../io.ts';
import { waitForStop } from '../stop-signal.ts';
import { RUNTIME_OPTIONS, runtimeLocation } from './options.ts';

export async function startCommand(args: string[], version: string): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...RUNTIME_OPTIONS,
      port: { type: 'string', short: 'p', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      'allow-remote': { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(START_HELP);
    return EXIT.ok;
  }
  const port = parsePort(values.port);
  const host = values.host.replace(/^\[(.*)\]$/, '$1');
  if (!isLoopback(host) && values['allow-remote'] !== true) {
    throw new UsageError(
      `refusing to listen on \`${host}\`: the api would be reachable from other machines, guarded only by its bearer token; pass --allow-remote to accept that`,
    );
  }
  // WHY: listen for signals before anything else, so a stop during start-up still shuts down cleanly.
  const stop = waitForStop();
  // The daemon hosts agent pods too (`maos agent run`, `maos ps`); pods die with the daemon.
  const opened = await openPodRuntime({ ...runtimeLocation(values), exclusive: true });
  if (!opened.ok) {
    stop.cancel();
    return reportError(opened.error);
  }
  const { service, dataDir } = opened.value;
  let server: HttpServer | undefined;
  try {
    const token = await writeApiToken(dataDir);
    if (!token.ok) return reportError(token.error);
    const listening = await listen(() =>
      startHttpServer(service, { host, port, token: token.value, version }),
    );
    if (listening instanceof KernelError) return reportError(listening);
    server = listening;
    const info = await writeDaemonInfo(dataDir, { url: server.url, pid: process.pid });
    if (!info.ok) return reportError(info.error);
    process.stdout.write(
      `maos daemon listening on ${server.url} (data directory ${dataDir}, api token in ${join(dataDir, API_TOKEN_FILE)}); stop with ctrl-c\n`,
    );
    const signal = await stop.reason;
    process.stdout.write(`maos daemon stopping (${signal})\n`);
    return EXIT.ok;
  } finally {
    await server?.close();
    await removeDaemonInfo(dataDir).catch(() => undefined);
    await opened.value.close();
    stop.cancel();
  }
}

export async function listen(start: () => Promise<HttpServer>): Promise<HttpServer | KernelError> {
  try {
    return await start();
  } catch (error) {
    return new KernelError(ERROR_CODES.IO, `cannot listen: ${(error as Error).message}`);
  }
}

export function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d{1,5}$/.test(text) || port > 65_535) {
    throw new UsageError(`\`--port\` must be a whole number from 0 to 65535, not \`${text}\``);
  }
  return port;
}

/** True for names and addresses that only this machine can reach. */
export function isLoopback(host: string): boolean {
  const bare = host.toLowerCase();
  if (bare === 'localhost' || bare === '::1') return true;
  return /^(?:::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}
