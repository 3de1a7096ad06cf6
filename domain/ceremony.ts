/**
 * The signing ceremony's vocabulary and rules (domain.md « The contract »,
 * « Signature levels »): who signs, in which order, at which RGS level, how
 * long the offer holds, and every reason a signature is refused. Pure: the
 * workflow, the activities and the API share it.
 */
import { addDays, addSecondsToInstant, parisDateOf } from './dates.ts';
import { requiredRgsLevel, type RequiredRgsLevels, type RgsLevel } from './policy.ts';

/** The parties in signing order: the créateur (preneur), the revendeur (fournisseur), the bank (bailleur) last. */
export const SIGNING_ORDER = ['createur', 'revendeur', 'banque'] as const;
export type Party = (typeof SIGNING_ORDER)[number];

export function isParty(value: unknown): value is Party {
  return (SIGNING_ORDER as readonly unknown[]).includes(value);
}

/** How the documents and messages name each party: « le preneur (créateur) ». */
export const PARTY_LABEL: Record<Party, string> = {
  createur: 'le preneur (créateur)',
  revendeur: 'le fournisseur (revendeur)',
  banque: 'la banque (bailleur)',
};
/** After « de » and « à », French contracts the article: « du preneur », « au fournisseur », « de la banque ». */
export const PARTY_OF: Record<Party, string> = {
  createur: 'du preneur (créateur)',
  revendeur: 'du fournisseur (revendeur)',
  banque: 'de la banque (bailleur)',
};
export const PARTY_TO: Record<Party, string> = {
  createur: 'au preneur (créateur)',
  revendeur: 'au fournisseur (revendeur)',
  banque: 'à la banque (bailleur)',
};

/** The API role that acts for each party. */
export const PARTY_ROLE = { createur: 'creator', revendeur: 'reseller', banque: 'bank' } as const;

export const CEREMONY_STAGES = [
  'sealing_letter',
  'letter_sealed', // a refusal: the sealed letter is the end
  'writing_contract',
  'awaiting_createur',
  'awaiting_revendeur',
  'awaiting_banque',
  'finalising', // B-LT, B-LTA, validation, evidence, archive
  'signed',
  'declined',
  'lapsed',
] as const;
export type CeremonyStage = (typeof CEREMONY_STAGES)[number];

export function awaiting(party: Party): CeremonyStage {
  return `awaiting_${party}`;
}

/** Configuration the workflow receives as input: tests run the 30 days in seconds. */
export interface CeremonySettings {
  /** From the decision to the offer's lapse. */
  offerSeconds: number;
  /** Reminders to whoever's turn it is, counted from the decision. */
  reminderOffsetsSeconds: number[];
}

export const DEFAULT_CEREMONY_SETTINGS: CeremonySettings = {
  offerSeconds: 30 * 86_400,
  reminderOffsetsSeconds: [7 * 86_400, 21 * 86_400, 28 * 86_400],
};

export type RequiredLevels = Record<Party, RgsLevel>;

/** The level each party must sign at for this amount excl. VAT, under the bank's protocol. */
export function requiredLevels(levels: RequiredRgsLevels, amountCents: number): RequiredLevels {
  return {
    createur: requiredRgsLevel(levels, 'createur', amountCents),
    revendeur: requiredRgsLevel(levels, 'revendeur', amountCents),
    banque: requiredRgsLevel(levels, 'bank', amountCents),
  };
}

export function rgsStars(level: RgsLevel): string {
  return `RGS ${'*'.repeat(level)}`;
}

/**
 * When the offer lapses. A whole number of days runs to the end of the last
 * Paris day (the letter says « jusqu'au … inclus »); shorter offers (tests)
 * lapse at their exact instant.
 */
export function offerTerm(decidedAt: string, offerSeconds: number): { expiresOn: string; lapsesAt: string } {
  if (offerSeconds % 86_400 !== 0) {
    const lapsesAt = addSecondsToInstant(decidedAt, offerSeconds);
    return { expiresOn: parisDateOf(lapsesAt), lapsesAt };
  }
  const expiresOn = addDays(parisDateOf(decidedAt), offerSeconds / 86_400);
  return { expiresOn, lapsesAt: parisMidnightAfter(expiresOn) };
}

/** The instant a Paris calendar day ends (the next day's 00:00 in Paris). */
function parisMidnightAfter(date: string): string {
  const next = addDays(date, 1);
  const utcMidnight = Date.parse(`${next}T00:00:00Z`);
  // Paris is UTC+1 or UTC+2: the first of these whose Paris date is `next` is its midnight.
  for (const hours of [2, 1]) {
    const candidate = new Date(utcMidnight - hours * 3_600_000);
    if (parisDateOf(candidate) === next) return candidate.toISOString();
  }
  return new Date(utcMidnight).toISOString();
}

/** The first rent falls on the first day of the month after the decision (Paris). */
export function contractStartDate(decidedAt: string): string {
  const [year, month] = parisDateOf(decidedAt).split('-').map(Number) as [number, number];
  return month === 12 ? `${year + 1}-01-01` : `${year}-${String(month + 1).padStart(2, '0')}-01`;
}

/** « CB-2026-… » for a crédit-bail, « LF-… » for a location financière; stable per dossier. */
export function contractNumber(product: 'credit_bail' | 'location_financiere', decidedAt: string, dossierId: string): string {
  const prefix = product === 'credit_bail' ? 'CB' : 'LF';
  return `${prefix}-${decidedAt.slice(0, 4)}-${dossierId.replace(/-/g, '').slice(0, 10).toUpperCase()}`;
}

/** Why the engine refuses a signature step: stable codes callers branch on. */
export const SIGNING_REFUSALS = [
  'not_your_turn',
  'already_signed',
  'signature_in_progress',
  'ceremony_closed',
  'offer_lapsed',
  'unknown_preparation',
  'preparation_used',
  'document_changed',
  'wrong_party',
  'signatory_unknown',
  'name_mismatch',
  'siren_mismatch',
  'level_too_low',
  'certificate_expired',
  'certificate_not_yet_valid',
  'certificate_revoked',
  'certificate_untrusted',
  'certificate_unusable',
  'signature_invalid',
  'decline_reason_invalid',
  'seal_unavailable',
] as const;
export type SigningRefusal = (typeof SIGNING_REFUSALS)[number];

export function isSigningRefusal(value: unknown): value is SigningRefusal {
  return (SIGNING_REFUSALS as readonly unknown[]).includes(value);
}

/** A decline's reason: said in words, short enough to print. */
export const DECLINE_REASON_MAX = 1000;
