/**
 * Where a finished ceremony's documents go. The port takes the coffre-fort's
 * own package shape (vault/: documentClass, objects, dossierId, siren,
 * parties), so switching to the vault is one adapter:
 * `deposit: (p) => vault.deposit({ kind: 'system', name: 'cérémonie' }, p)`.
 * Until then, LocalArchive keeps each package as files under a folder, with a
 * manifest of SHA-256 hashes, written once and never rewritten.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Party } from '../domain/ceremony.ts';

export interface ArchiveObject {
  name: string;
  mediaType: string;
  content: Uint8Array;
}

export interface ArchivePackage {
  /** 'contrat' for a signed contract and its proofs, 'decision' for a refusal's letter. */
  documentClass: string;
  dossierId: string;
  siren: string;
  parties: { role: Party; id: string; name?: string }[];
  objects: ArchiveObject[];
}

export interface ArchiveReceipt {
  packageId: string;
  /** Where a person finds the package (a folder, a vault identifier). */
  location: string;
  objects: { name: string; sha256: string; size: number }[];
}

export interface ArchiveDepositor {
  /** Idempotent: the same package again returns the same receipt. */
  deposit(pkg: ArchivePackage): Promise<ArchiveReceipt>;
}

const sha256 = (b: Uint8Array): string => crypto.createHash('sha256').update(b).digest('hex');

/** A package's identity: the hash of its class, dossier and objects' hashes, so a retry finds the same one. */
function packageIdOf(pkg: ArchivePackage): string {
  const h = crypto.createHash('sha256').update(`${pkg.documentClass}\0${pkg.dossierId}`);
  for (const o of pkg.objects) h.update(`\0${o.name}\0${sha256(o.content)}`);
  return h.digest('hex').slice(0, 32);
}

/** Files under `root/<dossierId>/`, each written to a temporary name, synced, then renamed. */
export class LocalArchive implements ArchiveDepositor {
  constructor(private readonly root: string) {}

  async deposit(pkg: ArchivePackage): Promise<ArchiveReceipt> {
    if (!/^[0-9a-f-]{36}$/.test(pkg.dossierId)) throw new Error(`Identifiant de dossier invalide pour l’archive : ${pkg.dossierId}`);
    const folder = path.join(this.root, pkg.dossierId);
    fs.mkdirSync(folder, { recursive: true });
    const packageId = packageIdOf(pkg);
    const objects = pkg.objects.map((o) => ({ name: o.name, sha256: sha256(o.content), size: o.content.length }));
    for (const o of pkg.objects) {
      if (!/^[\w.-]+$/.test(o.name)) throw new Error(`Nom d’objet d’archive invalide : ${o.name}`);
      writeOnce(path.join(folder, o.name), o.content);
    }
    const manifest = { packageId, documentClass: pkg.documentClass, dossierId: pkg.dossierId, siren: pkg.siren, parties: pkg.parties, objects };
    writeOnce(path.join(folder, 'manifeste.json'), Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
    return { packageId, location: folder, objects };
  }
}

/** A file that exists with the same bytes is left alone; with other bytes, the deposit is refused. */
function writeOnce(file: string, content: Uint8Array): void {
  if (fs.existsSync(file)) {
    if (sha256(fs.readFileSync(file)) === sha256(content)) return;
    throw new Error(`L’archive contient déjà ${path.basename(file)} avec un autre contenu : dépôt refusé.`);
  }
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o640);
  try {
    fs.writeSync(fd, content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}
