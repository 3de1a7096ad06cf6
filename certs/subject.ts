import { PkiError } from './errors.ts';

/** La Poste's SIREN fails the Luhn check but is valid (domain.md). */
const LA_POSTE_SIREN = '356000000';

export function isValidSiren(siren: string): boolean {
  if (!/^\d{9}$/.test(siren)) return false;
  if (siren === LA_POSTE_SIREN) return true;
  let sum = 0;
  for (let i = 0; i < 9; i++) {
    let digit = Number(siren[8 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

export function checkSiren(siren: string): string {
  const compact = siren.replace(/\s+/g, '');
  if (!/^\d{9}$/.test(compact)) throw new PkiError('INVALID_SIREN', `SIREN invalide « ${siren} » : 9 chiffres attendus.`);
  if (!isValidSiren(compact)) throw new PkiError('INVALID_SIREN', `SIREN invalide « ${siren} » : la clé de contrôle (Luhn) ne correspond pas.`);
  return compact;
}

// Letters (accents included), spaces, hyphens, apostrophes: "Prénom Nom".
const PERSON_NAME = /^[\p{L}][\p{L}'’.-]*(?: [\p{L}][\p{L}'’.-]*)+$/u;

export function checkPersonName(name: string): string {
  const clean = name.trim().replace(/ +/g, ' ');
  if (clean.length > 64 || !PERSON_NAME.test(clean)) {
    throw new PkiError('INVALID_NAME', `Nom invalide « ${name} » : « Prénom Nom » attendu (lettres, 64 caractères au plus).`);
  }
  return clean;
}

export function checkOrganisation(name: string | undefined): string {
  const clean = (name ?? '').trim().replace(/\s+/g, ' ');
  // eslint-disable-next-line no-control-regex
  if (clean.length === 0 || clean.length > 64 || /[\u0000-\u001f\u007f]/.test(clean)) {
    throw new PkiError('INVALID_ORGANISATION', 'Raison sociale invalide : texte non vide de 64 caractères au plus attendu.');
  }
  return clean;
}

export function checkEmail(email: string): string {
  if (!/^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$/.test(email) || email.length > 128) {
    throw new PkiError('INVALID_EMAIL', `Adresse électronique invalide « ${email} ».`);
  }
  return email;
}

/** A name as certs/build.ts encodes it: RDNs in encoding order, each `{ C | O | OU | CN | E: [values] }`, values as given (no escaping). */
export type JsonName = Array<Record<string, string[]>>;

export function holderName(parts: { commonName: string; organisation: string; siren: string }): JsonName {
  return [{ C: ['FR'] }, { O: [parts.organisation] }, { OU: [`0002 ${parts.siren}`] }, { CN: [parts.commonName] }];
}

export function engineName(commonName: string): JsonName {
  return [{ C: ['FR'] }, { O: ['Passeport'] }, { CN: [commonName] }];
}
