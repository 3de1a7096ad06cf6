/**
 * A bank's tariff grid, set per protocol: either a yearly rate per duration
 * or a rent coefficient per duration and periodicity, the amount bounds and
 * what the bank offers. Stored as JSON in the protocol's policy.
 */
import { z } from 'zod';
import type { IneligibilityCode, Reason } from './codes.ts';
import { DURATIONS_MONTHS, PERIODICITIES, PRODUCTS, type DurationMonths, type Periodicity, type Product } from './financing.ts';

export const RENT_TIMINGS = ['advance', 'arrears'] as const;
/** advance = terme à échoir (the usual leasing case), arrears = terme échu. */
export type RentTiming = (typeof RENT_TIMINGS)[number];

const duration = z.literal(DURATIONS_MONTHS);
const cents = z.number().int().min(0).max(10_000_000_000);

const common = {
  minAmountCents: cents,
  maxAmountCents: cents,
  products: z.array(z.enum(PRODUCTS)).min(1),
  periodicities: z.array(z.enum(PERIODICITIES)).min(1).default(['monthly', 'quarterly']),
  timing: z.enum(RENT_TIMINGS).default('advance'),
  firstRentIncreaseAllowed: z.boolean().default(true),
};

export const RateLineSchema = z.strictObject({
  durationMonths: duration,
  /** 600 = 6.00 % a year, proportional periodic rate (yearly / 12 or / 4). */
  yearlyRateBasisPoints: z.number().int().min(0).max(5_000),
});

export const CoefficientLineSchema = z.strictObject({
  durationMonths: duration,
  periodicity: z.enum(PERIODICITIES),
  /** Rent = amount × coefficient; parts per million: 29 500 = 2.95 % of the amount per rent. */
  coefficientPpm: z.number().int().min(1).max(1_000_000),
});

export const TariffGridSchema = z
  .discriminatedUnion('pricing', [
    z.strictObject({ pricing: z.literal('rate'), rates: z.array(RateLineSchema).min(1), ...common }),
    z.strictObject({ pricing: z.literal('coefficient'), coefficients: z.array(CoefficientLineSchema).min(1), ...common }),
  ])
  .refine((t) => t.minAmountCents <= t.maxAmountCents, { message: 'Montant minimum supérieur au maximum', path: ['minAmountCents'] });

export type TariffGrid = z.infer<typeof TariffGridSchema>;
export type TariffGridInput = z.input<typeof TariffGridSchema>;
export type RateLine = z.infer<typeof RateLineSchema>;
export type CoefficientLine = z.infer<typeof CoefficientLineSchema>;

export interface FinancingTerms {
  amountCents: number;
  product: Product;
  durationMonths: DurationMonths;
  periodicity: Periodicity;
  firstRentIncreasePercent?: number | undefined;
}

/** The price that applies to these terms, or null when the grid has no line for them. */
export type TariffPrice = { pricing: 'rate'; yearlyRateBasisPoints: number } | { pricing: 'coefficient'; coefficientPpm: number };

export function priceFor(tariff: TariffGrid, durationMonths: number, periodicity: Periodicity): TariffPrice | null {
  if (tariff.pricing === 'rate') {
    const line = tariff.rates.find((r) => r.durationMonths === durationMonths);
    return line ? { pricing: 'rate', yearlyRateBasisPoints: line.yearlyRateBasisPoints } : null;
  }
  const line = tariff.coefficients.find((c) => c.durationMonths === durationMonths && c.periodicity === periodicity);
  return line ? { pricing: 'coefficient', coefficientPpm: line.coefficientPpm } : null;
}

/** Durations the grid offers for a periodicity, ascending. */
export function offeredDurations(tariff: TariffGrid, periodicity: Periodicity): number[] {
  const all = tariff.pricing === 'rate' ? tariff.rates.map((r) => r.durationMonths) : tariff.coefficients.filter((c) => c.periodicity === periodicity).map((c) => c.durationMonths);
  return [...new Set(all)].sort((a, b) => a - b);
}

/** "12 345,67 €" — French formatting with a plain space, deterministic. */
export function formatEuros(amountCents: number): string {
  const sign = amountCents < 0 ? '-' : '';
  const abs = Math.abs(amountCents);
  const euros = Math.floor(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  return `${sign}${euros},${String(abs % 100).padStart(2, '0')} €`;
}

const PRODUCT_LABELS: Record<Product, string> = {
  credit_bail: 'le crédit-bail',
  location_financiere: 'la location financière',
};
const PERIODICITY_LABELS: Record<Periodicity, string> = { monthly: 'mensuels', quarterly: 'trimestriels' };

/** Every way the terms fall outside the grid, each with a plain French detail. */
export function checkTerms(terms: FinancingTerms, tariff: TariffGrid): Reason<IneligibilityCode>[] {
  const reasons: Reason<IneligibilityCode>[] = [];
  if (terms.amountCents < tariff.minAmountCents) {
    reasons.push({
      code: 'amount_below_minimum',
      detail: `Le montant de ${formatEuros(terms.amountCents)} HT est inférieur au minimum de la banque (${formatEuros(tariff.minAmountCents)} HT).`,
    });
  } else if (terms.amountCents <= 0) {
    reasons.push({ code: 'amount_below_minimum', detail: 'Le montant à financer doit être positif.' });
  }
  if (terms.amountCents > tariff.maxAmountCents) {
    reasons.push({
      code: 'amount_above_maximum',
      detail: `Le montant de ${formatEuros(terms.amountCents)} HT dépasse le maximum de la banque (${formatEuros(tariff.maxAmountCents)} HT).`,
    });
  }
  if (!tariff.products.includes(terms.product)) {
    reasons.push({ code: 'product_not_offered', detail: `La banque ne propose pas ${PRODUCT_LABELS[terms.product]}.` });
  }
  if (!tariff.periodicities.includes(terms.periodicity)) {
    reasons.push({
      code: 'periodicity_not_offered',
      detail: `La banque ne propose pas de loyers ${PERIODICITY_LABELS[terms.periodicity]}.`,
    });
  } else if (priceFor(tariff, terms.durationMonths, terms.periodicity) === null) {
    const offered = offeredDurations(tariff, terms.periodicity);
    reasons.push({
      code: 'duration_not_offered',
      detail: `La banque ne propose pas de durée de ${terms.durationMonths} mois` + (offered.length > 0 ? ` (durées proposées : ${offered.join(', ')} mois).` : '.'),
    });
  }
  if ((terms.firstRentIncreasePercent ?? 0) > 0 && !tariff.firstRentIncreaseAllowed) {
    reasons.push({
      code: 'first_rent_increase_not_allowed',
      detail: "La banque n'accepte pas de premier loyer majoré : indiquez 0 %.",
    });
  }
  return reasons;
}
