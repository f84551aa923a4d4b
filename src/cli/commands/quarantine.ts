// `maos quarantine <agent>`: shows the agent's quarantine stage; with `--stage N` moves it there
// (0 releases; stage 4, elimination, needs `--approve` under the hardened and isolated profiles).

import { parseArgs } from 'node:util';
import type { PodView } from '../../runtime/service.ts';
import { CLIENT_OPTIONS, connectDaemon, reportFailure } from '../api-client.ts';
import { QUARANTINE_HELP } from '../help.ts';
import { EXIT, operatorName, printJson, UsageError } from '../io.ts';

export async function quarantineCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...CLIENT_OPTIONS,
      stage: { type: 'string' },
      approve: { type: 'boolean' },
      by: { type: 'string' },
      note: { type: 'string' },
    },
  });
  if (values.help) {
    process.stdout.write(QUARANTINE_HELP);
    return EXIT.ok;
  }
  const [agent, extra] = positionals;
  if (agent === undefined) throw new UsageError('`maos quarantine` needs an agent id');
  if (extra !== undefined) throw new UsageError(`unexpected argument \`${extra}\``);
  const stage = values.stage === undefined ? undefined : parseStage(values.stage);
  if (stage === undefined && (values.approve || values.by !== undefined || values.note !== undefined)) {
    throw new UsageError('`--approve`, `--by` and `--note` go with `--stage N`');
  }
  const client = await connectDaemon(values);
  if (!client.ok) return reportFailure(client.error);
  const path = `/v1/agents/${encodeURIComponent(agent)}`;
  const body = {
    stage,
    by: values.by ?? operatorName(),
    ...(values.note === undefined ? {} : { note: values.note }),
    ...(values.approve ? { approved: true } : {}),
  };
  const result =
    stage === undefined
      ? await client.value.get<PodView>(path)
      : await client.value.post<PodView>(`${path}/quarantine`, body);
  if (!result.ok) return reportFailure(result.error);
  if (values.json) printJson(result.value);
  else process.stdout.write(stageLine(result.value, stage !== undefined));
  return EXIT.ok;
}

function parseStage(text: string): number {
  if (!/^[0-5]$/.test(text))
    throw new UsageError(`\`--stage\` must be a whole number from 0 to 5, not \`${text}\``);
  return Number(text);
}

function stageLine(pod: PodView, moved: boolean): string {
  const verb = moved ? 'now in' : 'in';
  return `${pod.agent}: ${verb} quarantine stage ${pod.stage} (${pod.stageName}); score ${pod.score.toFixed(1)}, ${pod.state}\n`;
}
