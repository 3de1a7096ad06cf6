import { allObjects, allSeals, getObject, insertAudit, journalHead, knownAddresses, objectsOfPackage, storageTotals, streamJournal } from '../db/repositories/vault.ts';
import { readContent, type VaultContext } from './context.ts';
import { VaultError } from './errors.ts';
import { sha512, sha512Hex } from './hashing.ts';
import { appendEntry, ChainChecker } from './journal.ts';
import { leafHash, merkleRoot } from './merkle.ts';
import type { Evidence } from './ports.ts';
import { parseSealDocument, type ChainLink, type SealDocument } from './seal-document.ts';
import type { ObjectStore } from './storage/store.ts';
import type { ObjectRecord, SealRecord } from './types.ts';

export type AnomalyTarget = { type: 'object' | 'entry' | 'seal' | 'location'; id: string };

/** One finding; errors make the vault unclean, warnings are reported only. */
export interface Anomaly {
  severity: 'error' | 'warning';
  kind: string;
  target: AnomalyTarget;
  message: string;
}

export interface AuditProgress {
  phase: 'objets' | 'journal' | 'sceaux' | 'signatures';
  done: number;
  total: number;
  /** The objects phase counts bytes read, over every location. */
  bytesDone?: number;
  bytesTotal?: number;
  item?: string;
}

export interface AuditReport {
  startedAt: string;
  finishedAt: string;
  clean: boolean;
  objects: { checked: number; copies: number; bytes: number };
  journal: { entries: number };
  seals: { checked: number };
  signatures: { checked: number; passed: number; failed: number; indeterminate: number };
  /** Errors first, then warnings. */
  anomalies: Anomaly[];
}

export interface AuditOptions {
  onProgress?: (p: AuditProgress) => void;
  /** Re-verify signed PDFs (default true). */
  signatures?: boolean;
}

const EVIDENCE_TYPES: Record<string, keyof Evidence> = {
  'application/pkix-cert': 'certificates',
  'application/x-x509-ca-cert': 'certificates',
  'application/pkix-crl': 'crls',
  'application/ocsp-response': 'ocspResponses',
};

/**
 * The audit: every object re-hashed in every location, the journal's chain walked from
 * its first entry, every seal's Merkle root recomputed and its timestamp and links
 * checked, every signed PDF re-verified at the time of its deposit with the evidence
 * deposited beside it. Reports anomalies naming the object, entry, seal or location.
 */
export async function runAudit(ctx: VaultContext, options: AuditOptions = {}): Promise<AuditReport> {
  const startedAt = ctx.now().toISOString();
  const anomalies: Anomaly[] = [];
  const report = (severity: Anomaly['severity'], kind: string, target: AnomalyTarget, message: string): void => {
    anomalies.push({ severity, kind, target, message });
  };
  const progress = options.onProgress ?? (() => {});

  const objects = await checkObjects(ctx, report, progress);
  const seals = await allSeals(ctx.sql);
  const { entries, lastHashes, roots } = await checkJournal(ctx, seals, report, progress);
  await checkSeals(ctx, seals, lastHashes, roots, report, progress);
  const signatures = options.signatures === false ? { checked: 0, passed: 0, failed: 0, indeterminate: 0 } : await checkSignatures(ctx, report, progress);

  anomalies.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
  return {
    startedAt,
    finishedAt: ctx.now().toISOString(),
    clean: !anomalies.some((a) => a.severity === 'error'),
    objects,
    journal: { entries },
    seals: { checked: seals.length },
    signatures,
    anomalies,
  };
}

type Report = (severity: Anomaly['severity'], kind: string, target: AnomalyTarget, message: string) => void;
type Progress = (p: AuditProgress) => void;

async function checkObjects(ctx: VaultContext, report: Report, progress: Progress): Promise<AuditReport['objects']> {
  const totals = await storageTotals(ctx.sql);
  const bytesTotal = totals.bytes * ctx.stores.length;
  let done = 0;
  let bytesDone = 0;
  let copies = 0;
  const live = new Set<string>();

  const checkOne = async (o: ObjectRecord): Promise<void> => {
    for (const store of ctx.stores) {
      let found: Awaited<ReturnType<ObjectStore['fingerprints']>>;
      try {
        found = await store.fingerprints(o.sha512);
      } catch (error) {
        if (error instanceof VaultError && error.code === 'NOT_FOUND') {
          report('error', 'copy-missing', { type: 'object', id: o.id }, `objet ${o.id} (${o.name}) : copie absente de ${store.location}`);
        } else {
          report('error', 'copy-unreadable', { type: 'object', id: o.id }, `objet ${o.id} (${o.name}) : copie illisible dans ${store.location} (${(error as Error).message})`);
        }
        continue;
      }
      copies++;
      bytesDone += found.size;
      if (found.sha512 !== o.sha512 || found.sha256 !== o.sha256 || found.size !== o.size) {
        report(
          'error',
          'copy-altered',
          { type: 'object', id: o.id },
          `objet ${o.id} (${o.name}) : la copie de ${store.location} est altérée (empreintes ou taille différentes de celles du dépôt)`,
        );
      }
    }
    done++;
    progress({ phase: 'objets', done, total: totals.objects, bytesDone, bytesTotal, item: o.id });
  };

  for await (const o of allObjects(ctx.sql)) {
    if (o.disposedAt) continue;
    live.add(o.sha512);
    await checkOne(o);
  }

  // Content no record names: a deposit that crashed before its commit, or a disposal before its files went.
  const known = await knownAddresses(ctx.sql);
  for (const store of ctx.stores) {
    for await (const address of store.addresses()) {
      if (live.has(address)) continue;
      report(
        'warning',
        known.has(address) ? 'disposed-content-present' : 'orphan-content',
        { type: 'location', id: store.location },
        known.has(address)
          ? `${store.location} : le contenu ${address.slice(0, 16)}… d'un objet détruit est encore présent`
          : `${store.location} : contenu ${address.slice(0, 16)}… sans dépôt enregistré (dépôt interrompu) ; il n'appartient à aucun objet`,
      );
    }
  }
  return { checked: done, copies, bytes: bytesDone };
}

async function checkJournal(
  ctx: VaultContext,
  seals: readonly SealRecord[],
  report: Report,
  progress: Progress,
): Promise<{ entries: number; lastHashes: Map<number, string>; roots: Map<string, string> }> {
  const head = await journalHead(ctx.sql);
  const checker = new ChainChecker();
  const lastHashes = new Map<number, string>();
  const roots = new Map<string, string>();
  const ends = new Map(seals.map((s) => [s.lastSeq, s]));
  let sealIndex = 0;
  let leaves: Buffer[] = [];
  let count = 0;
  for await (const entry of streamJournal(ctx.sql)) {
    for (const p of checker.check(entry)) report('error', p.kind, { type: 'entry', id: String(p.seq) }, p.message);
    // Leaves gather for the seal whose range holds this entry's number.
    while (sealIndex < seals.length && entry.seq > seals[sealIndex]!.lastSeq) {
      closeSeal(seals[sealIndex]!);
      sealIndex++;
    }
    if (sealIndex < seals.length && entry.seq >= seals[sealIndex]!.firstSeq) leaves.push(leafHash(entry.body));
    if (ends.has(entry.seq)) lastHashes.set(entry.seq, sha512Hex(entry.body));
    count++;
    if (count % 1000 === 0) progress({ phase: 'journal', done: count, total: head.seq, item: `entrée ${entry.seq}` });
  }
  while (sealIndex < seals.length) closeSeal(seals[sealIndex++]!);
  for (const p of checker.finish(head)) report('error', p.kind, { type: 'entry', id: String(p.seq) }, p.message);
  progress({ phase: 'journal', done: count, total: head.seq });
  return { entries: count, lastHashes, roots };

  function closeSeal(seal: SealRecord): void {
    roots.set(seal.id, leaves.length ? merkleRoot(leaves).toString('hex') : '');
    leaves = [];
  }
}

async function checkSeals(
  ctx: VaultContext,
  seals: readonly SealRecord[],
  lastHashes: Map<number, string>,
  roots: Map<string, string>,
  report: Report,
  progress: Progress,
): Promise<void> {
  const byId = new Map(seals.map((s) => [s.id, s]));
  const tokenHash = new Map(seals.map((s) => [s.id, sha512Hex(s.token)]));
  let previous: SealRecord | null = null;
  for (const [i, seal] of seals.entries()) {
    const at: AnomalyTarget = { type: 'seal', id: seal.id };
    let doc: SealDocument | null = null;
    try {
      doc = parseSealDocument(seal.document);
    } catch (error) {
      report('error', 'seal-unreadable', at, `sceau ${seal.id} illisible : ${(error as Error).message}`);
    }
    const expectedFirst = (previous?.lastSeq ?? 0) + 1;
    if (seal.firstSeq !== expectedFirst) {
      report('error', 'seal-range', at, `sceau ${seal.id} : il commence à l'entrée ${seal.firstSeq}, ${expectedFirst} attendue (entrées non scellées ou scellées deux fois)`);
    }
    const recomputed = roots.get(seal.id);
    if (recomputed !== seal.merkleRoot) {
      report(
        'error',
        'seal-root-mismatch',
        at,
        `sceau ${seal.id} : la racine de Merkle recalculée sur les entrées ${seal.firstSeq} à ${seal.lastSeq} diffère de la racine scellée`,
      );
    }
    if (doc) {
      if (doc.id !== seal.id || doc.firstSeq !== seal.firstSeq || doc.lastSeq !== seal.lastSeq || doc.merkleRoot !== seal.merkleRoot) {
        report('error', 'seal-fields', at, `sceau ${seal.id} : son document ne correspond pas à l'enregistrement (identifiant, entrées ou racine)`);
      }
      const lastHash = lastHashes.get(seal.lastSeq);
      if (lastHash !== undefined && doc.lastEntryHash !== lastHash) {
        report('error', 'seal-last-entry', at, `sceau ${seal.id} : l'entrée n° ${seal.lastSeq} n'est plus celle qui a été scellée`);
      }
      checkLink(doc.previous, previous, 'précédent', seal, report);
      for (const [link, label] of [
        [doc.monthBefore, "d'un mois avant"],
        [doc.yearBefore, "d'un an avant"],
      ] as const) {
        if (!link) continue;
        const target = byId.get(link.sealId);
        if (!target) report('error', 'seal-chain-broken', at, `sceau ${seal.id} : le sceau ${label} (${link.sealId}) est introuvable`);
        else if (tokenHash.get(target.id) !== link.tokenSha512) {
          report(
            'error',
            'seal-chain-broken',
            { type: 'seal', id: target.id },
            `sceau ${target.id} remplacé ou modifié : le sceau ${seal.id} enchaîne un autre jeton (lien ${label})`,
          );
        }
      }
    }
    const check = await ctx.ports.timestamper.verify(seal.token, sha512(seal.document));
    if (!check.ok) report('error', 'seal-timestamp-invalid', at, `sceau ${seal.id} : horodatage invalide (${check.reasons.join(' ; ')})`);
    await checkArchivedCopy(ctx, seal, report);
    previous = seal;
    progress({ phase: 'sceaux', done: i + 1, total: seals.length, item: seal.id });
  }
}

function checkLink(link: ChainLink | null, previous: SealRecord | null, label: string, seal: SealRecord, report: Report): void {
  if (!previous) {
    if (link) report('error', 'seal-chain-broken', { type: 'seal', id: seal.id }, `sceau ${seal.id} : il enchaîne un sceau ${label} (${link.sealId}) qui n'existe plus`);
    return;
  }
  if (!link || link.sealId !== previous.id || link.tokenSha512 !== sha512Hex(previous.token)) {
    report('error', 'seal-chain-broken', { type: 'seal', id: previous.id }, `sceau ${previous.id} remplacé ou modifié : le sceau ${seal.id} enchaîne un autre jeton ${label}`);
  }
}

/** The seal as archived (its document and token objects) must be the seal as recorded. */
async function checkArchivedCopy(ctx: VaultContext, seal: SealRecord, report: Report): Promise<void> {
  const doc = await getObject(ctx.sql, seal.documentObjectId);
  const token = await getObject(ctx.sql, seal.tokenObjectId);
  if (doc?.sha512 !== sha512Hex(seal.document) || token?.sha512 !== sha512Hex(seal.token)) {
    report('error', 'seal-archive-mismatch', { type: 'seal', id: seal.id }, `sceau ${seal.id} : il ne correspond plus à sa copie archivée dans le coffre-fort`);
  }
}

async function checkSignatures(ctx: VaultContext, report: Report, progress: Progress): Promise<AuditReport['signatures']> {
  const pdfs: ObjectRecord[] = [];
  for await (const o of allObjects(ctx.sql)) if (!o.disposedAt && o.mediaType === 'application/pdf') pdfs.push(o);
  const counts = { checked: 0, passed: 0, failed: 0, indeterminate: 0 };
  const evidenceOf = new Map<string, Promise<Evidence>>();
  for (const [i, o] of pdfs.entries()) {
    progress({ phase: 'signatures', done: i, total: pdfs.length, item: o.id });
    let pdf: Buffer;
    try {
      pdf = await readContent(ctx, o.sha512);
    } catch {
      continue; // reported by the objects phase
    }
    if (!evidenceOf.has(o.packageId)) evidenceOf.set(o.packageId, packageEvidence(ctx, o.packageId));
    const verdict = await ctx.ports.verifier.verify(pdf, { time: new Date(o.depositedAt), evidence: await evidenceOf.get(o.packageId)! });
    if (!verdict.signed) continue;
    counts.checked++;
    const at: AnomalyTarget = { type: 'object', id: o.id };
    if (verdict.indication === 'TOTAL_PASSED') counts.passed++;
    else if (verdict.indication === 'TOTAL_FAILED') {
      counts.failed++;
      report('error', 'signature-failed', at, `objet ${o.id} (${o.name}) : signature invalide — ${verdict.reasons.join(' ; ')}`);
    } else {
      counts.indeterminate++;
      report('warning', 'signature-indeterminate', at, `objet ${o.id} (${o.name}) : signature indéterminée — ${verdict.reasons.join(' ; ')}`);
    }
  }
  progress({ phase: 'signatures', done: pdfs.length, total: pdfs.length });
  return counts;
}

/** Chains, CRLs and OCSP responses deposited in the same package as the document. */
export async function packageEvidence(ctx: VaultContext, packageId: string): Promise<Evidence> {
  const evidence: Evidence = { certificates: [], crls: [], ocspResponses: [] };
  for (const o of await objectsOfPackage(ctx.sql, packageId)) {
    const slot = EVIDENCE_TYPES[o.mediaType];
    if (!slot || o.disposedAt) continue;
    try {
      evidence[slot].push(await readContent(ctx, o.sha512));
    } catch {
      // a missing piece of evidence is reported by the objects phase; the verdict says what it lacks
    }
  }
  return evidence;
}

/** Stores the report and journals the audit. */
export async function recordAudit(ctx: VaultContext, actor: string, r: AuditReport): Promise<number> {
  return ctx.sql.begin(async (tx) => {
    const id = await insertAudit(tx, {
      startedAt: r.startedAt,
      finishedAt: r.finishedAt,
      actor,
      clean: r.clean,
      summary: { objects: r.objects, journal: r.journal, seals: r.seals, signatures: r.signatures },
      anomalies: r.anomalies,
    });
    const errors = r.anomalies.filter((a) => a.severity === 'error').length;
    await appendEntry(tx, {
      operation: 'audit',
      actor,
      object: null,
      outcome: r.clean ? 'clean' : 'anomalies',
      time: ctx.now(),
      details: { audit: id, errors, warnings: r.anomalies.length - errors, objects: r.objects.checked, bytes: r.objects.bytes, entries: r.journal.entries, seals: r.seals.checked },
    });
    return id;
  });
}
