// `maos ps`: the agent pods the daemon hosts, one row each (state, sandbox, pid, quarantine stage,
// anomaly score, tasks, uptime), and under the table the protections the host could not give.

import { parseArgs } from 'node:util';
import type { PodView } from '../../runtime/service.ts';
import { CLIENT_OPTIONS, connectDaemon, reportFailure } from '../api-client.ts';
import { PS_HELP } from '../help.ts';
import { EXIT, printJson, UsageError } from '../io.ts';
import { formatDuration } from './status.ts';

const COLUMNS = ['AGENT', 'STATE', 'SANDBOX', 'PID', 'STAGE', 'SCORE', 'TASKS', 'UPTIME'] as const;

export async function psCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: CLIENT_OPTIONS });
  if (values.help) {
    process.stdout.write(PS_HELP);
    return EXIT.ok;
  }
  const [extra] = positionals;
  if (extra !== undefined) throw new UsageError(`unexpected argument \`${extra}\``);
  const client = await connectDaemon(values);
  if (!client.ok) return reportFailure(client.error);
  const pods = await client.value.get<readonly PodView[]>('/v1/agents');
  if (!pods.ok) return reportFailure(pods.error);
  if (values.json) printJson(pods.value);
  else process.stdout.write(formatPods(pods.value, Date.now()));
  return EXIT.ok;
}

/** `worker/L1`, `process/L2`, `process/L2 netns`. */
export function sandboxText(pod: PodView): string {
  return `${pod.sandbox}/L${pod.level}${pod.networkNamespace === true ? ' netns' : ''}`;
}

export function formatPods(pods: readonly PodView[], nowMs: number): string {
  if (pods.length === 0) return 'no agents are running; start one with `maos agent run <dir>`\n';
  const rows = pods.map((pod) => row(pod, nowMs));
  const widths = COLUMNS.map((name, i) =>
    Math.max(name.length, ...rows.map((cells) => cells[i]?.length ?? 0)),
  );
  const line = (cells: readonly string[]) =>
    `${cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd()}\n`;
  const notes = pods.flatMap(notesOf);
  return `${line(COLUMNS)}${rows.map(line).join('')}${notes.length === 0 ? '' : `\n${notes.join('')}`}`;
}

function row(pod: PodView, nowMs: number): string[] {
  const ended = pod.state === 'terminated';
  return [
    pod.agent,
    pod.osPaused ? `${pod.state} (os)` : pod.state,
    sandboxText(pod),
    pod.pid === undefined ? '-' : String(pod.pid),
    pod.stageName,
    pod.score.toFixed(1),
    pod.tasksInFlight > 0 ? `${pod.tasksRun}+${pod.tasksInFlight}` : String(pod.tasksRun),
    ended ? '-' : formatDuration(nowMs - pod.startedMs),
  ];
}

/** One line per note, and one for how a terminated pod ended. */
function notesOf(pod: PodView): string[] {
  const lines = pod.notes.map((note) => `note: ${pod.agent}: ${note}\n`);
  if (pod.exit !== undefined) {
    const code = pod.exit.code === null ? '' : ` (code ${pod.exit.code})`;
    lines.push(`exit: ${pod.agent}: ${pod.exit.cause}${code}: ${pod.exit.message}\n`);
  }
  return lines;
}
