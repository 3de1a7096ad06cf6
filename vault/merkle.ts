import crypto from 'node:crypto';

/**
 * The Merkle tree of a seal, as RFC 6962 (§2.1) builds it, with SHA-512: a leaf is
 * SHA-512(0x00 ‖ entry bytes), a node SHA-512(0x01 ‖ left ‖ right), and a list of n
 * leaves splits at the largest power of two below n. The prefixes keep a leaf from
 * passing for a node. Everything is checkable with `openssl dgst -sha512`.
 */
const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);

export function leafHash(entry: Uint8Array | string): Buffer {
  return crypto.createHash('sha512').update(LEAF).update(entry).digest();
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return crypto.createHash('sha512').update(NODE).update(left).update(right).digest();
}

/**
 * The tree's levels, built bottom-up: each level pairs its nodes left to right and
 * carries a last odd node up unchanged — the same tree as RFC 6962's recursive split.
 */
export class MerkleTree {
  private readonly levels: Uint8Array[][];

  constructor(leaves: readonly Uint8Array[]) {
    if (leaves.length === 0) throw new Error('Un arbre de Merkle compte au moins une feuille.');
    this.levels = [[...leaves]];
    let level = this.levels[0]!;
    while (level.length > 1) {
      const next: Uint8Array[] = [];
      for (let i = 0; i + 1 < level.length; i += 2) next.push(nodeHash(level[i]!, level[i + 1]!));
      if (level.length % 2 === 1) next.push(level[level.length - 1]!);
      this.levels.push(next);
      level = next;
    }
  }

  get size(): number {
    return this.levels[0]!.length;
  }

  get root(): Buffer {
    return Buffer.from(this.levels[this.levels.length - 1]![0]!);
  }

  /** The audit path of leaf `index`, from the leaf up to the root. */
  path(index: number): PathStep[] {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) {
      throw new RangeError(`Feuille ${index} hors de l'arbre (${this.size} feuilles).`);
    }
    const steps: PathStep[] = [];
    let i = index;
    for (const level of this.levels.slice(0, -1)) {
      const sibling = i ^ 1;
      if (sibling < level.length) steps.push({ side: i % 2 === 0 ? 'right' : 'left', hash: Buffer.from(level[sibling]!) });
      i >>= 1;
    }
    return steps;
  }
}

export function merkleRoot(leaves: readonly Uint8Array[]): Buffer {
  return new MerkleTree(leaves).root;
}

export interface PathStep {
  /** Where the sibling sits: combine as (sibling ‖ current) when left, (current ‖ sibling) when right. */
  side: 'left' | 'right';
  hash: Buffer;
}

/** The root a leaf and its path lead to. */
export function rootFromPath(leaf: Uint8Array, path: readonly PathStep[]): Buffer {
  let current: Buffer = Buffer.from(leaf);
  for (const step of path) current = step.side === 'left' ? nodeHash(step.hash, current) : nodeHash(current, step.hash);
  return current;
}
