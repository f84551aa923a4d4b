// `maos agent run <dir>` starts an agent pod on the daemon (and may hand it a first task);
// `maos agent task <agent> <json>` runs one task and prints what the agent's `onTask` returned.

import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { LIMITS } from '../../runtime/index.ts';
import type { PodView } from '../../runtime/service.ts';
import { fail, type JsonValue, type KernelError, parseJsonStrict, type Result } from '../../shared/index.ts';
import { type ApiClient, CLIENT_OPTIONS, connectDaemon, reportFailure } from '../api-client.ts';
import { AGENT_HELP } from '../help.ts';
import { EXIT, printJson, readInputBytes, reportError, UsageError } from '../io.ts';
import { sandboxText } from './ps.ts';

/** The pod's message bound (POD_MESSAGE_BYTES_MAX): a larger task would be refused there. */
const TASK_BYTES_MAX = 1_048_576;

type TaskAnswer = { readonly result: JsonValue };

export async function agentCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'run':
      return runCommand(rest);
    case 'task':
      return taskCommand(rest);
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(AGENT_HELP);
      return sub === undefined ? EXIT.usage : EXIT.ok;
    default:
      throw new UsageError(
        sub.startsWith('-')
          ? '`maos agent` needs a subcommand: run or task; see `maos agent --help`'
          : `unknown subcommand \`agent ${sub}\`; see \`maos agent --help\``,
      );
  }
}

async function runCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...CLIENT_OPTIONS, task: { type: 'string' }, 'task-file': { type: 'string' } },
  });
  if (values.help) {
    process.stdout.write(AGENT_HELP);
    return EXIT.ok;
  }
  const [dir, extra] = positionals;
  if (dir === undefined) throw new UsageError('`maos agent run` needs the agent directory');
  if (extra !== undefined) throw new UsageError(`unexpected argument \`${extra}\``);
  if (values.task !== undefined && values['task-file'] !== undefined) {
    throw new UsageError('give `--task` or `--task-file`, not both');
  }
  // WHY: the task is read and parsed before the pod starts, so bad input starts nothing.
  const task = await taskFromFlags(values.task, values['task-file']);
  if (task !== undefined && !task.ok) return reportError(task.error);
  const client = await connectDaemon(values);
  if (!client.ok) return reportFailure(client.error);
  // WHY: the daemon resolves paths from its own working directory, not the caller's.
  const started = await client.value.post<PodView>('/v1/agents', { dir: resolve(dir) });
  if (!started.ok) return reportFailure(started.error);
  const pod = started.value;
  if (task === undefined) {
    if (values.json) printJson({ agent: pod });
    else process.stdout.write(startedLine(pod));
    return EXIT.ok;
  }
  if (!values.json) process.stdout.write(startedLine(pod));
  const answer = await runTask(client.value, pod.agent, task.value);
  if (!answer.ok) return reportFailure(answer.error);
  if (values.json) printJson({ agent: pod, result: answer.value.result });
  else printJson(answer.value.result);
  return EXIT.ok;
}

async function taskCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: CLIENT_OPTIONS });
  if (values.help) {
    process.stdout.write(AGENT_HELP);
    return EXIT.ok;
  }
  const [agent, text, extra] = positionals;
  if (agent === undefined || text === undefined) {
    throw new UsageError('`maos agent task` needs an agent and a task: maos agent task <agent> <json>');
  }
  if (extra !== undefined) throw new UsageError(`unexpected argument \`${extra}\``);
  const task = parseTask(text, 'the task');
  if (!task.ok) return reportError(task.error);
  const client = await connectDaemon(values);
  if (!client.ok) return reportFailure(client.error);
  const answer = await runTask(client.value, agent, task.value);
  if (!answer.ok) return reportFailure(answer.error);
  printJson(values.json ? answer.value : answer.value.result);
  return EXIT.ok;
}

function runTask(client: ApiClient, agent: string, task: JsonValue) {
  return client.post<TaskAnswer>(`/v1/agents/${encodeURIComponent(agent)}/tasks`, { task });
}

/** The task from `--task <json>` or `--task-file <path|->`; undefined when neither is given. */
async function taskFromFlags(
  inline: string | undefined,
  file: string | undefined,
): Promise<Result<JsonValue, KernelError> | undefined> {
  if (inline !== undefined) return parseTask(inline, '`--task`');
  if (file === undefined) return undefined;
  const bytes = await readInputBytes(file, 'the task file');
  return bytes.ok ? parseTask(bytes.value, `task file \`${file}\``) : bytes;
}

function parseTask(input: string | Uint8Array, what: string): Result<JsonValue, KernelError> {
  const parsed = parseJsonStrict(input, { bytesMax: TASK_BYTES_MAX, depthMax: LIMITS.intentDepthMax });
  if (parsed.ok) return parsed;
  return fail(parsed.error.code, `${what}: ${parsed.error.message}`);
}

function startedLine(pod: PodView): string {
  const pid = pod.pid === undefined ? '' : `, pid ${pod.pid}`;
  return `started ${pod.agent}: ${pod.state}, ${sandboxText(pod)}${pid}\n`;
}
