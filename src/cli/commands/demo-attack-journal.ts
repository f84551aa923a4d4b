// One line per journal record for the last step of `maos demo attack`: what a pod, immune or
// intent record says, in words, with the intent's action and outcome.

import type { JournalEntryView } from '../../runtime/service.ts';

type Data = { readonly [key: string]: unknown };

const TEXT_CHARS_MAX = 160;

/**
 * The record in one line. `actions` maps intent ids to `action resource` as the intent's first
 * record named them (later records of an intent carry only its id); `origin` is shortened.
 */
export function summaryOf(record: JournalEntryView, actions: Map<string, string>, origin: string): string {
  const d = (typeof record.data === 'object' && record.data !== null ? record.data : {}) as Data;
  const s = (value: unknown) => String(value ?? '-');
  if (record.type.startsWith('intent.')) return intentLine(record.type, d, actions, origin);
  switch (record.type) {
    case 'pod.started':
      return `${s(d.sandbox)} sandbox, level ${s(d.level)}, pid ${s(d.pid)}, network namespace ${d.networkNamespace === true ? 'yes' : 'no'}`;
    case 'pod.egress': {
      const target = short(s(d.target || ''), origin);
      return `${s(d.gateway)}.${s(d.op)}${target === '' ? '' : ` ${target}`} → ${s(d.code ?? 'allowed')}`;
    }
    case 'pod.signal':
      return `${s(d.signal)} by ${s(d.by)}`;
    case 'pod.exited':
      return `${s(d.cause)}: ${s(d.message)}`;
    case 'pod.replaced':
      return `replacement started: ${d.started === true ? 'yes' : 'no'}; old workspace kept at ${s(d.forensics)}`;
    case 'immune.anomaly':
      return `${s(d.kind)} from ${s(d.source)}, weight ${s(d.weight)}${d.counted === false ? ' (not counted)' : ''}, score ${s(d.score)}`;
    case 'immune.stage':
      return `stage ${s(d.from)} → ${s(d.to)} (${s(d.stageName)}) by ${s(d.by)}: ${s(d.reason)}`;
    case 'immune.aggregate':
      return `\`${s(d.kind)}\` ${d.crossed === true ? 'crossed' : 'cleared'} at ${s(d.count)} of ${s(d.limit)}`;
    case 'immune.memory':
      return `threat recorded: ${s(d.classification)} by ${s(d.by)}, kinds ${Array.isArray(d.kinds) ? d.kinds.join(', ') : '-'}`;
    default:
      return cut(JSON.stringify(d));
  }
}

function intentLine(type: string, d: Data, actions: Map<string, string>, origin: string): string {
  const id = String(d.intentId ?? '');
  if (typeof d.action === 'string' && typeof d.resource === 'string' && !actions.has(id)) {
    actions.set(id, `${d.action} ${short(d.resource, origin)}`);
  }
  const what = actions.get(id) ?? `intent ${id.slice(0, 13)}…`;
  const outcome = type.slice('intent.'.length);
  const checks = Array.isArray(d.checks) ? (d.checks as { check?: string; code?: string }[]) : [];
  const why = checks.length === 0 ? '' : ` (${checks.map((c) => `${c.check} ${c.code}`).join(', ')})`;
  const by = typeof d.by === 'string' ? ` by ${d.by}` : '';
  return `${what} → ${outcome}${by}${why}`;
}

function short(text: string, origin: string): string {
  return cut(origin === '' ? text : text.replaceAll(origin, '<partner>'));
}

function cut(text: string): string {
  return text.length <= TEXT_CHARS_MAX ? text : `${text.slice(0, TEXT_CHARS_MAX)}…`;
}
