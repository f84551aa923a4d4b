// Declassification inside a session: `from` is the session's label, the original is what it read
// above the target, an allow is granted only if the session read nothing more meanwhile, and the
// grants and source texts a session keeps stay bounded.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FlowSession, RELEASED_MAX, SOURCE_TEXT_CHARS_MAX } from '../flow-session.ts';
import type { Label } from '../label.ts';
import { DECLASSIFY_CODES, Declassifier, type DeclassifyRequest, type Gate2Evaluator } from './protocol.ts';
import { decideRelease, grantRelease, JUSTIFICATION_CHARS_MAX } from './session-release.ts';

const CONFIDENTIAL: Label = { confidentiality: 'CONFIDENTIAL', integrity: 'UNTRUSTED' };
const INTERNAL: Label = { confidentiality: 'INTERNAL', integrity: 'UNTRUSTED' };
const REPORT =
  'Project Falcon quarterly review. Revenue for the third quarter reached 4.2 million euros, up 18 ' +
  'percent on the previous quarter, driven by the new logistics contracts in Rotterdam and Hamburg.';
const WIKI = 'The cafeteria opens at eight and closes at four on Fridays.';
const SUMMARY = 'Sales grew strongly last quarter thanks to new shipping deals.';

function evaluators(seen: DeclassifyRequest[] = []): Gate2Evaluator[] {
  return ['model-a', 'model-b'].map((model) => ({
    id: model,
    model,
    evaluate: async (request) => {
      seen.push(request);
      return { approve: true, reason: 'fine' };
    },
  }));
}

function session(): FlowSession {
  const s = new FlowSession('s1', 'analyst');
  s.task('Summarize the quarter for the team.');
  s.observe({ id: 'r1', tool: 'wiki.read' }, { text: WIKI }, INTERNAL, []);
  s.observe({ id: 'r2', tool: 'doc.read' }, { text: REPORT }, CONFIDENTIAL, []);
  return s;
}

const declassifier = (evaluatorList: Gate2Evaluator[] = evaluators()) =>
  new Declassifier({ profile: 'standard', evaluators: evaluatorList, clock: { wallMs: () => 0 } });

describe('DR-I3 declassification in a session', () => {
  test('from is the session label; the original holds only what was read above the target', async () => {
    const seen: DeclassifyRequest[] = [];
    const s = session();
    const decision = await decideRelease(declassifier(evaluators(seen)), s, {
      text: SUMMARY,
      to: 'INTERNAL',
      justification: 'team digest',
    });
    assert.equal(decision.outcome.verdict, 'allow');
    assert.equal(decision.from, 'CONFIDENTIAL');
    assert.match(decision.textSha256, /^[0-9a-f]{64}$/);
    // Field names come along (`text`); the INTERNAL wiki page does not.
    assert.equal(seen[0]?.original, `text\n${REPORT}`);
    assert.equal(seen[0]?.agent, 'analyst');
    assert.equal(s.sourceText('PUBLIC'), `text\n${WIKI}\ntext\n${REPORT}`);
    assert.equal(grantRelease(s, decision), undefined);
    assert.equal(s.releasedLevel(SUMMARY), 'INTERNAL');
  });

  test('a near-copy of what the session read is blocked by gate 1 and granted nothing', async () => {
    const s = session();
    const decision = await decideRelease(declassifier(), s, {
      text: REPORT.replace('18', 'eighteen'),
      to: 'INTERNAL',
      justification: '',
    });
    assert.equal(decision.outcome.verdict, 'deny');
    assert.equal(decision.outcome.verdict === 'deny' && decision.outcome.code, DECLASSIFY_CODES.GATE1);
    assert.match(grantRelease(s, decision) ?? '', /verdict is deny/);
    assert.equal(s.releasedLevel(REPORT.replace('18', 'eighteen')), undefined);
  });

  test('a session that read nothing above PUBLIC has nothing to declassify', async () => {
    const s = new FlowSession('s2', 'analyst');
    const decision = await decideRelease(declassifier(), s, {
      text: SUMMARY,
      to: 'PUBLIC',
      justification: '',
    });
    assert.equal(decision.outcome.verdict === 'deny' && decision.outcome.code, DECLASSIFY_CODES.NOT_LOWER);
  });

  test('an allow is not granted when the session read more while the gates ran', async () => {
    const s = session();
    const decision = await decideRelease(declassifier(), s, {
      text: SUMMARY,
      to: 'INTERNAL',
      justification: '',
    });
    s.observe({ id: 'r3', tool: 'doc.read' }, { text: 'more minutes' }, CONFIDENTIAL, []);
    assert.match(grantRelease(s, decision) ?? '', /read more/);
    assert.equal(s.releasedLevel(SUMMARY), undefined);
    const other = new FlowSession('s9', 'analyst');
    assert.match(grantRelease(other, decision) ?? '', /another session/);
  });

  test('an overlong justification is denied before any gate runs', async () => {
    const seen: DeclassifyRequest[] = [];
    const decision = await decideRelease(declassifier(evaluators(seen)), session(), {
      text: SUMMARY,
      to: 'INTERNAL',
      justification: 'x'.repeat(JUSTIFICATION_CHARS_MAX + 1),
    });
    assert.equal(decision.outcome.verdict === 'deny' && decision.outcome.code, DECLASSIFY_CODES.INVALID);
    assert.equal(seen.length, 0);
  });
});

describe('session grants and source texts stay bounded', () => {
  test('grants are kept as hashes, at most RELEASED_MAX; the oldest is forgotten', () => {
    const s = new FlowSession('s1', 'a');
    for (let i = 0; i <= RELEASED_MAX; i++) s.release(`summary number ${i}`, 'INTERNAL');
    assert.equal(s.releasedLevel('summary number 0'), undefined);
    assert.equal(s.releasedLevel(`summary number ${RELEASED_MAX}`), 'INTERNAL');
    // Empty or whitespace-only text is never released.
    s.release('   ', 'PUBLIC');
    assert.equal(s.releasedLevel(' '), undefined);
  });

  test('source texts keep the newest 1 MiB of characters and hand gate 1 at most 1 MiB of UTF-8', () => {
    const s = new FlowSession('s1', 'a');
    const chunk = 'é'.repeat(200 * 1024);
    for (let i = 0; i < 8; i++)
      s.observe({ id: `r${i}`, tool: 'doc.read' }, `${i}${chunk}`, CONFIDENTIAL, []);
    const text = s.sourceText('INTERNAL');
    assert.ok(Buffer.byteLength(text, 'utf8') <= 1024 * 1024);
    assert.ok(text.startsWith('6') && text.includes('\n7'), 'the newest texts, oldest first');
    assert.ok(SOURCE_TEXT_CHARS_MAX >= 1024 * 1024);
  });
});
