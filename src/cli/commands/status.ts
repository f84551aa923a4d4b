// `maos status`: the running daemon's health, as text or `--json`.
// Exit 0 ok, 1 degraded, 2 when no daemon answers.

import { parseArgs } from 'node:util';
import type { HealthView } from '../../runtime/service.ts';
import { CLIENT_OPTIONS, connectDaemon, reportFailure } from '../api-client.ts';
import { STATUS_HELP } from '../help.ts';
import { EXIT, printJson } from '../io.ts';

export async function statusCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: CLIENT_OPTIONS });
  if (values.help) {
    process.stdout.write(STATUS_HELP);
    return EXIT.ok;
  }
  const client = await connectDaemon(values);
  if (!client.ok) return reportFailure(client.error);
  const health = await client.value.get<HealthView>('/v1/health');
  if (!health.ok) return reportFailure(health.error);
  const view = health.value;
  if (values.json) printJson({ url: client.value.url, ...view });
  else process.stdout.write(formatHealth(client.value.url, view));
  return view.status === 'ok' ? EXIT.ok : EXIT.deny;
}

function formatHealth(url: string, health: HealthView): string {
  const held = `${health.held} ${health.held === 1 ? 'intent' : 'intents'} waiting for approval`;
  const rows: Array<[string, string]> = [
    ['mode', health.mode],
    ['storage', health.storage],
    ['journal', `head #${health.journalHeadSeq}`],
    ['held', health.held > 0 ? `${held} (see \`maos held\`)` : held],
    ['node', health.nodeId],
    ['policy', health.policyHash],
    ['version', health.version],
    ['uptime', formatDuration(health.uptimeMs)],
  ];
  const lines = rows.map(([name, value]) => `  ${name.padEnd(9)}${value}`);
  return `maos daemon at ${url}: ${health.status}\n${lines.join('\n')}\n`;
}

/** `3d 4h`, `2h 5m`, `3m 12s`, `12s`: the two largest units. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const units: Array<[string, number]> = [
    ['d', Math.floor(seconds / 86_400)],
    ['h', Math.floor(seconds / 3600) % 24],
    ['m', Math.floor(seconds / 60) % 60],
    ['s', seconds % 60],
  ];
  const first = units.findIndex(([, value]) => value > 0);
  if (first === -1) return '0s';
  return units
    .slice(first, first + 2)
    .map(([unit, value]) => `${value}${unit}`)
    .join(' ');
}
