/**
 * Server-side seal keys (RGS ***): a bank's, for its decision letters and its
 * countersignature, and the platform's (organisation « programme »), for the
 * evidence. Each key stays on the engine's PKCS#11 seal token; the engine
 * only asks it to sign. One open session per key, for the life of the process.
 */
import type { Sql } from '../db/connect.ts';
import { openTokenSigner, type TokenSigner } from '../certs/pkcs11.ts';
import { getSeal } from '../db/repositories/ceremonies.ts';
import { SigningRefused } from './signer-check.ts';

export interface SealKeyOptions {
  /** PIN of the seal token(s), read when a key is first opened: never logged, never in a message. */
  pin: () => string | null;
  modulePath?: string;
}

export interface SealKeys {
  /** The seal signer of an organisation (a bank, or « programme » for the platform). */
  signerFor(organisationId: string): Promise<TokenSigner>;
  close(): void;
}

export function createSealKeys(sql: Sql, options: SealKeyOptions): SealKeys {
  const open = new Map<string, TokenSigner>();
  return {
    async signerFor(organisationId) {
      const known = open.get(organisationId);
      if (known) return known;
      const seal = await getSeal(sql, organisationId);
      if (!seal) {
        throw new SigningRefused('seal_unavailable', `Aucun cachet n’est enregistré pour « ${organisationId} » : enregistrez-le avec « passeport ceremony register-seal ».`);
      }
      const pin = options.pin();
      if (!pin) throw new SigningRefused('seal_unavailable', 'Le code PIN du jeton des cachets est inconnu : définissez PASSEPORT_SEAL_PIN (ou DATA_DIR/seal-pin).');
      const signer = openTokenSigner({ tokenLabel: seal.tokenLabel, keyLabel: seal.keyLabel, pin, modulePath: options.modulePath });
      if (!Buffer.from(signer.certificate).equals(seal.certificate)) {
        signer.close();
        throw new SigningRefused(
          'seal_unavailable',
          `La clé « ${seal.keyLabel} » du jeton « ${seal.tokenLabel} » ne porte pas le certificat de cachet enregistré pour « ${organisationId} ».`,
        );
      }
      // Another call may have opened it meanwhile: keep one.
      const raced = open.get(organisationId);
      if (raced) {
        signer.close();
        return raced;
      }
      open.set(organisationId, signer);
      return signer;
    },
    close() {
      for (const signer of open.values()) signer.close();
      open.clear();
    },
  };
}
