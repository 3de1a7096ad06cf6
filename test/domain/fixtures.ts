import type { DossierInput } from '../../domain/dossier.ts';

/** A complete valid dossier; tests override what they check. */
export function validDossierInput(): DossierInput {
  return {
    resellerId: 'LBL-0042',
    bankId: 'banque-alpha',
    company: {
      siren: '732829320',
      legalName: 'Atelier Numérique Dupont',
      legalForm: 'SARL',
      naf: '62.02A',
      creationDate: '2025-03-15',
      postcode: '69003',
      city: 'Lyon',
    },
    dirigeant: {
      firstName: 'Marie',
      lastName: 'Dupont',
      birthDate: '1985-06-02',
      email: 'marie.dupont@example.fr',
      mobile: '06 12 34 56 78',
    },
    passportNumber: 'PPN-2025-000777',
    equipment: [
      { description: 'Poste de travail complet', category: 'poste_de_travail', quantity: 2, unitPriceCents: 89_900 },
      { description: 'Référent TIC (1 an)', category: 'services', quantity: 1, unitPriceCents: 150_000 },
    ],
    financing: { product: 'credit_bail', durationMonths: 36, periodicity: 'monthly' },
    consent: true,
  };
}
