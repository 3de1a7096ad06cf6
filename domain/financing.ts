/** The financing vocabulary shared by the dossier, the tariffs and the rents. */
export const PRODUCTS = ['credit_bail', 'location_financiere'] as const;
export type Product = (typeof PRODUCTS)[number];

export const DURATIONS_MONTHS = [24, 36, 48, 60] as const;
export type DurationMonths = (typeof DURATIONS_MONTHS)[number];

export const PERIODICITIES = ['monthly', 'quarterly'] as const;
export type Periodicity = (typeof PERIODICITIES)[number];

export const MONTHS_PER_PERIOD: Record<Periodicity, number> = { monthly: 1, quarterly: 3 };

/** Number of rents over a duration. */
export function rentCount(durationMonths: number, periodicity: Periodicity): number {
  return durationMonths / MONTHS_PER_PERIOD[periodicity];
}

/** Crédit-bail keeps a purchase option at 1 % of the amount unless the dossier says otherwise. */
export const DEFAULT_RESIDUAL_VALUE_PERCENT = 1;

/** Residual value that applies: the dossier's for crédit-bail, none for location financière. */
export function effectiveResidualValuePercent(product: Product, residualValuePercent?: number | null): number {
  if (product === 'location_financiere') return 0;
  return residualValuePercent ?? DEFAULT_RESIDUAL_VALUE_PERCENT;
}

/** Percent with at most two decimals → basis points (1.25 % → 125), exact. */
export function percentToBasisPoints(percent: number): number {
  return Math.round(percent * 100);
}

/** True when a percent has at most two decimals (1.25 yes, 1.255 no). */
export function hasAtMostTwoDecimals(percent: number): boolean {
  return Math.abs(percent * 100 - Math.round(percent * 100)) < 1e-9;
}

/** share of an amount in basis points, rounded once to the cent (half away from zero). */
export function applyBasisPoints(amountCents: number, basisPoints: number): number {
  return Math.round((amountCents * basisPoints) / 10_000);
}
