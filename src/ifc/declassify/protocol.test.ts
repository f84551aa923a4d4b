// The three-gate declassification protocol: gate order, two-model gate 2, when a human is needed,
// templates, the not-lower rule, the per-agent aggregate threshold, and never throwing.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { CONFIDENTIALITY } from '../label.ts';
import {
  DECLASSIFY_CODES,
  Declassifier,
  type DeclassifierOptions,
  type DeclassifyOutcome,
  type DeclassifyRequest,
  type Gate2Evaluator,
} from './protocol.ts';

const ORIGINAL =
  'Project Falcon quarterly review. Revenue for the third quarter reached 4.2 million euros, up 18 ' +
  'percent on the previous quarter, driven by the new logistics contracts in Rotterdam and Hamburg. ' +
  'Operating costs rose 6 percent because of the warehouse expansion in Antwerp. The board approved ' +
  'hiring twelve engineers for the routing team and postponed the Lisbon office until next year.';
const SUMMARY = 'Sales grew strongly last quarter thanks to new shipping deals; hiring is planned.';
const HOUR_MS = 60 * 60 * 1000;

const approving = (id: string, model: string): Gate2Evaluator => ({
  id,
  model,
  evaluate: async () => ({ approve: true, reason: 'no sensitive content' }),
});
const rejecting = (id: string, model: string): Gate2Evaluator => ({
  id,
  model,
  evaluate: async () => ({ approve: false, reason: 'reveals the supplier' }),
});
const TWO_MODELS = [approving('e1', 'model-a'), approving('e2', 'model-b')];

function fakeClock(startMs = 0) {
  const clock = { nowMs: startMs, wallMs: () => clock.nowMs };
  return clock;
}

function declassifier(options: Partial<DeclassifierOptions> = {}) {
  return new Declassifier({ profile: 'standard', evaluators: TWO_MODELS, clock: fakeClock(), ...options });
}

function req(overrides: Partial<DeclassifyRequest> = {}): DeclassifyRequest {
  return {
    agent: 'analyst',
    from: 'CONFIDENTIAL',
    to: 'INTERNAL',
    original: ORIGINAL,
    proposed: SUMMARY,
    justification: 'weekly digest for the team',
    ...overrides,
  };
}

const results = (outcome: DeclassifyOutcome) => outcome.gates.map((g) => `${g.gate}:${g.result}`);
const code = (outcome: DeclassifyOutcome) => (outcome.verdict === 'deny' ? outcome.code : outcome.verdict);
const reason = (outcome: DeclassifyOutcome) => (outcome.verdict === 'allow' ? '' : outcome.reason);

describe('DR-I3 three-gate declassification', () => {
  test('gate 1 blocks a near-copy of the original and passes a real summary', async () => {
    const d = declassifier();
    const copy = await d.request(req({ proposed: ORIGINAL.replace('twelve', '12') }));
    assert.equal(code(copy), DECLASSIFY_CODES.GATE1);
    assert.deepEqual(results(copy), ['1:block']);
    assert.ok((copy.gates[0]?.detail.similarity as number) > 0.7);
    const summary = await d.request(req());
    assert.equal(summary.verdict, 'allow');
    assert.deepEqual(results(summary), ['1:pass', '2:pass', '3:skipped']);
  });

  test('gate 1 blocks PII in the proposed text: a checksummed IBAN, a Luhn card, an email', async () => {
    const d = declassifier();
    for (const pii of ['DE89 3704 0044 0532 0130 00', '4111 1111 1111 1111', 'ops@falcon.example']) {
      const outcome = await d.request(req({ proposed: `${SUMMARY} Contact: ${pii}.` }));
      assert.equal(code(outcome), DECLASSIFY_CODES.GATE1, pii);
    }
    // A wrong IBAN checksum or a failing Luhn check is just a number.
    for (const number of ['DE89 3704 0044 0532 0130 01', '4111 1111 1111 1112']) {
      assert.equal(
        (await d.request(req({ proposed: `${SUMMARY} Ref ${number}.` }))).verdict,
        'allow',
        number,
      );
    }
  });

  test('gate 2 needs two distinct models: two evaluators on the same model make it human', async () => {
    const same = declassifier({ evaluators: [approving('e1', 'model-a'), approving('e2', 'Model-A ')] });
    const outcome = await same.request(req());
    assert.equal(outcome.verdict, 'escalate');
    assert.deepEqual(results(outcome), ['1:pass', '2:human', '3:human']);
    assert.match(reason(outcome), /DECLASSIFY_GATE3/);
    const none = await declassifier({ evaluators: [] }).request(req());
    assert.deepEqual(results(none), ['1:pass', '2:human', '3:human']);
  });

  test('one evaluator rejecting denies, even when a second model is missing', async () => {
    const d = declassifier({ evaluators: [approving('e1', 'model-a'), rejecting('e2', 'model-b')] });
    const outcome = await d.request(req());
    assert.equal(code(outcome), DECLASSIFY_CODES.GATE2);
    assert.deepEqual(results(outcome), ['1:pass', '2:block']);
    const lone = await declassifier({ evaluators: [rejecting('e1', 'model-a')] }).request(req());
    assert.equal(code(lone), DECLASSIFY_CODES.GATE2);
  });

  test('an evaluator that throws, rejects or answers malformed denies', async () => {
    const broken: Gate2Evaluator[] = [
      {
        id: 'sync',
        model: 'model-b',
        evaluate: () => {
          throw new Error('boom');
        },
      },
      { id: 'async', model: 'model-b', evaluate: async () => Promise.reject(new Error('model down')) },
      { id: 'yes', model: 'model-b', evaluate: async () => ({ approve: 'yes' }) as never },
      { id: 'null', model: 'model-b', evaluate: async () => null as never },
    ];
    for (const evaluator of broken) {
      const outcome = await declassifier({ evaluators: [approving('e1', 'model-a'), evaluator] }).request(
        req(),
      );
      assert.equal(code(outcome), DECLASSIFY_CODES.GATE2, evaluator.id);
    }
  });

  test('a slow evaluator denies after the timeout', async () => {
    const slow: Gate2Evaluator = {
      id: 'slow',
      model: 'model-b',
      evaluate: () =>
        new Promise((resolve) => {
          setTimeout(() => resolve({ approve: true, reason: 'late' }), 60_000).unref();
        }),
    };
    const d = declassifier({ evaluators: [approving('e1', 'model-a'), slow], evaluatorTimeoutMs: 20 });
    const outcome = await d.request(req());
    assert.equal(code(outcome), DECLASSIFY_CODES.GATE2);
    const evaluations = outcome.gates[1]?.detail.evaluations as { id: string; reason: string }[];
    assert.match(evaluations.find((e) => e.id === 'slow')?.reason ?? '', /timed out/);
  });

  test('evaluators see the original and the proposed text, frozen', async () => {
    const seen: Readonly<DeclassifyRequest>[] = [];
    const spy: Gate2Evaluator = {
      id: 'spy',
      model: 'model-b',
      evaluate: async (request) => {
        seen.push(request);
        return { approve: true, reason: 'ok' };
      },
    };
    await declassifier({ evaluators: [approving('e1', 'model-a'), spy] }).request(req({ session: 's1' }));
    assert.equal(seen[0]?.original, ORIGINAL);
    assert.equal(seen[0]?.proposed, SUMMARY);
    assert.equal(seen[0]?.session, 's1');
    assert.ok(Object.isFrozen(seen[0]));
  });

  test('gate 3 needs a human for CONFIDENTIAL→PUBLIC and RESTRICTED→anything in standard', async () => {
    const d = declassifier();
    for (const [from, to] of [
      ['CONFIDENTIAL', 'PUBLIC'],
      ['RESTRICTED', 'CONFIDENTIAL'],
      ['RESTRICTED', 'INTERNAL'],
      ['RESTRICTED', 'PUBLIC'],
    ] as const) {
      const outcome = await d.request(req({ agent: `${from}-${to}`, from, to }));
      assert.equal(outcome.verdict, 'escalate', `${from}→${to}`);
      assert.deepEqual(results(outcome), ['1:pass', '2:pass', '3:human']);
      assert.match(reason(outcome), /^DECLASSIFY_GATE3: /);
    }
    assert.equal((await d.request(req({ from: 'CONFIDENTIAL', to: 'INTERNAL' }))).verdict, 'allow');
  });

  test('INTERNAL→PUBLIC needs a human in hardened and isolated, not in standard', async () => {
    const internal = req({ from: 'INTERNAL', to: 'PUBLIC' });
    assert.equal((await declassifier({ profile: 'standard' }).request(internal)).verdict, 'allow');
    for (const profile of ['hardened', 'isolated'] as const) {
      const outcome = await declassifier({ profile }).request(internal);
      assert.equal(outcome.verdict, 'escalate', profile);
      assert.match(reason(outcome), /DECLASSIFY_GATE3/);
    }
  });

  test('hardened and isolated require a justification', async () => {
    const outcome = await declassifier({ profile: 'hardened' }).request(req({ justification: '  ' }));
    assert.equal(code(outcome), DECLASSIFY_CODES.INVALID);
    assert.equal((await declassifier().request(req({ justification: '' }))).verdict, 'allow');
  });

  test('a template skips gate 3 only when gate 2 passed by evaluators', async () => {
    const templates = [
      { id: 'headcount', from: 'CONFIDENTIAL', to: 'PUBLIC', pattern: 'we are hiring \\d+ engineers\\.' },
    ] as const;
    const proposed = 'We are hiring 12 engineers.';
    const withTemplate = declassifier({ templates });
    const skipped = await withTemplate.request(req({ to: 'PUBLIC', proposed }));
    assert.equal(skipped.verdict, 'allow');
    assert.deepEqual(results(skipped), ['1:pass', '2:pass', '3:skipped']);
    assert.equal(skipped.gates[2]?.detail.template, 'headcount');
    // Full match only, and only for the template's exact flow.
    const partial = await withTemplate.request(req({ to: 'PUBLIC', proposed: `${proposed} Also layoffs.` }));
    assert.equal(partial.verdict, 'escalate');
    assert.equal(
      (await withTemplate.request(req({ from: 'RESTRICTED', to: 'PUBLIC', proposed }))).verdict,
      'escalate',
    );
    // Gate 2 `human` (one model) is not skippable.
    const oneModel = declassifier({ templates, evaluators: [approving('e1', 'model-a')] });
    const human = await oneModel.request(req({ to: 'PUBLIC', proposed }));
    assert.equal(human.verdict, 'escalate');
    assert.deepEqual(results(human), ['1:pass', '2:human', '3:human']);
    // Never gate 1 or gate 2.
    const everything = declassifier({
      templates: [{ id: 'any', from: 'CONFIDENTIAL', to: 'PUBLIC', pattern: '.*' }],
    });
    assert.equal(
      code(await everything.request(req({ to: 'PUBLIC', proposed: 'mail ops@falcon.example' }))),
      'DECLASSIFY_GATE1',
    );
    const veto = declassifier({
      templates,
      evaluators: [approving('e1', 'model-a'), rejecting('e2', 'model-b')],
    });
    assert.equal(code(await veto.request(req({ to: 'PUBLIC', proposed }))), DECLASSIFY_CODES.GATE2);
  });

  test('malformed templates are ignored and fail safe', async () => {
    const d = declassifier({
      templates: [
        { id: 'bad-regex', from: 'CONFIDENTIAL', to: 'PUBLIC', pattern: '(' },
        { id: 'bad-level', from: 'SECRET' as never, to: 'PUBLIC', pattern: '.*' },
        // Closes the anchoring group itself; the full-match check still refuses a partial match.
        { id: 'escape', from: 'CONFIDENTIAL', to: 'PUBLIC', pattern: 'we)|(?:we' },
      ],
    });
    assert.deepEqual(d.ignoredTemplates, ['bad-regex', 'bad-level']);
    assert.equal((await d.request(req({ to: 'PUBLIC', proposed: 'We are hiring.' }))).verdict, 'escalate');
  });

  test('declassifying upward or sideways is rejected', async () => {
    const d = declassifier();
    for (const [from, to] of [
      ['INTERNAL', 'CONFIDENTIAL'],
      ['PUBLIC', 'RESTRICTED'],
      ['CONFIDENTIAL', 'CONFIDENTIAL'],
    ] as const) {
      const outcome = await d.request(req({ from, to }));
      assert.equal(code(outcome), DECLASSIFY_CODES.NOT_LOWER, `${from}→${to}`);
      assert.deepEqual(outcome.gates, []);
    }
    assert.equal(d.count('analyst'), 0);
  });

  test('bad input is denied as invalid: unknown level, empty proposed, oversized text', async () => {
    const d = declassifier();
    for (const bad of [
      req({ from: 'SECRET' as never }),
      req({ to: 'public' as never }),
      req({ proposed: '   ' }),
      req({ agent: '' }),
      req({ original: 'x'.repeat(1024 * 1024 + 1) }),
      null as never,
    ]) {
      assert.equal(code(await d.request(bad)), DECLASSIFY_CODES.INVALID);
    }
  });

  test('the 11th declassification in 24 h escalates with DECLASSIFY_RATE; the window slides', async () => {
    const clock = fakeClock(1_000_000);
    const d = declassifier({ clock });
    for (let i = 0; i < 10; i++) assert.equal((await d.request(req())).verdict, 'allow', `request ${i + 1}`);
    // A request blocked at gate 1 is not counted.
    assert.equal(code(await d.request(req({ proposed: ORIGINAL }))), DECLASSIFY_CODES.GATE1);
    assert.equal(d.count('analyst'), 10);
    clock.nowMs += HOUR_MS;
    const eleventh = await d.request(req());
    assert.equal(eleventh.verdict, 'escalate');
    assert.match(reason(eleventh), /^DECLASSIFY_RATE: /);
    assert.deepEqual(results(eleventh), ['1:pass', '2:pass', '3:human']);
    assert.equal(d.count('analyst'), 11);
    // A request needing a human anyway names both reasons.
    const both = await d.request(req({ to: 'PUBLIC' }));
    assert.match(reason(both), /DECLASSIFY_GATE3: .*DECLASSIFY_RATE: /);
    // Other agents have their own window.
    assert.equal((await d.request(req({ agent: 'other' }))).verdict, 'allow');
    // 24 h after the first ten, they leave the window; the two from hour 1 remain.
    clock.nowMs = 1_000_000 + 24 * HOUR_MS;
    assert.equal(d.count('analyst'), 2);
    assert.equal((await d.request(req())).verdict, 'allow');
    assert.equal(d.count('analyst'), 3);
    clock.nowMs += 24 * HOUR_MS;
    assert.equal(d.count('analyst'), 0);
  });

  test('the threshold and window are configurable', async () => {
    const clock = fakeClock();
    const d = declassifier({ clock, perAgentMax: 1, windowMs: 1000 });
    assert.equal((await d.request(req())).verdict, 'allow');
    assert.equal((await d.request(req())).verdict, 'escalate');
    clock.nowMs += 1000;
    assert.equal((await d.request(req())).verdict, 'allow');
  });

  test('request never throws, whatever the input', async () => {
    const level = fc.oneof(fc.constantFrom(...CONFIDENTIALITY), fc.string());
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          agent: fc.string(),
          from: level,
          to: level,
          original: fc.string(),
          proposed: fc.string(),
          justification: fc.string(),
        }),
        fc.constantFrom('standard', 'hardened', 'isolated'),
        async (request, profile) => {
          const outcome = await declassifier({ profile }).request(request as DeclassifyRequest);
          assert.ok(['allow', 'escalate', 'deny'].includes(outcome.verdict));
        },
      ),
    );
    await fc.assert(
      fc.asyncProperty(fc.anything(), async (anything) => {
        const outcome = await declassifier().request(anything as DeclassifyRequest);
        assert.equal(outcome.verdict, 'deny');
      }),
    );
  });

  test('a hostile request object or a failing clock is a deny, not a throw', async () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('gotcha');
        },
      },
    );
    assert.equal(code(await declassifier().request(hostile as DeclassifyRequest)), DECLASSIFY_CODES.INVALID);
    const broken = declassifier({
      clock: {
        wallMs() {
          throw new Error('clock gone');
        },
      },
    });
    assert.equal(code(await broken.request(req())), DECLASSIFY_CODES.ERROR);
  });
});
