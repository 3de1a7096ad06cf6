import { sealsCovering, streamJournal, type Queryable, type StoredEntry } from '../db/repositories/vault.ts';
import { leafHash, MerkleTree, type PathStep } from './merkle.ts';
import type { SealRecord } from './types.ts';

/** An entry, the seal that covers it, and the Merkle path from its leaf to that seal's root. */
export interface EntryProof {
  entry: StoredEntry;
  seal: SealRecord;
  leaf: Buffer;
  path: PathStep[];
  root: Buffer;
}

/**
 * Proofs for the given entries; entries not sealed yet are left out. Each seal's tree is
 * built once however many of its entries are asked for.
 */
export async function proveEntries(sql: Queryable, seqs: readonly number[]): Promise<Map<number, EntryProof>> {
  const wanted = new Set(seqs);
  const proofs = new Map<number, EntryProof>();
  if (wanted.size === 0) return proofs;
  for (const seal of await sealsCovering(sql, [...wanted])) {
    const inSeal = [...wanted].filter((s) => s >= seal.firstSeq && s <= seal.lastSeq);
    if (inSeal.length === 0) continue;
    const entries: StoredEntry[] = [];
    const leaves: Buffer[] = [];
    for await (const e of streamJournal(sql, seal.firstSeq, seal.lastSeq)) {
      entries.push(e);
      leaves.push(leafHash(e.body));
    }
    const tree = new MerkleTree(leaves);
    const indexOf = new Map(entries.map((e, i) => [e.seq, i]));
    for (const seq of inSeal) {
      const index = indexOf.get(seq);
      if (index === undefined) continue;
      proofs.set(seq, { entry: entries[index]!, seal, leaf: leaves[index]!, path: tree.path(index), root: tree.root });
    }
  }
  return proofs;
}
