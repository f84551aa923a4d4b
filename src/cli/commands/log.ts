// `maos log`: journal records from the daemon, one line each (or one JSON object per line), and
// with `--follow` new ones as they are appended, until ctrl-c.

import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type { HealthView, JournalEntryView } from '../../runtime/service.ts';
import { ok, type Result } from '../../shared/index.ts';
import {
  type ApiClient,
  type ApiFailure,
  CLIENT_OPTIONS,
  connectDaemon,
  reportFailure,
} from '../api-client.ts';
import { LOG_HELP } from '../help.ts';
import { EXIT, parseCount, UsageError } from '../io.ts';

const FOLLOW_POLL_MS = 500;
/** Where `--follow` starts without `--from`: the last 20 records, like `tail -f`. */
const FOLLOW_FROM_DEFAULT = -20;

type Query = { from?: string; limit?: string; type?: string; agent?: string; intent?: string };

export async function logCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...CLIENT_OPTIONS,
      from: { type: 'string' },
      limit: { type: 'string', short: 'n' },
      type: { type: 'string', short: 't', multiple: true },
      agent: { type: 'string' },
      intent: { type: 'string' },
      follow: { type: 'boolean', short: 'f' },
    },
  });
  if (values.help) {
    process.stdout.write(LOG_HELP);
    return EXIT.ok;
  }
  if (values.from !== undefined && !/^-?\d+$/.test(values.from)) {
    throw new UsageError(`\`--from\` must be a whole number, not \`${values.from}\``);
  }
  const query: Query = {
    ...(values.limit === undefined ? {} : { limit: String(parseCount(values.limit, '`--limit`')) }),
    ...(values.type === undefined ? {} : { type: values.type.join(',') }),
    ...(values.agent === undefined ? {} : { agent: values.agent }),
    ...(values.intent === undefined ? {} : { intent: values.intent }),
  };
  const client = await connectDaemon(values);
  if (!client.ok) return reportFailure(client.error);
  const print = (entry: JournalEntryView) =>
    process.stdout.write(`${values.json ? JSON.stringify(entry) : formatEntry(entry)}\n`);
  if (values.follow !== true) {
    const page = await client.value.get<readonly JournalEntryView[]>('/v1/journal', {
      ...query,
      from: values.from,
    });
    if (!page.ok) return reportFailure(page.error);
    for (const entry of page.value) print(entry);
    return EXIT.ok;
  }
  return follow(client.value, query, values.from ?? String(FOLLOW_FROM_DEFAULT), print);
}

/** Polls from the last sequence number seen until SIGINT or SIGTERM; a full page is followed at once. */
async function follow(
  client: ApiClient,
  query: Query,
  from: string,
  print: (entry: JournalEntryView) => void,
): Promise<number> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const start = await absoluteFrom(client, from);
    if (!start.ok) return reportFailure(start.error);
    let next = start.value;
    while (!stop.signal.aborted) {
      const page = await client.get<readonly JournalEntryView[]>('/v1/journal', { ...query, from: next });
      if (!page.ok) return reportFailure(page.error);
      for (const entry of page.value) print(entry);
      const last = page.value.at(-1);
      if (last !== undefined) next = String(last.seq + 1);
      const full = page.value.length >= Number(query.limit ?? 100);
      if (!full) await sleep(FOLLOW_POLL_MS, undefined, { signal: stop.signal }).catch(() => undefined);
    }
    return EXIT.ok;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/**
 * WHY: a negative `from` counts back from the head at each request; fixed once here, so a filtered
 * follow whose window holds no match yet cannot slide past records appended between two polls.
 */
async function absoluteFrom(client: ApiClient, from: string): Promise<Result<string, ApiFailure>> {
  if (!from.startsWith('-')) return ok(from);
  const health = await client.get<HealthView>('/v1/health');
  if (!health.ok) return health;
  return ok(String(Math.max(0, health.value.journalHeadSeq + 1 + Number(from))));
}

/** `#12  2025-06-01T12:00:00.000Z  intent.committed  agent=researcher action=fs.read …`. */
export function formatEntry(entry: JournalEntryView): string {
  const data =
    entry.data !== null && typeof entry.data === 'object' ? (entry.data as Record<string, unknown>) : {};
  const fields: string[] = [];
  for (const [label, key] of [
    ['agent', 'agent'],
    ['action', 'action'],
    ['resource', 'resource'],
    ['intent', 'intentId'],
  ] as const) {
    const value = data[key];
    if (typeof value === 'string') fields.push(`${label}=${value}`);
  }
  const time = Number.isFinite(entry.ts) ? new Date(entry.ts).toISOString() : String(entry.ts);
  return [`#${entry.seq}`, time, entry.type, ...fields].join('  ').replace(/[\r\n]/g, ' ');
}
