import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  amountForm,
  doubtOf,
  forEachNumber,
  forEachToken,
  matchForm,
  numericForm,
  tokenCharAt,
  tokenCharBefore,
} from './normalize.ts';

function numbersIn(text: string): Array<[string, string]> {
  const form = matchForm(text);
  const out: Array<[string, string]> = [];
  forEachNumber(form, (value, at, length) => {
    out.push([value, form.slice(at, at + length)]);
  });
  return out;
}

function tokensIn(form: string): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  forEachToken(form, (token, offset) => {
    out.push([token, offset]);
  });
  return out;
}

describe('matchForm', () => {
  it('lowercases, collapses whitespace runs to one space and trims', () => {
    assert.equal(matchForm('  DE89  3704\t0044\n\n0532  '), 'de89 3704 0044 0532');
    assert.equal(matchForm('Alice@ACME.example'), 'alice@acme.example');
  });

  it('turns every quote character into a space', () => {
    assert.equal(matchForm('"alice@acme.example"'), 'alice@acme.example');
    assert.equal(matchForm("'x' `y`"), 'x y');
    assert.equal(
      matchForm('\u201Cbob\u201D \u2018c\u2019 \u00ABd\u00BB \u2039e\u203A \u300Cf\u300D \u201Eg\u201F'),
      'bob c d e f g',
    );
  });

  it('maps full-width and mathematical letters to ascii', () => {
    assert.equal(matchForm('\uFF29\uFF22\uFF21\uFF2E'), 'iban');
    assert.equal(matchForm('\u{1D400}\u{1D401}'), 'ab');
    assert.equal(matchForm('\uFF02quoted\uFF02'), 'quoted');
  });

  it('removes hidden characters and folds lookalikes, capitals included', () => {
    assert.equal(matchForm('at\u200Btack\u2060er@e\u00ADvil.example'), 'attacker@evil.example');
    assert.equal(matchForm('a\u202Eb\u2066c\u2069'), 'abc');
    assert.equal(matchForm('\u0430lice'), 'alice');
    assert.equal(matchForm('\u0410LICE'), 'alice');
    assert.equal(matchForm('caf\u00E9'), 'cafe');
  });

  it('keeps text of other scripts and odd code units without throwing', () => {
    // Lookalikes fold even in wholly Cyrillic text: both sides of a comparison fold the same way.
    assert.equal(matchForm('\u041F\u0440\u0438\u0432\u0435\u0442'), '\u043Fp\u0438bet');
    assert.equal(matchForm('\uD800x\u0000'), '\uD800x\u0000');
    assert.equal(matchForm(''), '');
    assert.equal(matchForm(' \u200B '), '');
  });
});

describe('doubtOf', () => {
  it('passes plain text, other scripts and legitimate joiners', () => {
    assert.equal(doubtOf('alice@acme.example'), undefined);
    assert.equal(doubtOf('\u041F\u0440\u0438\u0432\u0435\u0442, \u043C\u0438\u0440'), undefined);
    assert.equal(doubtOf('\u043D\u0430\u043F\u0438\u0448\u0438 \u0432 Google'), undefined);
    assert.equal(doubtOf('\u{1F469}\u200D\u{1F4BB} ok'), undefined);
    assert.equal(doubtOf('\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645'), undefined);
  });

  it('flags zero-width, tag, bom and bidi characters', () => {
    assert.match(doubtOf('ali\u200Bce@acme.example') ?? '', /hidden/);
    assert.match(doubtOf('x\u{E0041}\u{E0042}') ?? '', /hidden/);
    assert.match(doubtOf('\uFEFFalice@acme.example') ?? '', /hidden/);
    assert.match(doubtOf('invoice\u202Efdp.exe') ?? '', /bidi/);
  });

  it('flags a word mixing latin with lookalike letters', () => {
    assert.match(doubtOf('p\u0430ypal.example') ?? '', /mixed-script/);
  });

  it('flags a word spelled wholly in lookalikes glued to latin letters', () => {
    assert.match(doubtOf('\u0430\u0440\u0440\u04CF\u0435.com') ?? '', /lookalike word/);
    assert.equal(doubtOf('\u0430\u0440\u0440\u04CF\u0435'), undefined);
  });
});

describe('numericForm', () => {
  it('canonicalizes plain decimal numbers', () => {
    assert.equal(numericForm('1,250.00'), '1250');
    assert.equal(numericForm('1250.50'), '1250.5');
    assert.equal(numericForm('-3'), '-3');
    assert.equal(numericForm('+5'), '5');
    assert.equal(numericForm('-0.0'), '0');
    assert.equal(numericForm('.5'), '0.5');
    assert.equal(numericForm(' 42 '), '42');
    assert.equal(numericForm('1,000,000'), '1000000');
  });

  it('canonicalizes numbers, written out in full', () => {
    assert.equal(numericForm(0.1), '0.1');
    assert.equal(numericForm(1250), '1250');
    assert.equal(numericForm(-3), '-3');
    assert.equal(numericForm(-0), '0');
    assert.equal(numericForm(1e21), `1${'0'.repeat(21)}`);
    assert.equal(numericForm(1.5e-7), '0.00000015');
    assert.equal(numericForm(-2.5e22), `-25${'0'.repeat(21)}`);
  });

  it('refuses anything that is not a plain decimal number', () => {
    for (const text of [
      '1,25',
      '1,2345',
      '12,34,567',
      '1e5',
      '0x10',
      'abc',
      '',
      '-',
      '.',
      '1.',
      '0012',
      '05',
      '1 250',
      '$5',
    ]) {
      assert.equal(numericForm(text), undefined, text);
    }
    assert.equal(numericForm(Number.NaN), undefined);
    assert.equal(numericForm(Number.POSITIVE_INFINITY), undefined);
  });
});

describe('amountForm', () => {
  it('reads one amount with at most a currency sign or code around it', () => {
    assert.equal(amountForm('$1,250.00'), '1250');
    assert.equal(amountForm('eur 99.90'), '99.9');
    assert.equal(amountForm('12 chf'), '12');
    assert.equal(amountForm('\u20AC5'), '5');
    assert.equal(amountForm('1250'), '1250');
    assert.equal(amountForm('abc 12'), undefined);
    assert.equal(amountForm('$1 and $2'), undefined);
  });
});

describe('forEachNumber', () => {
  it('finds amounts with currency signs, grouping and signs', () => {
    assert.deepEqual(numbersIn('Pay $1,250.00 now'), [['1250', '1,250.00']]);
    assert.deepEqual(numbersIn('EUR 99.90.'), [['99.9', '99.90']]);
    assert.deepEqual(numbersIn('delta -3, +4'), [
      ['-3', '-3'],
      ['4', '+4'],
    ]);
    assert.deepEqual(numbersIn('100kg'), [['100', '100']]);
  });

  it('splits runs that are no plain number and skips digits glued to letters', () => {
    assert.deepEqual(
      numbersIn('host 10.0.0.1').map(([v]) => v),
      ['10', '0', '0', '1'],
    );
    assert.deepEqual(
      numbersIn('on 2024-05-01').map(([v]) => v),
      ['2024'],
    );
    assert.deepEqual(numbersIn('DE89 INV2024'), []);
  });
});

describe('tokens', () => {
  it('lists maximal letter and digit runs with offsets', () => {
    assert.deepEqual(tokensIn('de89 3704-x@y.z'), [
      ['de89', 0],
      ['3704', 5],
      ['x', 10],
      ['y', 12],
      ['z', 14],
    ]);
    assert.deepEqual(tokensIn('\u4E2D\u6587 caf\u00E9 \u{1D7D8}'), [
      ['\u4E2D\u6587', 0],
      ['caf\u00E9', 3],
      ['\u{1D7D8}', 8],
    ]);
  });

  it('is safe to nest', () => {
    const seen: string[] = [];
    forEachToken('ab cd', (outer) => {
      forEachToken('x y', (inner) => {
        seen.push(outer + inner);
      });
    });
    assert.deepEqual(seen, ['abx', 'aby', 'cdx', 'cdy']);
  });

  it('reads token characters around surrogate pairs and at the edges', () => {
    const text = 'a\u{1D7D8}-';
    assert.equal(tokenCharAt(text, 1), true);
    assert.equal(tokenCharBefore(text, 3), true);
    assert.equal(tokenCharAt(text, 3), false);
    assert.equal(tokenCharBefore(text, 0), false);
    assert.equal(tokenCharAt(text, 99), false);
    assert.equal(tokenCharBefore('\uDC00', 1), false);
  });
});
