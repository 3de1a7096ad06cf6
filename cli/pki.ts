/** `passeport pki init | issue | list | export-root` (serve | revoke | crl are in pki-services.ts). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { publicUrl, type Env } from '../config/env.ts';
import type { PkiStore } from '../certs/stores.ts';
import { withPki } from './pki-context.ts';
import { CliError } from './errors.ts';
import { caCertificateWithChain, initPki } from '../certs/ca.ts';
import { issueCertificate, type IssueRequest, type KeyRequest } from '../certs/issue.ts';
import { CA_NAMES, type CaName, getProfile, type HolderProfileName, holderProfileFor, isCaName } from '../certs/profiles.ts';
import { derToPem } from '../asn1/index.ts';
import { parseKeyType } from '../certs/keys.ts';
import { checkRegistration, type DocumentType, type RegistrationEvidence } from '../certs/registration.ts';
import type { RgsLevel } from '../certs/policies.ts';
import { SUMMARY } from './summaries.ts';
import { register as registerServices } from './pki-services.ts';

/** Reads a secret on the terminal without echo; refuses when there is no terminal. */
async function askSecret(prompt: string, variable: string): Promise<string> {
  const fromEnv = process.env[variable];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const input = process.stdin;
  if (!input.isTTY) throw new CliError(`${variable} n’est pas défini et aucun terminal ne permet de demander la valeur.`);
  process.stderr.write(prompt);
  input.setRawMode(true);
  input.resume();
  input.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let value = '';
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          done();
          resolve(value);
          return;
        }
        if (ch === '\u0003') {
          done();
          reject(new CliError('Saisie interrompue.'));
          return;
        }
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    const done = () => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
    };
    input.on('data', onData);
  });
}

async function askNewPassphrase(): Promise<string> {
  if (process.env.PASSEPORT_P12_PASSPHRASE) return process.env.PASSEPORT_P12_PASSPHRASE;
  const first = await askSecret('Phrase secrète du fichier PKCS#12 : ', 'PASSEPORT_P12_PASSPHRASE');
  const second = await askSecret('Confirmer la phrase secrète : ', 'PASSEPORT_P12_PASSPHRASE');
  if (first !== second) throw new CliError('Les deux saisies de la phrase secrète diffèrent.');
  return first;
}

function writeNewFile(file: string, data: Uint8Array | string, mode: number): string {
  const full = path.resolve(file);
  try {
    fs.writeFileSync(full, data, { mode, flag: 'wx' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new CliError(`Le fichier ${full} existe déjà : choisir un autre nom ou le supprimer.`);
    throw new CliError(`Écriture impossible de ${full} (${code ?? 'erreur'}).`);
  }
  return full;
}

interface IssueOptions {
  level?: string;
  seal?: boolean;
  profile?: string;
  name?: string;
  org?: string;
  siren?: string;
  email?: string;
  key: string;
  out?: string;
  tokenLabel?: string;
  keyLabel?: string;
  module?: string;
  identityCheck?: string;
  operator?: string;
  documentType?: string;
  documentNumber?: string;
  validityDays?: string;
  json?: boolean;
}

function profileOf(options: IssueOptions): HolderProfileName {
  if (options.profile) {
    if (options.profile !== 'authentication') throw new CliError(`Profil « ${options.profile} » : seul « authentication » se choisit par --profile (sinon --level et --seal).`);
    return 'authentication';
  }
  const level = Number(options.level ?? (options.seal ? '3' : NaN));
  if (![1, 2, 3].includes(level)) throw new CliError('Niveau manquant ou invalide : --level 1, 2 ou 3.');
  return holderProfileFor({ level: level as RgsLevel, seal: options.seal === true });
}

async function issueCommand(store: PkiStore, env: Env, options: IssueOptions): Promise<void> {
  const profile = profileOf(options);
  const keyType = parseKeyType(options.key);
  const onToken = profile !== 'person-rgs1' && profile !== 'authentication';
  if (!onToken && !options.out) throw new CliError('Fichier de sortie manquant : --out fichier.p12.');
  if (onToken && !options.tokenLabel) throw new CliError('Jeton manquant : --token-label LIBELLÉ (la clé est générée sur le jeton PKCS#11).');
  if (options.out && fs.existsSync(options.out)) throw new CliError(`Le fichier ${path.resolve(options.out)} existe déjà : choisir un autre nom ou le supprimer.`);
  const registration: RegistrationEvidence = {
    identityCheck: (options.identityCheck ?? 'remote') as 'remote' | 'face_to_face',
    operator: options.operator ?? `cli:${os.userInfo().username}`,
    documentType: options.documentType as DocumentType | undefined,
    documentNumber: options.documentNumber,
  };
  // Refuse before asking for a PIN or a passphrase.
  checkRegistration(getProfile(profile), registration);
  let key: KeyRequest;
  if (onToken) {
    const pin = await askSecret(`Code PIN du jeton « ${options.tokenLabel} » : `, 'PASSEPORT_PIN');
    key = { store: 'token', type: keyType, keyLabel: options.keyLabel, token: { modulePath: options.module ?? env.PKCS11_MODULE, tokenLabel: options.tokenLabel!, pin } };
  } else {
    key = { store: 'software', type: keyType, pkcs12Passphrase: await askNewPassphrase(), location: `pkcs12:${path.resolve(options.out!)}` };
  }
  const request: IssueRequest = {
    profile,
    subject: { name: options.name, organisation: options.org, siren: options.siren, email: options.email },
    key,
    registration,
    secret: { dataDir: env.DATA_DIR, pkcs11Module: env.PKCS11_MODULE },
  };
  if (options.validityDays !== undefined) request.validityDays = Number(options.validityDays);
  const issued = await issueCertificate(store, request);
  const files: string[] = [];
  if (issued.pkcs12) files.push(writeNewFile(options.out!, issued.pkcs12, 0o600));
  else if (options.out) files.push(writeNewFile(options.out, [issued.certificate, ...issued.chain].map((c) => derToPem(c)).join(''), 0o644));
  const summary = {
    serial: issued.serial,
    subject: issued.subject,
    level: issued.level,
    profile: issued.profile,
    ca: issued.caName,
    keyType: issued.keyType,
    keyLocation: issued.keyLocation,
    notBefore: issued.notBefore.toISOString(),
    notAfter: issued.notAfter.toISOString(),
    files,
    ...(issued.token ? { token: issued.token } : {}),
  };
  if (options.json) {
    console.log(JSON.stringify(summary, null, 2));
    return;
  }
  console.log(`Certificat émis par l’AC ${issued.caName} (profil ${issued.profile}).`);
  console.log(`  Numéro de série : ${issued.serial}`);
  console.log(`  Titulaire       : ${issued.subject}`);
  console.log(`  Valide du ${issued.notBefore.toISOString()} au ${issued.notAfter.toISOString()}`);
  console.log(`  Clé             : ${issued.keyType}, ${issued.keyLocation}`);
  for (const file of files) console.log(`  Fichier         : ${file}`);
}

async function listCommand(store: PkiStore, options: { ca?: string; profile?: string; level?: string; siren?: string; json?: boolean }): Promise<void> {
  if (options.ca && !isCaName(options.ca)) throw new CliError(`AC inconnue « ${options.ca} » : ${CA_NAMES.join(', ')}.`);
  const level = options.level === undefined ? undefined : Number(options.level);
  if (level !== undefined && ![1, 2, 3].includes(level)) throw new CliError('Niveau invalide : --level 1, 2 ou 3.');
  const certs = await store.listIssuedCertificates({
    ...(options.ca ? { caName: options.ca as CaName } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    ...(level ? { level: level as RgsLevel } : {}),
    ...(options.siren ? { siren: options.siren } : {}),
  });
  if (options.json) {
    console.log(
      JSON.stringify(
        certs.map((c) => ({
          serial: c.serial,
          ca: c.caName,
          subject: c.subject,
          level: c.level,
          profile: c.profile,
          keyType: c.keyType,
          keyLocation: c.keyLocation,
          siren: c.siren,
          notBefore: c.notBefore.toISOString(),
          notAfter: c.notAfter.toISOString(),
          issuedAt: c.issuedAt.toISOString(),
        })),
        null,
        2,
      ),
    );
    return;
  }
  if (certs.length === 0) {
    console.log('Aucun certificat émis.');
    return;
  }
  for (const c of certs) {
    console.log(
      `${c.serial}  ${c.caName.padEnd(4)}  ${c.profile.padEnd(14)}  ${c.level ? `RGS ${'*'.repeat(c.level)}` : '-'.padEnd(7)}  fin ${c.notAfter.toISOString().slice(0, 10)}  ${c.subject}`,
    );
  }
  console.log(`${certs.length} certificat(s).`);
}

async function exportRootCommand(store: PkiStore, options: { out: string; chain?: string | boolean }): Promise<void> {
  const [root] = await caCertificateWithChain(store, 'root');
  const issuing: string[] = [];
  for (const name of CA_NAMES) if (name !== 'root') issuing.push(derToPem((await caCertificateWithChain(store, name))[0]!));
  const files: string[] = [];
  if (typeof options.chain === 'string') {
    files.push(writeNewFile(options.out, derToPem(root!), 0o644));
    files.push(writeNewFile(options.chain, issuing.join(''), 0o644));
  } else {
    files.push(writeNewFile(options.out, derToPem(root!) + (options.chain ? issuing.join('') : ''), 0o644));
  }
  console.log(`Exporté : ${files.join(', ')}`);
}

export function register(program: Command): void {
  const pki = program.command('pki').description(SUMMARY.pki);

  pki
    .command('init')
    .description('Crée l’AC racine et les AC émettrices (rgs1, rgs2, rgs3, seal, tsa) ; sans effet si elles existent')
    .option('--ca-key <type>', 'type de clé des AC : rsa3072, ec256 ou ec384', 'rsa3072')
    .option('--base-url <url>', 'URL publique des CRL, OCSP et certificats d’AC (défaut : PUBLIC_URL, sinon http://API_HOST:API_PORT)')
    .option('--ca-token-label <label>', 'génère les clés des AC sur ce jeton PKCS#11 (PIN dans PASSEPORT_CA_PIN)')
    .option('--json', 'sortie JSON')
    .action((options: { caKey: string; baseUrl?: string; caTokenLabel?: string; json?: boolean }) =>
      withPki(async (store, env) => {
        const caToken = options.caTokenLabel
          ? { tokenLabel: options.caTokenLabel, pin: await askSecret(`Code PIN du jeton des AC « ${options.caTokenLabel} » : `, 'PASSEPORT_CA_PIN'), modulePath: env.PKCS11_MODULE }
          : undefined;
        const result = await initPki(store, {
          dataDir: env.DATA_DIR,
          caKeyType: parseKeyType(options.caKey),
          ...(caToken ? { caToken } : {}),
          publicBaseUrl: options.baseUrl ?? publicUrl(env),
        });
        if (options.json) console.log(JSON.stringify({ ...result, dataDir: env.DATA_DIR }, null, 2));
        else console.log(`${result.message}\nDossier des données : ${env.DATA_DIR}`);
      }),
    );

  pki
    .command('issue')
    .description('Émet un certificat : RGS * en PKCS#12, RGS ** et *** sur jeton PKCS#11, cachet avec --seal')
    .option('--level <n>', 'niveau RGS : 1, 2 ou 3')
    .option('--seal', 'cachet d’organisation (RGS ***)')
    .option('--profile <name>', 'profil particulier : authentication')
    .option('--name <name>', 'titulaire « Prénom Nom » (pour un cachet : nom du cachet, défaut la raison sociale)')
    .option('--org <org>', 'raison sociale')
    .option('--siren <siren>', 'SIREN (9 chiffres)')
    .option('--email <email>', 'adresse électronique (subjectAltName)')
    .option('--key <type>', 'rsa2048, rsa3072, ec256 ou ec384', 'rsa2048')
    .option('--out <file>', 'fichier PKCS#12 (niveau 1) ; pour un jeton, le certificat et sa chaîne en PEM')
    .option('--token-label <label>', 'libellé du jeton PKCS#11 (niveaux 2 et 3 ; PIN dans PASSEPORT_PIN)')
    .option('--key-label <label>', 'libellé de la clé créée sur le jeton')
    .option('--module <path>', 'module PKCS#11 (défaut : PKCS11_MODULE)')
    .option('--identity-check <mode>', 'vérification d’identité : remote ou face_to_face', 'remote')
    .option('--operator <name>', 'opérateur d’enregistrement')
    .option('--document-type <type>', 'pièce d’identité : passport, id_card ou residence_permit')
    .option('--document-number <n>', 'numéro de la pièce (seule son empreinte SHA-256 est conservée)')
    .option('--validity-days <n>', 'durée de validité en jours (au plus celle du profil)')
    .option('--json', 'sortie JSON')
    .action((options: IssueOptions) => withPki((store, env) => issueCommand(store, env, options)));

  pki
    .command('list')
    .description('Liste les certificats émis')
    .option('--ca <name>', 'AC émettrice')
    .option('--profile <name>', 'profil')
    .option('--level <n>', 'niveau RGS')
    .option('--siren <siren>', 'SIREN du titulaire')
    .option('--json', 'sortie JSON')
    .action((options: { ca?: string; profile?: string; level?: string; siren?: string; json?: boolean }) => withPki((store) => listCommand(store, options)));

  pki
    .command('export-root')
    .description('Exporte le certificat de l’AC racine en PEM (et les AC émettrices avec --chain)')
    .requiredOption('--out <file>', 'fichier PEM de l’AC racine')
    .option('--chain [file]', 'exporte aussi les AC émettrices : dans ce fichier, ou à la suite de la racine')
    .action((options: { out: string; chain?: string | boolean }) => withPki((store) => exportRootCommand(store, options)));

  registerServices(pki);
}
