// `maos held`: intents waiting for a human, with who wants to do what and why it was held.

import { parseArgs } from 'node:util';
import type { HeldIntent } from '../../runtime/service.ts';
import { CLIENT_OPTIONS, connectDaemon, reportFailure } from '../api-client.ts';
import { HELD_HELP } from '../help.ts';
import { EXIT, printJson } from '../io.ts';
import { formatDuration } from './status.ts';

export async function heldCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: CLIENT_OPTIONS });
  if (values.help) {
    process.stdout.write(HELD_HELP);
    return EXIT.ok;
  }
  const client = await connectDaemon(values);
  if (!client.ok) return reportFailure(client.error);
  const held = await client.value.get<readonly HeldIntent[]>('/v1/held');
  if (!held.ok) return reportFailure(held.error);
  if (values.json) printJson(held.value);
  else process.stdout.write(formatHeld(held.value, Date.now()));
  return EXIT.ok;
}

function formatHeld(held: readonly HeldIntent[], nowMs: number): string {
  if (held.length === 0) return 'no intents are waiting for approval\n';
  const header = `${held.length} ${held.length === 1 ? 'intent' : 'intents'} waiting for approval:\n`;
  return `${header}${held.map((intent) => formatOne(intent, nowMs)).join('')}`;
}

type Hit = { readonly tool?: string; readonly source?: string; readonly excerpt?: string };
type ArgumentView = {
  readonly class?: string;
  readonly requires?: string;
  readonly untrusted?: readonly Hit[];
  readonly trusted?: readonly Hit[];
};

/** Check 4's decision packet, one line per argument: its provenance and where it was seen. */
function packetLines(detail: Readonly<Record<string, unknown>> | undefined): string[] {
  const packet = detail?.packet as
    | { context?: { confidentiality?: string; integrity?: string }; arguments?: Record<string, ArgumentView> }
    | undefined;
  if (packet === undefined) return [];
  const out: string[] = [];
  if (packet.context !== undefined)
    out.push(`    session has read: ${packet.context.confidentiality} ${packet.context.integrity}`);
  for (const [name, view] of Object.entries(packet.arguments ?? {})) {
    const needs = view.requires === undefined ? '' : ` (needs ${view.requires})`;
    const hit = view.untrusted?.[0] ?? view.trusted?.[0];
    const seen =
      hit === undefined ? '' : ` — seen in ${hit.tool ?? hit.source ?? 'a source'}: "${hit.excerpt ?? ''}"`;
    out.push(`    ${name}: ${view.class ?? '?'}${needs}${seen}`);
  }
  return out;
}

function formatOne(intent: HeldIntent, nowMs: number): string {
  const lines = [`\n${intent.intentId}  ${intent.agent}  ${intent.action}  ${intent.resource}`];
  const times: string[] = [];
  if (intent.heldAtMs > 0) times.push(`held ${new Date(intent.heldAtMs).toISOString()}`);
  if (intent.expiresAtMs > 0) {
    const left = intent.expiresAtMs - nowMs;
    const when = left > 0 ? `in ${formatDuration(left)}` : 'now';
    times.push(`expires ${new Date(intent.expiresAtMs).toISOString()} (${when})`);
  }
  if (times.length > 0) lines.push(`  ${times.join(', ')}`);
  for (const reason of intent.reasons) {
    const code = reason.code === undefined ? '' : ` ${reason.code}`;
    const message = reason.message === undefined ? '' : `: ${reason.message}`;
    lines.push(`  ${reason.verdict} by ${reason.check}${code}${message}`);
    lines.push(...packetLines(reason.detail));
  }
  lines.push(`  maos approve ${intent.intentId}   |   maos reject ${intent.intentId}`);
  return `${lines.join('\n')}\n`;
}
