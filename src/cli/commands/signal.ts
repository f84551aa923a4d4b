// `maos stop|cont|kill <agent>`: sends SIGSTOP, SIGCONT or SIGKILL to an agent pod through the
// daemon; `maos kill <agent> --signal TERM` sends another of the five signals.

import { parseArgs } from 'node:util';
import type { PodSignal, PodView } from '../../runtime/service.ts';
import { CLIENT_OPTIONS, connectDaemon, reportFailure } from '../api-client.ts';
import { SIGNAL_HELP } from '../help.ts';
import { EXIT, printJson, UsageError } from '../io.ts';

/** The signal each command sends by default. */
const DEFAULT_SIGNAL: Readonly<Record<SignalCommandName, PodSignal>> = {
  stop: 'SIGSTOP',
  cont: 'SIGCONT',
  kill: 'SIGKILL',
};

const SIGNAL_NAMES: readonly PodSignal[] = ['SIGSTOP', 'SIGCONT', 'SIGINT', 'SIGTERM', 'SIGKILL'];

export type SignalCommandName = 'stop' | 'cont' | 'kill';

/** Runs `maos <stop|cont|kill> <agent> [--json]`; only kill takes `--signal`. */
export async function signalCommand(name: SignalCommandName, args: string[]): Promise<number> {
  const options =
    name === 'kill' ? { ...CLIENT_OPTIONS, signal: { type: 'string', short: 's' } as const } : CLIENT_OPTIONS;
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options });
  if (values.help) {
    process.stdout.write(SIGNAL_HELP);
    return EXIT.ok;
  }
  const [agent, extra] = positionals;
  if (agent === undefined) throw new UsageError(`\`maos ${name}\` needs an agent id`);
  if (extra !== undefined) throw new UsageError(`unexpected argument \`${extra}\``);
  const given = (values as { signal?: string | undefined }).signal;
  const signal = given === undefined ? DEFAULT_SIGNAL[name] : parseSignalName(given);
  const client = await connectDaemon(values);
  if (!client.ok) return reportFailure(client.error);
  const result = await client.value.post<PodView>(`/v1/agents/${encodeURIComponent(agent)}/signal`, {
    signal,
  });
  if (!result.ok) return reportFailure(result.error);
  if (values.json) printJson(result.value);
  else process.stdout.write(signalLine(signal, result.value));
  return EXIT.ok;
}

/** `TERM`, `term`, `SIGTERM`: any case, with or without the SIG prefix. */
export function parseSignalName(text: string): PodSignal {
  const upper = text.toUpperCase();
  const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  const signal = SIGNAL_NAMES.find((known) => known === name);
  if (signal === undefined) {
    throw new UsageError(`\`--signal\` must be TERM, INT, KILL, STOP or CONT, not \`${text}\``);
  }
  return signal;
}

function signalLine(signal: PodSignal, pod: PodView): string {
  const os = pod.osPaused ? ' (stopped at the os level)' : '';
  return `${pod.agent}: ${signal} sent; ${pod.state}${os}\n`;
}
