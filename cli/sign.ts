import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { Signer, Timestamper } from '../certs/types.ts';
import { parseHash, pemOrDerToDer } from '../asn1/index.ts';
import { httpValidationFetchers } from '../signature/fetchers.ts';
import { atLeast, parseLevel, type PadesLevel } from '../signature/levels.ts';
import { extendPdf, signPdf } from '../signature/pades.ts';
import { createTsaClient } from '../certs/tsa/client.ts';
import type { ValidationDataOptions } from '../signature/validation-data.ts';
import { SUMMARY } from './summaries.ts';
import { readInputFile } from './input-file.ts';
import { CliError, UsageError, codeOf, exitCodeOf, messageOf } from './errors.ts';

/**
 * `passeport sign` and `passeport extend`: PAdES signatures from a PKCS#12 file
 * or a PKCS#11 token, and the archive's re-timestamping.
 */
export function register(program: Command): void {
  const collect = (v: string, acc: string[]) => [...acc, v];
  const withMaterial = (c: Command): Command =>
    c
      .option('--tsa <url>', 'adresse de l’autorité d’horodatage (RFC 3161), requise dès B-T')
      .option('--crl <fichier>', 'LCR à joindre (DER ou PEM), répétable', collect, [])
      .option('--ocsp <fichier>', 'réponse OCSP à joindre (DER), répétable', collect, [])
      .option('--cert <fichier>', 'certificat supplémentaire (DER ou PEM), répétable', collect, [])
      .option('--fetch', 'télécharger les LCR, réponses OCSP et certificats manquants (adresses CDP/AIA)')
      .option('--hash <algo>', 'sha256, sha384 ou sha512', 'sha256')
      .option('--json', 'résultat en JSON sur la sortie standard');

  withMaterial(
    program
      .command('sign')
      .description(SUMMARY.sign)
      .argument('[entree]', 'PDF à signer (sans --dossier)')
      .option('--out <fichier>', 'PDF signé à écrire (avec --dossier : le contrat après cette étape)')
      .option('--dossier <id>', 'signer le contrat de ce dossier par l’API du moteur (clé : PASSEPORT_API_KEY)')
      .option('--party <partie>', 'avec --dossier : createur, revendeur ou banque')
      .option('--api <url>', 'avec --dossier : adresse de l’API (défaut : PASSEPORT_API_URL, sinon PUBLIC_URL, sinon http://127.0.0.1:3000)')
      .option('--decline <motif>', 'avec --dossier : refuser de signer, en disant pourquoi')
      .option('--level <niveau>', 'B-B, B-T, B-LT ou B-LTA', 'B-B')
      .option('--p12 <fichier>', 'certificat logiciel PKCS#12 (phrase secrète : PASSEPORT_P12_PASSPHRASE)')
      .option('--token-label <libelle>', 'jeton PKCS#11 (code PIN : PASSEPORT_PIN)')
      .option('--key-label <libelle>', 'clé du jeton PKCS#11')
      .option('--module <chemin>', 'module PKCS#11 (SoftHSM2 par défaut)')
      .option('--field <nom>', 'nom du champ de signature : un champ vide de ce nom est rempli, sinon il est créé')
      .option('--page <n>', 'page du champ (1 = première)')
      .option('--visible', 'apparence visible (nom, organisation, niveau RGS, date), à une place libre de la page')
      .option('--rect <x1,y1,x2,y2>', 'rectangle de l’apparence visible, en points (implique --visible)')
      .option('--reason <texte>', 'motif de la signature')
      .option('--location <texte>', 'lieu de la signature')
      .option('--certify', 'certifier le document (DocMDP : seuls remplissage et signatures permis ensuite)'),
  ).action(async (input: string | undefined, o: Record<string, unknown>) =>
    run(o, async () => {
      if (o.dossier) return signContractOfDossier(o);
      if (!input) throw new CliError('Indiquez le PDF à signer, ou --dossier ID --party PARTIE pour le contrat d’un dossier.');
      if (!o.out) throw new CliError('Indiquez le PDF signé à écrire : --out FICHIER.');
      const level = parseLevel(String(o.level));
      const hash = parseHash(String(o.hash));
      const timestamper = tsaFor(level, o);
      const page = o.page === undefined ? undefined : Number(o.page);
      if (page !== undefined && (!Number.isInteger(page) || page < 1)) throw new UsageError(`Numéro de page invalide « ${String(o.page)} ».`);
      const pdf = readInputFile(input, 'PDF');
      const signer = await openSigner(o);
      try {
        const out = await signPdf(pdf, signer.signer, {
          level,
          hash,
          ...(timestamper ? { timestamper } : {}),
          ...material(o),
          ...(o.field ? { fieldName: String(o.field) } : {}),
          ...(page ? { page } : {}),
          ...(o.rect ? { appearance: { rect: parseRect(String(o.rect)) } } : o.visible ? { appearance: true } : {}),
          ...(o.reason ? { reason: String(o.reason) } : {}),
          ...(o.location ? { location: String(o.location) } : {}),
          ...(o.certify ? { certify: true } : {}),
        });
        return writeOutput(String(o.out), out, { command: 'sign', level });
      } finally {
        signer.close();
      }
    }),
  );

  withMaterial(
    program
      .command('extend')
      .description(SUMMARY.extend)
      .argument('<entree>', 'PDF déjà signé')
      .requiredOption('--out <fichier>', 'PDF prolongé à écrire')
      .option('--level <niveau>', 'B-LT ou B-LTA', 'B-LTA'),
  ).action(async (input: string | undefined, o: Record<string, unknown>) =>
    run(o, async () => {
      if (o.dossier) return signContractOfDossier(o);
      if (!input) throw new CliError('Indiquez le PDF à signer, ou --dossier ID --party PARTIE pour le contrat d’un dossier.');
      if (!o.out) throw new CliError('Indiquez le PDF signé à écrire : --out FICHIER.');
      const level = parseLevel(String(o.level));
      if (!atLeast(level, 'B-LT')) throw new CliError('La prolongation vise B-LT ou B-LTA.');
      // Extending to B-LT only adds validation data: the TSA is needed for B-LTA.
      const timestamper = level === 'B-LTA' || o.tsa ? tsaFor(level, o) : undefined;
      const out = await extendPdf(readInputFile(input, 'PDF'), {
        level: level as 'B-LT' | 'B-LTA',
        hash: parseHash(String(o.hash)),
        ...(timestamper ? { timestamper } : {}),
        ...material(o),
      });
      return writeOutput(String(o.out), out, { command: 'extend', level });
    }),
  );
}

/** The contract of a dossier, signed through the API with a PKCS#12 file or a token (or the bank's server-side seal). */
async function signContractOfDossier(o: Record<string, unknown>): Promise<Record<string, unknown>> {
  const { signDossier, parseParty, describeResult } = await import('./sign-dossier.ts');
  if (!o.party) throw new CliError('Indiquez pour quelle partie vous signez : --party createur, revendeur ou banque.');
  const party = parseParty(String(o.party));
  const apiKey = process.env.PASSEPORT_API_KEY;
  if (!apiKey) throw new CliError('Clé d’API absente : définissez PASSEPORT_API_KEY (la clé de votre organisation).');
  const apiUrl = String(o.api ?? process.env.PASSEPORT_API_URL ?? process.env.PUBLIC_URL ?? 'http://127.0.0.1:3000');
  const keyGiven = Boolean(o.p12 || o.tokenLabel);
  const signer = o.decline === undefined && keyGiven ? await openSigner(o) : null;
  try {
    const result = await signDossier({
      dossierId: String(o.dossier),
      party,
      apiUrl,
      apiKey,
      ...(signer ? { signer: signer.signer } : {}),
      ...(o.decline !== undefined ? { decline: String(o.decline) } : {}),
      ...(o.out ? { out: String(o.out) } : {}),
    });
    return { ...result, text: describeResult(result) };
  } finally {
    signer?.close();
  }
}

async function run(o: Record<string, unknown>, work: () => Promise<Record<string, unknown>>): Promise<void> {
  try {
    const result = await work();
    if (o.json) process.stdout.write(JSON.stringify({ ok: true, ...result }) + '\n');
    else if (typeof result.text === 'string') process.stdout.write(`${result.text}\n`);
    else process.stdout.write(`PDF écrit : ${String(result.out)} (niveau ${String(result.level)}, ${String(result.bytes)} octets)\n`);
  } catch (e) {
    const message = messageOf(e);
    if (o.json) process.stdout.write(JSON.stringify({ ok: false, code: codeOf(e), error: message }) + '\n');
    process.stderr.write(`Erreur : ${message}\n`);
    process.exitCode = exitCodeOf(e);
  }
}

function tsaFor(level: PadesLevel, o: Record<string, unknown>): Timestamper | undefined {
  if (!o.tsa) {
    if (atLeast(level, 'B-T')) throw new CliError(`Le niveau ${level} exige une autorité d’horodatage : ajoutez --tsa URL.`);
    return undefined;
  }
  return createTsaClient(String(o.tsa));
}

async function openSigner(o: Record<string, unknown>): Promise<{ signer: Signer; close(): void }> {
  if (o.p12 && o.tokenLabel) throw new CliError('Choisissez --p12 ou --token-label, pas les deux.');
  if (o.p12) {
    const passphrase = process.env.PASSEPORT_P12_PASSPHRASE;
    if (passphrase === undefined) throw new CliError('Phrase secrète absente : définissez PASSEPORT_P12_PASSPHRASE.');
    const { pkcs12Signer } = await import('../certs/pkcs12.ts');
    return { signer: pkcs12Signer(readInputFile(String(o.p12), 'fichier PKCS#12'), passphrase), close: () => undefined };
  }
  if (o.tokenLabel) {
    const pin = process.env.PASSEPORT_PIN;
    if (pin === undefined) throw new CliError('Code PIN absent : définissez PASSEPORT_PIN.');
    const { openTokenSigner } = await import('../certs/pkcs11.ts');
    const signer = openTokenSigner({
      tokenLabel: String(o.tokenLabel),
      pin,
      ...(o.keyLabel ? { keyLabel: String(o.keyLabel) } : {}),
      ...(o.module ? { modulePath: String(o.module) } : {}),
    });
    return { signer, close: () => signer.close() };
  }
  throw new CliError('Aucune clé de signature : indiquez --p12 FICHIER ou --token-label LIBELLÉ.');
}

function parseRect(text: string): [number, number, number, number] {
  const parts = text.split(',').map((v) => Number(v.trim()));
  if (parts.length !== 4 || parts.some((v) => !Number.isFinite(v) || v < 0) || parts[2]! <= parts[0]! || parts[3]! <= parts[1]!) {
    throw new CliError(`Rectangle invalide « ${text} » : x1,y1,x2,y2 en points, avec x1 < x2 et y1 < y2 (par exemple 36,36,296,106).`);
  }
  return parts as [number, number, number, number];
}

function material(o: Record<string, unknown>): ValidationDataOptions {
  const files = (k: string) => (o[k] as string[]).map((f) => pemOrDerToDer(readInputFile(f, 'fichier de validation')));
  return {
    material: { crls: files('crl'), ocsps: files('ocsp'), certificates: files('cert') },
    ...(o.fetch ? { fetchers: httpValidationFetchers() } : {}),
  };
}

/** Writes beside the target then renames: a failure never leaves a partial file. */
function writeOutput(out: string, bytes: Buffer, info: { command: string; level: PadesLevel }): Record<string, unknown> {
  const tmp = path.join(path.dirname(path.resolve(out)), `.${path.basename(out)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, bytes);
  fs.renameSync(tmp, out);
  return { ...info, out, bytes: bytes.length };
}
