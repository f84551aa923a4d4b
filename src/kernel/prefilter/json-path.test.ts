import assert from 'node:assert/strict';
import { test } from 'node:test';
import { childPath, renderPath, rootPath } from './json-path.ts';

test('paths render identifiers with dots, indexes in brackets, other keys quoted', () => {
  const args = rootPath('args');
  assert.equal(renderPath(args), 'args');
  assert.equal(renderPath(childPath(childPath(childPath(args, 'items'), 3), 'text')), 'args.items[3].text');
  assert.equal(renderPath(childPath(args, 'two words')), 'args["two words"]');
  assert.equal(renderPath(childPath(args, 'say "hi" `now`')), 'args["say \\"hi\\" \\u{0060}now\\u{0060}"]');
  assert.equal(renderPath(childPath(args, 'x\u202Ey')), 'args["x\\u{202E}y"]');
  assert.equal(renderPath(childPath(args, 'k'.repeat(50))), `args["${'k'.repeat(40)}…"]`);
});
