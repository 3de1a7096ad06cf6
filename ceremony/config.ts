/**
 * The ceremony's parts from the engine's configuration: where the TSA is,
 * the seal token's PIN, the engine's vault. One place, for the worker, the
 * tests and the benchmark alike.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Sql } from '../db/connect.ts';
import { pkiStore } from '../db/repositories/pki.ts';
import type { Vault } from '../vault/vault.ts';
import { vaultArchive, type ArchiveDepositor } from './archive.ts';
import { loadEnginePki, type EnginePki } from './pki-access.ts';
import { createSealKeys, type SealKeys } from './seals.ts';

export interface CeremonyEnv {
  DATA_DIR: string;
  API_HOST: string;
  API_PORT: number;
  PUBLIC_URL?: string | undefined;
  TSA_URL?: string | undefined;
  PASSEPORT_SEAL_PIN?: string | undefined;
  PKCS11_MODULE: string;
}

/** The seal token's label on the engine's PKCS#11 module. */
export const SEAL_TOKEN_LABEL = 'passeport-cachets';
export const SEAL_PIN_FILE = 'seal-pin';

/** The engine's public address, as certificates and clients know it. */
export function publicUrlOf(env: Pick<CeremonyEnv, 'PUBLIC_URL' | 'API_HOST' | 'API_PORT'>): string {
  return (env.PUBLIC_URL ?? `http://${env.API_HOST}:${env.API_PORT}`).replace(/\/+$/, '');
}

/** PASSEPORT_SEAL_PIN, else DATA_DIR/seal-pin; with `create`, a new random PIN in that file (mode 0600). */
export function resolveSealPin(env: Pick<CeremonyEnv, 'DATA_DIR' | 'PASSEPORT_SEAL_PIN'>, create = false): string | null {
  if (env.PASSEPORT_SEAL_PIN) return env.PASSEPORT_SEAL_PIN;
  const file = path.join(env.DATA_DIR, SEAL_PIN_FILE);
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  if (!create) return null;
  fs.mkdirSync(env.DATA_DIR, { recursive: true });
  const pin = crypto.randomBytes(12).toString('base64url');
  fs.writeFileSync(file, `${pin}\n`, { mode: 0o600, flag: 'wx' });
  return pin;
}

export interface CeremonyParts {
  pki: () => Promise<EnginePki>;
  seals: SealKeys;
  archive: ArchiveDepositor;
}

export function ceremonyPartsFromEnv(
  sql: Sql,
  env: Pick<CeremonyEnv, 'DATA_DIR' | 'TSA_URL' | 'PASSEPORT_SEAL_PIN' | 'PKCS11_MODULE'>,
  vault: Pick<Vault, 'deposit'>,
): CeremonyParts {
  let pki: Promise<EnginePki> | null = null;
  return {
    // Loaded on first use, again after a failure (the PKI may be initialised after the worker started).
    pki: () => {
      pki ??= loadEnginePki(pkiStore(sql), { dataDir: env.DATA_DIR, tsaUrl: env.TSA_URL }).catch((error: unknown) => {
        pki = null;
        throw error;
      });
      return pki;
    },
    seals: createSealKeys(sql, { pin: () => resolveSealPin(env), modulePath: env.PKCS11_MODULE }),
    archive: vaultArchive(vault),
  };
}
