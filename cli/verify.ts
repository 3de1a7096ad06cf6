import fs from 'node:fs';
import { Command, Option } from 'commander';
import { parsePolicyMap, type RgsLevel } from '../certs/policies.ts';
import { pemOrDerToDerList } from '../asn1/index.ts';
import { verifyPdf } from '../signature/validation/verify-pdf.ts';
import { renderHtmlReport, documentHeadline, signatureHeadline } from '../signature/validation/report-html.ts';
import type { VerificationReport } from '../signature/validation/report.ts';
import { SUMMARY } from './summaries.ts';
import { checkInputFile, readInputFile } from './input-file.ts';
import { boundedRevocationFetcher } from './revocation-fetch.ts';
import { EXIT, UsageError, exitCodeOf, messageOf } from './errors.ts';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** `passeport verify FILE...`: exit 0 only when every signature of every file passes, 1 otherwise, 2 on usage errors. */
export function register(program: Command): void {
  const cmd = program
    .command('verify')
    .description(SUMMARY.verify)
    .argument('<files...>', 'fichiers PDF à vérifier')
    .option('--trust <pem>', 'certificat(s) racine de confiance (PEM ou DER), répétable', collect, [])
    .option('--intermediate <pem>', 'certificat(s) intermédiaire(s) supplémentaire(s), répétable', collect, [])
    .option('--crl <file>', 'liste de révocation (CRL) supplémentaire, répétable', collect, [])
    .option('--json', 'écrit le rapport JSON sur la sortie standard')
    .option('--html <out>', 'écrit le rapport lisible (HTML) dans ce fichier')
    .addOption(new Option('--require-rgs <level>', 'niveau RGS exigé pour chaque signataire').choices(['1', '2', '3']))
    .option('--time <iso>', 'date de validation quand aucun horodatage ne la prouve (ISO 8601)')
    .option('--fetch', 'télécharger les LCR et réponses OCSP manquantes (adresses des certificats ; 10 s et 8 Mio par téléchargement, 60 s en tout)')
    .option('--progress', 'affiche une barre de progression sur la sortie d’erreur')
    .action(async (files: string[], opts: VerifyCliOptions) => {
      try {
        process.exitCode = await runVerify(files, opts);
      } catch (error) {
        process.stderr.write(`passeport verify : ${messageOf(error)}\n`);
        process.exitCode = exitCodeOf(error);
      }
    });
  cmd.exitOverride((err) => {
    process.exit(err.exitCode === 0 ? EXIT.ok : EXIT.usage);
  });
}

interface VerifyCliOptions {
  trust: string[];
  intermediate: string[];
  crl: string[];
  json?: boolean;
  html?: string;
  requireRgs?: string;
  time?: string;
  progress?: boolean;
  fetch?: boolean;
}

function readAll(paths: string[], what: string): Uint8Array[] {
  return paths.flatMap((p) => {
    const data = readInputFile(p, what);
    try {
      return pemOrDerToDerList(data);
    } catch {
      throw new UsageError(`${what} invalide : ${p}`);
    }
  });
}

async function runVerify(files: string[], opts: VerifyCliOptions): Promise<number> {
  const trustAnchors = readAll(opts.trust, 'certificat de confiance');
  const intermediates = readAll(opts.intermediate, 'certificat intermédiaire');
  const crls = opts.crl.map((p) => new Uint8Array(readInputFile(p, 'CRL')));
  let time: Date | undefined;
  if (opts.time !== undefined) {
    time = new Date(opts.time);
    if (Number.isNaN(time.getTime())) throw new UsageError(`date invalide : ${opts.time}`);
  }
  let policyMap;
  try {
    policyMap = parsePolicyMap(process.env.PASSEPORT_POLICY_MAP);
  } catch (error) {
    throw new UsageError(`PASSEPORT_POLICY_MAP : ${(error as Error).message}`);
  }
  // Every file named is checked before the first is verified: a usage error costs no work.
  for (const f of files) checkInputFile(f, 'PDF');

  // One fetcher for the whole command: its time bound covers every file, and a CRL is fetched once.
  const fetchRevocation = opts.fetch ? boundedRevocationFetcher() : undefined;
  const showProgress = files.length > 1 && (opts.progress === true || process.stderr.isTTY === true);
  const reports: VerificationReport[] = [];
  for (const [i, file] of files.entries()) {
    if (showProgress) progress(i, files.length, file);
    const bytes = readInputFile(file, 'PDF');
    reports.push(
      await verifyPdf(bytes, {
        trustAnchors,
        intermediates,
        crls,
        policyMap,
        fileName: file,
        ...(time ? { time } : {}),
        ...(fetchRevocation ? { fetchRevocation } : {}),
        ...(opts.requireRgs ? { requiredRgsLevel: Number(opts.requireRgs) as RgsLevel } : {}),
      }),
    );
  }
  if (showProgress) {
    progress(files.length, files.length, '');
    process.stderr.write('\n');
  }
  const passed = reports.every((r) => r.indication === 'TOTAL_PASSED');
  if (opts.html) fs.writeFileSync(opts.html, renderHtmlReport(reports));
  if (opts.json) process.stdout.write(`${JSON.stringify({ passed, reports }, null, 2)}\n`);
  else process.stdout.write(textReport(reports));
  return passed ? 0 : 1;
}

function progress(done: number, total: number, file: string): void {
  const width = 30;
  const filled = Math.round((done / total) * width);
  process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${file.slice(-40).padEnd(40)}`);
}

function textReport(reports: VerificationReport[]): string {
  return reports
    .map((r) => {
      const lines = [`${r.file} : ${documentHeadline(r)}`];
      for (const s of r.signatures) {
        const level = s.padesLevel ? ` [${s.padesLevel}]` : '';
        lines.push(`  - ${s.fieldName}${level} : ${signatureHeadline(s)}${s.signer ? ` — ${s.signer.subject}` : ''}`);
        for (const reason of s.reasons) lines.push(`      · ${reason}`);
      }
      if (r.signatures.length === 0) for (const reason of r.reasons) lines.push(`      · ${reason}`);
      return lines.join('\n');
    })
    .join('\n\n')
    .concat('\n');
}
