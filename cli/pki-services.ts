/** `passeport pki serve | revoke | crl`: the PKI's public services and revocation, registered by cli/pki.ts. */
import fs from 'node:fs';
import os from 'node:os';
import type { Command } from 'commander';
import Fastify from 'fastify';
import { pino } from 'pino';
import { loadEnv, publicServicesPort, publicUrl, type Env } from '../config/env.ts';
import { openDatabase } from '../db/connect.ts';
import { pkiStore } from '../db/repositories/pki.ts';
import type { PkiStore } from '../certs/stores.ts';
import { migrate } from '../db/migrate.ts';
import { describeError, withPki } from './pki-context.ts';
import { CliError } from './errors.ts';
import { pkiRoutes } from '../api/routes/pki.ts';
import { enginePkiServices } from '../certs/services.ts';
import { revokeCertificate } from '../certs/revocation/revoke.ts';
import { currentCrl, generateCrl, DEFAULT_CRL_PERIOD_SECONDS } from '../certs/revocation/crl.ts';
import { engineCaLoader } from '../certs/revocation/issuing-ca.ts';
import { REVOCATION_REASONS } from '../certs/revocation/reasons.ts';
import { derToPem } from '../asn1/index.ts';

function positiveInteger(value: string, what: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new CliError(`${what} invalide « ${value} » : entier positif attendu.`);
  return n;
}

interface ServeOptions {
  host: string;
  port?: string;
  crlPeriod: string;
}

async function serve(options: ServeOptions): Promise<void> {
  const env = loadEnv();
  const port = options.port === undefined ? publicServicesPort(env) : positiveInteger(options.port, 'Port');
  const crlPeriodSeconds = positiveInteger(options.crlPeriod, 'Période des CRL');
  const logger = pino({ level: env.LOG_LEVEL });
  const db = await openDatabase({ url: env.DATABASE_URL, dataDir: env.DATA_DIR });
  await migrate(db.sql);
  const app = Fastify({ loggerInstance: logger });
  const services = enginePkiServices(pkiStore(db.sql), {
    dataDir: env.DATA_DIR,
    crlPeriodSeconds,
    onError: (err) => logger.error({ err }, 'PKI service failure'),
  });
  await app.register(pkiRoutes, services);
  const url = await app.listen({ host: options.host, port });
  console.log(`Services PKI à l’écoute sur ${url} (POST /tsa, POST /pki/ocsp, GET /pki/crl/<ac>.crl, GET /pki/ca/<ac>.cer).`);
  console.log(`Adresse publique (celle des certificats) : ${publicUrl(env)} ; dossier des données : ${env.DATA_DIR}.`);
  // Keys and responder certificates now, not on the first request; the server still answers if the PKI is missing.
  services.warmUp().catch((error: unknown) => {
    console.error(`Attention : services PKI pas encore prêts (${describeError(error)}). Lancer « passeport pki init ».`);
  });
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await app.close();
  await db.close();
  console.log('Services PKI arrêtés.');
}

interface RevokeOptions {
  ca: string;
  serial: string;
  reason: string;
  invalidityDate?: string;
  operator?: string;
  json?: boolean;
}

async function revoke(store: PkiStore, env: Env, options: RevokeOptions): Promise<void> {
  let invalidityDate: Date | undefined;
  if (options.invalidityDate) {
    invalidityDate = new Date(options.invalidityDate);
    if (Number.isNaN(invalidityDate.getTime())) throw new CliError(`Date d’invalidité illisible « ${options.invalidityDate} » : format ISO 8601 attendu.`);
  }
  const operator = options.operator ?? process.env.PASSEPORT_OPERATOR ?? os.userInfo().username;
  const revocation = await revokeCertificate(store, {
    caName: options.ca,
    serialHex: options.serial,
    reason: options.reason,
    operator,
    ...(invalidityDate ? { invalidityDate } : {}),
  });
  // Publish at once: the CRL served from now on lists the certificate.
  const crl = await generateCrl(store, await engineCaLoader(store, { dataDir: env.DATA_DIR })(options.ca));
  if (options.json) {
    console.log(
      JSON.stringify(
        {
          ca: revocation.caName,
          serial: revocation.serialHex,
          reason: revocation.reason,
          revokedAt: revocation.revokedAt.toISOString(),
          invalidityDate: revocation.invalidityDate?.toISOString() ?? null,
          operator: revocation.operator,
          crlNumber: crl.crlNumber.toString(),
        },
        null,
        2,
      ),
    );
  } else {
    console.log(`Certificat ${revocation.serialHex} de l’AC « ${revocation.caName} » révoqué (${revocation.reason}) ; CRL n° ${crl.crlNumber} publiée.`);
  }
}

interface CrlOptions {
  ca: string;
  out: string;
  pem?: boolean;
  new?: boolean;
  json?: boolean;
}

async function writeCrl(store: PkiStore, env: Env, options: CrlOptions): Promise<void> {
  const ca = await engineCaLoader(store, { dataDir: env.DATA_DIR })(options.ca);
  const crl = options.new ? await generateCrl(store, ca) : await currentCrl(store, ca);
  fs.writeFileSync(options.out, options.pem ? derToPem(crl.der, 'X509 CRL') : crl.der);
  const summary = {
    ca: crl.caName,
    crlNumber: crl.crlNumber.toString(),
    thisUpdate: crl.thisUpdate.toISOString(),
    nextUpdate: crl.nextUpdate.toISOString(),
    file: options.out,
  };
  console.log(
    options.json
      ? JSON.stringify(summary, null, 2)
      : `CRL n° ${summary.crlNumber} de l’AC « ${summary.ca} » écrite dans ${options.out} (prochaine mise à jour ${summary.nextUpdate}).`,
  );
}

export function register(pki: Command): void {
  pki
    .command('serve')
    .description('Sert seuls les services publics de la PKI : horodatage, OCSP, CRL et certificats d’AC')
    .option('--host <host>', 'adresse d’écoute', '127.0.0.1')
    .option('--port <port>', 'port d’écoute (0 : un port libre ; défaut : celui de PUBLIC_URL, sinon API_PORT)')
    .option('--crl-period <seconds>', 'durée de validité des CRL publiées', String(DEFAULT_CRL_PERIOD_SECONDS))
    .action(async (options: ServeOptions) => {
      try {
        await serve(options);
      } catch (error) {
        console.error(`Erreur : ${describeError(error)}`);
        process.exitCode = 1;
      }
    });

  pki
    .command('revoke')
    .description('Révoque un certificat émis et publie aussitôt une nouvelle CRL')
    .requiredOption('--ca <name>', 'AC émettrice : rgs1, rgs2, rgs3, seal, tsa ou root')
    .requiredOption('--serial <hex>', 'numéro de série du certificat (hexadécimal)')
    .requiredOption('--reason <reason>', `motif RFC 5280 : ${Object.keys(REVOCATION_REASONS).join(', ')}`)
    .option('--invalidity-date <iso>', 'date présumée de compromission (ISO 8601)')
    .option('--operator <name>', 'opérateur qui révoque (défaut : PASSEPORT_OPERATOR ou l’utilisateur système)')
    .option('--json', 'sortie JSON')
    .action((options: RevokeOptions) => withPki((store, env) => revoke(store, env, options)));

  pki
    .command('crl')
    .description('Écrit la CRL courante d’une AC (régénérée si une révocation l’a rendue obsolète)')
    .requiredOption('--ca <name>', 'AC émettrice')
    .requiredOption('--out <file>', 'fichier de sortie (DER, ou PEM avec --pem)')
    .option('--pem', 'écrit en PEM')
    .option('--new', 'publie une nouvelle CRL même si la courante est à jour')
    .option('--json', 'sortie JSON')
    .action((options: CrlOptions) => withPki((store, env) => writeCrl(store, env, options)));
}
