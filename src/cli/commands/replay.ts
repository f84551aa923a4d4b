// `maos replay --config maos.yaml trace.jsonl...`: decides recorded agent traces without executing
// anything and prints one JSON line per call or declassification request (issue 7). Exit 0 when
// every line could be read.

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Replayer, TRACE_LINE_BYTES_MAX } from '../../replay/index.ts';
import { loadConfig } from '../../runtime/index.ts';
import { ERROR_CODES, KernelError } from '../../shared/index.ts';
import { REPLAY_HELP } from '../help.ts';
import { EXIT, reportError, UsageError } from '../io.ts';
import { RUNTIME_OPTIONS, runtimeLocation } from './options.ts';

export async function replayCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...RUNTIME_OPTIONS, summary: { type: 'boolean' } },
  });
  if (values.help) {
    process.stdout.write(REPLAY_HELP);
    return EXIT.ok;
  }
  if (positionals.length === 0) throw new UsageError('give at least one trace file (JSON lines)');
  const config = await loadConfig(runtimeLocation(values).configPath);
  if (!config.ok) return reportError(config.error);
  const replayer = new Replayer(config.value.policy, undefined, {
    onDeclassify: (line) => process.stdout.write(`${JSON.stringify(line)}\n`),
  });
  for (const file of positionals) {
    const info = await stat(file).catch(() => undefined);
    if (info === undefined || !info.isFile()) {
      return reportError(new KernelError(ERROR_CODES.IO, `${file}: no such trace file`));
    }
    for await (const line of replayer.replay(linesOf(file))) {
      process.stdout.write(`${JSON.stringify(line)}\n`);
    }
  }
  const summary = replayer.summary;
  if (values.summary) process.stdout.write(`${JSON.stringify({ summary })}\n`);
  return summary.errors === 0 ? EXIT.ok : EXIT.usage;
}

/** The file's lines; a line past the bound is cut (and then fails to parse, reported by replay). */
async function* linesOf(file: string): AsyncGenerator<string> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of lines)
    yield line.length > TRACE_LINE_BYTES_MAX ? line.slice(0, TRACE_LINE_BYTES_MAX + 1) : line;
}
