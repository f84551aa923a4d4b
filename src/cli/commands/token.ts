// `maos token mint | inspect | verify | attenuate | revoke`: capability tokens from the command line.

import { parseArgs } from 'node:util';
import { inspectToken, type MintedToken } from '../../runtime/index.ts';
import { ERROR_CODES, fail, isUuidv7, type KernelError, type Result } from '../../shared/index.ts';
import { TOKEN_HELP } from '../help.ts';
import {
  EXIT,
  parseCount,
  parseDurationMs,
  printJson,
  readArgument,
  reportError,
  UsageError,
} from '../io.ts';
import { parseScopeArg } from '../scope-arg.ts';
import { openFromFlags, RUNTIME_OPTIONS } from './options.ts';

const SHAPE_OPTIONS = {
  scope: { type: 'string', multiple: true },
  ttl: { type: 'string' },
  ring: { type: 'string' },
  'max-uses': { type: 'string' },
  rate: { type: 'string' },
  budget: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export async function tokenCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'mint':
      return mint(rest);
    case 'attenuate':
      return attenuate(rest);
    case 'inspect':
      return inspect(rest);
    case 'verify':
      return verify(rest);
    case 'revoke':
      return revoke(rest);
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(TOKEN_HELP);
      return sub === undefined ? EXIT.usage : EXIT.ok;
    default:
      throw new UsageError(`unknown token command \`${sub}\`; see \`maos token --help\``);
  }
}

async function mint(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...RUNTIME_OPTIONS,
      ...SHAPE_OPTIONS,
      agent: { type: 'string' },
      'ack-by': { type: 'string' },
      'ack-reason': { type: 'string' },
    },
  });
  if (values.help) return help();
  if (values.agent === undefined) throw new UsageError('`--agent` is required');
  const runtime = await openFromFlags(values);
  if (!runtime.ok) return reportError(runtime.error);
  const agent = runtime.value.config.policy.agents.get(values.agent);
  const scopes = values.scope?.map(parseScopeArg) ?? agent?.grants ?? [];
  const ack = acknowledgment(values['ack-by'], values['ack-reason']);
  const minted = await runtime.value.kernel.mint({
    sub: values.agent,
    scopes,
    ...shape(values),
    ...(ack === undefined ? {} : { acknowledgment: ack }),
  });
  return printMinted(minted, values.json === true);
}

async function attenuate(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...RUNTIME_OPTIONS, ...SHAPE_OPTIONS, sub: { type: 'string' } },
  });
  if (values.help) return help();
  if (positionals.length !== 1) throw new UsageError('give exactly one parent token (inline, @file or -)');
  if (values.scope === undefined)
    throw new UsageError('`--scope` is required: a child names its narrower scopes');
  const parent = await readArgument(positionals[0] ?? '', 'token');
  if (!parent.ok) return reportError(parent.error);
  const runtime = await openFromFlags(values);
  if (!runtime.ok) return reportError(runtime.error);
  const minted = await runtime.value.kernel.attenuate(parent.value, {
    scopes: values.scope.map(parseScopeArg),
    ...(values.sub === undefined ? {} : { sub: values.sub }),
    ...shape(values),
  });
  return printMinted(minted, values.json === true);
}

async function inspect(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) return help();
  if (positionals.length !== 1) throw new UsageError('give exactly one token (inline, @file or -)');
  const token = await readArgument(positionals[0] ?? '', 'token');
  if (!token.ok) return reportError(token.error);
  const inspected = inspectToken(token.value);
  if (!inspected.ok) return reportError(inspected.error);
  printJson({ verified: false, ...inspected.value });
  return EXIT.ok;
}

async function verify(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: RUNTIME_OPTIONS });
  if (values.help) return help();
  if (positionals.length !== 1) throw new UsageError('give exactly one token (inline, @file or -)');
  const token = await readArgument(positionals[0] ?? '', 'token');
  if (!token.ok) return reportError(token.error);
  const runtime = await openFromFlags(values);
  if (!runtime.ok) return reportError(runtime.error);
  const { kernel } = runtime.value;
  const verified = await kernel.admitToken(token.value);
  if (!verified.ok) {
    printJson({ valid: false, code: verified.error.code, message: verified.error.message });
    return EXIT.deny;
  }
  const { claims, chainIds, expiresMs, digest } = verified.value;
  const problem = kernel.tokenDefect(verified.value);
  printJson({
    valid: problem === undefined,
    ...problem,
    digest,
    jti: claims.jti,
    sub: claims.sub,
    expiresMs,
    chain: chainIds,
  });
  return problem === undefined ? EXIT.ok : EXIT.deny;
}

async function revoke(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...RUNTIME_OPTIONS, reason: { type: 'string', default: 'revoked by operator' } },
  });
  if (values.help) return help();
  if (positionals.length !== 1)
    throw new UsageError('give exactly one token id or token (inline, @file or -)');
  const target = await readArgument(positionals[0] ?? '', 'token');
  if (!target.ok) return reportError(target.error);
  const jti = target.value.startsWith('{') ? inspectToken(target.value) : undefined;
  if (jti !== undefined && !jti.ok) return reportError(jti.error);
  const id = jti === undefined ? target.value : jti.value.claims.jti;
  // WHY: token ids are UUIDv7s; anything else would crash the kernel's precondition or, worse,
  // "revoke" nothing while bumping the epoch and telling the operator it worked.
  if (!isUuidv7(id)) {
    return reportError(
      fail(
        ERROR_CODES.INVALID_INPUT,
        `token id \`${id.slice(0, 80)}\` is not a uuidv7; give a token id or a token`,
      ).error,
    );
  }
  const runtime = await openFromFlags(values);
  if (!runtime.ok) return reportError(runtime.error);
  const epoch = await runtime.value.revoke(id, values.reason);
  if (!epoch.ok) return reportError(epoch.error);
  printJson({ revoked: id, epoch: epoch.value });
  return EXIT.ok;
}

type ShapeValues = { ttl?: string; ring?: string; 'max-uses'?: string; rate?: string; budget?: string };

/** The optional lifetime and limit flags shared by mint and attenuate, as request fields. */
function shape(values: ShapeValues) {
  const ring = values.ring === undefined ? undefined : parseCount(values.ring, '`--ring`');
  if (ring !== undefined && ring !== 1 && ring !== 2 && ring !== 3)
    throw new UsageError('`--ring` must be 1, 2 or 3');
  return {
    ...(values.ttl === undefined ? {} : { ttlMs: parseDurationMs(values.ttl) }),
    ...(ring === undefined ? {} : { ring: ring as 1 | 2 | 3 }),
    ...(values['max-uses'] === undefined ? {} : { maxUses: parseCount(values['max-uses'], '`--max-uses`') }),
    ...(values.rate === undefined ? {} : { rate: parseRate(values.rate) }),
    ...(values.budget === undefined ? {} : { budget: parseBudget(values.budget) }),
  };
}

function parseRate(text: string): { max: number; windowMs: number } {
  const [max, window] = text.split('/');
  if (max === undefined || window === undefined)
    throw new UsageError(`rate \`${text}\` must look like 10/1m`);
  return { max: parseCount(max, 'rate'), windowMs: parseDurationMs(window) };
}

function parseBudget(text: string): { tokens: number; apiCalls: number; costMicros: number } {
  // WHY: a dimension the flag leaves out is unlimited; claims need a finite number, so the largest safe one.
  const budget = {
    tokens: Number.MAX_SAFE_INTEGER,
    apiCalls: Number.MAX_SAFE_INTEGER,
    costMicros: Number.MAX_SAFE_INTEGER,
  };
  for (const part of text.split(',')) {
    const [key, value] = part.split('=');
    if (key !== 'tokens' && key !== 'apiCalls' && key !== 'costMicros') {
      throw new UsageError(`budget part \`${part}\` must be tokens=N, apiCalls=N or costMicros=N`);
    }
    if (value === undefined || !/^\d+$/.test(value))
      throw new UsageError(`budget \`${key}\` needs a whole number`);
    budget[key] = Number(value);
  }
  return budget;
}

function acknowledgment(by: string | undefined, reason: string | undefined) {
  if (by === undefined && reason === undefined) return undefined;
  if (by === undefined || reason === undefined)
    throw new UsageError('`--ack-by` and `--ack-reason` go together');
  return { by, reason };
}

function printMinted(minted: Result<MintedToken, KernelError>, asJson: boolean): number {
  if (!minted.ok) return reportError(minted.error);
  if (asJson) printJson(minted.value);
  else process.stdout.write(`${minted.value.token}\n`);
  return EXIT.ok;
}

function help(): number {
  process.stdout.write(TOKEN_HELP);
  return EXIT.ok;
}
