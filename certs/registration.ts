import crypto from 'node:crypto';
import type { CertificateProfile, IdentityCheck } from './profiles.ts';
import { PkiError } from './errors.ts';

export const DOCUMENT_TYPES = ['passport', 'id_card', 'residence_permit'] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

/** What the registration officer checked before a certificate is issued. */
export interface RegistrationEvidence {
  identityCheck: IdentityCheck;
  /** Who checked (registration officer's name or id). */
  operator: string;
  documentType?: DocumentType | undefined;
  /** Hashed at once; never stored nor logged. */
  documentNumber?: string | undefined;
  checkedAt?: Date | undefined;
}

/** The evidence as stored: the document number only as a SHA-256 hash. */
export interface RegistrationRecord {
  identityCheck: IdentityCheck;
  operator: string;
  documentType: DocumentType | null;
  documentNumberSha256: string | null;
  checkedAt: Date;
}

const LEVEL_LABEL = { 1: 'RGS *', 2: 'RGS **', 3: 'RGS ***' } as const;

export function hashDocumentNumber(number: string): string {
  const normalised = number.replace(/[\s-]+/g, '').toUpperCase();
  return crypto.createHash('sha256').update(normalised, 'utf8').digest('hex');
}

/** Checks the evidence against the profile's rule and returns what will be stored. */
export function checkRegistration(profile: CertificateProfile, evidence: RegistrationEvidence | undefined): RegistrationRecord {
  const what = profile.level ? `un certificat ${LEVEL_LABEL[profile.level]}` : `un certificat « ${profile.label} »`;
  if (!evidence) throw new PkiError('REGISTRATION_MISSING', `Émission refusée : ${what} exige un dossier d’enregistrement (vérification d’identité).`);
  if (evidence.identityCheck !== 'remote' && evidence.identityCheck !== 'face_to_face') {
    throw new PkiError('REGISTRATION_INVALID', `Mode de vérification d’identité inconnu « ${String(evidence.identityCheck)} » : remote ou face_to_face.`);
  }
  if (profile.identityCheck === 'face_to_face' && evidence.identityCheck !== 'face_to_face') {
    throw new PkiError('FACE_TO_FACE_REQUIRED', `Émission refusée : ${what} exige une vérification d’identité en face à face, avec la pièce d’identité originale.`);
  }
  const operator = (evidence.operator ?? '').trim();
  if (operator.length === 0 || operator.length > 128) {
    throw new PkiError('REGISTRATION_INVALID', 'Émission refusée : l’opérateur d’enregistrement doit être nommé.');
  }
  const documentType = evidence.documentType ?? null;
  if (documentType !== null && !(DOCUMENT_TYPES as readonly string[]).includes(documentType)) {
    throw new PkiError('REGISTRATION_INVALID', `Type de pièce d’identité inconnu « ${documentType} » : ${DOCUMENT_TYPES.join(', ')}.`);
  }
  const number = evidence.documentNumber?.trim() ?? '';
  if (evidence.identityCheck === 'face_to_face' && (documentType === null || number === '')) {
    throw new PkiError('REGISTRATION_INVALID', 'Émission refusée : une vérification en face à face consigne le type et le numéro de la pièce d’identité.');
  }
  if (number !== '' && !/^[A-Za-z0-9 -]{4,32}$/.test(number)) {
    throw new PkiError('REGISTRATION_INVALID', 'Numéro de pièce d’identité invalide : 4 à 32 lettres ou chiffres attendus.');
  }
  const checkedAt = evidence.checkedAt ?? new Date();
  if (Number.isNaN(checkedAt.getTime()) || checkedAt.getTime() > Date.now() + 5 * 60_000) {
    throw new PkiError('REGISTRATION_INVALID', 'Date de vérification d’identité invalide (absente ou dans le futur).');
  }
  return {
    identityCheck: evidence.identityCheck,
    operator,
    documentType,
    documentNumberSha256: number === '' ? null : hashDocumentNumber(number),
    checkedAt,
  };
}
