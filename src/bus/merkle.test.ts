import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { buildTree, climb, leafHash, meetClimb, nodeHash, pathLength, rootFromPath } from './merkle.ts';

const sha256 = (...parts: Uint8Array[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
const bytes = (hash: string) => Buffer.from(hash, 'base64url');
const leaves = (n: number) => Array.from({ length: n }, (_, i) => leafHash(`leaf ${i}`));

test('decision 0010: leaves and interior nodes are hashed RFC 6962 style, with distinct prefixes', () => {
  assert.deepEqual(bytes(leafHash('abc')), sha256(Uint8Array.of(0), Buffer.from('abc')));
  const [a, b] = leaves(2) as [string, string];
  assert.deepEqual(bytes(nodeHash(a, b) as string), sha256(Uint8Array.of(1), bytes(a), bytes(b)));
  // The same 64 bytes hashed as a leaf and as a node give different hashes.
  const joined = Buffer.concat([bytes(a), bytes(b)]).toString('latin1');
  assert.notEqual(leafHash(joined), nodeHash(a, b));
  assert.equal(nodeHash(a, 'short'), undefined);
});

test('decision 0010: an odd level promotes its last node unchanged', () => {
  const [l0, l1, l2] = leaves(3) as [string, string, string];
  const tree = buildTree([l0, l1, l2]);
  const left = nodeHash(l0, l1) as string;
  assert.equal(tree.root, nodeHash(left, l2));
  assert.deepEqual(tree.paths, [[l1, l2], [l0, l2], [left]]);
  assert.equal(buildTree([l0]).root, l0);
  assert.deepEqual(buildTree([l0]).paths, [[]]);
});

test('decision 0010: every leaf of trees of 1 to 70 leaves leads to the root through its path', () => {
  for (let n = 1; n <= 70; n++) {
    const all = leaves(n);
    const tree = buildTree(all);
    for (let i = 0; i < n; i++) {
      const path = tree.paths[i] as string[];
      assert.equal(path.length, pathLength(n, i), `length n=${n} i=${i}`);
      assert.equal(rootFromPath(all[i] as string, n, i, path), tree.root, `root n=${n} i=${i}`);
    }
  }
});

test('decision 0010: a wrong leaf, index, size, sibling or path length does not lead to the root', () => {
  const all = leaves(5);
  const tree = buildTree(all);
  const path = tree.paths[1] as string[];
  const leaf = all[1] as string;
  assert.notEqual(rootFromPath(all[2] as string, 5, 1, path), tree.root);
  assert.notEqual(rootFromPath(leaf, 5, 0, path), tree.root);
  assert.equal(rootFromPath(leaf, 5, 4, path), undefined, 'index 4 needs a path of one');
  assert.notEqual(
    rootFromPath(leaf, 5, 1, [path[0] as string, path[1] as string, all[0] as string]),
    tree.root,
  );
  assert.equal(rootFromPath(leaf, 5, 1, path.slice(1)), undefined);
  assert.equal(rootFromPath(leaf, 5, 1, [...path, path[0] as string]), undefined);
  assert.equal(rootFromPath(leaf, 5, 1, [path[0] as string, 'x', path[2] as string]), undefined);
  for (const [n, i] of [
    [0, 0],
    [5, 5],
    [5, -1],
    [5, 1.5],
    [Number.NaN, 0],
  ] as const) {
    assert.equal(rootFromPath(leaf, n, i, path), undefined, `n=${n} i=${i}`);
  }
  assert.throws(() => buildTree([]), RangeError);
});

test('decision 0010: meeting an earlier verified climb gives exactly what the full climb gives', () => {
  for (const n of [2, 3, 5, 7, 12, 33, 64]) {
    const all = leaves(n);
    const tree = buildTree(all);
    const climbs = all.map((leaf, i) => climb(leaf, n, i, tree.paths[i] as string[]));
    for (let j = 0; j < n; j++) {
      const earlier = climbs[j];
      assert.ok(earlier !== undefined && earlier.nodes.at(-1) === tree.root);
      for (let i = 0; i < n; i++) {
        const path = tree.paths[i] as string[];
        assert.deepEqual(meetClimb(all[i] as string, n, i, path, earlier), climbs[i], `n=${n} i=${i} j=${j}`);
        // Any changed sibling, a wrong leaf or a wrong index fails, as the full climb does.
        for (let k = 0; k < path.length; k++) {
          const changed = path.map((hash, at) => (at === k ? (all[(i + 1) % n] as string) : hash));
          if (changed[k] === path[k]) continue;
          assert.equal(meetClimb(all[i] as string, n, i, changed, earlier), undefined, `sibling ${k}`);
          assert.notEqual(rootFromPath(all[i] as string, n, i, changed), tree.root);
        }
        const wrongLeaf = leafHash(`other ${i}`);
        assert.equal(meetClimb(wrongLeaf, n, i, path, earlier), undefined);
        if (i + 1 < n && path.length === pathLength(n, i + 1)) {
          assert.equal(meetClimb(all[i] as string, n, i + 1, path, earlier), undefined, 'wrong index');
        }
      }
    }
  }
});
