/**
 * Why the ceremony refuses a message before it enters history: not this
 * party's turn, already signed, a signature already being applied, the offer
 * lapsed, a preparation unknown or already used, a certificate that expired
 * since it was checked, a decline without a reason. Pure and deterministic:
 * the workflow's validators call these with its own state and clock.
 */
import {
  DECLINE_REASON_MAX,
  PARTY_LABEL,
  PARTY_OF,
  PARTY_TO,
  isParty,
  rgsStars,
  type CeremonyStage,
  type Party,
  type RequiredLevels,
  type SigningRefusal,
} from '../domain/ceremony.ts';
import type { RgsLevel } from '../domain/policy.ts';
import { parisDateTimeLabel } from '../domain/schedule-deadlines.ts';
import { unstorableTextReason } from '../domain/text.ts';

export interface PreparedFacts {
  party: Party;
  rgsLevel: RgsLevel;
  /** The certificate's notAfter, ISO. */
  notAfter: string;
}

export interface CeremonyState {
  stage: CeremonyStage;
  /** ISO instant the offer lapses. */
  lapsesAt: string;
  levels: RequiredLevels | null;
  signedAt: Partial<Record<Party, string>>;
  inFlight: Party | null;
  preparations: Record<string, PreparedFacts>;
  used: string[];
  declinedBy: Party | null;
}

export interface Refusal {
  code: SigningRefusal;
  message: string;
}

const capital = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** Whether `party` may act on the contract now (prepare, sign, countersign). */
export function turnRefusal(state: CeremonyState, party: Party, nowMs: number): Refusal | null {
  if (!isParty(party)) return { code: 'wrong_party', message: 'Partie inconnue : createur, revendeur ou banque.' };
  const closed = closedRefusal(state, party, nowMs);
  if (closed) return closed;
  const signedAt = state.signedAt[party];
  if (signedAt)
    return {
      code: 'already_signed',
      message: `${capital(PARTY_LABEL[party])} a déjà signé ce contrat, le ${parisDateTimeLabel(signedAt)} : une signature ne s’applique qu’une fois.`,
    };
  if (state.inFlight) {
    return { code: 'signature_in_progress', message: `La signature ${PARTY_OF[state.inFlight]} est en cours d’enregistrement : réessayez dans quelques instants.` };
  }
  const turn = state.stage.startsWith('awaiting_') ? (state.stage.slice('awaiting_'.length) as Party) : null;
  if (turn !== party) {
    return {
      code: 'not_your_turn',
      message: turn
        ? `Ce n’est pas ${PARTY_TO[party]} de signer maintenant : le contrat attend d’abord la signature ${PARTY_OF[turn]}.`
        : 'Le contrat n’est pas encore prêt à être signé.',
    };
  }
  return null;
}

/** A ceremony that no longer takes signatures, or not yet. */
function closedRefusal(state: CeremonyState, party: Party, nowMs: number): Refusal | null {
  switch (state.stage) {
    case 'letter_sealed':
      return { code: 'ceremony_closed', message: 'La demande de financement a été refusée : il n’y a pas de contrat à signer.' };
    case 'declined':
      return { code: 'ceremony_closed', message: `La signature de ce contrat a été refusée par ${PARTY_LABEL[state.declinedBy ?? party]} : le contrat ne se formera pas.` };
    case 'lapsed':
      return { code: 'offer_lapsed', message: `L’offre a expiré le ${parisDateTimeLabel(state.lapsesAt)} sans les trois signatures : elle ne peut plus être signée.` };
    case 'finalising':
    case 'signed':
      return state.signedAt[party]
        ? { code: 'already_signed', message: `${capital(PARTY_LABEL[party])} a déjà signé ce contrat : une signature ne s’applique qu’une fois.` }
        : { code: 'ceremony_closed', message: 'Le contrat est déjà signé par les trois parties.' };
    default:
      if (nowMs >= Date.parse(state.lapsesAt)) {
        return { code: 'offer_lapsed', message: `L’offre a expiré le ${parisDateTimeLabel(state.lapsesAt)} : elle ne peut plus être signée.` };
      }
      return null;
  }
}

export interface SignMessage {
  party: Party;
  preparationId: string;
  signatureValue: string;
}

/** A base64 signature value: RSA 4096 is 512 bytes, ECDSA P-521 DER about 140. */
const SIGNATURE_VALUE = /^[A-Za-z0-9+/]{40,1400}={0,2}$/;

export function signRefusal(state: CeremonyState, message: SignMessage, nowMs: number): Refusal | null {
  const turn = turnRefusal(state, message.party, nowMs);
  if (turn) return turn;
  const prepared = state.preparations[message.preparationId];
  if (!prepared || prepared.party !== message.party) {
    return { code: 'unknown_preparation', message: 'Ces données à signer n’ont pas été préparées pour vous sur ce contrat : demandez-en de nouvelles.' };
  }
  if (state.used.includes(message.preparationId)) {
    return { code: 'preparation_used', message: 'Ces données à signer ont déjà servi : une signature ne s’applique qu’une fois.' };
  }
  if (Date.parse(prepared.notAfter) < nowMs) {
    return { code: 'certificate_expired', message: `Le certificat de cette préparation a expiré le ${parisDateTimeLabel(prepared.notAfter)}.` };
  }
  const required = state.levels?.[message.party];
  if (required && prepared.rgsLevel < required) {
    return {
      code: 'level_too_low',
      message: `Ce contrat demande une signature de niveau ${rgsStars(required)} au moins ; ce certificat est de niveau ${rgsStars(prepared.rgsLevel)}.`,
    };
  }
  if (typeof message.signatureValue !== 'string' || !SIGNATURE_VALUE.test(message.signatureValue)) {
    return { code: 'signature_invalid', message: 'La valeur de signature est absente ou mal formée (base64 attendu).' };
  }
  return null;
}

/** Any party that has not signed may decline while the contract waits for signatures, with a reason. */
export function declineRefusal(state: CeremonyState, message: { party: Party; reason: string }, nowMs: number): Refusal | null {
  if (!isParty(message.party)) return { code: 'wrong_party', message: 'Partie inconnue : createur, revendeur ou banque.' };
  const closed = closedRefusal(state, message.party, nowMs);
  if (closed) return closed;
  if (!state.stage.startsWith('awaiting_')) return { code: 'not_your_turn', message: 'Le contrat n’est pas encore prêt : il ne peut pas encore être refusé.' };
  if (state.signedAt[message.party]) {
    return { code: 'already_signed', message: `${capital(PARTY_LABEL[message.party])} a déjà signé ce contrat : sa signature ne peut plus être retirée.` };
  }
  const reason = typeof message.reason === 'string' ? message.reason.trim() : '';
  const unstorable = typeof message.reason === 'string' ? unstorableTextReason(message.reason) : null;
  if (reason === '' || reason.length > DECLINE_REASON_MAX || unstorable) {
    return {
      code: 'decline_reason_invalid',
      message: unstorable
        ? `Le motif ne peut pas être enregistré : ${unstorable}.`
        : `Dites en quelques mots pourquoi vous refusez de signer (${DECLINE_REASON_MAX} caractères au plus).`,
    };
  }
  return null;
}
