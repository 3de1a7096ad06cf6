import { DossierSchema, MAX_EQUIPMENT_LINES, totalAmountCents, type Dossier, type DossierInput } from '../../../domain/dossier.ts';
import type { DurationMonths } from '../../../domain/financing.ts';
import { quote, type Quote } from '../../../domain/rents.ts';
import { TariffGridSchema } from '../../../domain/tariffs.ts';
import type { ContractInput, DecisionLetterInput, DossierSummaryInput, GuaranteeTerms, Organisation } from '../../../documents/index.ts';

export const NOW = '2026-03-05T13:05:00Z'; // 14 h 05 in Paris (winter time)
export const RECEIVED_AT = '2026-03-05T09:30:00Z';

export const BANK: Organisation = { name: 'Banque Populaire des Alpes', siren: '605520071', postcode: '38000', city: 'Grenoble', signatory: 'Claire Fabre, chargée d’affaires' };
export const RESELLER: Organisation = {
  name: 'Informatique Services du Vercors',
  siren: '732829320',
  postcode: '38250',
  city: 'Villard-de-Lans',
  signatory: 'Paul Girard, gérant',
};

export const TARIFF = TariffGridSchema.parse({
  pricing: 'rate',
  rates: ([24, 36, 48, 60] as const).map((durationMonths) => ({ durationMonths, yearlyRateBasisPoints: 600 })),
  minAmountCents: 100_000,
  maxAmountCents: 50_000_000,
  products: ['credit_bail', 'location_financiere'],
});

export function dossierOf(input: DossierInput): Dossier {
  return DossierSchema.parse(input);
}

export function typicalDossier(overrides: Partial<DossierInput['financing']> = {}): Dossier {
  return dossierOf({
    resellerId: 'RA-2026-0001',
    bankId: 'BPALPES',
    company: {
      siren: '912345675',
      legalName: 'Atelier Numérique du Vercors',
      legalForm: 'SARL',
      naf: '62.02A',
      creationDate: '2025-09-01',
      postcode: '38250',
      city: 'Villard-de-Lans',
    },
    dirigeant: { firstName: 'Camille', lastName: 'Rousseau', birthDate: '1988-05-17', email: 'camille.rousseau@example.fr', mobile: '06 12 34 56 78' },
    passportNumber: 'PEN-2025-000101',
    equipment: [
      { description: 'Poste de travail fixe', category: 'poste_de_travail', quantity: 2, unitPriceCents: 120_000 },
      { description: 'Imprimante multifonction couleur', category: 'impression_numerisation', quantity: 1, unitPriceCents: 45_990 },
      { description: 'Référent TIC (un an)', category: 'services', quantity: 1, unitPriceCents: 150_000 },
    ],
    financing: { product: 'credit_bail', durationMonths: 36, periodicity: 'monthly', residualValuePercent: 1, ...overrides },
    consent: true,
  });
}

/** `length` characters of ordinary French words (spaces included), ending on a letter. */
export function frenchText(length: number, seed = 0): string {
  const words = 'équipement installé chez le créateur avec paramétrage complet, formation à l’utilisation, garantie œuvre et maintenance sur site pendant trois années'.split(' ');
  let text = '';
  for (let i = seed; text.length < length; i++) text += (text ? ' ' : '') + words[i % words.length];
  return text.slice(0, length).trimEnd().padEnd(length, 'é');
}

/**
 * The largest valid dossier: 12 equipment lines, every text at its maximum
 * length. `widest` fills them with 'W' (the widest letter) and no space at all.
 */
export function largestDossier(widest = false): Dossier {
  const text = (length: number, seed = 0) => (widest ? 'W'.repeat(length) : frenchText(length, seed));
  const local = widest ? 'W'.repeat(64) : frenchText(64).replace(/[^a-z]/g, 'x');
  const domain = (widest ? 'W'.repeat(185) : frenchText(185).replace(/[^a-z]/g, 'x')) + '.fr';
  return dossierOf({
    resellerId: text(40, 1),
    bankId: text(40, 2),
    company: { siren: '912345675', legalName: text(120, 3), legalForm: text(60, 4), naf: '62.02A', creationDate: '2025-09-01', postcode: '38250', city: text(80, 5) },
    dirigeant: { firstName: text(60, 6), lastName: text(60, 7), birthDate: '1988-05-17', email: `${local}@${domain}`, mobile: '+33 6 12 34 56 78' },
    passportNumber: text(40, 8),
    equipment: Array.from({ length: MAX_EQUIPMENT_LINES }, (_, i) => ({
      description: text(200, i),
      category: 'impression_numerisation' as const,
      quantity: 10_000,
      unitPriceCents: 99_999_999,
    })),
    financing: { product: 'credit_bail', durationMonths: 60, periodicity: 'monthly', firstRentIncreasePercent: 12.5, residualValuePercent: 12.25 },
    consent: true,
  });
}

export function quoteFor(dossier: Dossier, terms: { amountCents?: number; durationMonths?: DurationMonths } = {}, startDate = '2026-04-01'): Quote {
  return quote({
    amountCents: terms.amountCents ?? totalAmountCents(dossier),
    product: dossier.financing.product,
    durationMonths: terms.durationMonths ?? dossier.financing.durationMonths,
    periodicity: dossier.financing.periodicity,
    firstRentIncreasePercent: dossier.financing.firstRentIncreasePercent,
    residualValuePercent: dossier.financing.residualValuePercent,
    tariff: TARIFF,
    startDate,
  });
}

export function guaranteeFor(q: Quote): GuaranteeTerms {
  return { reference: 'SOF-2026-000042', quotityPercent: 60, guaranteedAmountCents: Math.round(q.amountCents * 0.6), feeBasisPoints: 90 };
}

export function summaryInput(dossier = typicalDossier(), withQuote = true): DossierSummaryInput {
  return {
    dossierId: 'd6f1c0de-2026-4a5b-9c3d-000000000101',
    dossier,
    receivedAt: RECEIVED_AT,
    resellerName: RESELLER.name,
    bankName: BANK.name,
    ...(withQuote ? { quote: quoteFor(dossier) } : {}),
  };
}

export function approvalLetter(
  dossier = typicalDossier(),
  conditions?: { amountCents?: number; durationMonths?: DurationMonths; depositCents?: number; text?: string },
): DecisionLetterInput {
  const q = quoteFor(dossier, conditions ?? {});
  return {
    dossierId: 'd6f1c0de-2026-4a5b-9c3d-000000000101',
    dossier,
    bank: BANK,
    reseller: RESELLER,
    decision: {
      outcome: 'approved',
      decidedBy: conditions ? 'analyst' : 'rule',
      decidedAt: '2026-03-05T09:30:02Z',
      ...(conditions ? { conditions } : {}),
      guarantee: guaranteeFor(q),
      quote: q,
      offerExpiresOn: '2026-04-04',
    },
  };
}

export function contractInput(dossier = typicalDossier(), extra: Partial<ContractInput> = {}): ContractInput {
  const q = extra.quote ?? quoteFor(dossier);
  return {
    contractNumber: 'CB-2026-000101',
    dossierId: 'd6f1c0de-2026-4a5b-9c3d-000000000101',
    dossier,
    bank: BANK,
    reseller: RESELLER,
    quote: q,
    guarantee: guaranteeFor(q),
    offerExpiresOn: '2026-04-04',
    ...extra,
  };
}
