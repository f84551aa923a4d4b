// A held call waits for a human: `maos approve` / `maos reject` through the HTTP API the gateway
// serves, or the client's own user through MCP elicitation (standard profile, when the client
// supports it and `mcp.elicitation` is on). No decision within `mcp.approvalTimeout` rejects it.

import type { IntentStatus } from '../runtime/service.ts';
import { ERROR_CODES } from '../shared/index.ts';
import type { Gateway } from './gateway.ts';
import type { GatewaySession } from './session.ts';

/** Arguments shown to the human are cut at this many characters. */
const SHOWN_ARGS_MAX = 2_000;

export async function awaitDecision(
  gateway: Gateway,
  session: GatewaySession,
  held: IntentStatus,
  signal: AbortSignal,
): Promise<IntentStatus> {
  const id = held.intentId;
  const settled = gateway.waitFor(id);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), gateway.approvalTimeoutMs);
  });
  const cancelled = new Promise<'cancelled'>((resolve) => {
    if (signal.aborted) resolve('cancelled');
    signal.addEventListener('abort', () => resolve('cancelled'), { once: true });
  });
  if (session.canElicit(gateway)) void elicit(gateway, session, held, signal);
  try {
    const first = await Promise.race([settled, timedOut, cancelled]);
    if (first !== 'timeout' && first !== 'cancelled') return first;
    const note =
      first === 'timeout'
        ? `no decision within ${gateway.approvalTimeoutMs} ms`
        : 'the client cancelled the call';
    const rejected = await gateway.service.reject(id, { by: 'maos-gateway', note });
    // WHY: a human decided in the same instant; their decision stands, and its commit may still run.
    // `await` keeps the waiter registered (the `finally` below forgets it) until that settles.
    if (!rejected.ok)
      return await Promise.race([
        settled,
        delay(gateway.runtime.commits.lockTimeoutMs).then(() => statusOrHeld(gateway, held)),
      ]);
    return {
      ...rejected.value,
      state: 'rejected',
      error: {
        code: first === 'timeout' ? ERROR_CODES.APPROVAL_TIMEOUT : ERROR_CODES.APPROVAL_REJECTED,
        message: note,
      },
    };
  } finally {
    clearTimeout(timer);
    gateway.forget(id);
  }
}

async function statusOrHeld(gateway: Gateway, held: IntentStatus): Promise<IntentStatus> {
  const status = await gateway.service.status(held.intentId);
  return status.ok ? status.value : held;
}

/** Asks the client's user; an answer approves or rejects, a failure leaves the decision to the CLI. */
async function elicit(
  gateway: Gateway,
  session: GatewaySession,
  held: IntentStatus,
  signal: AbortSignal,
): Promise<void> {
  const reasons = held.checks
    .map((check) => `${check.check}: ${check.message ?? check.code ?? check.verdict}`)
    .join('; ');
  const args = JSON.stringify(gateway.runtime.commits.status(held.intentId)?.args ?? {});
  const message =
    `MAOS holds a call that needs your approval.\n` +
    `Action: ${held.action}\nResource: ${held.resource}\nArguments: ${args.slice(0, SHOWN_ARGS_MAX)}\n` +
    `Why it was held: ${reasons || 'policy requires approval'}\nIntent: ${held.intentId}`;
  try {
    const answer = await session.server.elicitInput(
      {
        mode: 'form',
        message,
        requestedSchema: {
          type: 'object',
          properties: { approve: { type: 'boolean', title: 'Approve this call', default: false } },
          required: ['approve'],
        },
      },
      { signal, timeout: gateway.approvalTimeoutMs },
    );
    const by = `elicitation:${session.clientName()}`;
    if (answer.action === 'accept' && answer.content?.approve === true)
      await gateway.service.approve(held.intentId, { by });
    else if (answer.action === 'accept' || answer.action === 'decline')
      await gateway.service.reject(held.intentId, { by, note: 'declined by the client’s user' });
  } catch (error) {
    gateway.log(
      `elicitation for ${held.intentId} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
