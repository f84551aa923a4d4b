// `maos check --config maos.yaml --intent intent.json`: decides one intent and prints the decision.
// Exit 0 allow, 1 deny, 3 escalate, 2 when the input cannot be decided at all.

import { parseArgs } from 'node:util';
import { type Decision, LIMITS } from '../../runtime/index.ts';
import {
  ERROR_CODES,
  KernelError,
  parseJsonStrict,
  systemClock,
  systemRandom,
  uuidv7,
} from '../../shared/index.ts';
import { CHECK_HELP } from '../help.ts';
import { EXIT, printJson, readArgument, readInputBytes, reportError, UsageError } from '../io.ts';
import { openFromFlags, RUNTIME_OPTIONS } from './options.ts';

export async function checkCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...RUNTIME_OPTIONS,
      intent: { type: 'string', short: 'i' },
      token: { type: 'string', short: 't' },
    },
  });
  if (values.help) {
    process.stdout.write(CHECK_HELP);
    return EXIT.ok;
  }
  if (values.intent === undefined)
    throw new UsageError('`--intent` is required (a file, or - for standard input)');
  if (values.intent === '-' && values.token === '-')
    throw new UsageError('`--intent` and `--token` cannot both read standard input');
  const bytes = await readInputBytes(values.intent, 'intent');
  if (!bytes.ok) return reportError(bytes.error);
  // The kernel's own bounds: the file is checked before the CLI adds an id or a token to it.
  const parsed = parseJsonStrict(bytes.value, {
    bytesMax: LIMITS.intentBytesMax,
    depthMax: LIMITS.intentDepthMax,
  });
  if (!parsed.ok) return reportError(parsed.error);
  const value = parsed.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return reportError(new KernelError(ERROR_CODES.INVALID_INPUT, 'the intent must be a json object'));
  }
  const intent: Record<string, unknown> = { ...value };
  // WHY: a hand-written intent rarely carries an id; the CLI gives it one so it can be decided and logged.
  if (intent.id === undefined) intent.id = uuidv7(systemClock, systemRandom);
  if (values.token !== undefined) {
    const token = await readArgument(values.token, 'token');
    if (!token.ok) return reportError(token.error);
    intent.token = token.value;
  }
  const runtime = await openFromFlags(values);
  if (!runtime.ok) return reportError(runtime.error);
  const result = await runtime.value.kernel.submit(intent);
  if (!result.ok) return reportError(result.error);
  printJson(summarize(result.value));
  return exitFor(result.value);
}

/** The decision as printed: verdict and failing checks first, then all seven outcomes. */
function summarize(decision: Decision) {
  const { charges: _charges, verdict, ...rest } = decision;
  return {
    verdict,
    reasons: decision.checks
      .filter((c) => c.verdict !== 'allow')
      .map((c) => ({ check: c.check, verdict: c.verdict, code: c.code, message: c.message })),
    ...rest,
  };
}

function exitFor(decision: Decision): number {
  if (decision.verdict === 'allow') return EXIT.ok;
  return decision.verdict === 'escalate' ? EXIT.escalate : EXIT.deny;
}
