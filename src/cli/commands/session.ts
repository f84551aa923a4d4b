// `maos session create|token|show`: the operator's side of the pods' shared sessions (issue 5)
// through the daemon. `token` prints only the join token, so it can be piped to the agent.

import { parseArgs } from 'node:util';
import type { SharedSessionView } from '../../runtime/service.ts';
import { CLIENT_OPTIONS, connectDaemon, reportFailure } from '../api-client.ts';
import { SESSION_HELP } from '../help.ts';
import { EXIT, parseDurationMs, printJson, UsageError } from '../io.ts';

/** The daemon's shared-session routes (src/http/session-routes.ts). */
const PATH = '/v1/shared-sessions';

type JoinToken = { readonly token: string; readonly expiresAtMs?: number };

export async function sessionCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'create':
      return createCommand(rest);
    case 'token':
      return tokenCommand(rest);
    case 'show':
      return showCommand(rest);
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(SESSION_HELP);
      return sub === undefined ? EXIT.usage : EXIT.ok;
    default:
      throw new UsageError(
        sub.startsWith('-')
          ? '`maos session` needs a subcommand: create, token or show; see `maos session --help`'
          : `unknown subcommand \`session ${sub}\`; see \`maos session --help\``,
      );
  }
}

async function createCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...CLIENT_OPTIONS,
      members: { type: 'string', short: 'm', multiple: true },
      'read-only': { type: 'string', short: 'r', multiple: true },
    },
  });
  if (values.help) {
    process.stdout.write(SESSION_HELP);
    return EXIT.ok;
  }
  const id = onePositional(positionals, '`maos session create` needs a session id');
  const readOnly = [...new Set(agentList(values['read-only'] ?? [], '--read-only'))];
  // WHY: a read-only agent is a member too, so `--read-only c` need not be repeated in --members.
  const members = [...new Set([...agentList(values.members ?? [], '--members'), ...readOnly])];
  if (members.length === 0) throw new UsageError('`maos session create` needs `--members a,b`');
  const client = await connectDaemon(values);
  if (!client.ok) return reportFailure(client.error);
  const body = { id, members, ...(readOnly.length === 0 ? {} : { readOnly }) };
  const created = await client.value.post<SharedSessionView>(PATH, body);
  if (!created.ok) return reportFailure(created.error);
  if (values.json) printJson(created.value);
  else process.stdout.write(formatSession(created.value, 'created session'));
  return EXIT.ok;
}

async function tokenCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...CLIENT_OPTIONS, ttl: { type: 'string' } },
  });
  if (values.help) {
    process.stdout.write(SESSION_HELP);
    return EXIT.ok;
  }
  const [id, agent, extra] = positionals;
  if (id === undefined || agent === undefined) {
    throw new UsageError(
      '`maos session token` needs a session and an agent: maos session token <id> <agent>',
    );
  }
  if (extra !== undefined) throw new UsageError(`unexpected argument \`${extra}\``);
  const ttl = values.ttl?.trim();
  // WHY: a malformed duration is a usage error here; its bound (1 h) is the daemon's to enforce.
  if (ttl !== undefined) parseDurationMs(ttl);
  const client = await connectDaemon(values);
  if (!client.ok) return reportFailure(client.error);
  const minted = await client.value.post<JoinToken>(`${PATH}/${encodeURIComponent(id)}/tokens`, {
    agent,
    ...(ttl === undefined ? {} : { ttl }),
  });
  if (!minted.ok) return reportFailure(minted.error);
  if (values.json) printJson(minted.value);
  else process.stdout.write(`${minted.value.token}\n`);
  return EXIT.ok;
}

async function showCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: CLIENT_OPTIONS });
  if (values.help) {
    process.stdout.write(SESSION_HELP);
    return EXIT.ok;
  }
  const id = onePositional(positionals, '`maos session show` needs a session id');
  const client = await connectDaemon(values);
  if (!client.ok) return reportFailure(client.error);
  const shown = await client.value.get<SharedSessionView>(`${PATH}/${encodeURIComponent(id)}`);
  if (!shown.ok) return reportFailure(shown.error);
  if (values.json) printJson(shown.value);
  else process.stdout.write(formatSession(shown.value, 'session'));
  return EXIT.ok;
}

/** `plan: head 3, commit 9f…` then one `  agent  role` line per member. */
export function formatSession(view: SharedSessionView, title: string): string {
  const width = Math.max(0, ...view.members.map((member) => member.agent.length));
  const rows = view.members.map((member) => `  ${member.agent.padEnd(width)}  ${member.role}\n`);
  return `${title} ${view.id}: head ${view.head.seq}, commit ${view.head.commit}\n${rows.join('')}`;
}

function onePositional(positionals: readonly string[], missing: string): string {
  const [first, extra] = positionals;
  if (first === undefined) throw new UsageError(missing);
  if (extra !== undefined) throw new UsageError(`unexpected argument \`${extra}\``);
  return first;
}

/** `a,b` (the flag may also be repeated); an empty name is a usage error. */
function agentList(given: readonly string[], flag: string): string[] {
  const agents = given.flatMap((text) => text.split(',').map((agent) => agent.trim()));
  if (agents.some((agent) => agent === '')) {
    throw new UsageError(`\`${flag}\` takes agent ids separated by commas, such as \`${flag} a,b\``);
  }
  return agents;
}
