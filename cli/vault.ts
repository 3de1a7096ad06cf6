/**
 * `passeport vault …`: the coffre-fort for archivists (docs/vault.md). The person at the
 * terminal acts as an archivist named by --actor (or PASSEPORT_OPERATOR, or the system
 * user). Messages in French; exit codes are stable (see EXIT below and docs/vault.md).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { loadEnv } from '../config/env.ts';
import type { Database } from '../db/connect.ts';
import type { AuditProgress } from '../vault/audit.ts';
import { PARTY_ROLES, type Actor, type ObjectRecord, type Party, type PartyRole, type SearchFilter } from '../vault/types.ts';
import type { Vault } from '../vault/vault.ts';
import { SUMMARY } from './summaries.ts';
import { EXIT, UsageError, codeOf, exitCodeOf, messageOf } from './errors.ts';

/** Stable exit codes. */

const MEDIA_TYPES: Record<string, string> = {
  '.pdf': 'application/pdf',
  '.crl': 'application/pkix-crl',
  '.cer': 'application/pkix-cert',
  '.crt': 'application/pkix-cert',
  '.der': 'application/pkix-cert',
  '.ors': 'application/ocsp-response',
  '.ocsp': 'application/ocsp-response',
  '.tst': 'application/timestamp-token',
  '.tsr': 'application/timestamp-reply',
  '.json': 'application/json',
  '.xml': 'application/xml',
  '.txt': 'text/plain',
  '.html': 'text/html',
};

const collect = (value: string, previous: string[]): string[] => [...previous, value];

interface Common {
  actor?: string;
  json?: boolean;
}

export function register(program: Command): void {
  const vault = program.command('vault').description(SUMMARY.vault);
  // Inherited by the subcommands declared below: a usage mistake exits with 2, help with 0.
  vault.exitOverride((err) => process.exit(err.exitCode === 0 ? EXIT.ok : EXIT.usage));
  const common = (c: Command): Command => c.option('--actor <nom>', 'archiviste qui agit (défaut : PASSEPORT_OPERATOR ou l’utilisateur)').option('--json', 'résultat en JSON');
  const filters = (c: Command): Command =>
    c
      .option('--dossier <id>', 'numéro de dossier')
      .option('--siren <siren>', 'SIREN de l’entreprise')
      .option('--class <classe>', 'classe documentaire (contrat, preuve…)')
      .option('--from <date>', 'déposés à partir de cette date (ISO 8601)')
      .option('--to <date>', 'déposés avant cette date (ISO 8601)')
      .option('--disposed', 'inclure les objets détruits')
      .option('--limit <n>', 'nombre maximal de résultats', '100');

  common(vault.command('deposit').description('déposer un paquet (fichiers et preuves) ; le même paquet redonne le même identifiant'))
    .argument('<fichiers...>', 'fichiers du paquet, le document principal en premier')
    .requiredOption('--class <classe>', 'classe documentaire du paquet (durée de conservation)')
    .option('--dossier <id>', 'numéro de dossier')
    .option('--siren <siren>', 'SIREN de l’entreprise')
    .option('--party <role:id[:nom]>', `partie au document (${PARTY_ROLES.join(', ')}), répétable`, collect, [])
    .option('--media-type <type>', 'type de média de tous les fichiers (sinon déduit de l’extension)')
    .action((files: string[], o: Common & Record<string, unknown>) =>
      run(o, async (v, actor) => {
        const result = await v.deposit(actor, {
          documentClass: String(o.class),
          ...(o.dossier ? { dossierId: String(o.dossier) } : {}),
          ...(o.siren ? { siren: String(o.siren) } : {}),
          parties: (o.party as string[]).map(parseParty),
          objects: files.map((file) => ({ name: path.basename(file), mediaType: o.mediaType ? String(o.mediaType) : mediaTypeOf(file), content: readFile(file) })),
        });
        say(o, result, `${result.created ? 'Paquet déposé' : 'Paquet déjà présent'} : ${result.packageId}\n${result.objects.map(line).join('\n')}`);
        return EXIT.ok;
      }),
    );

  common(filters(vault.command('list').description('lister et rechercher les objets'))).action((o: Common & Record<string, unknown>) =>
    run(o, async (v, actor) => {
      const objects = await v.list(actor, filterOf(o));
      say(o, objects, objects.length ? objects.map(line).join('\n') : 'Aucun objet ne correspond.');
      return EXIT.ok;
    }),
  );

  common(filters(vault.command('count').description('compter les objets et leur volume'))).action((o: Common & Record<string, unknown>) =>
    run(o, async (v, actor) => {
      const c = await v.count(actor, filterOf(o));
      say(o, c, `${c.count} objet(s), ${c.bytes} octets`);
      return EXIT.ok;
    }),
  );

  common(vault.command('show').description('métadonnées techniques d’un objet'))
    .argument('<objet>')
    .action((id: string, o: Common) =>
      run(o, async (v, actor) => {
        const m = await v.metadata(actor, id);
        say(
          o,
          m,
          Object.entries(m)
            .map(([k, val]) => `${k.padEnd(16)} ${typeof val === 'object' ? JSON.stringify(val) : String(val)}`)
            .join('\n'),
        );
        return EXIT.ok;
      }),
    );

  common(vault.command('read').description('lire le contenu d’un objet'))
    .argument('<objet>')
    .requiredOption('--out <fichier>', 'fichier à écrire')
    .action((id: string, o: Common & { out: string }) =>
      run(o, async (v, actor) => {
        const { content } = await v.read(actor, id);
        writeFile(o.out, content);
        say(o, { out: o.out, bytes: content.length }, `Écrit : ${o.out} (${content.length} octets)`);
        return EXIT.ok;
      }),
    );

  common(vault.command('verify').description('contrôler un objet : copies, entrée de dépôt, sceau, signatures'))
    .argument('<objet>')
    .action((id: string, o: Common) =>
      run(o, async (v, actor) => {
        const c = await v.verify(actor, id);
        say(o, c, c.ok ? `Objet ${id} : conforme.` : `Objet ${id} : NON conforme\n${c.problems.map((p) => `  - ${p}`).join('\n')}`);
        return c.ok ? EXIT.ok : EXIT.anomalies;
      }),
    );

  common(vault.command('journal').description('lire le journal'))
    .option('--after <n>', 'entrées après ce numéro', '0')
    .option('--object <id>', 'entrées concernant cet objet')
    .option('--limit <n>', 'nombre maximal d’entrées', '100')
    .action((o: Common & Record<string, unknown>) =>
      run(o, async (v, actor) => {
        const entries = await v.readJournal(actor, { afterSeq: int(o.after, '--after'), limit: int(o.limit, '--limit'), ...(o.object ? { objectId: String(o.object) } : {}) });
        say(o, entries, entries.map((e) => `${String(e.seq).padStart(8)} ${e.time} ${e.operation.padEnd(10)} ${e.outcome.padEnd(9)} ${e.actor} ${e.object ?? ''}`).join('\n'));
        return EXIT.ok;
      }),
    );

  common(vault.command('audit').description('audit complet : copies, journal, sceaux, signatures (barre de progression)'))
    .option('--no-signatures', 'sans revérifier les signatures des PDF')
    .option('--progress', 'barre de progression même hors d’un terminal')
    .action((o: Common & { signatures: boolean; progress?: boolean }) =>
      run(o, async (v, actor) => {
        const bar = o.progress || process.stderr.isTTY ? progressBar() : null;
        const report = await v.audit(actor, { signatures: o.signatures, ...(bar ? { onProgress: bar.update } : {}) });
        bar?.done();
        const errors = report.anomalies.filter((a) => a.severity === 'error');
        const summary = [
          `Audit n° ${report.id} : ${report.clean ? 'coffre-fort conforme' : `${errors.length} anomalie(s)`}`,
          `  objets : ${report.objects.checked} (${report.objects.copies} copies, ${report.objects.bytes} octets relus)`,
          `  journal : ${report.journal.entries} entrées ; sceaux : ${report.seals.checked}`,
          `  signatures : ${report.signatures.checked} PDF signés, ${report.signatures.passed} valides, ${report.signatures.failed} invalides, ${report.signatures.indeterminate} indéterminés`,
          ...report.anomalies.map((a) => `  ${a.severity === 'error' ? 'ANOMALIE' : 'remarque'} : ${a.message}`),
        ];
        say(o, report, summary.join('\n'));
        return report.clean ? EXIT.ok : EXIT.anomalies;
      }),
    );

  common(filters(vault.command('export').description('exporter un paquet autonome, vérifiable hors ligne avec openssl')))
    .option('--object <id>', 'objet à exporter, répétable', collect, [])
    .requiredOption('--out <dossier>', 'dossier d’export (neuf ou vide)')
    .option('--tar <fichier>', 'écrire aussi une archive tar')
    .action((o: Common & Record<string, unknown>) =>
      run(o, async (v, actor) => {
        const ids = o.object as string[];
        const hasFilter = ['dossier', 'siren', 'class', 'from', 'to'].some((k) => o[k] !== undefined);
        if (!ids.length && !hasFilter) throw new UsageError('indiquez --object ID ou un critère (--dossier, --siren, --class, --from, --to).');
        const r = await v.export(actor, { ...(ids.length ? { objectIds: ids } : { filter: filterOf(o) }), outDir: String(o.out), ...(o.tar ? { tarFile: String(o.tar) } : {}) });
        say(
          o,
          r,
          `Export écrit dans ${r.dir}${r.tarFile ? ` et ${r.tarFile}` : ''} : ${r.objects} objet(s), ${r.entries} entrée(s) du journal, ${r.seals} sceau(x). Vérification : voir ${path.join(r.dir, 'README.md')}.`,
        );
        return EXIT.ok;
      }),
    );

  for (const [name, description] of [
    ['hold', 'poser un gel juridique (suspend la destruction)'],
    ['release', 'lever les gels juridiques d’un objet'],
    ['dispose', 'détruire un objet dont la conservation est échue (une pierre tombale demeure)'],
  ] as const) {
    common(vault.command(name).description(description))
      .argument('<objet>')
      .requiredOption('--reason <motif>', 'motif, conservé au journal')
      .action((id: string, o: Common & { reason: string }) =>
        run(o, async (v, actor) => {
          if (name === 'hold') {
            const h = await v.hold(actor, id, o.reason);
            say(o, h, `Gel juridique n° ${h.id} posé sur ${id}.`);
          } else if (name === 'release') {
            const lifted = await v.release(actor, id, o.reason);
            say(o, { lifted }, `Gel(s) levé(s) sur ${id} : ${lifted.join(', ')}.`);
          } else {
            const t = await v.dispose(actor, id, o.reason);
            say(o, t, `Objet ${id} détruit le ${t.disposedAt} ; ses empreintes et son journal demeurent.`);
          }
          return EXIT.ok;
        }),
      );
  }

  common(vault.command('statement').description('attestation de valeur probante d’un objet (PDF)'))
    .argument('<objet>')
    .requiredOption('--out <fichier>', 'PDF à écrire')
    .action((id: string, o: Common & { out: string }) =>
      run(o, async (v, actor) => {
        const pdf = await v.statement(actor, id);
        writeFile(o.out, pdf);
        say(o, { out: o.out, bytes: pdf.length }, `Attestation écrite : ${o.out}`);
        return EXIT.ok;
      }),
    );

  common(vault.command('seal').description('sceller maintenant les entrées du journal non encore scellées')).action((o: Common) =>
    run(o, async (v, actor) => {
      const s = await v.seal(actor);
      if (!s) say(o, { sealed: false }, 'Rien à sceller : aucune entrée depuis le dernier sceau.');
      else say(o, { ...s, token: undefined }, `Sceau ${s.id} : entrées ${s.firstSeq} à ${s.lastSeq}, horodaté le ${s.tokenTime}.`);
      return EXIT.ok;
    }),
  );

  common(vault.command('preserve').description('prolonger les PDF signés dont le dernier horodatage s’affaiblit (B-LTA)')).action((o: Common) =>
    run(o, async (v, actor) => {
      const outcomes = await v.preserve(actor);
      const failed = outcomes.filter((r) => r.status === 'failed');
      say(
        o,
        outcomes,
        outcomes.length
          ? outcomes.map((r) => `${r.objectId} : ${r.status === 'extended' ? `prolongé → ${r.newObjectId}` : r.status === 'failed' ? `ÉCHEC (${r.reason})` : r.status}`).join('\n')
          : 'Aucun document à prolonger.',
      );
      return failed.length ? EXIT.failure : EXIT.ok;
    }),
  );
}

/** Opens the engine's vault, runs the command, reports errors in French with their exit code. */
async function run(o: Common, work: (vault: Vault, actor: Actor) => Promise<number>): Promise<void> {
  let db: Database | null = null;
  try {
    const env = loadEnv();
    // Loaded here, not at the top: every other `passeport` command starts without them.
    const [{ openDatabase }, { migrate }, { openEngineVault }] = await Promise.all([import('../db/connect.ts'), import('../db/migrate.ts'), import('../vault/adapters.ts')]);
    db = await openDatabase({ url: env.DATABASE_URL, dataDir: env.DATA_DIR });
    await migrate(db.sql);
    const vault = openEngineVault(db.sql, env);
    process.exitCode = await work(vault, { kind: 'archivist', name: o.actor ?? process.env.PASSEPORT_OPERATOR ?? os.userInfo().username });
  } catch (error) {
    const message = messageOf(error);
    if (o.json) process.stdout.write(`${JSON.stringify({ ok: false, code: codeOf(error), error: message })}\n`);
    process.stderr.write(`Erreur : ${message}\n`);
    process.exitCode = exitCodeOf(error);
  } finally {
    await db?.close();
  }
}

function say(o: Common, data: unknown, text: string): void {
  process.stdout.write(o.json ? `${JSON.stringify(data, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))}\n` : `${text}\n`);
}

function line(o: ObjectRecord): string {
  const state = o.disposedAt ? ' [détruit]' : o.holds.length ? ' [gel juridique]' : '';
  return `${o.id}  ${o.documentClass.padEnd(16)} ${o.depositedAt.slice(0, 10)}  ${String(o.size).padStart(10)} o  ${o.name}${o.dossierId ? `  dossier ${o.dossierId}` : ''}${state}`;
}

function filterOf(o: Record<string, unknown>): SearchFilter {
  const date = (v: unknown, flag: string): string => {
    const d = new Date(String(v));
    if (Number.isNaN(d.getTime())) throw new UsageError(`${flag} : date invalide « ${String(v)} » (ISO 8601 attendu, ex. 2026-01-31).`);
    return d.toISOString();
  };
  return {
    ...(o.dossier ? { dossierId: String(o.dossier) } : {}),
    ...(o.siren ? { siren: String(o.siren) } : {}),
    ...(o.class ? { documentClass: String(o.class) } : {}),
    ...(o.from ? { from: date(o.from, '--from') } : {}),
    ...(o.to ? { to: date(o.to, '--to') } : {}),
    ...(o.disposed ? { includeDisposed: true } : {}),
    limit: int(o.limit ?? '100', '--limit'),
  };
}

function int(value: unknown, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${flag} : nombre entier positif attendu.`);
  return n;
}

function parseParty(text: string): Party {
  const [role, id, ...name] = text.split(':');
  if (!PARTY_ROLES.includes(role as PartyRole) || !id) throw new UsageError(`--party « ${text} » : rôle:identifiant[:nom] attendu, rôle parmi ${PARTY_ROLES.join(', ')}.`);
  return { role: role as PartyRole, id, ...(name.length ? { name: name.join(':') } : {}) };
}

function mediaTypeOf(file: string): string {
  return MEDIA_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

function readFile(file: string): Uint8Array {
  try {
    return fs.readFileSync(file);
  } catch {
    throw new UsageError(`impossible de lire le fichier « ${file} ».`);
  }
}

/** Beside the target, then renamed: never a half-written file. */
function writeFile(file: string, bytes: Uint8Array): void {
  const tmp = path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, bytes);
  fs.renameSync(tmp, file);
}

/** One line on stderr, rewritten in place: phase, bar, counts and throughput. */
function progressBar(): { update(p: AuditProgress): void; done(): void } {
  const started = Date.now();
  let lastDraw = 0;
  const labels: Record<AuditProgress['phase'], string> = { objets: 'Objets', journal: 'Journal', sceaux: 'Sceaux', signatures: 'Signatures' };
  return {
    update(p) {
      const now = Date.now();
      if (now - lastDraw < 100 && p.done < p.total) return;
      lastDraw = now;
      const ratio = p.bytesTotal ? (p.bytesDone ?? 0) / p.bytesTotal : p.total ? p.done / p.total : 1;
      const width = 30;
      const filled = Math.min(width, Math.round(ratio * width));
      const rate = p.bytesDone ? ` ${(p.bytesDone / 1e6 / Math.max(0.001, (now - started) / 1000)).toFixed(1)} Mo/s` : '';
      process.stderr.write(`\r${labels[p.phase].padEnd(10)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.done}/${p.total}${rate}`.padEnd(80));
    },
    done() {
      process.stderr.write('\n');
    },
  };
}
