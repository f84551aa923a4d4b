// The Merkle tree over one batch of envelopes (decision 0010): one Ed25519 signature covers the
// root, and each envelope carries the sibling hashes from its leaf up, so it verifies on its own.
// Hashing is RFC 6962 style: a leaf is SHA-256(0x00 || data), an interior node
// SHA-256(0x01 || left || right), so a leaf can never pass as a node or the other way round.
// A level with an odd count promotes its last node unchanged to the next level (it is not paired
// with a copy of itself, which would give two different batches one root, as in CVE-2012-2459).
// The tree's shape is fixed by the batch size n, which the signature covers. Hashes are handled
// as their 43-character base64url form, the form the wire carries.

import { hash } from 'node:crypto';

const HASH_BYTES = 32;
/** Length of a 32-byte hash in unpadded base64url. */
const HASH_CHARS = 43;

/** SHA-256(0x00 || text as UTF-8), base64url. */
export function leafHash(text: string): string {
  return hash('sha256', `\u0000${text}`, 'base64url');
}

// WHY: one scratch buffer for the 65 bytes an interior node hashes; every use is synchronous.
const scratch = Buffer.alloc(1 + 2 * HASH_BYTES);
scratch[0] = 0x01;

/** SHA-256(0x01 || left || right), base64url; undefined when either side is not a 32-byte hash. */
export function nodeHash(left: string, right: string): string | undefined {
  if (left.length !== HASH_CHARS || right.length !== HASH_CHARS) return undefined;
  const leftBytes = scratch.write(left, 1, 'base64url');
  const rightBytes = scratch.write(right, 1 + HASH_BYTES, 'base64url');
  if (leftBytes !== HASH_BYTES || rightBytes !== HASH_BYTES) return undefined;
  return hash('sha256', scratch, 'base64url');
}

/** Whether `n` leaves and index `i` describe a position in a tree (1 ≤ n, 0 ≤ i < n, integers). */
function isPosition(n: number, i: number): boolean {
  return Number.isSafeInteger(n) && Number.isSafeInteger(i) && n >= 1 && i >= 0 && i < n;
}

/** Whether the node at index `at` of a level of `count` nodes has a sibling; if not, it is promoted. */
function hasSibling(at: number, count: number): boolean {
  return (at ^ 1) < count;
}

/** The parent of `node` (index `at`) and `sibling`, in left-right order; undefined when either is bad. */
function parentOf(node: string, at: number, sibling: string | undefined): string | undefined {
  if (sibling === undefined) return undefined;
  return (at & 1) === 1 ? nodeHash(sibling, node) : nodeHash(node, sibling);
}

/** How many sibling hashes the proof of leaf `i` in a tree of `n` leaves holds. */
export function pathLength(n: number, i: number): number {
  let length = 0;
  for (let count = n, at = i; count > 1; count = (count + 1) >> 1, at >>= 1) {
    if (hasSibling(at, count)) length += 1;
  }
  return length;
}

/** The root and every leaf's sibling path (lowest level first) of a tree over `leaves` (≥ 1). */
export function buildTree(leaves: readonly string[]): { root: string; paths: string[][] } {
  if (leaves.length === 0) throw new RangeError('a merkle tree needs at least one leaf');
  const levels: string[][] = [[...leaves]];
  for (let level = levels[0] as string[]; level.length > 1; ) {
    const next: string[] = [];
    for (let at = 0; at < level.length; at += 2) {
      const left = level[at] as string;
      const right = level[at + 1];
      const parent = right === undefined ? left : nodeHash(left, right);
      if (parent === undefined) throw new TypeError('a merkle leaf is not a 32-byte hash');
      next.push(parent);
    }
    levels.push(next);
    level = next;
  }
  const paths = leaves.map((_, i) => {
    const path: string[] = [];
    for (let depth = 0, at = i; depth < levels.length - 1; depth++, at >>= 1) {
      const sibling = (levels[depth] as string[])[at ^ 1];
      if (sibling !== undefined) path.push(sibling);
    }
    return path;
  });
  return { root: (levels.at(-1) as string[])[0] as string, paths };
}

/** A proof's climb: its index, the node at every level (leaf first, root last) and a copy of its path. */
export type Climb = {
  readonly i: number;
  readonly nodes: readonly string[];
  readonly path: readonly string[];
};

/**
 * The climb of `leaf` at index `i` of a tree of `n` leaves through `path`, or undefined when the
 * position is impossible, a hash is malformed, or the path is not exactly as long as the position
 * needs. A level where the node has no sibling (promoted) repeats the node below.
 */
export function climb(leaf: string, n: number, i: number, path: readonly string[]): Climb | undefined {
  if (!isPosition(n, i)) return undefined;
  const nodes = [leaf];
  let node: string | undefined = leaf;
  let used = 0;
  for (let count = n, at = i; count > 1; count = (count + 1) >> 1, at >>= 1) {
    if (hasSibling(at, count)) {
      node = parentOf(node, at, path[used++]);
      if (node === undefined) return undefined;
    }
    nodes.push(node);
  }
  return used === path.length ? { i, nodes, path: [...path] } : undefined;
}

/** The root `leaf` at `i` leads to through `path` (see `climb`), or undefined. */
export function rootFromPath(
  leaf: string,
  n: number,
  i: number,
  path: readonly string[],
): string | undefined {
  return climb(leaf, n, i, path)?.nodes.at(-1);
}

/**
 * Whether `leaf` at index `i` with `path` leads to the root of `earlier`, a verified climb in the
 * same tree of `n` leaves, hashing only up to the level where the two positions meet: there its
 * node must equal the earlier node (a node of the signed tree), and every sibling above must equal
 * the earlier path's. Returns its climb when it does, undefined otherwise (the caller then climbs
 * the whole path). Members taken in order mostly meet within a level or two, instead of hashing
 * the whole path; the outcome is the one a full climb gives (SHA-256 being collision resistant).
 */
export function meetClimb(
  leaf: string,
  n: number,
  i: number,
  path: readonly string[],
  earlier: Climb,
): Climb | undefined {
  if (!isPosition(n, i) || !isPosition(n, earlier.i)) return undefined;
  const nodes = [leaf];
  let node: string | undefined = leaf;
  let used = 0;
  let usedEarlier = 0;
  let count = n;
  for (let at = i, atEarlier = earlier.i; at !== atEarlier; at >>= 1, atEarlier >>= 1) {
    if (hasSibling(at, count)) {
      node = parentOf(node, at, path[used++]);
      if (node === undefined) return undefined;
    }
    if (hasSibling(atEarlier, count)) usedEarlier += 1;
    count = (count + 1) >> 1;
    nodes.push(node);
  }
  const level = nodes.length - 1;
  if (node !== earlier.nodes[level]) return undefined;
  const rest = path.length - used;
  if (rest !== earlier.path.length - usedEarlier) return undefined;
  for (let k = 0; k < rest; k++) if (path[used + k] !== earlier.path[usedEarlier + k]) return undefined;
  return { i, nodes: [...nodes, ...earlier.nodes.slice(level + 1)], path: [...path] };
}
