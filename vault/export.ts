import fs from 'node:fs';
import path from 'node:path';
import * as tar from 'tar';
import { allSeals, getObject, journalEntriesAbout, journalHead, lastSeal, searchObjects, type Scope } from '../db/repositories/vault.ts';
import { readContent, type VaultContext } from './context.ts';
import { VaultError } from './errors.ts';
import { sha512, sha512Hex } from './hashing.ts';
import { pemCertificates } from './pem.ts';
import { proveEntries, type EntryProof } from './proofs.ts';
import { exportReadme, EXPORT_LAYOUT as L } from './export-readme.ts';
import { sealJournal } from './sealing.ts';
import type { ObjectRecord, SearchFilter } from './types.ts';

export interface ExportRequest {
  /** The objects to export, or a search (an archivist's). */
  objectIds?: string[];
  filter?: SearchFilter;
  /** An empty or absent folder: the package is written there. */
  outDir: string;
  /** Also write the folder as one tar file. */
  tarFile?: string;
}

export interface ExportResult {
  dir: string;
  tarFile: string | null;
  tarSha512: string | null;
  objects: number;
  entries: number;
  seals: number;
}

const pad = (seq: number): string => String(seq).padStart(10, '0');

/**
 * Reversibility: a self-contained package — the objects, their metadata as JSON, every
 * journal entry about them with its Merkle path to a sealed root, the seals from the
 * first one needed to the newest (so their chain can be followed), the trust anchors, and
 * a README in French whose commands check it all offline with openssl alone.
 * Entries not sealed yet are sealed first, so that everything exported can be proven.
 */
export async function exportPackage(ctx: VaultContext, actor: string, request: ExportRequest, scope: Scope = {}): Promise<ExportResult> {
  const objects = await selectObjects(ctx, request, scope);
  if (!objects.some((o) => !o.disposedAt)) throw new VaultError('INVALID_INPUT', 'Rien à exporter : aucun objet dont le contenu est conservé ne correspond à la demande.');
  const ids = objects.map((o) => o.id);

  let entries = await journalEntriesAbout(ctx.sql, ids);
  const sealedUpTo = (await lastSeal(ctx.sql))?.lastSeq ?? 0;
  if ((await journalHead(ctx.sql)).seq > sealedUpTo) {
    await sealJournal(ctx, actor);
    entries = await journalEntriesAbout(ctx.sql, ids);
  }
  const proofs = await proveEntries(
    ctx.sql,
    entries.map((e) => e.seq),
  );
  const proven = entries.filter((e) => proofs.has(e.seq));
  const firstSeal = Math.min(...[...proofs.values()].map((p) => p.seal.number));
  const seals = await allSeals(ctx.sql, firstSeal);

  const dir = path.resolve(request.outDir);
  prepareDirectory(dir);
  const write = (rel: string, data: string | Uint8Array): void => {
    const file = path.join(dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, data);
  };

  const live = objects.filter((o) => !o.disposedAt).sort((a, b) => (a.id < b.id ? -1 : 1));
  for (const o of live) write(`${L.objects}/${o.id}`, await readContent(ctx, o.sha512));
  write(L.sha256, live.map((o) => `${o.sha256} *${L.objects}/${o.id}\n`).join(''));
  write(L.sha512, live.map((o) => `${o.sha512} *${L.objects}/${o.id}\n`).join(''));

  const depositSeq = new Map<string, number>();
  for (const e of proven) {
    write(`${L.journal}/${pad(e.seq)}.json`, e.body);
    write(`${L.proofs}/${pad(e.seq)}.txt`, proofFile(proofs.get(e.seq)!));
    if (e.operation === 'deposit' && e.outcome === 'ok' && e.objectId) depositSeq.set(e.objectId, e.seq);
  }
  write(L.index, live.map((o) => `${o.id} ${pad(depositSeq.get(o.id)!)}\n`).join(''));

  const tokenCertificates = new Map<string, Uint8Array>();
  for (const s of seals) {
    write(`${L.seals}/${s.id}/sceau.txt`, s.document);
    write(`${L.seals}/${s.id}/jeton.tst`, s.token);
    const check = await ctx.ports.timestamper.verify(s.token, sha512(s.document));
    for (const c of check.certificates) tokenCertificates.set(sha512Hex(c), c);
  }
  const anchors = await ctx.ports.verifier.trustAnchors();
  const anchorKeys = new Set(anchors.map((a) => sha512Hex(a)));
  write(L.anchors, pemCertificates(anchors));
  write(L.intermediates, pemCertificates([...tokenCertificates].filter(([k]) => !anchorKeys.has(k)).map(([, c]) => c)));

  write(
    L.metadata,
    `${JSON.stringify(
      {
        exportedAt: ctx.now().toISOString(),
        exportedBy: actor,
        objects,
        seals: seals.map((s) => ({ id: s.id, entries: `${s.firstSeq}-${s.lastSeq}`, merkleRoot: s.merkleRoot, tokenTime: s.tokenTime, sealedAt: s.sealedAt })),
        entriesNotYetSealed: entries.length - proven.length,
      },
      null,
      2,
    )}\n`,
  );
  const readme = exportReadme({ objects: live.length, entries: proven.length, seals: seals.length, tombstones: objects.length - live.length });
  write(L.readme, readme.text);
  write(L.script, readme.script);

  let tarSha512: string | null = null;
  if (request.tarFile) {
    const files = listFiles(dir);
    await tar.create({ file: request.tarFile, cwd: dir, portable: true, prefix: path.basename(dir) }, files);
    tarSha512 = sha512Hex(fs.readFileSync(request.tarFile));
  }
  return { dir, tarFile: request.tarFile ?? null, tarSha512, objects: live.length, entries: proven.length, seals: seals.length };
}

async function selectObjects(ctx: VaultContext, request: ExportRequest, scope: Scope): Promise<ObjectRecord[]> {
  if (request.objectIds?.length) {
    const found: ObjectRecord[] = [];
    for (const id of new Set(request.objectIds)) {
      const o = await getObject(ctx.sql, id);
      if (!o) throw new VaultError('NOT_FOUND', `Aucun objet ${id} dans le coffre-fort.`);
      found.push(o);
    }
    return found;
  }
  if (request.filter) return searchObjects(ctx.sql, { ...request.filter, includeDisposed: true, limit: request.filter.limit ?? 1000 }, scope);
  throw new VaultError('INVALID_INPUT', 'Indiquez les objets à exporter (identifiants ou critères de recherche).');
}

function prepareDirectory(dir: string): void {
  if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0) {
    throw new VaultError('INVALID_INPUT', `Le dossier d'export ${dir} n'est pas vide : choisissez un dossier neuf.`);
  }
  fs.mkdirSync(dir, { recursive: true });
}

/** First line: the seal; then one step per line: side, hexadecimal (to read), base64 (for openssl). */
function proofFile(p: EntryProof): string {
  const steps = p.path.map((s) => `${s.side === 'left' ? 'gauche' : 'droite'} ${s.hash.toString('hex')} ${s.hash.toString('base64')}\n`);
  return `sceau ${p.seal.id}\nracine ${p.root.toString('hex')}\n${steps.join('')}`;
}

function listFiles(dir: string, rel = ''): string[] {
  return fs
    .readdirSync(path.join(dir, rel), { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((d) => (d.isDirectory() ? listFiles(dir, path.join(rel, d.name)) : [path.join(rel, d.name)]));
}
