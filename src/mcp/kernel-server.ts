// The kernel's own MCP server (`maos mcp`): an MCP-speaking agent submits intents, asks for a
// decision without acting, reads and verifies the journal and checks tokens, all through the same
// KernelService the HTTP API uses. Every argument is untrusted and parsed here before anything runs.

import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { CommitRuntime } from '../runtime/commit-runtime.ts';
import { type Decision, LIMITS, packageVersion, verifyToken } from '../runtime/index.ts';
import { kernelService } from '../runtime/kernel-service.ts';
import type { CheckView, IntentStatus, JournalQuery, KernelService } from '../runtime/service.ts';
import { ERROR_CODES, KernelError, uuidv7 } from '../shared/index.ts';

/** The `_meta` key that carries a failed call's stable error code. */
export const CODE_META_KEY = 'maos/code';

const JOURNAL_LIMIT_MAX = 1000;
const JOURNAL_TYPES_MAX = 32;

const INSTRUCTIONS = `MAOS decides every action with seven security checks before it happens, and journals it.
Submit an intent (agent, action, resource, args, token) with submit_intent; a deny or escalate is a
normal result that names the checks. check_decision answers the same question without acting.`;

/** Tool calls still running, so `maos mcp` can let them finish before it closes the runtime. */
export class ToolCalls {
  readonly #running = new Set<Promise<unknown>>();

  async track<T>(run: () => Promise<T>): Promise<T> {
    const call = run();
    this.#running.add(call);
    try {
      return await call;
    } finally {
      this.#running.delete(call);
    }
  }

  /** Resolves once no call is running (calls that start meanwhile are waited for too). */
  async settled(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }
}

// --- Arguments ------------------------------------------------------------------------------

const id = z.string().min(1).max(LIMITS.idLengthMax);
const intentObject = z
  .record(z.string(), z.unknown())
  .describe(
    'the intent: { id?, agent, action, resource, args?, token, sideEffect?, labels?, idempotencyKey?, session?, stateHash?, cost? }; an id (uuidv7) is added when absent',
  );

const IntentArgs = z.object({ intent: intentObject });
const StatusArgs = z.object({ intentId: id.describe('the id of an intent submitted earlier') });
const JournalArgs = z.object({
  fromSeq: z.int().optional().describe('first sequence number; negative counts back from the head'),
  limit: z.int().min(1).max(JOURNAL_LIMIT_MAX).optional().describe('records to return (default 100)'),
  types: z
    .array(id)
    .max(JOURNAL_TYPES_MAX)
    .optional()
    .describe('record types to keep, e.g. `intent.committed`; a trailing `*` matches a prefix'),
  agent: id.optional().describe('keep records of this agent only'),
  intentId: id.optional().describe('keep records of this intent only'),
});
const NoArgs = z.object({});
const TokenArgs = z.object({
  token: z.string().min(1).max(LIMITS.tokenBytesMax).describe('a serialized capability token'),
});

// --- Results --------------------------------------------------------------------------------

type Failure = { readonly code: string; readonly message: string };

/** A successful call: a one-line summary, then the value as JSON text and as structured content. */
function success(summary: string, value: Record<string, unknown>): CallToolResult {
  return {
    content: [
      { type: 'text', text: summary },
      { type: 'text', text: JSON.stringify(value, null, 2) },
    ],
    structuredContent: value,
  };
}

/**
 * A failed call. WHY: text only, with the code in `_meta`, because structured content must match
 * an output schema and these tools declare none for errors.
 */
function failure(error: Failure): CallToolResult {
  return {
    isError: true,
    content: [{ type: 'text', text: `${error.code}: ${error.message}` }],
    _meta: { [CODE_META_KEY]: error.code },
  };
}

function invalidArguments(error: z.ZodError): Failure {
  const issue = error.issues[0];
  const where = issue === undefined || issue.path.length === 0 ? 'arguments' : `\`${issue.path.join('.')}\``;
  return {
    code: ERROR_CODES.INVALID_INPUT,
    message: `invalid arguments: ${where} ${issue?.message ?? 'is invalid'}`,
  };
}

// --- Registration ---------------------------------------------------------------------------

type ToolSpec<S extends z.ZodObject> = {
  readonly title: string;
  readonly description: string;
  readonly input: S;
  readonly readOnly: boolean;
  readonly run: (args: z.output<S>) => Promise<CallToolResult>;
};

/**
 * The input schema the SDK sees: it advertises `schema` as JSON Schema but accepts any object.
 * WHY: the SDK answers a schema violation with its own untyped text; parsing in the tool instead
 * gives every bad argument the stable code INVALID_INPUT, like every other failure here.
 */
function advertised(schema: z.ZodObject): z.ZodObject {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { io: 'input', target: 'draft-7' });
  return z.looseObject({}).meta(json);
}

function register<S extends z.ZodObject>(
  server: McpServer,
  calls: ToolCalls,
  name: string,
  spec: ToolSpec<S>,
): void {
  const annotations = spec.readOnly
    ? { readOnlyHint: true, openWorldHint: false }
    : { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true };
  server.registerTool(
    name,
    {
      title: spec.title,
      description: spec.description,
      inputSchema: advertised(spec.input),
      annotations,
    },
    (raw) =>
      calls.track(async () => {
        const args = spec.input.safeParse(raw);
        if (!args.success) return failure(invalidArguments(args.error));
        try {
          return await spec.run(args.data);
        } catch (error) {
          // WHY: operating errors thrown past a Result still reach the client with their code.
          if (error instanceof KernelError) return failure(error);
          throw error;
        }
      }),
  );
}

/**
 * Builds the kernel's MCP server over a running commit runtime. `calls` lets the caller wait for
 * tool calls in progress before it closes the runtime.
 */
export function createKernelMcpServer(rt: CommitRuntime, calls: ToolCalls = new ToolCalls()): McpServer {
  const server = new McpServer(
    { name: 'maos', title: 'MAOS kernel', version: packageVersion() },
    { instructions: INSTRUCTIONS },
  );
  const service = kernelService(rt);
  const withId = (intent: Record<string, unknown>) =>
    intent.id === undefined ? { ...intent, id: uuidv7(rt.clock, rt.random) } : intent;
  register(server, calls, 'submit_intent', {
    title: 'Submit an intent',
    description:
      'Decides an intent with the seven checks and, when allowed, commits it through its connector and journals it. A deny or escalate is a normal result naming the checks that did not allow.',
    input: IntentArgs,
    readOnly: false,
    run: ({ intent }) => submit(service, withId(intent)),
  });
  register(server, calls, 'check_decision', {
    title: 'Check a decision',
    description:
      'Decides an intent with the seven checks without committing, reserving or journaling anything: the verdict and every check outcome.',
    input: IntentArgs,
    readOnly: true,
    run: ({ intent }) => checkDecision(rt, withId(intent)),
  });
  register(server, calls, 'intent_status', {
    title: 'Intent status',
    description: 'The state of an intent submitted earlier: verdict, checks, journal records, result.',
    input: StatusArgs,
    readOnly: true,
    run: async ({ intentId }) => statusResult(await service.status(intentId)),
  });
  register(server, calls, 'read_journal', {
    title: 'Read the journal',
    description: 'Records of the hash-chained journal, oldest first, optionally filtered.',
    input: JournalArgs,
    readOnly: true,
    run: (args) => readJournal(service, args),
  });
  register(server, calls, 'verify_journal', {
    title: 'Verify the journal',
    description: "Walks the journal's hash chain and signed checkpoints and reports the first break, if any.",
    input: NoArgs,
    readOnly: true,
    run: () => verifyJournal(service),
  });
  register(server, calls, 'verify_token', {
    title: 'Verify a capability token',
    description:
      "Checks a token's signatures against this node's issuer keys, its audience, lifetime and revocations; returns its claims.",
    input: TokenArgs,
    readOnly: true,
    run: ({ token }) => checkToken(rt, token),
  });
  return server;
}

// --- Tools ----------------------------------------------------------------------------------

type StatusResult =
  | { readonly ok: true; readonly value: IntentStatus }
  | { readonly ok: false; readonly error: Failure };

async function submit(service: KernelService, intent: Record<string, unknown>): Promise<CallToolResult> {
  return statusResult(await service.submit(intent));
}

function statusResult(result: StatusResult): CallToolResult {
  return result.ok ? success(describeStatus(result.value), { ...result.value }) : failure(result.error);
}

/** One line a person (or a model) reads first: the state, and why when it is not a clean commit. */
function describeStatus(status: IntentStatus): string {
  const head = `intent \`${status.intentId}\` ${status.state}`;
  if (status.state === 'held')
    return `${head}: escalated by ${reasons(status.checks)}; a human must approve it`;
  if (status.verdict === 'deny') return `${head} by ${reasons(status.checks)}`;
  if (status.error !== undefined) return `${head}: ${status.error.code}: ${status.error.message}`;
  return head;
}

function reasons(checks: readonly CheckView[]): string {
  const failing = checks.filter((check) => check.verdict !== 'allow');
  if (failing.length === 0) return 'no check';
  return failing
    .map((check) => `${check.check} (${check.code ?? check.verdict}: ${check.message ?? ''})`)
    .join(', ');
}

/**
 * WHY `kernel.submit`: it validates, verifies the token (caching it, as any submission does) and
 * decides, and nothing more; the ledger is reserved and the journal written only by the commit
 * layer, which this path never reaches.
 */
async function checkDecision(rt: CommitRuntime, intent: Record<string, unknown>): Promise<CallToolResult> {
  const decided = await rt.kernel.submit(intent);
  if (!decided.ok) return failure(decided.error);
  const view = decisionView(decided.value);
  const summary =
    view.verdict === 'allow'
      ? 'verdict allow: all seven checks pass (nothing was committed or journaled)'
      : `verdict ${view.verdict}: ${reasons(decided.value.checks)} (nothing was committed or journaled)`;
  return success(summary, view);
}

function decisionView(decision: Decision) {
  return {
    intentId: decision.intentId,
    agent: decision.agent,
    action: decision.action,
    resource: decision.resource,
    verdict: decision.verdict,
    checks: decision.checks.map((check) => ({ ...check })),
    ...(decision.tokenId === undefined ? {} : { tokenId: decision.tokenId }),
    policyHash: decision.policyHash,
    epoch: decision.epoch,
    decidedAtMs: decision.wallMs,
  };
}

async function readJournal(
  service: KernelService,
  args: z.output<typeof JournalArgs>,
): Promise<CallToolResult> {
  const query: JournalQuery = {
    ...(args.fromSeq === undefined ? {} : { fromSeq: args.fromSeq }),
    ...(args.limit === undefined ? {} : { limit: args.limit }),
    ...(args.types === undefined ? {} : { types: args.types }),
    ...(args.agent === undefined ? {} : { agent: args.agent }),
    ...(args.intentId === undefined ? {} : { intentId: args.intentId }),
  };
  const entries = await service.journal(query);
  if (!entries.ok) return failure(entries.error);
  const seqs = entries.value.map((entry) => entry.seq);
  const summary =
    seqs.length === 0
      ? 'no journal records match'
      : `${seqs.length} journal records, #${seqs[0]} to #${seqs.at(-1)}`;
  return success(summary, { entries: entries.value });
}

async function verifyJournal(service: KernelService): Promise<CallToolResult> {
  const report = await service.verify();
  const summary = report.ok
    ? `journal verified: ${report.records} records, ${report.checkpoints} checkpoints, head #${report.headSeq}`
    : `journal broken at record #${report.brokenSeq}: ${report.reason}: ${report.message}`;
  return success(summary, { ...report });
}

/**
 * Verifies without admitting the token to the kernel's cache, so checking a token never makes it
 * citable by `tok:` reference. The token itself is never echoed: only its claims.
 */
async function checkToken(rt: CommitRuntime, token: string): Promise<CallToolResult> {
  const verified = await verifyToken(token, rt.keys.publicKeys);
  if (!verified.ok) {
    const { code, message } = verified.error;
    return success(`token invalid: ${code}: ${message}`, { valid: false, code, message });
  }
  const { claims } = verified.value;
  const defect =
    claims.aud === rt.kernel.policy.nodeId
      ? rt.kernel.tokenDefect(verified.value)
      : { code: 'TOKEN_AUDIENCE_MISMATCH', message: `token is for \`${claims.aud}\`, not this node` };
  if (defect !== undefined) {
    const { code, message } = defect;
    return success(`token invalid: ${code}: ${message}`, { valid: false, code, message, claims });
  }
  const summary = `token valid: \`${claims.jti}\` for agent \`${claims.sub}\` until ${new Date(claims.exp).toISOString()}`;
  return success(summary, { valid: true, claims });
}
