/**
 * The rent schedule of a crédit-bail or location financière: a constant
 * annuity paid in advance (terme à échoir) or in arrears, with a residual
 * value at the end and an optional first-rent increase. Amounts are integer
 * cents: the regular rent is rounded once, then an amortisation table runs in
 * cents and the last rent absorbs the rounding so the table ends exactly on
 * the residual value.
 *
 * First-rent increase ("premier loyer majoré") of X %: the first rent is X % of
 * the financed amount; the other rents are recomputed on what remains to
 * finance. With X = 0 every rent is equal. A small X can make the first rent
 * lower than the others: X is meant as the down payment a bank asks for.
 */
import { PasseportError } from '../errors/index.ts';
import type { IneligibilityCode, Reason } from './codes.ts';
import { addMonths } from './dates.ts';
import {
  MONTHS_PER_PERIOD,
  applyBasisPoints,
  effectiveResidualValuePercent,
  percentToBasisPoints,
  rentCount,
  type DurationMonths,
  type Periodicity,
  type Product,
} from './financing.ts';
import { checkTerms, priceFor, type RentTiming, type TariffGrid } from './tariffs.ts';

export interface QuoteInput {
  amountCents: number;
  product: Product;
  durationMonths: DurationMonths;
  periodicity: Periodicity;
  tariff: TariffGrid;
  firstRentIncreasePercent?: number | undefined;
  /** Crédit-bail only; 1 % when absent. Ignored (0) for location financière. */
  residualValuePercent?: number | undefined;
  /** Paris calendar date the contract starts ('YYYY-MM-DD'); due dates follow from it. */
  startDate: string;
}

export interface ScheduleLine {
  /** 1-based. */
  index: number;
  /** Paris calendar date 'YYYY-MM-DD'. */
  dueDate: string;
  rentCents: number;
  /** Interest accrued since the previous rent (0 for a first rent paid in advance). */
  interestCents: number;
  principalCents: number;
  /** Capital still owed right after this rent. */
  outstandingCents: number;
}

export interface Quote {
  amountCents: number;
  product: Product;
  durationMonths: DurationMonths;
  periodicity: Periodicity;
  timing: RentTiming;
  rentCount: number;
  /** The regular rent (every rent but a raised first one and the rounding-adjusted last one). */
  rentCents: number;
  firstRentCents: number;
  lastRentCents: number;
  firstRentIncreasePercent: number;
  residualValuePercent: number;
  /** Purchase option price at the end (crédit-bail), 0 for location financière. */
  residualValueCents: number;
  /** Periodic rate applied (yearly / 12 or / 4); implied by the coefficient for coefficient grids. */
  periodicRate: number;
  /** Proportional yearly rate in basis points (may be fractional when implied by a coefficient). */
  yearlyRateBasisPoints: number;
  coefficientPpm: number | null;
  /** Sum of the rents. */
  totalCents: number;
  /** Rents plus residual value: what the lessee pays to own the equipment. */
  totalWithResidualValueCents: number;
  /** totalWithResidualValueCents − amountCents. */
  costCents: number;
  schedule: ScheduleLine[];
}

/** Which term of the quote each refusal is about. */
const TERM_OF: Partial<Record<IneligibilityCode, keyof QuoteInput>> = {
  amount_below_minimum: 'amountCents',
  amount_above_maximum: 'amountCents',
  product_not_offered: 'product',
  periodicity_not_offered: 'periodicity',
  duration_not_offered: 'durationMonths',
  first_rent_increase_not_allowed: 'firstRentIncreasePercent',
};

/** Thrown when the terms fall outside the tariff grid; reasons carry French details. */
export class QuoteRefused extends PasseportError<'QUOTE_REFUSED'> {
  constructor(readonly reasons: Reason<IneligibilityCode>[]) {
    super('QUOTE_REFUSED', reasons.map((r) => r.detail).join(' '));
  }

  /** Each reason with the term at fault ('' when it concerns no single term). */
  terms(): { term: string; detail: string }[] {
    return this.reasons.map((r) => ({ term: TERM_OF[r.code] ?? '', detail: r.detail }));
  }
}

/** Time of rent k (1-based) in periods from the start. */
function rentTime(k: number, timing: RentTiming): number {
  return timing === 'advance' ? k - 1 : k;
}

/**
 * The exact (unrounded) regular rent, in cents. With a first rent F, the n−1
 * others are L = (P − F·v^t1 − VR·v^n) / Σ v^tk. Without one this is the
 * textbook annuity L = (P − VR·v^n)·i / ((1 − v^n)(1 + i)) in advance.
 */
export function exactRent(amountCents: number, periodicRate: number, n: number, timing: RentTiming, residualValueCents: number, firstRentCents: number | null): number {
  const v = 1 / (1 + periodicRate);
  let numerator = amountCents - residualValueCents * v ** n;
  let from = 1;
  if (firstRentCents !== null) {
    numerator -= firstRentCents * v ** rentTime(1, timing);
    from = 2;
  }
  let discount = 0;
  for (let k = from; k <= n; k++) discount += v ** rentTime(k, timing);
  return numerator / discount;
}

/** Periodic rate that makes the exact rent equal `rentCents` (bisection; the rent grows with the rate). */
function impliedPeriodicRate(amountCents: number, rentCents: number, n: number, timing: RentTiming, residualValueCents: number): number {
  let low = -0.05;
  let high = 1;
  for (let step = 0; step < 200; step++) {
    const mid = (low + high) / 2;
    if (exactRent(amountCents, mid, n, timing, residualValueCents, null) < rentCents) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}

/**
 * The amortisation table in cents. Interest is rounded per period; the last
 * rent is whatever leaves the capital owed equal to the residual value at
 * the end (in advance: its value discounted one period, the last period's
 * interest bringing it to the residual value).
 */
export function amortise(args: {
  amountCents: number;
  periodicRate: number;
  timing: RentTiming;
  residualValueCents: number;
  /** Nominal rents, n of them; the last one is replaced by the exact balance. */
  rentsCents: number[];
  dueDates: string[];
}): { schedule: ScheduleLine[]; finalInterestCents: number } {
  const { amountCents, periodicRate: i, timing, residualValueCents, rentsCents, dueDates } = args;
  const n = rentsCents.length;
  const schedule: ScheduleLine[] = [];
  let owed = amountCents;
  let pendingInterest = 0;
  const endAfterLastRent = timing === 'advance' ? Math.round(residualValueCents / (1 + i)) : residualValueCents;
  for (let k = 1; k <= n; k++) {
    if (timing === 'arrears') {
      pendingInterest = Math.round(owed * i);
      owed += pendingInterest;
    }
    const rent = k === n ? owed - endAfterLastRent : (rentsCents[k - 1] ?? 0);
    owed -= rent;
    schedule.push({
      index: k,
      dueDate: dueDates[k - 1] ?? '',
      rentCents: rent,
      interestCents: pendingInterest,
      principalCents: rent - pendingInterest,
      outstandingCents: owed,
    });
    if (timing === 'advance' && k < n) {
      pendingInterest = Math.round(owed * i);
      owed += pendingInterest;
    }
  }
  const finalInterestCents = timing === 'advance' ? residualValueCents - owed : 0;
  return { schedule, finalInterestCents };
}

/** Due dates: from the start date, one per period, in advance or in arrears. */
export function dueDates(startDate: string, n: number, periodicity: Periodicity, timing: RentTiming): string[] {
  const months = MONTHS_PER_PERIOD[periodicity];
  return Array.from({ length: n }, (_, j) => addMonths(startDate, rentTime(j + 1, timing) * months));
}

/** The rent schedule for terms within the grid; throws QuoteRefused otherwise. */
export function quote(input: QuoteInput): Quote {
  const reasons = checkTerms(input, input.tariff);
  const price = priceFor(input.tariff, input.durationMonths, input.periodicity);
  if (reasons.length > 0 || price === null) throw new QuoteRefused(reasons);

  const { amountCents, product, durationMonths, periodicity, tariff } = input;
  const { timing } = tariff;
  const n = rentCount(durationMonths, periodicity);
  const periodsPerYear = 12 / MONTHS_PER_PERIOD[periodicity];
  const firstRentIncreasePercent = input.firstRentIncreasePercent ?? 0;
  const residualValuePercent = effectiveResidualValuePercent(product, input.residualValuePercent);
  const residualValueCents = applyBasisPoints(amountCents, percentToBasisPoints(residualValuePercent));
  const raisedFirstRent = firstRentIncreasePercent > 0 ? applyBasisPoints(amountCents, percentToBasisPoints(firstRentIncreasePercent)) : null;

  let periodicRate: number;
  let rentCents: number;
  if (price.pricing === 'rate') {
    periodicRate = price.yearlyRateBasisPoints / 10_000 / periodsPerYear;
    rentCents = Math.round(exactRent(amountCents, periodicRate, n, timing, residualValueCents, raisedFirstRent));
  } else {
    const coefficientRent = Math.round((amountCents * price.coefficientPpm) / 1_000_000);
    periodicRate = impliedPeriodicRate(amountCents, coefficientRent, n, timing, residualValueCents);
    rentCents = raisedFirstRent === null ? coefficientRent : Math.round(exactRent(amountCents, periodicRate, n, timing, residualValueCents, raisedFirstRent));
  }
  if (rentCents <= 0) {
    throw new QuoteRefused([{ code: 'amount_below_minimum', detail: 'Avec ces conditions, les loyers seraient nuls : réduisez la majoration.' }]);
  }

  const rents = Array.from({ length: n }, (_, j) => (j === 0 && raisedFirstRent !== null ? raisedFirstRent : rentCents));
  const { schedule } = amortise({
    amountCents,
    periodicRate,
    timing,
    residualValueCents,
    rentsCents: rents,
    dueDates: dueDates(input.startDate, n, periodicity, timing),
  });
  const totalCents = schedule.reduce((sum, line) => sum + line.rentCents, 0);
  return {
    amountCents,
    product,
    durationMonths,
    periodicity,
    timing,
    rentCount: n,
    rentCents,
    firstRentCents: schedule[0]?.rentCents ?? 0,
    lastRentCents: schedule[n - 1]?.rentCents ?? 0,
    firstRentIncreasePercent,
    residualValuePercent,
    residualValueCents,
    periodicRate,
    yearlyRateBasisPoints: price.pricing === 'rate' ? price.yearlyRateBasisPoints : periodicRate * periodsPerYear * 10_000,
    coefficientPpm: price.pricing === 'coefficient' ? price.coefficientPpm : null,
    totalCents,
    totalWithResidualValueCents: totalCents + residualValueCents,
    costCents: totalCents + residualValueCents - amountCents,
    schedule,
  };
}
