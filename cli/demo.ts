/**
 * `passeport demo`: one dossier of the demo, end to end, against a running
 * `passeport start` (demo mode) on the same DATA_DIR — submitted by the
 * reseller, accorded by default, its letter sealed; the créateur signs with
 * its PKCS#12 file (small dossier, RGS *) or its SoftHSM2 token (--large,
 * RGS **), the revendeur with its own file, the bank countersigns with its
 * seal; the engine brings the contract to B-LTA and archives it. Prints where
 * the signed contract and its evidence are.
 */
import crypto from 'node:crypto';
import { SUMMARY } from './summaries.ts';
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { loadEnvOrReport } from '../config/env.ts';
import { publicUrlOf } from '../ceremony/config.ts';
import { pkcs12Signer } from '../certs/pkcs12.ts';
import type { Signer } from '../certs/types.ts';
import { generateApiKey } from '../db/repositories/apiKeys.ts';
import { DEMO, DEMO_KEY_SEED, demoDossier } from '../db/seed.ts';
import { DEMO_P12_PASSPHRASE, DEMO_TOKEN_PIN, demoSignerFiles } from '../db/seed-signers.ts';
import type { Role } from '../domain/roles.ts';
import { signDossier, describeResult } from './sign-dossier.ts';

export function register(program: Command): void {
  program
    .command('demo')
    .description(SUMMARY.demo)
    .option('--large', 'le grand dossier (24 000 € HT) : le créateur signe en RGS ** avec son jeton SoftHSM2')
    .option('--api <url>', 'adresse de l’API (défaut : PUBLIC_URL, sinon http://API_HOST:API_PORT)')
    .option('--out <dossier>', 'où écrire le contrat signé et le dossier de preuve', '.')
    .action(async (o: { large?: boolean; api?: string; out: string }) => {
      process.exitCode = await runDemo(o);
    });
}

const demoKey = (role: Role, organisation: string): string => generateApiKey(`${DEMO_KEY_SEED}:${role}:${organisation}`).key;

async function runDemo(o: { large?: boolean; api?: string; out: string }): Promise<number> {
  const env = loadEnvOrReport();
  if (!env) return 2;
  const apiUrl = (o.api ?? publicUrlOf(env)).replace(/\/+$/, '');
  const kind = o.large ? 'large' : 'small';
  const createur = DEMO.createurs[kind];
  const files = demoSignerFiles(env.DATA_DIR);
  const say = (line: string) => console.log(line);
  try {
    const health = await fetch(`${apiUrl}/health`, { signal: AbortSignal.timeout(5_000) }).catch(() => null);
    if (!health?.ok) {
      console.error(`L’API ${apiUrl} ne répond pas : lancez d’abord « ./passeport start » (mode démo) dans un autre terminal, sur le même DATA_DIR.`);
      return 1;
    }
    if (!fs.existsSync(files.createurP12)) {
      console.error(`Signataires de démonstration introuvables dans ${files.dir} : « passeport start » doit tourner en mode démo (DEMO_MODE=true) sur le même DATA_DIR.`);
      return 1;
    }
    const keys = { reseller: demoKey('reseller', DEMO.resellers.grenoble), bank: demoKey('bank', DEMO.banks.alpes), creator: demoKey('creator', createur.siren) };

    say(`1. Le revendeur dépose le dossier de ${createur.company} (${kind === 'large' ? '24 000' : '2 400'} € HT) pour ${createur.firstName} ${createur.lastName}.`);
    const submitted = await fetch(`${apiUrl}/v1/dossiers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys.reseller}`, 'content-type': 'application/json', 'idempotency-key': `demo-${crypto.randomUUID()}` },
      body: JSON.stringify(demoDossier(kind)),
    });
    const view = (await submitted.json()) as { dossierId?: string; status?: string; detail?: string };
    if (!view.dossierId) throw new Error(`dépôt refusé : ${view.detail ?? submitted.status}`);
    const id = view.dossierId;
    const contract = `${apiUrl}/v1/dossiers/${id}/contract`;
    const status = async () =>
      (await (await fetch(contract, { headers: { authorization: `Bearer ${keys.bank}` } })).json()) as {
        status?: string;
        contractNumber?: string;
        archive?: { location: string } | null;
      };
    const waitFor = async (wanted: string, what: string) => {
      for (let i = 0; i < 600; i++) {
        const s = await status();
        if (s.status === wanted) return s;
        if (s.status === 'declined' || s.status === 'lapsed') throw new Error(`la signature s’est arrêtée (${s.status})`);
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error(`${what} : rien après 2 minutes`);
    };
    say(`2. Accord par défaut pour le dossier ${id} ; la banque scelle la lettre de décision et le contrat est établi.`);
    await waitFor('awaiting_createur', 'contrat');

    let createurSigner: Signer & { close?(): void };
    if (kind === 'large') {
      // The créateur's token lives in the engine's SoftHSM2 store under DATA_DIR.
      process.env.SOFTHSM2_CONF ??= path.join(env.DATA_DIR, 'softhsm', 'softhsm2.conf');
      const { openTokenSigner } = await import('../certs/pkcs11.ts');
      createurSigner = openTokenSigner({ tokenLabel: files.createurToken, pin: DEMO_TOKEN_PIN, modulePath: env.PKCS11_MODULE });
    } else {
      createurSigner = pkcs12Signer(fs.readFileSync(files.createurP12), DEMO_P12_PASSPHRASE);
    }
    const common = { dossierId: id, apiUrl, userAgent: 'passeport-demo' };
    try {
      const one = await signDossier({ ...common, party: 'createur', apiKey: keys.creator, signer: createurSigner });
      say(`3. ${kind === 'large' ? 'Avec son jeton (RGS **)' : 'Avec son certificat logiciel (RGS *)'} : ${describeResult(one).split('\n')[0]}`);
    } finally {
      createurSigner.close?.();
    }
    const reseller = pkcs12Signer(fs.readFileSync(files.resellerP12(DEMO.resellers.grenoble)), DEMO_P12_PASSPHRASE);
    say(`4. ${describeResult(await signDossier({ ...common, party: 'revendeur', apiKey: keys.reseller, signer: reseller })).split('\n')[0]}`);
    say(`5. ${describeResult(await signDossier({ ...common, party: 'banque', apiKey: keys.bank })).split('\n')[0]}`);
    const done = await waitFor('signed', 'contrat signé');

    fs.mkdirSync(o.out, { recursive: true });
    const download = async (url: string, name: string) => {
      const response = await fetch(url, { headers: { authorization: `Bearer ${keys.bank}` } });
      if (!response.ok) throw new Error(`téléchargement de ${name} impossible (HTTP ${response.status})`);
      const file = path.resolve(o.out, name);
      fs.writeFileSync(file, Buffer.from(await response.arrayBuffer()));
      return file;
    };
    const signed = await download(`${contract}/document`, `contrat-${done.contractNumber}.pdf`);
    const evidence = await download(`${contract}/evidence`, `dossier-de-preuve-${done.contractNumber}.pdf`);
    say('6. Horodatage d’archivage (PAdES B-LTA), rapport de validation et dossier de preuve scellé ; dépôt au coffre-fort.');
    say('');
    say(`Contrat signé : ${signed}`);
    say(`Dossier de preuve : ${evidence}`);
    say(`Coffre-fort : ${done.archive?.location ?? 'dépôt en cours'}`);
    say(`Vérifiez-le : curl -s ${apiUrl}/pki/ca/root.cer -o racine.cer && ./passeport verify ${path.relative(process.cwd(), signed)} --trust racine.cer`);
    return 0;
  } catch (error) {
    console.error(`La démonstration s’est arrêtée : ${(error as Error).message}`);
    return 1;
  }
}
