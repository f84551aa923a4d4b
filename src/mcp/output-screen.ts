// What a tool returned, before the client's model reads it: labelled by the action's policy
// (untrusted integrity by default), screened by check 7's scanner for injected instructions, and
// — with `mcp.outputScan: block` — withheld when the scanner would deny it. Findings are journaled.

import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { actionPolicyOf } from '../kernel/index.ts';
import type { IntentStatus } from '../runtime/service.ts';
import { ERROR_CODES, type JsonValue } from '../shared/index.ts';
import type { Gateway } from './gateway.ts';
import { labelled, refusal } from './tool-result.ts';

export type Screened =
  | { readonly ok: true; readonly result: CallToolResult | JsonValue }
  | { readonly ok: false; readonly refusal: CallToolResult };

/** Screens a committed intent's result; resources and prompts pass their raw result through `wrap: false`. */
export async function screenOutput(gateway: Gateway, status: IntentStatus, wrap = true): Promise<Screened> {
  const label = actionPolicyOf(gateway.runtime.kernel.policy, status.action).output;
  const result = (status.result ?? {}) as JsonValue;
  const mode = gateway.mcp.outputScan;
  if (mode !== 'off') {
    const screening = gateway.runtime.kernel.screen({
      action: status.action,
      resource: status.resource,
      args: { output: textsOf(result) },
    });
    if (screening.verdict !== 'allow') {
      const withheld = mode === 'block' && screening.verdict === 'deny';
      const findings = screening.findings
        .slice(0, 10)
        .map((finding) => ({ kind: finding.kind, path: finding.path }));
      await gateway.runtime.journal.append(withheld ? 'mcp.output.blocked' : 'mcp.output.flagged', {
        intentId: status.intentId,
        agent: status.agent,
        action: status.action,
        score: screening.score,
        findings,
      });
      if (withheld) {
        const kinds = [...new Set(findings.map((finding) => finding.kind))].join(', ');
        return {
          ok: false,
          refusal: refusal({
            code: ERROR_CODES.MCP_OUTPUT_BLOCKED,
            message: `the tool's output was withheld: the pre-filter found ${kinds} in it (score ${screening.score})`,
            verdict: 'deny',
            intentId: status.intentId,
          }),
        };
      }
    }
  }
  return { ok: true, result: wrap ? labelled(result as CallToolResult, status.intentId, label) : result };
}

/**
 * The strings a model would read in a result: text content, embedded resource text, prompt
 * messages and structured content, gathered as one JSON value for the scanner to walk.
 */
function textsOf(result: JsonValue): JsonValue {
  if (typeof result !== 'object' || result === null || Array.isArray(result)) return result;
  const { _meta: _ignored, ...rest } = result as { [key: string]: JsonValue };
  return rest;
}
