import { describe, expect, it } from 'vitest';
import { HARD_CASE_CODES, INELIGIBILITY_CODES, type HardCaseCode, type IneligibilityCode } from '../../domain/codes.ts';
import { DossierSchema, type Dossier } from '../../domain/dossier.ts';
import { DEFAULT_PROGRAMME_SETTINGS, checkEligibility, type EligibilityContext } from '../../domain/eligibility.ts';
import { BankPolicySchema, type BankPolicyInput } from '../../domain/policy.ts';
import { validDossierInput } from './fixtures.ts';

// 17:00 in Paris on 24 November 2026.
const NOW = '2026-11-24T16:00:00Z';

function policy(overrides: Partial<BankPolicyInput> = {}) {
  return BankPolicySchema.parse({
    tariff: {
      pricing: 'rate',
      rates: [
        { durationMonths: 24, yearlyRateBasisPoints: 550 },
        { durationMonths: 36, yearlyRateBasisPoints: 600 },
        { durationMonths: 48, yearlyRateBasisPoints: 650 },
      ],
      minAmountCents: 100_000,
      maxAmountCents: 5_000_000,
      products: ['credit_bail', 'location_financiere'],
    },
    riskyNafCodes: ['56', '47.73Z'],
    delegationCeilingCents: 2_500_000,
    ...overrides,
  });
}

function dossier(mutate: (d: Dossier) => void = () => {}): Dossier {
  const d = DossierSchema.parse(validDossierInput());
  mutate(d);
  return d;
}

function context(mutate: (c: EligibilityContext) => void = () => {}): EligibilityContext {
  const c: EligibilityContext = {
    passport: { number: 'PPN-2025-000777', siren: '732829320', status: 'issued', validatedModules: ['m1', 'm2', 'm3'] },
    reseller: { id: 'LBL-0042', labelled: true, active: true },
    protocol: { active: true, policy: policy() },
    excludedPersons: [],
    company: { collectiveProcedure: false, guaranteedOutstandingCents: 0 },
    settings: DEFAULT_PROGRAMME_SETTINGS,
  };
  mutate(c);
  return c;
}

function ineligibleCodes(d: Dossier, c: EligibilityContext, now: string = NOW): IneligibilityCode[] {
  const r = checkEligibility(d, c, now);
  if (r.eligible) throw new Error('expected an ineligible dossier');
  for (const reason of r.reasons) expect(reason.detail.length).toBeGreaterThan(10);
  return r.reasons.map((x) => x.code);
}

function hardCaseCodes(d: Dossier, c: EligibilityContext): HardCaseCode[] {
  const r = checkEligibility(d, c, NOW);
  if (!r.eligible) throw new Error(`expected eligible, got ${r.reasons.map((x) => x.code).join(', ')}`);
  for (const reason of r.hardCases) expect(reason.detail.length).toBeGreaterThan(10);
  return r.hardCases.map((x) => x.code);
}

const ineligibleScenarios: Record<IneligibilityCode, () => [Dossier, EligibilityContext]> = {
  siren_invalid: () => [dossier((d) => (d.company.siren = '732829321')), context((c) => (c.passport!.siren = '732829321'))],
  company_too_old: () => [dossier((d) => (d.company.creationDate = '2023-11-23')), context()],
  creation_date_in_future: () => [dossier((d) => (d.company.creationDate = '2026-11-25')), context()],
  passport_unknown: () => [dossier(), context((c) => (c.passport = null))],
  passport_not_issued: () => [dossier(), context((c) => (c.passport!.status = 'revoked'))],
  passport_other_company: () => [dossier(), context((c) => (c.passport!.siren = '552100554'))],
  passport_too_few_modules: () => [dossier(), context((c) => (c.passport!.validatedModules = ['m1', 'm2', 'm2']))],
  reseller_unknown: () => [dossier(), context((c) => (c.reseller = null))],
  reseller_not_active: () => [dossier(), context((c) => (c.reseller!.active = false))],
  no_active_protocol: () => [dossier(), context((c) => (c.protocol!.active = false))],
  amount_below_minimum: () => [dossier((d) => (d.equipment = [{ ...d.equipment[0]!, quantity: 1, unitPriceCents: 99_999 }])), context()],
  amount_above_maximum: () => [dossier((d) => (d.equipment[0]!.quantity = 100)), context()],
  duration_not_offered: () => [dossier((d) => (d.financing.durationMonths = 60)), context()],
  product_not_offered: () => [dossier(), context((c) => (c.protocol!.policy = policy({ tariff: { ...policy().tariff, products: ['location_financiere'] } })))],
  periodicity_not_offered: () => [
    dossier((d) => (d.financing.periodicity = 'quarterly')),
    context((c) => (c.protocol!.policy = policy({ tariff: { ...policy().tariff, periodicities: ['monthly'] } }))),
  ],
  first_rent_increase_not_allowed: () => [
    dossier((d) => (d.financing.firstRentIncreasePercent = 5)),
    context((c) => (c.protocol!.policy = policy({ tariff: { ...policy().tariff, firstRentIncreaseAllowed: false } }))),
  ],
  consent_missing: () => [dossier((d) => ((d as { consent: unknown }).consent = false)), context()],
};

describe('eligibility', () => {
  it('approves by default an eligible dossier without hard case', () => {
    expect(checkEligibility(dossier(), context(), NOW)).toEqual({
      eligible: true,
      hardCases: [],
      autoDecline: null,
      timeoutDefault: 'decline',
    });
  });

  it.each(INELIGIBILITY_CODES)('makes the dossier ineligible for %s, with a French detail', (code) => {
    const [d, c] = ineligibleScenarios[code]();
    expect(ineligibleCodes(d, c)).toEqual([code]);
  });

  it('gives details people can read', () => {
    const [d, c] = ineligibleScenarios.passport_too_few_modules();
    const r = checkEligibility(d, c, NOW);
    expect(!r.eligible && r.reasons[0]?.detail).toBe('Le Passeport compte 2 modules validés ; il en faut au moins 3.');
    const [d2, c2] = ineligibleScenarios.company_too_old();
    const r2 = checkEligibility(d2, c2, NOW);
    expect(!r2.eligible && r2.reasons[0]?.detail).toBe("L'entreprise a été créée le 23/11/2023, il y a plus de 36 mois : le Passeport finance les entreprises de moins de 3 ans.");
  });

  it('applies the 36-month rule on the Paris date of submission, to the day', () => {
    const d = dossier((x) => (x.company.creationDate = '2023-11-24'));
    expect(checkEligibility(d, context(), NOW).eligible).toBe(true);
    // 23:30 UTC on the 24th is already the 25th in Paris: 36 months and one day.
    expect(ineligibleCodes(d, context(), '2026-11-24T23:30:00Z')).toEqual(['company_too_old']);
    // A creation "tomorrow" in UTC terms but today in Paris is not in the future.
    const created = dossier((x) => (x.company.creationDate = '2026-11-25'));
    expect(checkEligibility(created, context(), '2026-11-24T23:30:00Z').eligible).toBe(true);
  });

  it('counts the minimum of validated modules from the settings', () => {
    const five = context((c) => (c.settings = { ...DEFAULT_PROGRAMME_SETTINGS, minValidatedModules: 5 }));
    expect(ineligibleCodes(dossier(), five)).toEqual(['passport_too_few_modules']);
  });

  it('refuses a zero amount even when the grid has no minimum', () => {
    const free = dossier((d) => (d.equipment = [{ ...d.equipment[0]!, unitPriceCents: 0 }]));
    const noMinimum = context((c) => (c.protocol!.policy = policy({ tariff: { ...policy().tariff, minAmountCents: 0 } })));
    const r = checkEligibility(free, noMinimum, NOW);
    expect(!r.eligible && r.reasons).toEqual([{ code: 'amount_below_minimum', detail: 'Le montant à financer doit être positif.' }]);
  });

  it('refuses a reseller that lost its label', () => {
    const r = checkEligibility(
      dossier(),
      context((c) => (c.reseller!.labelled = false)),
      NOW,
    );
    expect(!r.eligible && r.reasons).toEqual([{ code: 'reseller_not_active', detail: "Le revendeur LBL-0042 n'a pas (ou plus) le label du programme." }]);
  });

  it('collects every ineligibility reason, not just the first', () => {
    const d = dossier((x) => {
      x.company.creationDate = '2020-01-01';
      x.financing.durationMonths = 60;
      x.equipment[0]!.quantity = 100;
    });
    const c = context((x) => {
      x.passport!.status = 'revoked';
      x.passport!.validatedModules = [];
      x.reseller = null;
    });
    expect(ineligibleCodes(d, c)).toEqual([
      'company_too_old',
      'passport_not_issued',
      'passport_too_few_modules',
      'reseller_unknown',
      'amount_above_maximum',
      'duration_not_offered',
    ]);
    expect(
      ineligibleCodes(
        dossier(),
        context((x) => (x.protocol = null)),
      ),
    ).toEqual(['no_active_protocol']);
  });
});

const hardCaseScenarios: Record<Exclude<HardCaseCode, 'guarantee_refused'>, () => [Dossier, EligibilityContext]> = {
  risky_sector: () => [dossier((d) => (d.company.naf = '56.10A')), context()],
  guarantee_excluded_sector: () => [dossier((d) => (d.company.naf = '68.20A')), context()],
  excluded_person: () => [dossier(), context((c) => (c.excludedPersons = [{ kind: 'court_ban', until: null }]))],
  dirigeant_060: () => [dossier(), context((c) => (c.excludedPersons = [{ kind: 'dirigeant_060' }]))],
  above_delegation_ceiling: () => [dossier((d) => (d.equipment[0]!.quantity = 30)), context()],
  collective_procedure: () => [dossier(), context((c) => (c.company.collectiveProcedure = true))],
  guarantee_outstanding_cap: () => [dossier(), context((c) => (c.company.guaranteedOutstandingCents = 19_900_000))],
};

describe('hard cases', () => {
  it.each(Object.keys(hardCaseScenarios) as (keyof typeof hardCaseScenarios)[])('detects %s', (code) => {
    const [d, c] = hardCaseScenarios[code]();
    expect(hardCaseCodes(d, c)).toEqual([code]);
  });

  it('leaves only guarantee_refused to the guarantor', () => {
    expect(HARD_CASE_CODES.filter((c) => !(c in hardCaseScenarios))).toEqual(['guarantee_refused']);
  });

  it('matches risky sectors by NAF prefix', () => {
    expect(
      hardCaseCodes(
        dossier((d) => (d.company.naf = '47.73Z')),
        context(),
      ),
    ).toEqual(['risky_sector']);
    expect(
      hardCaseCodes(
        dossier((d) => (d.company.naf = '47.74Z')),
        context(),
      ),
    ).toEqual([]);
    expect(
      hardCaseCodes(
        dossier((d) => (d.company.naf = '56.30Z')),
        context(),
      ),
    ).toEqual(['risky_sector']);
  });

  it('treats an amount at the delegation ceiling as delegated', () => {
    // A single line of exactly 25 000 €, the ceiling.
    const at = dossier((d) => (d.equipment = [{ ...d.equipment[0]!, quantity: 1, unitPriceCents: 2_500_000 }]));
    expect(hardCaseCodes(at, context())).toEqual([]);
    const above = dossier((d) => (d.equipment = [{ ...d.equipment[0]!, quantity: 1, unitPriceCents: 2_500_001 }]));
    expect(hardCaseCodes(above, context())).toEqual(['above_delegation_ceiling']);
  });

  it('checks the guaranteed outstanding cap with the share this dossier adds', () => {
    // 3 298 € at 60 % = 1 978,80 € added to the outstanding; cap 200 000 €.
    const justUnder = context((c) => (c.company.guaranteedOutstandingCents = 20_000_000 - 197_880));
    expect(hardCaseCodes(dossier(), justUnder)).toEqual([]);
    const justOver = context((c) => (c.company.guaranteedOutstandingCents = 20_000_000 - 197_879));
    expect(hardCaseCodes(dossier(), justOver)).toEqual(['guarantee_outstanding_cap']);
  });

  it('ignores exclusions that ended and joins court ban and bankruptcy in one reason', () => {
    expect(
      hardCaseCodes(
        dossier(),
        context((c) => (c.excludedPersons = [{ kind: 'court_ban', until: '2026-11-23' }])),
      ),
    ).toEqual([]);
    expect(
      hardCaseCodes(
        dossier(),
        context((c) => (c.excludedPersons = [{ kind: 'court_ban', until: '2026-11-24' }])),
      ),
    ).toEqual(['excluded_person']);
    const r = checkEligibility(
      dossier(),
      context((c) => (c.excludedPersons = [{ kind: 'court_ban' }, { kind: 'personal_bankruptcy' }])),
      NOW,
    );
    expect(r.eligible && r.hardCases).toEqual([
      { code: 'excluded_person', detail: "Le dirigeant fait l'objet d'une interdiction de gérer une entreprise et d'une faillite personnelle." },
    ]);
  });

  it('collects every hard case', () => {
    const d = dossier((x) => {
      x.company.naf = '56.10A';
      x.equipment[0]!.quantity = 30;
    });
    const c = context((x) => {
      x.excludedPersons = [{ kind: 'personal_bankruptcy' }, { kind: 'dirigeant_060' }];
      x.company.collectiveProcedure = true;
      x.company.guaranteedOutstandingCents = 19_000_000;
    });
    expect(hardCaseCodes(d, c)).toEqual(['risky_sector', 'excluded_person', 'dirigeant_060', 'above_delegation_ceiling', 'collective_procedure', 'guarantee_outstanding_cap']);
  });

  it('declines automatically excluded persons when the bank says so, and only then', () => {
    const auto = policy({ autoDeclineExcludedPersons: true });
    const withAuto = (kind: 'court_ban' | 'dirigeant_060') =>
      context((c) => {
        c.protocol!.policy = auto;
        c.excludedPersons = [{ kind }];
      });
    for (const kind of ['court_ban', 'dirigeant_060'] as const) {
      const r = checkEligibility(dossier(), withAuto(kind), NOW);
      expect(r.eligible && r.autoDecline?.code).toBe('automatic_exclusion');
    }
    const risky = checkEligibility(
      dossier((d) => (d.company.naf = '56.10A')),
      context((c) => (c.protocol!.policy = auto)),
      NOW,
    );
    expect(risky.eligible && risky.autoDecline).toBeNull();
    const manual = checkEligibility(
      dossier(),
      context((c) => (c.excludedPersons = [{ kind: 'court_ban' }])),
      NOW,
    );
    expect(manual.eligible && manual.autoDecline).toBeNull();
  });

  it("passes the protocol's deadline default", () => {
    const r = checkEligibility(
      dossier(),
      context((c) => (c.protocol!.policy = policy({ timeoutDefault: 'approve' }))),
      NOW,
    );
    expect(r.eligible && r.timeoutDefault).toBe('approve');
  });

  it('does not look for hard cases in an ineligible dossier', () => {
    const r = checkEligibility(
      dossier((d) => (d.company.naf = '56.10A')),
      context((c) => (c.reseller = null)),
      NOW,
    );
    expect(r).toEqual({ eligible: false, reasons: [expect.objectContaining({ code: 'reseller_unknown' })] });
  });
});
