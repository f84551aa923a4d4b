// The shapes the gateway answers a client with: a refusal is an MCP tool error (not a protocol
// error, so the model reads why) whose first words and `_meta['maos/code']` carry a stable code.

import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Label } from '../ifc/index.ts';

export type RefusalFacts = {
  readonly code: string;
  readonly message: string;
  /** `deny` for a decision or a refusal before one; `error` when the forwarded call failed. */
  readonly verdict: 'deny' | 'escalate' | 'error';
  readonly intentId?: string;
  readonly checks?: readonly { readonly check: string; readonly verdict: string; readonly code?: string }[];
};

export function refusal(facts: RefusalFacts): CallToolResult {
  const lead = facts.verdict === 'error' ? 'MAOS: the call failed' : 'MAOS denied this call';
  return {
    isError: true,
    content: [{ type: 'text', text: `${lead}: ${facts.code}: ${facts.message}` }],
    _meta: {
      'maos/code': facts.code,
      'maos/verdict': facts.verdict,
      ...(facts.intentId === undefined ? {} : { 'maos/intentId': facts.intentId }),
      ...(facts.checks === undefined ? {} : { 'maos/checks': facts.checks }),
    },
  };
}

/** A forwarded result with the gateway's facts added under `_meta` (the server's own `_meta` is dropped). */
export function labelled(result: CallToolResult, intentId: string, label: Label): CallToolResult {
  const { _meta: _dropped, ...rest } = result;
  return { ...rest, _meta: { 'maos/intentId': intentId, 'maos/label': label } };
}
