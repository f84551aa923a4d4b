// Unit tests for action and resource patterns: matching, validation and containment.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LIMITS } from '../limits.ts';
import {
  actionContains,
  actionMatches,
  actionPatternProblem,
  resourceContains,
  resourceMatches,
  resourcePatternProblem,
  resourceProblem,
  segmentsMatch,
  segmentsOf,
} from './pattern.ts';

test('action patterns: exact, dotted prefix and star', () => {
  assert.equal(actionMatches('fs.write', 'fs.write'), true);
  assert.equal(actionMatches('fs.write', 'fs.writes'), false);
  assert.equal(actionMatches('fs.write', 'fs'), false);
  assert.equal(actionMatches('fs.*', 'fs.write'), true);
  assert.equal(actionMatches('fs.*', 'fs.x.y'), true);
  assert.equal(actionMatches('fs.*', 'fs'), false);
  assert.equal(actionMatches('fs.*', 'fs.'), false);
  assert.equal(actionMatches('fs.*', 'fsx.write'), false);
  assert.equal(actionMatches('*', 'anything.at.all'), true);
});

test('action pattern validation refuses empty, inner stars and bad characters', () => {
  for (const good of ['fs.write', 'fs.*', '*', 'mcp:tool.call-x', 'a.b.c.*']) {
    assert.equal(actionPatternProblem(good), undefined, good);
  }
  for (const bad of ['', 'fs.*.write', '*.write', 'fs*', 'fs.', '.fs', 'f s', 'fs.**', 'a'.repeat(257)]) {
    assert.notEqual(actionPatternProblem(bad), undefined, bad);
  }
});

test('resource patterns: `*` is one segment, `**` any number including none', () => {
  assert.equal(resourceMatches('/workspace/*', '/workspace/a.txt'), true);
  assert.equal(resourceMatches('/workspace/*', '/workspace/a/b'), false);
  assert.equal(resourceMatches('/workspace/*', '/workspace'), false);
  assert.equal(resourceMatches('/workspace/**', '/workspace'), true);
  assert.equal(resourceMatches('/workspace/**', '/workspace/a/b/c'), true);
  assert.equal(resourceMatches('/workspace/**', '/shared/a'), false);
  assert.equal(resourceMatches('/a/**/z', '/a/z'), true);
  assert.equal(resourceMatches('/a/**/z', '/a/b/c/z'), true);
  assert.equal(resourceMatches('/a/**/z', '/a/b/c/y'), false);
  assert.equal(resourceMatches('**', 'api.gmail.com'), true);
  assert.equal(resourceMatches('/Workspace/*', '/workspace/a'), false, 'literals are case-sensitive');
  assert.equal(resourceMatches('/a/*b/c', '/a/xb/c'), false, '`*b` is a literal segment');
  assert.equal(resourceMatches('/a/*b/c', '/a/*b/c'), true);
});

/** `list` behind a proxy that counts every read (an element or the length), throwing past the budget. */
function metered(
  list: readonly string[],
  meter: { reads: number; readonly budget: number },
): readonly string[] {
  return new Proxy(list, {
    get(target, key, receiver) {
      if (++meter.reads > meter.budget) throw new Error(`more than ${meter.budget} reads of the segments`);
      return Reflect.get(target, key, receiver);
    },
  });
}

test('resource matching stays fast with many `**` (no exponential backtracking)', () => {
  const pattern = segmentsOf(`${'/**/a'.repeat(30)}/b`);
  const path = segmentsOf('/a'.repeat(1000));
  // WHY: work is counted as reads of the segments, not timed. Backtracking into every `**` would
  // read them some C(1000, 30) times; the promise is O(pattern x path), and past it the meter
  // stops the match instead of letting it run.
  const meter = { reads: 0, budget: 4 * pattern.length * path.length };
  assert.equal(segmentsMatch(metered(pattern, meter), metered(path, meter)), false);
  assert.equal(resourceMatches(pattern.join('/'), path.join('/')), false);
});

test('resource pattern validation enforces length and segment limits', () => {
  assert.equal(resourcePatternProblem('/workspace/**'), undefined);
  assert.notEqual(resourcePatternProblem(''), undefined);
  assert.notEqual(resourcePatternProblem('/a'.repeat(LIMITS.resourceLengthMax)), undefined);
  assert.notEqual(resourcePatternProblem('a/'.repeat(LIMITS.patternSegmentsMax)), undefined);
  assert.equal(resourcePatternProblem(Array(LIMITS.patternSegmentsMax).fill('a').join('/')), undefined);
});

test('INV-4: action containment never lets a child name more actions', () => {
  assert.equal(actionContains('*', 'fs.*'), true);
  assert.equal(actionContains('fs.*', 'fs.write'), true);
  assert.equal(actionContains('fs.*', 'fs.x.*'), true);
  assert.equal(actionContains('fs.*', 'fs.*'), true);
  assert.equal(actionContains('fs.x.*', 'fs.*'), false);
  assert.equal(actionContains('fs.*', 'fs'), false);
  assert.equal(actionContains('fs.*', '*'), false);
  assert.equal(actionContains('fs.write', 'fs.*'), false);
  assert.equal(actionContains('fs.write', 'fs.write'), true);
  assert.equal(actionContains('fs.*', 'fsx.*'), false);
});

test('INV-4: resource containment: literal, `*` and `**` cases', () => {
  assert.equal(resourceContains('/workspace/**', '/workspace/a/*'), true);
  assert.equal(resourceContains('/workspace/**', '/workspace/**'), true);
  assert.equal(resourceContains('/workspace/**', '/workspace/a/**'), true);
  assert.equal(resourceContains('/workspace/*', '/workspace/a'), true);
  assert.equal(resourceContains('/workspace/*', '/workspace/*'), true);
  assert.equal(resourceContains('/workspace/*', '/workspace/**'), false, 'child `**` needs a parent `**`');
  assert.equal(resourceContains('/workspace/a', '/workspace/*'), false, 'child `*` is wider than a literal');
  assert.equal(resourceContains('/workspace/**', '/shared/a'), false);
  assert.equal(resourceContains('/workspace/**', '/workspace'), true, '`**` matches zero segments');
  assert.equal(resourceContains('/a/**/z', '/a/b/*/z'), true);
  assert.equal(resourceContains('/a/**/z', '/a/b/**'), false);
  assert.equal(resourceContains('**', '/anything/**/at/*'), true);
  assert.equal(resourceContains('/a/*/**', '/a/b'), true);
  assert.equal(resourceContains('/a/*/**', '/a'), false);
});

test('INV-4: resources and patterns that could climb out of a folder are refused', () => {
  for (const bad of [
    '/w/../etc/passwd',
    '/w/./x',
    '/w/%2e%2e/etc',
    '/w/.%2E/etc',
    '/w/a%2f..%2f..%2fetc',
    '/w/a%5c..',
    '/w/a\\..\\etc',
    '/w/a\u0000.txt',
    '/w/%00',
    '/w/%zz',
  ]) {
    assert.notEqual(resourceProblem(bad), undefined, bad);
    assert.notEqual(resourcePatternProblem(bad), undefined, bad);
  }
  assert.notEqual(resourcePatternProblem('/workspace/../etc/**'), undefined);
});

test('ordinary resources, urls with escaped queries and dotted names stay valid', () => {
  for (const good of [
    '/workspace/a.md',
    '/workspace/.config/settings.json',
    'https://en.wikipedia.org/wiki/Caf%C3%A9',
    'https://api.example.com/v1/login?next=https%3A%2F%2Fexample.com%2F..%2Fx',
    'mailto:team@example.com',
    '/w/..hidden/x',
  ]) {
    assert.equal(resourceProblem(good), undefined, good);
  }
  assert.equal(resourcePatternProblem('https://**/page/*'), undefined);
});
