import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { leafHash, MerkleTree, rootFromPath } from '../../vault/merkle.ts';

/** RFC 6962 §2.1, written as the RFC states it (recursive split at the largest power of two below n). */
function referenceRoot(entries: string[]): Buffer {
  const h = (...parts: (Buffer | string)[]) => parts.reduce((acc, p) => acc.update(p), crypto.createHash('sha512')).digest();
  if (entries.length === 1) return h(Buffer.from([0]), entries[0]!);
  let k = 1;
  while (k * 2 < entries.length) k *= 2;
  return h(Buffer.from([1]), referenceRoot(entries.slice(0, k)), referenceRoot(entries.slice(k)));
}

const entries = (n: number) => Array.from({ length: n }, (_, i) => `{"seq":${i + 1}}`);

describe('Merkle tree of a seal', () => {
  it('has the root RFC 6962 defines, for every size from 1 to 40', () => {
    for (let n = 1; n <= 40; n++) {
      const e = entries(n);
      expect(new MerkleTree(e.map((x) => leafHash(x))).root.equals(referenceRoot(e)), `n = ${n}`).toBe(true);
    }
  });

  it('gives every leaf a path to the root, and no path survives a changed leaf', () => {
    for (const n of [1, 2, 3, 7, 8, 13]) {
      const leaves = entries(n).map((x) => leafHash(x));
      const tree = new MerkleTree(leaves);
      leaves.forEach((leaf, i) => {
        expect(rootFromPath(leaf, tree.path(i)).equals(tree.root)).toBe(true);
        expect(rootFromPath(leafHash('{"seq":999}'), tree.path(i)).equals(tree.root)).toBe(false);
      });
    }
  });

  it('refuses an empty tree and an index outside it', () => {
    expect(() => new MerkleTree([])).toThrow(/au moins une feuille/);
    expect(() => new MerkleTree([leafHash('a')]).path(1)).toThrow(/hors de l'arbre/);
  });
});
