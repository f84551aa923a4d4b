// Benchmarks of the structural pre-filter (DSC check 7), which runs on every decision: a typical
// small intent, and one carrying about 10 KB of benign prose. `npm run bench -- prefilter`.

import type { JsonObject } from '../src/kernel/intent.ts';
import { compilePrefilter, type PrefilterTarget } from '../src/kernel/prefilter/index.ts';
import type { BenchCase } from './harness.ts';

const PARAGRAPHS = [
  'Thanks for the quick turnaround on the vendor contract. Legal has reviewed the indemnification clause and ' +
    'is comfortable with the revised cap, provided the liability carve-outs for data breaches stay as drafted. ' +
    'Could you confirm that the renewal term is twelve months rather than twenty-four?',
  'On the infrastructure side, the migration of the billing service to the new cluster finished on Tuesday. ' +
    'Latency at the 99th percentile dropped from 180 ms to roughly 95 ms, and error rates are flat. We will keep ' +
    'the old nodes warm until the end of the month in case we need to roll back.',
  'For the quarterly review, please prepare a short summary of customer churn by segment, the status of the ' +
    'onboarding redesign, and any open risks. Slides are due by Thursday noon so that Maria can consolidate ' +
    'them before the leadership meeting on Friday morning.',
  "I also wanted to flag that the design team's usability study found three recurring problems in the " +
    'checkout flow: the coupon field is easy to miss, the shipping estimate appears too late, and the error ' +
    'message for expired cards is vague. Fixes for the first two are scheduled for the next sprint.',
  'Finally, a reminder that the office will be closed next Monday for the public holiday. Support coverage ' +
    'is arranged through the on-call rotation; see the wiki page https://wiki.example.com/support/rotation ' +
    'for names and phone numbers. Have a good weekend, and thanks again for all the hard work this quarter.',
];

function prose(bytesMin: number): string {
  let text = '';
  for (let i = 0; text.length < bytesMin; i++) text += `${PARAGRAPHS[i % PARAGRAPHS.length]}\n\n`;
  return text;
}

const SMALL: PrefilterTarget = {
  action: 'email.send',
  resource: 'mailto:alice@example.com',
  args: {
    to: ['alice@example.com'],
    subject: 'Re: meeting notes',
    body: 'Hi Alice, the notes from Tuesday are attached. Let me know if I missed anything.',
    priority: 'normal',
  },
};

const LARGE: PrefilterTarget = {
  action: 'email.send',
  resource: 'mailto:team@example.com',
  args: {
    to: ['team@example.com'],
    cc: ['maria@example.com', 'ops@example.com'],
    subject: 'Weekly update: contracts, migration, quarterly review',
    body: prose(10 * 1024),
    labels: ['weekly', 'internal'],
    thread: { id: '0190c2a4-7b3e-7c1a-9f00-3b5e2d1c4a77', replyTo: 'msg-4821' },
  } satisfies JsonObject,
};

export function prefilterCases(): BenchCase[] {
  const prefilter = compilePrefilter({
    enabled: true,
    fieldBytesMax: 64 * 1024,
    blockScore: 10,
    escalateScore: 5,
    signatures: [],
  });
  // Benign input: a run returns true when the scan found nothing, as it should.
  const scan = (target: PrefilterTarget) => (): boolean => prefilter.scan(target).score === 0;
  return [
    { name: 'prefilter/small', run: scan(SMALL), meta: { bytes: bytesOf(SMALL) } },
    { name: 'prefilter/10kb', run: scan(LARGE), iterations: 5_000, meta: { bytes: bytesOf(LARGE) } },
  ];
}

function bytesOf(target: PrefilterTarget): number {
  return Buffer.byteLength(JSON.stringify({ resource: target.resource, args: target.args }), 'utf8');
}
