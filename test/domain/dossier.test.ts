import { describe, expect, it } from 'vitest';
import { DossierSchema, totalAmountCents, validateDossierAt, type DossierValidation } from '../../domain/dossier.ts';
import { validDossierInput } from './fixtures.ts';

const TODAY = '2026-11-24';

function errorsOf(v: DossierValidation) {
  if (v.ok) throw new Error('expected a refusal');
  return v.errors;
}

describe('dossier schema', () => {
  it('accepts a complete dossier and fills the first-rent increase default', () => {
    const v = validateDossierAt(validDossierInput(), TODAY);
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    expect(v.dossier.financing.firstRentIncreasePercent).toBe(0);
    expect(v.dossier.financing.residualValuePercent).toBeUndefined();
    expect(totalAmountCents(v.dossier)).toBe(2 * 89_900 + 150_000);
  });

  it('refuses unknown fields at every level, naming them in French', () => {
    const input = validDossierInput() as Record<string, unknown>;
    input.extra = 1;
    (input.company as Record<string, unknown>).capital = 1000;
    ((input.equipment as Record<string, unknown>[])[0] as Record<string, unknown>).vat = 20;
    (input.financing as Record<string, unknown>).rate = 5;
    (input.dirigeant as Record<string, unknown>).nickname = 'M';
    const errors = errorsOf(validateDossierAt(input, TODAY));
    expect(errors).toEqual(
      expect.arrayContaining([
        { path: '', message: 'Champ inconnu : extra' },
        { path: 'company', message: 'Champ inconnu : capital' },
        { path: 'equipment.0', message: 'Champ inconnu : vat' },
        { path: 'financing', message: 'Champ inconnu : rate' },
        { path: 'dirigeant', message: 'Champ inconnu : nickname' },
      ]),
    );
    expect(errors).toHaveLength(5);
  });

  it('accepts 12 equipment lines and refuses 13', () => {
    const input = validDossierInput();
    const line = input.equipment[0]!;
    input.equipment = Array.from({ length: 12 }, () => ({ ...line }));
    expect(validateDossierAt(input, TODAY).ok).toBe(true);
    input.equipment.push({ ...line });
    expect(errorsOf(validateDossierAt(input, TODAY))).toEqual([{ path: 'equipment', message: "Au plus 12 lignes d'équipement" }]);
  });

  it('refuses an empty equipment list', () => {
    const input = validDossierInput();
    input.equipment = [];
    expect(errorsOf(validateDossierAt(input, TODAY))[0]?.path).toBe('equipment');
  });

  it('refuses a SIREN failing the Luhn key, and accepts La Poste', () => {
    const input = validDossierInput();
    input.company.siren = '732829321';
    expect(errorsOf(validateDossierAt(input, TODAY))).toEqual([{ path: 'company.siren', message: "Ce SIREN n'existe pas : vérifiez les 9 chiffres (clé de contrôle fausse)" }]);
    input.company.siren = '356000000';
    expect(validateDossierAt(input, TODAY).ok).toBe(true);
    input.company.siren = '73282932';
    expect(errorsOf(validateDossierAt(input, TODAY))[0]?.message).toBe('Le SIREN doit compter 9 chiffres, sans espace');
  });

  it('refuses a creation date in the future (Paris today) and accepts today', () => {
    const input = validDossierInput();
    input.company.creationDate = '2026-11-25';
    expect(errorsOf(validateDossierAt(input, TODAY))).toEqual([{ path: 'company.creationDate', message: "Date de création de l'entreprise : ne peut pas être dans le futur" }]);
    input.company.creationDate = TODAY;
    expect(validateDossierAt(input, TODAY).ok).toBe(true);
    // The static schema has no "today".
    input.company.creationDate = '2030-01-01';
    expect(DossierSchema.safeParse(input).success).toBe(true);
  });

  it('refuses impossible calendar dates', () => {
    const input = validDossierInput();
    input.company.creationDate = '2025-02-29';
    expect(errorsOf(validateDossierAt(input, TODAY))[0]?.path).toBe('company.creationDate');
    input.company.creationDate = '2024-02-29';
    expect(validateDossierAt(input, TODAY).ok).toBe(true);
  });

  it('checks the NAF format', () => {
    const input = validDossierInput();
    for (const bad of ['6202A', '62.02', '62.02a', 'AB.CDE']) {
      input.company.naf = bad;
      expect(errorsOf(validateDossierAt(input, TODAY))[0]?.path).toBe('company.naf');
    }
  });

  it('accepts French mobiles only', () => {
    const input = validDossierInput();
    for (const ok of ['0612345678', '07 12 34 56 78', '+33612345678', '+33 7 12 34 56 78', '06.12.34.56.78']) {
      input.dirigeant.mobile = ok;
      expect(validateDossierAt(input, TODAY).ok, ok).toBe(true);
    }
    for (const bad of ['0112345678', '061234567', '+44612345678', '+3361234567']) {
      input.dirigeant.mobile = bad;
      expect(errorsOf(validateDossierAt(input, TODAY))[0]?.path, bad).toBe('dirigeant.mobile');
    }
  });

  it('checks postcode, e-mail, quantity and unit price', () => {
    const cases: [(i: ReturnType<typeof validDossierInput>) => void, string][] = [
      [(i) => (i.company.postcode = '7500'), 'company.postcode'],
      [(i) => (i.dirigeant.email = 'marie@'), 'dirigeant.email'],
      [(i) => (i.equipment[0]!.quantity = 0), 'equipment.0.quantity'],
      [(i) => (i.equipment[0]!.quantity = 1.5), 'equipment.0.quantity'],
      [(i) => (i.equipment[1]!.unitPriceCents = -1), 'equipment.1.unitPriceCents'],
      [(i) => (i.equipment[1]!.unitPriceCents = 10.5), 'equipment.1.unitPriceCents'],
      [(i) => ((i.equipment[1] as { category: string }).category = 'voiture'), 'equipment.1.category'],
      [(i) => (i.company.legalName = '   '), 'company.legalName'],
    ];
    for (const [mutate, path] of cases) {
      const input = validDossierInput();
      mutate(input);
      expect(errorsOf(validateDossierAt(input, TODAY)).map((e) => e.path)).toEqual([path]);
    }
  });

  it('checks the financing terms', () => {
    const input = validDossierInput();
    (input.financing as { durationMonths: number }).durationMonths = 30;
    expect(errorsOf(validateDossierAt(input, TODAY))).toEqual([{ path: 'financing.durationMonths', message: 'La durée est de 24, 36, 48 ou 60 mois' }]);
    const inc = validDossierInput();
    inc.financing.firstRentIncreasePercent = 20.01;
    expect(errorsOf(validateDossierAt(inc, TODAY))[0]?.path).toBe('financing.firstRentIncreasePercent');
    inc.financing.firstRentIncreasePercent = 20;
    expect(validateDossierAt(inc, TODAY).ok).toBe(true);
    inc.financing.firstRentIncreasePercent = 12.345;
    expect(errorsOf(validateDossierAt(inc, TODAY))[0]?.message).toBe('Majoration du premier loyer : deux décimales au plus');
  });

  it('allows a residual value for crédit-bail and refuses it for location financière', () => {
    const cb = validDossierInput();
    cb.financing.residualValuePercent = 5;
    const v = validateDossierAt(cb, TODAY);
    expect(v.ok && v.dossier.financing.residualValuePercent).toBe(5);
    const lf = validDossierInput();
    lf.financing = { product: 'location_financiere', durationMonths: 48, periodicity: 'quarterly', residualValuePercent: 1 };
    expect(errorsOf(validateDossierAt(lf, TODAY))).toEqual([
      {
        path: 'financing.residualValuePercent',
        message: "La location financière n'a pas de valeur résiduelle : retirez ce champ ou choisissez le crédit-bail",
      },
    ]);
    delete lf.financing.residualValuePercent;
    expect(validateDossierAt(lf, TODAY).ok).toBe(true);
  });

  it('requires the consent to be exactly true', () => {
    for (const consent of [false, 'true', undefined]) {
      const input = validDossierInput() as Record<string, unknown>;
      input.consent = consent;
      expect(errorsOf(validateDossierAt(input, TODAY))).toEqual([{ path: 'consent', message: 'Le consentement du créateur aux vérifications est obligatoire' }]);
    }
  });

  it('says which field is missing', () => {
    const input = validDossierInput() as { dirigeant: Record<string, unknown> };
    delete input.dirigeant.firstName;
    expect(errorsOf(validateDossierAt(input, TODAY))).toEqual([{ path: 'dirigeant.firstName', message: 'Prénom : à renseigner' }]);
  });
});
