/**
 * The demo's signers, issued by the engine's own PKI once it exists (demo
 * mode only): each bank's RGS *** seal and the platform's, on the engine's
 * seal token; each reseller's signatory at RGS * as a PKCS#12 file; the small
 * dossier's créateur at RGS * (PKCS#12) and the large one's at RGS ** on a
 * SoftHSM2 token of their own. Idempotent: what exists is kept. The PKCS#12
 * passphrase and the créateur's token PIN are public demo values.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Sql } from './connect.ts';
import { DEMO } from './seed.ts';
import { getSeal, upsertSeal } from './repositories/ceremonies.ts';
import { issueCertificate, type IssueRequest } from '../certs/issue.ts';
import { pkiStore } from './repositories/pki.ts';
import { initSoftHsmToken, type SoftHsmStore } from '../certs/softhsm.ts';

export const DEMO_P12_PASSPHRASE = 'demo-passeport-2026';
export const DEMO_TOKEN_PIN = '246810';
export const DEMO_SIGNERS_DIR = 'demo';

export interface DemoSignerOptions {
  dataDir: string;
  store: SoftHsmStore;
  /** Label and PIN of the engine's seal token. */
  sealToken: { label: string; pin: string };
  modulePath?: string;
}

/** Where the demo's signing material is: what `passeport demo` and the README use. */
export function demoSignerFiles(dataDir: string) {
  const dir = path.join(dataDir, DEMO_SIGNERS_DIR);
  return {
    dir,
    createurP12: path.join(dir, `createur-${DEMO.createurs.small.siren}.p12`),
    createurToken: `createur-${DEMO.createurs.large.siren}`,
    resellerP12: (resellerId: string) => path.join(dir, `revendeur-${resellerId}.p12`),
  };
}

const RESELLERS = [DEMO.resellers.grenoble, DEMO.resellers.lyon, DEMO.resellers.annecy];
const SEALED = [DEMO.banks.alpes, DEMO.banks.cooperatif, DEMO.banks.leasing, DEMO.programme];

export async function seedDemoSigners(sql: Sql, options: DemoSignerOptions): Promise<{ created: string[] }> {
  const files = demoSignerFiles(options.dataDir);
  fs.mkdirSync(files.dir, { recursive: true, mode: 0o700 });
  const secret = { dataDir: options.dataDir };
  const created: string[] = [];
  const tokenOf = (label: string, pin: string) => ({ tokenLabel: label, pin, ...(options.modulePath ? { modulePath: options.modulePath } : {}) });
  const faceToFace = { identityCheck: 'face_to_face' as const, operator: 'agence de démonstration', documentType: 'id_card' as const, documentNumber: 'DEMO-0000' };

  for (const organisation of SEALED) {
    if (await getSeal(sql, organisation)) continue;
    ensureToken(options.store, options.sealToken.label, options.sealToken.pin);
    const who = DEMO.signatories[organisation];
    // A fresh key label each time: a key left on the token by an earlier database is never reused.
    const keyLabel = `cachet-${organisation}-${crypto.randomBytes(3).toString('hex')}`;
    const issued = await issueCertificate(pkiStore(sql), {
      profile: 'seal-rgs3',
      subject: { organisation: who.name, siren: who.siren },
      key: { store: 'token', type: 'ec256', token: tokenOf(options.sealToken.label, options.sealToken.pin), keyLabel },
      registration: faceToFace,
      secret,
    });
    await upsertSeal(sql, { organisationId: organisation, tokenLabel: options.sealToken.label, keyLabel, certificate: Buffer.from(issued.certificate) });
    created.push(`cachet ${organisation}`);
  }

  const softwareSigner = async (file: string, request: Omit<IssueRequest, 'profile' | 'key' | 'secret' | 'registration'>) => {
    if (fs.existsSync(file)) return;
    const issued = await issueCertificate(pkiStore(sql), {
      ...request,
      profile: 'person-rgs1',
      key: { store: 'software', type: 'ec256', pkcs12Passphrase: DEMO_P12_PASSPHRASE },
      registration: { identityCheck: 'remote', operator: 'agence de démonstration' },
      secret,
    });
    fs.writeFileSync(file, issued.pkcs12!, { mode: 0o600 });
    created.push(path.basename(file));
  };
  for (const reseller of RESELLERS) {
    const s = DEMO.signatories[reseller];
    await softwareSigner(files.resellerP12(reseller), { subject: { name: s.name, organisation: organisationName(reseller), siren: s.siren } });
  }
  const small = DEMO.createurs.small;
  await softwareSigner(files.createurP12, { subject: { name: `${small.firstName} ${small.lastName}`, organisation: small.company, siren: small.siren } });

  const large = DEMO.createurs.large;
  if (!tokenExists(options.store, files.createurToken)) {
    ensureToken(options.store, files.createurToken, DEMO_TOKEN_PIN);
    await issueCertificate(pkiStore(sql), {
      profile: 'person-rgs2',
      subject: { name: `${large.firstName} ${large.lastName}`, organisation: large.company, siren: large.siren },
      key: { store: 'token', type: 'ec256', token: tokenOf(files.createurToken, DEMO_TOKEN_PIN), keyLabel: 'signature' },
      registration: faceToFace,
      secret,
    });
    created.push(`jeton ${files.createurToken}`);
  }
  return { created };
}

function organisationName(resellerId: string): string {
  const names: Record<string, string> = {
    [DEMO.resellers.grenoble]: 'Alpes Informatique Services',
    [DEMO.resellers.lyon]: 'Bureautique & Réseaux Lyon',
    [DEMO.resellers.annecy]: 'Annecy Numérique TPE',
  };
  return names[resellerId] ?? resellerId;
}

function tokenExists(store: SoftHsmStore, label: string): boolean {
  const slots = execFileSync('softhsm2-util', ['--show-slots'], { env: { ...process.env, SOFTHSM2_CONF: store.confPath }, encoding: 'utf8' });
  return slots.split('\n').some((line) => /^\s*Label:\s*/.test(line) && line.replace(/^\s*Label:\s*/, '').trim() === label);
}

/** Initialises the token once; its SO PIN is random and kept beside the store (mode 0600). */
function ensureToken(store: SoftHsmStore, label: string, pin: string): void {
  if (tokenExists(store, label)) return;
  const soPin = crypto.randomBytes(8).toString('hex');
  fs.writeFileSync(path.join(path.dirname(store.confPath), `so-pin-${label}`), `${soPin}\n`, { mode: 0o600 });
  initSoftHsmToken(store, { label, pin, soPin });
}
