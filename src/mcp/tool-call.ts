// A client's tools/call through the gateway: find the tool (known, pinned, not blocked), check the
// arguments against its schema, build the intent, and let the commit layer decide, journal and
// forward it. A hold waits for a human; the output is screened and labelled before the client
// sees it. Every refusal is journaled with a stable code.

import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { LIMITS } from '../runtime/index.ts';
import type { IntentStatus } from '../runtime/service.ts';
import { ERROR_CODES, type JsonValue, uuidv7 } from '../shared/index.ts';
import { awaitDecision } from './approval-wait.ts';
import type { Gateway } from './gateway.ts';
import { screenOutput } from './output-screen.ts';
import { defaultToolResource, fillResource } from './resource-template.ts';
import type { GatewaySession } from './session.ts';
import type { ToolEntry } from './tool-catalog.ts';
import { refusal } from './tool-result.ts';

/** Names longer than this are cut in the journal: they come from the client. */
const NAME_JOURNALED_MAX = 256;

export async function callTool(
  gateway: Gateway,
  session: GatewaySession,
  name: string,
  rawArgs: unknown,
  signal: AbortSignal,
): Promise<CallToolResult> {
  const entry = gateway.catalog.lookup(name);
  const blocked = entryProblem(entry, name);
  if (blocked !== undefined) return refuse(gateway, session, name, blocked.code, blocked.message);
  const tool = entry as ToolEntry;
  const args = rawArgs ?? {};
  if (typeof args !== 'object' || Array.isArray(args) || args === null)
    return refuse(gateway, session, name, ERROR_CODES.MCP_ARGS_INVALID, 'arguments must be a json object');
  if (JSON.stringify(args).length > LIMITS.intentBytesMax)
    return refuse(
      gateway,
      session,
      name,
      ERROR_CODES.MCP_ARGS_INVALID,
      `arguments exceed ${LIMITS.intentBytesMax} bytes`,
    );
  const invalid = tool.validate?.(args);
  if (invalid !== undefined)
    return refuse(
      gateway,
      session,
      name,
      ERROR_CODES.MCP_ARGS_INVALID,
      `arguments do not match the tool's input schema: ${invalid}`,
    );
  const resource =
    tool.template === undefined
      ? { ok: true as const, value: defaultToolResource(tool.server, tool.tool) }
      : fillResource(tool.template, args as Record<string, unknown>);
  if (!resource.ok) return refuse(gateway, session, name, resource.error.code, resource.error.message);
  const submitted = await submit(
    gateway,
    session,
    tool.action,
    resource.value,
    args as Record<string, JsonValue>,
    signal,
  );
  return submitted.ok ? outcome(gateway, submitted.status) : submitted.refusal;
}

export type Submitted =
  | { readonly ok: true; readonly status: IntentStatus }
  | { readonly ok: false; readonly refusal: CallToolResult };

/** Submits one intent for the session's agent and settles holds; a `CallToolResult` is a refusal. */
export async function submit(
  gateway: Gateway,
  session: GatewaySession,
  action: string,
  resource: string,
  args: Record<string, JsonValue>,
  signal: AbortSignal,
): Promise<Submitted> {
  const rt = gateway.runtime;
  const intent = {
    id: uuidv7(rt.clock, rt.random),
    agent: gateway.agent,
    action,
    resource,
    args,
    token: await gateway.token.ref(),
    // WHY: the gateway claims nothing about an effect; the class used is the stricter of this and
    // the policy's (unknown = write), so `read` here lets the policy alone decide.
    sideEffect: 'read',
    // WHY: the kernel knows what this session has read; the gateway claims no label of its own.
    session: session.id,
  };
  const submitted = await gateway.service.submit(intent);
  if (!submitted.ok)
    return {
      ok: false,
      refusal: await refuse(gateway, session, action, submitted.error.code, submitted.error.message),
    };
  if (submitted.value.state !== 'held') return { ok: true, status: submitted.value };
  return { ok: true, status: await awaitDecision(gateway, session, submitted.value, signal) };
}

/** The client's answer for a settled intent: its result, screened and labelled, or why there is none. */
async function outcome(gateway: Gateway, status: IntentStatus): Promise<CallToolResult> {
  if (status.state !== 'committed') return refusalOf(status);
  const screened = await screenOutput(gateway, status);
  if (!screened.ok) return screened.refusal;
  return screened.result as CallToolResult;
}

/** Denied, rejected, failed or conflicting intents as tool errors carrying the deciding code. */
export function refusalOf(status: IntentStatus): CallToolResult {
  const intentId = status.intentId;
  const checks = status.checks.map((check) => ({
    check: check.check,
    verdict: check.verdict,
    ...(check.code === undefined ? {} : { code: check.code }),
  }));
  if (status.state === 'denied') {
    const first = status.checks.find((check) => check.verdict === 'deny') ?? status.checks[0];
    const code = first?.code ?? 'DENIED';
    const message = first?.message ?? 'the security core denied the call';
    return refusal({
      code,
      message: `${first?.check ?? 'a'} check: ${message}`,
      verdict: 'deny',
      intentId,
      checks,
    });
  }
  if (status.state === 'rejected') {
    // WHY: the approval queue journals a human's rejection as `REJECTED`; the client sees the MCP code.
    const raw = status.error?.code;
    const code = raw === undefined || raw === 'REJECTED' ? ERROR_CODES.APPROVAL_REJECTED : raw;
    return refusal({
      code,
      message: status.error?.message ?? 'a human rejected the call',
      verdict: 'deny',
      intentId,
      checks,
    });
  }
  const code = status.error?.code ?? ERROR_CODES.CONNECTOR_FAILED;
  return refusal({
    code,
    message: status.error?.message ?? `the call ended ${status.state}`,
    verdict: 'error',
    intentId,
  });
}

function entryProblem(
  entry: ToolEntry | undefined,
  name: string,
): { code: string; message: string } | undefined {
  if (entry === undefined)
    return {
      code: ERROR_CODES.MCP_TOOL_UNKNOWN,
      message: `no server offers a tool \`${name.slice(0, NAME_JOURNALED_MAX)}\``,
    };
  if (entry.status === 'changed')
    return {
      code: ERROR_CODES.MCP_TOOL_CHANGED,
      message: `\`${name}\` ${entry.reason ?? 'changed'}; \`maos gateway tools approve ${name}\` re-approves it`,
    };
  if (entry.status === 'new')
    return {
      code: ERROR_CODES.MCP_TOOL_BLOCKED,
      message: `\`${name}\` is blocked: ${entry.reason ?? 'not approved'}; \`maos gateway tools approve ${name}\` approves it`,
    };
  if (entry.status === 'refused')
    return { code: ERROR_CODES.MCP_TOOL_BLOCKED, message: `\`${name}\` is refused: ${entry.reason ?? ''}` };
  return undefined;
}

/** A refusal before any decision, journaled so the audit trail shows what the client tried. */
export async function refuse(
  gateway: Gateway,
  session: GatewaySession,
  name: string,
  code: string,
  message: string,
): Promise<CallToolResult> {
  await gateway.runtime.journal
    .append('mcp.call.refused', {
      agent: gateway.agent,
      session: session.id,
      tool: name.slice(0, NAME_JOURNALED_MAX),
      code,
      message: message.slice(0, 1_000),
    })
    .catch(() => undefined);
  return refusal({ code, message, verdict: 'deny' });
}
