import { journalEntries } from '../db/repositories/vault.ts';
import { packageEvidence } from './audit.ts';
import { readContent, type VaultContext } from './context.ts';
import { VaultError } from './errors.ts';
import { sha512, sha512Hex } from './hashing.ts';
import { rootFromPath } from './merkle.ts';
import type { SignatureVerdict, TimestampCheck } from './ports.ts';
import { proveEntries, type EntryProof } from './proofs.ts';
import type { ObjectRecord } from './types.ts';

/** NF Z42-020 "check" of one object: what was verified and what was found. */
export interface ObjectCheck {
  object: ObjectRecord;
  copies: { location: string; present: boolean; intact: boolean }[];
  depositEntry: { seq: number; hash: string } | null;
  seal: { id: string; merkleRootMatches: boolean; timestamp: TimestampCheck } | null;
  signatures: SignatureVerdict | null;
  ok: boolean;
  /** French, one per problem found. */
  problems: string[];
}

/** The deposit entry of an object, its Merkle proof when sealed, and the seal's timestamp check. */
export async function depositProof(ctx: VaultContext, object: ObjectRecord): Promise<{ entry: { seq: number; hash: string; body: string } | null; proof: EntryProof | null }> {
  const [entry] = (await journalEntries(ctx.sql, { objectId: object.id, limit: 50 })).filter((e) => e.operation === 'deposit' && e.outcome === 'ok');
  if (!entry) return { entry: null, proof: null };
  const proof = (await proveEntries(ctx.sql, [entry.seq])).get(entry.seq) ?? null;
  return { entry: { seq: entry.seq, hash: entry.hash, body: entry.body }, proof };
}

export async function checkObject(ctx: VaultContext, object: ObjectRecord): Promise<ObjectCheck> {
  const problems: string[] = [];
  const copies: ObjectCheck['copies'] = [];
  if (!object.disposedAt) {
    for (const store of ctx.stores) {
      try {
        const found = await store.fingerprints(object.sha512);
        const intact = found.sha256 === object.sha256 && found.sha512 === object.sha512 && found.size === object.size;
        copies.push({ location: store.location, present: true, intact });
        if (!intact) problems.push(`la copie de ${store.location} est altérée`);
      } catch (error) {
        if (!(error instanceof VaultError && error.code === 'NOT_FOUND')) throw error;
        copies.push({ location: store.location, present: false, intact: false });
        problems.push(`aucune copie dans ${store.location}`);
      }
    }
  }

  const { entry, proof } = await depositProof(ctx, object);
  if (!entry) problems.push('aucune entrée de dépôt au journal');
  else if (sha512Hex(entry.body) !== entry.hash) problems.push(`l'entrée de dépôt n° ${entry.seq} a été modifiée`);
  else if (!entry.body.includes(`"sha512":"${object.sha512}"`)) problems.push(`l'entrée de dépôt n° ${entry.seq} ne porte pas l'empreinte de l'objet`);

  let seal: ObjectCheck['seal'] = null;
  if (proof) {
    const merkleRootMatches = rootFromPath(proof.leaf, proof.path).toString('hex') === proof.seal.merkleRoot;
    const timestamp = await ctx.ports.timestamper.verify(proof.seal.token, sha512(proof.seal.document));
    seal = { id: proof.seal.id, merkleRootMatches, timestamp };
    if (!merkleRootMatches) problems.push(`l'entrée de dépôt ne mène pas à la racine du sceau ${proof.seal.id}`);
    if (!timestamp.ok) problems.push(`l'horodatage du sceau ${proof.seal.id} est invalide (${timestamp.reasons.join(' ; ')})`);
  }

  let signatures: SignatureVerdict | null = null;
  if (!object.disposedAt && object.mediaType === 'application/pdf' && copies.some((c) => c.intact)) {
    const pdf = await readContent(ctx, object.sha512);
    const verdict = await ctx.ports.verifier.verify(pdf, { time: new Date(object.depositedAt), evidence: await packageEvidence(ctx, object.packageId) });
    if (verdict.signed) {
      signatures = verdict;
      if (verdict.indication === 'TOTAL_FAILED') problems.push(`signature invalide : ${verdict.reasons.join(' ; ')}`);
    }
  }
  return { object, copies, depositEntry: entry ? { seq: entry.seq, hash: entry.hash } : null, seal, signatures, ok: problems.length === 0, problems };
}
