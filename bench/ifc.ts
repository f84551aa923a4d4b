// Benchmarks of argument provenance (IFC, issue 7): classifying one call's arguments against a
// session that has read about 1 MB of mail, documents and web pages, and building that index.
// `npm run bench -- ifc`.

import type { Label } from '../src/ifc/label.ts';
import { indexOutput, ProvenanceIndex } from '../src/ifc/provenance/index.ts';
import type { JsonValue } from '../src/shared/index.ts';
import type { BenchCase } from './harness.ts';

const TRUSTED: Label = { confidentiality: 'PUBLIC', integrity: 'TRUSTED' };
const MAIL: Label = { confidentiality: 'CONFIDENTIAL', integrity: 'EXTERNAL_UNTRUSTED' };
const DOCS: Label = { confidentiality: 'INTERNAL', integrity: 'UNTRUSTED' };
const WEB: Label = { confidentiality: 'PUBLIC', integrity: 'EXTERNAL_UNTRUSTED' };
const FROM_TRUSTED = [{ path: '*.from', label: { integrity: 'TRUSTED' as const } }];

const WORDS = (
  'invoice payment contract renewal quarterly review meeting schedule budget forecast vendor ' +
  'customer onboarding migration cluster latency release deadline approval signature account ' +
  'balance transfer shipment warehouse inventory supplier discount refund receipt statement policy ' +
  'compliance audit security incident report summary proposal estimate milestone roadmap feature ' +
  'design usability checkout coupon shipping expired reminder holiday rotation support escalation ' +
  'on with as at by from is are was will be this that please thanks regards'
).split(' ');
/** Function words, about a quarter of English prose: each occurs thousands of times in 1 MB. */
const STOPWORDS = ['the', 'a', 'of', 'to', 'and', 'in', 'for', 'it'];
const SYLLABLES = ['ka', 'lo', 'mi', 'ren', 'tos', 'val', 'qui', 'dor', 'fen', 'sha', 'bru', 'nix', 'pel'];
const NAMES = ['alice', 'bob', 'carol', 'dmitri', 'erin', 'farah', 'gustav', 'hana', 'ivan', 'jules'];
const DOMAINS = ['acme.example', 'power.example', 'globex.example', 'initech.example', 'umbrella.example'];

/** A small deterministic generator (mulberry32), so every run indexes the same context. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Context = {
  readonly sources: ReadonlyArray<{ id: string; tool: string; output: JsonValue }>;
  task: string;
};

function generate(sourceCount: number, seed: number): Context {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const digits = (n: number): string => Array.from({ length: n }, () => Math.floor(next() * 10)).join('');
  const word = (): string => {
    const r = next();
    if (r < 0.25) return pick(STOPWORDS);
    return r < 0.75
      ? pick(WORDS)
      : `${pick(SYLLABLES)}${pick(SYLLABLES)}${next() < 0.5 ? pick(SYLLABLES) : ''}`;
  };
  const iban = (): string =>
    `DE${digits(2)} ${digits(4)} ${digits(4)} ${digits(4)} ${digits(4)} ${digits(2)}`;
  const email = (): string => `${pick(NAMES)}.${word()}@${pick(DOMAINS)}`;
  const amount = (): string =>
    next() < 0.5
      ? `$${Math.floor(next() * 99) + 1},${digits(3)}.${digits(2)}`
      : `EUR ${digits(3)}.${digits(2)}`;
  const sentence = (): string => {
    const parts = Array.from({ length: 8 + Math.floor(next() * 10) }, word);
    const r = next();
    if (r < 0.1) parts.push(`to IBAN ${iban()}`);
    else if (r < 0.25) parts.push(`contact ${email()}`);
    else if (r < 0.4) parts.push(`amount ${amount()}`);
    else if (r < 0.5) parts.push(`see https://${pick(DOMAINS)}/${word()}/${digits(6)}`);
    return `${parts.join(' ')}.`;
  };
  const prose = (chars: number): string => {
    let text = '';
    while (text.length < chars) text += `${sentence()} `;
    return text;
  };
  const sources: Array<{ id: string; tool: string; output: JsonValue }> = [];
  for (let i = 0; i < sourceCount; i++) {
    const kind = i % 3;
    const id = `c${i}`;
    if (kind === 0) {
      const output = [{ id: `m${i}`, from: email(), subject: prose(60), body: prose(1900) }];
      sources.push({ id, tool: 'read_inbox', output });
    } else if (kind === 1) {
      sources.push({ id, tool: 'read_doc', output: { title: prose(40), text: prose(1950), pages: 3 } });
    } else {
      sources.push({
        id,
        tool: 'fetch_url',
        output: { url: `https://${pick(DOMAINS)}/${word()}`, html: prose(1950) },
      });
    }
  }
  return {
    sources,
    task: `Pay the open invoices from my inbox and send the summary to ${email()}. ${prose(400)}`,
  };
}

function build(context: Context): ProvenanceIndex {
  const index = new ProvenanceIndex();
  index.addText({ id: 'task', kind: 'task' }, '', context.task, TRUSTED);
  for (const source of context.sources) {
    const label = source.tool === 'read_inbox' ? MAIL : source.tool === 'read_doc' ? DOCS : WEB;
    const rules = source.tool === 'read_inbox' ? FROM_TRUSTED : [];
    indexOutput(index, { id: source.id, kind: 'output', tool: source.tool }, source.output, label, rules);
  }
  return index;
}

/** An IBAN, an e-mail address and an amount written in the untrusted text of the context. */
function seenValues(context: Context): { iban: string; email: string; amount: number } {
  const text = JSON.stringify(context.sources);
  const iban = /DE\d{2}(?: \d{4}){4} \d{2}/.exec(text)?.[0] ?? 'DE00 0000 0000 0000 0000 00';
  const email = /contact ([a-z]+\.[a-z]+@[a-z]+\.example)/.exec(text)?.[1] ?? 'nobody@acme.example';
  const amount = /\$(\d+),(\d{3})\.(\d{2})/.exec(text);
  return { iban, email, amount: amount === null ? 1250 : Number(`${amount[1]}${amount[2]}.${amount[3]}`) };
}

/** A value made of the context's commonest words only: every one of its tokens has overflowed. */
const COMMON = 'for the';

export async function ifcCases(): Promise<BenchCase[]> {
  const context = generate(500, 7);
  const index = build(context);
  const seen = seenValues(context);
  const args: JsonValue = {
    to: seen.email,
    iban: seen.iban,
    amount: seen.amount,
    url: 'https://portal.newvendor.example/pay/8f3a9c21',
    note:
      'Hi team, as discussed on the call I have settled the outstanding balance for the March order. ' +
      'The confirmation number is attached below; let me know if finance needs anything else from me today.',
  };
  const classify = (): boolean => index.classify(args).class === 'untrusted';
  const classes = Object.fromEntries(
    Object.entries(args).map(([name, value]) => [name, index.classify(value).class]),
  );
  return [
    {
      name: 'ifc/provenance/1mb',
      run: classify,
      iterations: 20_000,
      meta: { contextBytes: index.bytes, args: Object.keys(args).length, classes },
    },
    {
      // The slow path: every token of the value is too common to keep postings for (overflowed),
      // so the texts holding its rarest token are scanned with indexOf until 3 hits are found.
      name: 'ifc/provenance/1mb-common-words',
      run: () => index.classify(COMMON).class !== 'trusted',
      iterations: 2_000,
      warmup: 200,
      meta: { contextBytes: index.bytes, value: COMMON, class: index.classify(COMMON).class },
    },
    {
      name: 'ifc/provenance/index-1mb',
      run: () => build(context).bytes > 0,
      iterations: 20,
      warmup: 3,
      meta: { contextBytes: index.bytes, sources: context.sources.length + 1 },
    },
  ];
}
