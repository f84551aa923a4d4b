// `maos approve <intent-id>`, and the shared path of approve, reject and undo: post a human's
// decision about one intent to the daemon and print the intent's resulting state.

import { parseArgs } from 'node:util';
import type { IntentStatus } from '../../runtime/service.ts';
import { CLIENT_OPTIONS, connectDaemon, reportFailure } from '../api-client.ts';
import { APPROVE_HELP } from '../help.ts';
import { EXIT, operatorName, printJson, UsageError } from '../io.ts';

export type DecisionCommand = {
  /** The command's name, as typed. */
  readonly name: string;
  /** What was done, for the summary line: `approved`, `rejected`, `undone`. */
  readonly done: string;
  readonly help: string;
  /** The API path for an intent id. */
  readonly path: (intentId: string) => string;
};

export function approveCommand(args: string[]): Promise<number> {
  return decisionCommand(args, {
    name: 'approve',
    done: 'approved',
    help: APPROVE_HELP,
    path: (id) => `/v1/held/${encodeURIComponent(id)}/approve`,
  });
}

/** Runs `maos <name> <intent-id> [--by name] [--note text] [--json]`. Exit 1 when the intent then failed. */
export async function decisionCommand(args: string[], command: DecisionCommand): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...CLIENT_OPTIONS, by: { type: 'string' }, note: { type: 'string' } },
  });
  if (values.help) {
    process.stdout.write(command.help);
    return EXIT.ok;
  }
  const [intentId, extra] = positionals;
  if (intentId === undefined) throw new UsageError(`\`maos ${command.name}\` needs an intent id`);
  if (extra !== undefined) throw new UsageError(`unexpected argument \`${extra}\``);
  const client = await connectDaemon(values);
  if (!client.ok) return reportFailure(client.error);
  const body = {
    by: values.by ?? operatorName(),
    ...(values.note === undefined ? {} : { note: values.note }),
  };
  const result = await client.value.post<IntentStatus>(command.path(intentId), body);
  if (!result.ok) return reportFailure(result.error);
  const status = result.value;
  if (values.json) printJson(status);
  else process.stdout.write(formatStatus(command.done, status));
  return status.state === 'failed' || status.state === 'conflict' ? EXIT.deny : EXIT.ok;
}

function formatStatus(done: string, status: IntentStatus): string {
  const lines = [
    `${done} ${status.intentId}: ${status.agent} ${status.action} ${status.resource} -> ${status.state}`,
  ];
  if (status.error !== undefined) lines.push(`  ${status.error.code}: ${status.error.message}`);
  if (status.undoUntilMs !== undefined) {
    lines.push(
      `  undo possible until ${new Date(status.undoUntilMs).toISOString()} (maos undo ${status.intentId})`,
    );
  }
  return `${lines.join('\n')}\n`;
}
