/**
 * The SOFARIS / Bpifrance guarantee rules applied by the guarantor: who is
 * eligible, which share (quotité) is covered, the fee, and whether the bank
 * grants it under its delegation or the guarantor decides case by case.
 */
import { fullMonthsBetween, isWithinMonthsBefore } from './dates.ts';
import { applyBasisPoints, type Product } from './financing.ts';
import { formatEuros } from './tariffs.ts';
import { DEFAULT_GUARANTEE_SECTOR_SETTINGS, guaranteeSectorExclusion, type GuaranteeSectorSettings } from './naf.ts';

/**
 * 'garantie_creation': today's Bpifrance Garantie Création, one quotité for all.
 * 'sofaris': the SOFARIS years, more for creations by natural persons.
 */
export type QuotityRule = { kind: 'garantie_creation'; percent: number } | { kind: 'sofaris'; naturalPersonsPercent: number; otherPercent: number };

export interface GuaranteeSettings {
  quotity: QuotityRule;
  /** Yearly fee on the outstanding capital, basis points (90 = 0.90 %). */
  feeBasisPoints: number;
  /** Companies are eligible while created at most this many months ago. */
  maxCompanyAgeMonths: number;
  products: readonly Product[];
  sectors: GuaranteeSectorSettings;
  /** Cap on a company's guaranteed outstanding (amount covered, all its guaranteed financings). */
  outstandingCapCents: number;
}

export const DEFAULT_GUARANTEE_SETTINGS: GuaranteeSettings = {
  quotity: { kind: 'garantie_creation', percent: 60 },
  feeBasisPoints: 90,
  maxCompanyAgeMonths: 36,
  products: ['credit_bail', 'location_financiere'],
  sectors: DEFAULT_GUARANTEE_SECTOR_SETTINGS,
  outstandingCapCents: 20_000_000,
};

export const SOFARIS_QUOTITY: QuotityRule = { kind: 'sofaris', naturalPersonsPercent: 70, otherPercent: 50 };

export function quotityPercent(rule: QuotityRule, createdByNaturalPersons: boolean): number {
  if (rule.kind === 'garantie_creation') return rule.percent;
  return createdByNaturalPersons ? rule.naturalPersonsPercent : rule.otherPercent;
}

/** The amount covered, in cents, rounded once. */
export function guaranteedAmountCents(amountCents: number, quotity: number): number {
  return applyBasisPoints(amountCents, Math.round(quotity * 100));
}

export type GuaranteeMode = 'delegated' | 'individual';

/** Under (or at) its delegation ceiling the bank grants the guarantee itself. */
export function guaranteeMode(amountCents: number, delegationCeilingCents: number): GuaranteeMode {
  return amountCents <= delegationCeilingCents ? 'delegated' : 'individual';
}

export interface GuaranteeCase {
  amountCents: number;
  product: Product;
  naf: string;
  /** 'YYYY-MM-DD' */
  creationDate: string;
  /** Paris date of the request 'YYYY-MM-DD'. */
  today: string;
  delegationCeilingCents: number;
  /** Founded by natural persons (the 'sofaris' rule covers them more); true unless known otherwise. */
  createdByNaturalPersons?: boolean | undefined;
  turnoverCents?: number | null | undefined;
  /** The company's guaranteed outstanding before this financing, in cents. */
  outstandingCents: number;
}

export type GuaranteeDecision =
  | {
      status: 'granted';
      mode: GuaranteeMode;
      quotityPercent: number;
      feeBasisPoints: number;
      guaranteedAmountCents: number;
    }
  | { status: 'refused'; mode: GuaranteeMode; reasons: string[] };

/** Applies every rule and collects every refusal reason, in plain French. */
export function decideGuarantee(c: GuaranteeCase, settings: GuaranteeSettings = DEFAULT_GUARANTEE_SETTINGS): GuaranteeDecision {
  const mode = guaranteeMode(c.amountCents, c.delegationCeilingCents);
  const quotity = quotityPercent(settings.quotity, c.createdByNaturalPersons ?? true);
  const covered = guaranteedAmountCents(c.amountCents, quotity);
  const reasons: string[] = [];
  if (c.creationDate > c.today || !isWithinMonthsBefore(c.creationDate, c.today, settings.maxCompanyAgeMonths)) {
    reasons.push(`La garantie est réservée aux entreprises créées depuis moins de ${settings.maxCompanyAgeMonths / 12} ans (création le ${frenchDate(c.creationDate)}).`);
  }
  if (!settings.products.includes(c.product)) {
    reasons.push("Ce type de financement n'est pas couvert par la garantie.");
  }
  const sector = guaranteeSectorExclusion(c.naf, settings.sectors, c.turnoverCents);
  if (sector) reasons.push(sector);
  if (c.outstandingCents + covered > settings.outstandingCapCents) {
    reasons.push(
      `L'encours garanti de l'entreprise dépasserait le plafond de ${formatEuros(settings.outstandingCapCents)} ` +
        `(déjà garanti : ${formatEuros(c.outstandingCents)}, demandé : ${formatEuros(covered)}).`,
    );
  }
  if (reasons.length > 0) return { status: 'refused', mode, reasons };
  return { status: 'granted', mode, quotityPercent: quotity, feeBasisPoints: settings.feeBasisPoints, guaranteedAmountCents: covered };
}

/** '2024-03-05' → '05/03/2024', the way dates are read in France. */
export function frenchDate(date: string): string {
  const [y, m, d] = date.split('-');
  return `${d}/${m}/${y}`;
}

/** Yearly fee on an outstanding capital for one period of `months`, rounded once. */
export function guaranteeFeeCents(outstandingCents: number, feeBasisPoints: number, months: number): number {
  return Math.round((outstandingCents * feeBasisPoints * months) / (10_000 * 12));
}

/**
 * What remains guaranteed of a financing at `today`: the guaranteed amount
 * runs down straight-line over the duration, month by month from its start.
 */
export function remainingGuaranteedCents(guaranteedCents: number, startsOn: string, durationMonths: number, today: string): number {
  const elapsed = Math.max(0, fullMonthsBetween(startsOn, today));
  const remaining = Math.max(0, durationMonths - elapsed);
  return Math.round((guaranteedCents * remaining) / durationMonths);
}
