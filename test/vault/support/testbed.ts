/**
 * A vault on real parts: a fresh PostgreSQL database (test/support/db.ts), one or two
 * filesystem locations in a temporary folder, the real TSA (certs/tsa/authority.ts) under
 * a throw-away PKI, the real verifier and extender through vault/adapters.ts, and a clock
 * the test can move forward.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import type { TimestampAuthority } from '../../../certs/tsa/authority.ts';
import { softwareSigner } from '../../../certs/signers.ts';
import { httpValidationFetchers } from '../../../signature/fetchers.ts';
import { signPdf } from '../../../signature/pades.ts';
import { inProcessTimestamper, vaultPorts } from '../../../vault/adapters.ts';
import { DEFAULT_SETTINGS, type VaultSettings } from '../../../vault/config.ts';
import type { VaultPorts } from '../../../vault/ports.ts';
import { FilesystemStore } from '../../../vault/storage/filesystem.ts';
import type { Actor } from '../../../vault/types.ts';
import { Vault } from '../../../vault/vault.ts';
import { createTestDatabase } from '../../support/db.ts';
import { createVaultTestPki, type VaultTestPki } from './pki.ts';

export type TestDatabase = Awaited<ReturnType<typeof createTestDatabase>>;

export const ARCHIVIST: Actor = { kind: 'archivist', name: 'a.martin' };
export const ENGINE: Actor = { kind: 'system', name: 'moteur' };

export interface Clock {
  offsetMs: number;
  now(): Date;
  advanceDays(days: number): void;
}

export interface Testbed {
  db: TestDatabase;
  dir: string;
  pki: VaultTestPki;
  /** The TSA the vault's ports use (ten years). */
  tsa: TimestampAuthority;
  stores: FilesystemStore[];
  ports: VaultPorts;
  clock: Clock;
  vault: Vault;
  /** Another vault over the same database and locations (other settings). */
  open(settings?: VaultSettings): Vault;
  /** A contract signed by `signer` at B-T or B-LT, its timestamps from `authority` (default: the vault's TSA). */
  signedContract(options?: { level?: 'B-T' | 'B-LT'; authority?: TimestampAuthority; title?: string }): Promise<Buffer>;
  close(): Promise<void>;
}

export async function createTestbed(options: { locations?: 1 | 2; settings?: VaultSettings } = {}): Promise<Testbed> {
  const db = await createTestDatabase();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passeport-vault-'));
  const pki = await createVaultTestPki();
  const { authority: tsa } = await pki.authority(db.sql, 3650, 'Horodatage du coffre-fort');
  const stores = Array.from({ length: options.locations ?? 2 }, (_, i) => new FilesystemStore(path.join(dir, `emplacement-${i + 1}`), `emplacement ${i + 1}`));
  const ports = vaultPorts({ trustAnchors: [pki.root.der], tsa: { authority: tsa } });
  const clock: Clock = {
    offsetMs: 0,
    now() {
      return new Date(Date.now() + this.offsetMs);
    },
    advanceDays(days) {
      this.offsetMs += days * 86_400_000;
    },
  };
  const open = (settings: VaultSettings = options.settings ?? DEFAULT_SETTINGS): Vault => new Vault({ sql: db.sql, stores, ports, settings, now: () => clock.now() });
  const signerCert = await pki.signer('Camille Rousseau');
  let contracts = 0;
  return {
    db,
    dir,
    pki,
    tsa,
    stores,
    ports,
    clock,
    vault: open(),
    open,
    async signedContract({ level = 'B-T', authority = tsa, title } = {}) {
      const pdf = await contractPdf(title ?? `Contrat de crédit-bail n° ${++contracts} (${process.pid}-${Date.now()})`);
      return signPdf(pdf, softwareSigner(signerCert.privateKey, signerCert.der, [pki.ca.der]), {
        level,
        timestamper: inProcessTimestamper(authority),
        fetchers: httpValidationFetchers(),
        material: { certificates: [pki.root.der] },
      });
    },
    async close() {
      await pki.close();
      await db.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function contractPdf(title: string): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle(title);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const page = doc.addPage([595, 842]);
  page.drawText(title, { x: 50, y: 800, size: 12, font });
  page.drawText('Le preneur reconnaît avoir reçu le matériel et s’engage à régler les loyers.', { x: 50, y: 770, size: 9, font });
  return doc.save({ useObjectStreams: false });
}

/** A package as the engine deposits it after the signatures: the contract and its evidence. */
export function contractPackage(contract: Uint8Array, extra: { dossierId?: string; siren?: string; evidence?: Uint8Array[] } = {}) {
  return {
    documentClass: 'contrat',
    dossierId: extra.dossierId ?? 'D-2026-000001',
    siren: extra.siren ?? '912345675',
    parties: [
      { role: 'createur' as const, id: extra.siren ?? '912345675', name: 'Atelier Numérique du Vercors' },
      { role: 'revendeur' as const, id: 'RA-2026-0001' },
      { role: 'banque' as const, id: 'BPALPES' },
    ],
    objects: [
      { name: 'contrat.pdf', mediaType: 'application/pdf', content: contract },
      ...(extra.evidence ?? []).map((der, i) => ({ name: `crl-${i + 1}.crl`, mediaType: 'application/pkix-crl', content: der, documentClass: 'preuve' })),
    ],
  };
}
