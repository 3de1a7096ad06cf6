/**
 * Where a finished ceremony's documents go: the coffre-fort (vault/). The
 * ceremony sees one small port, in the vault's own package shape
 * (documentClass, objects, dossierId, siren, parties), so another archive
 * (a third party's) is one adapter more.
 */
import type { Party } from '../domain/ceremony.ts';
import type { Vault } from '../vault/vault.ts';

export interface ArchiveObject {
  name: string;
  mediaType: string;
  content: Uint8Array;
}

export interface ArchivePackage {
  /** 'contrat' for a contract and its proofs, 'decision' for a refusal's letter. */
  documentClass: string;
  dossierId: string;
  siren: string;
  parties: { role: Party; id: string; name?: string }[];
  objects: ArchiveObject[];
}

export interface ArchiveReceipt {
  packageId: string;
  /** Where a person finds the package, in words. */
  location: string;
  objects: { id: string; name: string; sha256: string; size: number }[];
}

export interface ArchiveDepositor {
  /** Idempotent: the same package again returns the same receipt. */
  deposit(pkg: ArchivePackage): Promise<ArchiveReceipt>;
}

/** The engine itself deposits, as the vault's journal records it. */
const CEREMONY_ACTOR = { kind: 'system', name: 'cérémonie de signature' } as const;

export function vaultArchive(vault: Pick<Vault, 'deposit'>): ArchiveDepositor {
  return {
    async deposit(pkg) {
      const result = await vault.deposit(CEREMONY_ACTOR, pkg);
      return {
        packageId: result.packageId,
        location: `coffre-fort, paquet ${result.packageId}`,
        objects: result.objects.map((o) => ({ id: o.id, name: o.name, sha256: o.sha256, size: o.size })),
      };
    },
  };
}
