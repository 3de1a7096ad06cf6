import type { PkiStore, Revocation } from '../stores.ts';
import { PkiError } from '../errors.ts';
import { isRevocationReason, normaliseSerial, REVOCATION_REASONS } from './reasons.ts';

export interface RevokeRequest {
  caName: string;
  serialHex: string;
  /** An RFC 5280 reason name, e.g. keyCompromise. */
  reason: string;
  /** When the key is known or suspected to have been compromised (CRL invalidityDate). */
  invalidityDate?: Date;
  /** Who revokes: recorded, shown in audits. */
  operator: string;
}

/**
 * Records the revocation of a certificate the CA issued. The next CRL and every
 * OCSP answer from then on report it. Unknown serials and second revocations are refused.
 */
export async function revokeCertificate(store: PkiStore, request: RevokeRequest): Promise<Revocation> {
  const serialHex = normaliseSerial(request.serialHex);
  if (!serialHex) throw new PkiError('INVALID_SERIAL', `Numéro de série invalide « ${request.serialHex} » : hexadécimal attendu.`);
  if (!isRevocationReason(request.reason)) {
    throw new PkiError('INVALID_REASON', `Motif de révocation inconnu « ${request.reason} » : ${Object.keys(REVOCATION_REASONS).join(', ')}.`);
  }
  const operator = request.operator.trim();
  if (!operator) throw new PkiError('MISSING_OPERATOR', 'L’opérateur qui révoque doit être indiqué.');
  if (request.invalidityDate && (Number.isNaN(request.invalidityDate.getTime()) || request.invalidityDate > new Date())) {
    throw new PkiError('INVALID_DATE', 'La date d’invalidité doit être une date passée.');
  }
  const issued = await store.findIssuedCertificate(request.caName, serialHex);
  if (!issued) {
    throw new PkiError('UNKNOWN_CERTIFICATE', `Aucun certificat de numéro ${serialHex} n’a été émis par l’AC « ${request.caName} ».`);
  }
  const revocation = await store.insertRevocation({
    caName: request.caName,
    serialHex,
    reason: request.reason,
    invalidityDate: request.invalidityDate ?? null,
    operator,
  });
  if (!revocation) {
    const previous = await store.findRevocation(request.caName, serialHex);
    throw new PkiError('ALREADY_REVOKED', `Le certificat ${serialHex} de l’AC « ${request.caName} » est déjà révoqué depuis le ${previous?.revokedAt.toISOString() ?? '?'}.`);
  }
  return revocation;
}
