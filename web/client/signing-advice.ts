/**
 * What a signer should do after each refusal of the signing API
 * (docs/ceremony.md), in plain words: shown under the engine's own French
 * detail, next to the signing form. One line per refusal code of the domain.
 */
import type { SigningRefusal } from '../../domain/ceremony.ts';

export const SIGNING_ADVICE: Record<SigningRefusal, string> = {
  wrong_party: 'Vous ne pouvez signer que pour vous-même.',
  not_your_turn: 'Attendez que la partie précédente ait signé, puis rechargez la page.',
  already_signed: 'Votre signature est déjà enregistrée : rechargez la page.',
  signature_in_progress: 'Une signature est en cours d’enregistrement : patientez quelques secondes et rechargez la page.',
  ceremony_closed: 'La signature de ce contrat est terminée : rechargez la page pour voir pourquoi.',
  preparation_used: 'Cette préparation a déjà servi : recommencez en ouvrant à nouveau votre certificat.',
  document_changed: 'Le contrat a changé entre-temps : rechargez la page et recommencez.',
  offer_lapsed: 'L’offre a expiré : le contrat ne peut plus être signé. Parlez-en à votre revendeur.',
  unknown_preparation: 'Recommencez en ouvrant à nouveau votre certificat.',
  signatory_unknown: 'Votre organisation n’a pas déclaré de signataire : prévenez l’opérateur du programme.',
  name_mismatch: 'Utilisez le certificat établi à votre nom.',
  siren_mismatch: 'Utilisez le certificat établi pour votre entreprise (son SIREN).',
  level_too_low: 'Demandez à votre autorité de certification un certificat du niveau exigé, ou signez avec votre clé USB.',
  certificate_expired: 'Demandez un nouveau certificat à votre autorité de certification.',
  certificate_not_yet_valid: 'Ce certificat n’est pas encore valable : réessayez à sa date de début, ou vérifiez l’heure de votre ordinateur.',
  certificate_revoked: 'Ce certificat a été révoqué : demandez-en un nouveau à votre autorité de certification.',
  certificate_untrusted: 'Ce certificat ne vient pas d’une autorité reconnue par la plateforme.',
  certificate_unusable: 'Ce certificat ne permet pas de signer un contrat : demandez un certificat de signature.',
  decline_reason_invalid: 'Dites en quelques mots pourquoi vous refusez de signer (1 000 caractères au plus).',
  signature_invalid: 'La signature ne correspond pas au document : recommencez ; si cela se répète, prévenez votre revendeur.',
  seal_unavailable: 'Le service de signature est momentanément indisponible : réessayez dans quelques minutes.',
};

export function adviceFor(code: string | undefined): string | undefined {
  return code && Object.hasOwn(SIGNING_ADVICE, code) ? SIGNING_ADVICE[code as SigningRefusal] : undefined;
}
