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
import { CliError, codeOf, exitCodeOf, messageOf } from './errors.ts';

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
      .description('signer un PDF (PAdES B-B, B-T, B-LT ou B-LTA) par mise à jour incrémentale')
      .argument('<entree>', 'PDF à signer')
      .requiredOption('--out <fichier>', 'PDF signé à écrire')
      .option('--level <niveau>', 'B-B, B-T, B-LT ou B-LTA', 'B-B')
      .option('--p12 <fichier>', 'certificat logiciel PKCS#12 (phrase secrète : PASSEPORT_P12_PASSPHRASE)')
      .option('--token-label <libelle>', 'jeton PKCS#11 (code PIN : PASSEPORT_PIN)')
      .option('--key-label <libelle>', 'clé du jeton PKCS#11')
      .option('--module <chemin>', 'module PKCS#11 (SoftHSM2 par défaut)')
      .option('--field <nom>', 'nom du champ de signature')
      .option('--page <n>', 'page du champ (1 = première)')
      .option('--visible', 'apparence visible (nom, organisation, niveau RGS, date)')
      .option('--reason <texte>', 'motif de la signature')
      .option('--location <texte>', 'lieu de la signature')
      .option('--certify', 'certifier le document (DocMDP : seuls remplissage et signatures permis ensuite)'),
  ).action(async (input: string, o: Record<string, unknown>) =>
    run(o, async () => {
      const level = parseLevel(String(o.level));
      const hash = parseHash(String(o.hash));
      const timestamper = tsaFor(level, o);
      const signer = await openSigner(o);
      try {
        const page = o.page === undefined ? undefined : Number(o.page);
        if (page !== undefined && (!Number.isInteger(page) || page < 1)) throw new CliError(`Numéro de page invalide « ${String(o.page)} ».`);
        const pdf = readInput(input);
        const out = await signPdf(pdf, signer.signer, {
          level,
          hash,
          ...(timestamper ? { timestamper } : {}),
          ...material(o),
          ...(o.field ? { fieldName: String(o.field) } : {}),
          ...(page ? { page } : {}),
          ...(o.visible ? { appearance: true } : {}),
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
      .description('ajouter les données de validation (B-LT) puis un horodatage de document (B-LTA)')
      .argument('<entree>', 'PDF déjà signé')
      .requiredOption('--out <fichier>', 'PDF prolongé à écrire')
      .option('--level <niveau>', 'B-LT ou B-LTA', 'B-LTA'),
  ).action(async (input: string, o: Record<string, unknown>) =>
    run(o, async () => {
      const level = parseLevel(String(o.level));
      if (!atLeast(level, 'B-LT')) throw new CliError('La prolongation vise B-LT ou B-LTA.');
      // Extending to B-LT only adds validation data: the TSA is needed for B-LTA.
      const timestamper = level === 'B-LTA' || o.tsa ? tsaFor(level, o) : undefined;
      const out = await extendPdf(readInput(input), {
        level: level as 'B-LT' | 'B-LTA',
        hash: parseHash(String(o.hash)),
        ...(timestamper ? { timestamper } : {}),
        ...material(o),
      });
      return writeOutput(String(o.out), out, { command: 'extend', level });
    }),
  );
}

async function run(o: Record<string, unknown>, work: () => Promise<Record<string, unknown>>): Promise<void> {
  try {
    const result = await work();
    if (o.json) process.stdout.write(JSON.stringify({ ok: true, ...result }) + '\n');
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
    return { signer: pkcs12Signer(readInput(String(o.p12), 'fichier PKCS#12'), passphrase), close: () => undefined };
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

function material(o: Record<string, unknown>): ValidationDataOptions {
  const files = (k: string) => (o[k] as string[]).map((f) => pemOrDerToDer(readInput(f, 'fichier de validation')));
  return {
    material: { crls: files('crl'), ocsps: files('ocsp'), certificates: files('cert') },
    ...(o.fetch ? { fetchers: httpValidationFetchers() } : {}),
  };
}

function readInput(file: string, what = 'PDF'): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    throw new CliError(`Impossible de lire le ${what} « ${file} ».`, { cause: error });
  }
}

/** Writes beside the target then renames: a failure never leaves a partial file. */
function writeOutput(out: string, bytes: Buffer, info: { command: string; level: PadesLevel }): Record<string, unknown> {
  const tmp = path.join(path.dirname(path.resolve(out)), `.${path.basename(out)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, bytes);
  fs.renameSync(tmp, out);
  return { ...info, out, bytes: bytes.length };
}
