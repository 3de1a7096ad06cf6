/** Demo-consistent dossiers for tests of the activities and the API (see db/seed.ts). */
import type { DossierInput } from '../../domain/dossier.ts';
import { addMonths, parisDateOf } from '../../domain/dates.ts';
import { DEMO } from '../../db/seed.ts';

export type DossierOverrides = {
  [K in keyof DossierInput]?: DossierInput[K] extends object ? Partial<DossierInput[K]> : DossierInput[K];
};

/** A dossier the demo data approves by default: 10 000 € HT, 36 months, BPALPES, six-module passport. */
export function demoDossier(overrides: DossierOverrides = {}): DossierInput {
  const today = parisDateOf(new Date());
  const base: DossierInput = {
    resellerId: DEMO.resellers.grenoble,
    bankId: DEMO.banks.alpes,
    company: {
      siren: DEMO.passports.sixModules.siren,
      legalName: 'Atelier Numérique du Vercors',
      legalForm: 'SARL',
      naf: '62.02A',
      creationDate: addMonths(today, -10),
      postcode: '38250',
      city: 'Villard-de-Lans',
    },
    dirigeant: {
      firstName: 'Camille',
      lastName: 'Rousseau',
      birthDate: '1988-05-17',
      email: 'camille.rousseau@example.fr',
      mobile: '06 12 34 56 78',
    },
    passportNumber: DEMO.passports.sixModules.number,
    equipment: [
      { description: 'Poste de travail fixe', category: 'poste_de_travail', quantity: 2, unitPriceCents: 120_000 },
      { description: 'Serveur de fichiers', category: 'serveur', quantity: 1, unitPriceCents: 260_000 },
      { description: 'Référent TIC (un an)', category: 'services', quantity: 1, unitPriceCents: 150_000 },
      { description: 'Pack certificat, signature et coffre-fort', category: 'dematerialisation', quantity: 1, unitPriceCents: 350_000 },
    ],
    financing: { product: 'credit_bail', durationMonths: 36, periodicity: 'monthly', firstRentIncreasePercent: 0, residualValuePercent: 1 },
    consent: true,
  };
  return {
    ...base,
    ...overrides,
    company: { ...base.company, ...overrides.company },
    dirigeant: { ...base.dirigeant, ...overrides.dirigeant },
    financing: { ...base.financing, ...overrides.financing } as DossierInput['financing'],
    equipment: (overrides.equipment as DossierInput['equipment'] | undefined) ?? base.equipment,
  };
}
