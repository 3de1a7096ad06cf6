/**
 * Registries and dossiers for the workflow's integration tests: one bank
 * policy per behaviour (default decline / approve at the deadline, automatic
 * decline of excluded persons) and one company, passport and dirigeant per
 * dossier, so every scenario is driven by data, as in production.
 */
import crypto from 'node:crypto';
import type { Sql } from '../../../db/connect.ts';
import { insertDossierIdempotent } from '../../../db/repositories/dossiers.ts';
import { normaliseName } from '../../../db/repositories/registries.ts';
import { addMonths, parisDateOf } from '../../../domain/dates.ts';
import { totalAmountCents, type DossierInput } from '../../../domain/dossier.ts';
import type { BankPolicyInput } from '../../../domain/policy.ts';
import { isValidSiren } from '../../../domain/siren.ts';
import type { DossierWorkflowInput } from '../../../activities/types.ts';
import type { DeadlinesConfig } from '../../../domain/schedule-deadlines.ts';

export const RESELLER = 'R-TEST-01';
export const RESELLER_INACTIVE = 'R-TEST-INACTIF';
export const RESELLER_NO_PROTOCOL = 'R-TEST-SANS-PROTOCOLE';
/** Declines at the deadline (the protocols' default). */
export const BANK = 'BQ-TEST';
/** Approves at the deadline. */
export const BANK_APPROVE = 'BQ-TEST-ACCORD';
/** Declines dossiers of excluded dirigeants without an analyst. */
export const BANK_AUTO = 'BQ-TEST-AUTO';

export const RISKY_NAF = '56.30Z';
export const SAFE_NAF = '62.02A';
/** 1 000 € to 100 000 € excl. VAT; above 50 000 € the bank studies the dossier itself. */
export const MIN_CENTS = 100_000;
export const MAX_CENTS = 10_000_000;
export const CEILING_CENTS = 5_000_000;

export function policy(overrides: Partial<BankPolicyInput> = {}): BankPolicyInput {
  return {
    tariff: {
      pricing: 'rate',
      rates: [
        { durationMonths: 24, yearlyRateBasisPoints: 550 },
        { durationMonths: 36, yearlyRateBasisPoints: 600 },
        { durationMonths: 48, yearlyRateBasisPoints: 650 },
      ],
      minAmountCents: MIN_CENTS,
      maxAmountCents: MAX_CENTS,
      products: ['credit_bail', 'location_financiere'],
    },
    riskyNafCodes: ['56.30'],
    delegationCeilingCents: CEILING_CENTS,
    timeoutDefault: 'decline',
    autoDeclineExcludedPersons: false,
    ...overrides,
  };
}

export async function seedRegistries(sql: Sql): Promise<void> {
  const orgs: [string, 'bank' | 'reseller', string][] = [
    [BANK, 'bank', 'Banque des Tests'],
    [BANK_APPROVE, 'bank', 'Banque Accord par Défaut'],
    [BANK_AUTO, 'bank', 'Banque Exclusion Automatique'],
    [RESELLER, 'reseller', 'Informatique du Test'],
    [RESELLER_INACTIVE, 'reseller', 'Ancien Revendeur'],
    [RESELLER_NO_PROTOCOL, 'reseller', 'Revendeur sans protocole'],
  ];
  for (const [id, kind, name] of orgs) {
    await sql`insert into organisations (id, kind, name) values (${id}, ${kind}, ${name})`;
    if (kind === 'bank') await sql`insert into banks (id, name) values (${id}, ${name})`;
    else await sql`insert into resellers (id, name, active) values (${id}, ${name}, ${id !== RESELLER_INACTIVE})`;
  }
  const protocols: [string, string, BankPolicyInput][] = [
    [RESELLER, BANK, policy()],
    [RESELLER, BANK_APPROVE, policy({ timeoutDefault: 'approve' })],
    [RESELLER, BANK_AUTO, policy({ autoDeclineExcludedPersons: true })],
    [RESELLER_INACTIVE, BANK, policy()],
  ];
  for (const [reseller, bank, p] of protocols) {
    await sql`insert into protocols (reseller_id, bank_id, policy) values (${reseller}, ${bank}, ${sql.json(p as never)})`;
  }
}

/** A random SIREN whose Luhn key is right. */
const issuedSirens = new Set<string>();

/** A Luhn-valid SIREN this process has not handed out before (3,000 random draws collide 5 % of the time). */
export function randomSiren(): string {
  for (;;) {
    const stem = String(crypto.randomInt(10_000_000, 99_999_999));
    for (let key = 0; key <= 9; key++) {
      const siren = `${stem}${key}`;
      if (isValidSiren(siren) && !issuedSirens.has(siren)) {
        issuedSirens.add(siren);
        return siren;
      }
    }
  }
}

/**
 * A dirigeant's last name no other dossier shares, so that the excluded persons
 * one scenario registers never match another's dirigeant: 16 letters, 64 random
 * bits (names compare on letters only, see normaliseName).
 */
export function uniqueLastName(): string {
  const letters = [...crypto.randomBytes(8).toString('hex')].map((h) => String.fromCharCode(97 + parseInt(h, 16))).join('');
  return `Martin-${letters}`;
}

export interface Scenario {
  bankId?: string;
  resellerId?: string;
  /** The label number written in the dossier, when it differs from the submitting reseller's (unknown label). */
  labelInDossier?: string;
  naf?: string;
  amountCents?: number;
  durationMonths?: 24 | 36 | 48 | 60;
  /** Months between the company's creation and today. */
  companyAgeMonths?: number;
  passport?: 'issued' | 'revoked' | 'missing' | 'other_company';
  validatedModules?: number;
  exclusion?: 'court_ban' | 'personal_bankruptcy' | 'dirigeant_060';
  collectiveProcedure?: boolean;
  externalGuaranteedCents?: number;
  /** Guaranteed amount the guarantor's own register already holds for the company (unknown to the bank). */
  priorGuaranteeCents?: number;
}

export interface CreatedDossier {
  dossierId: string;
  bankId: string;
  resellerId: string;
  idempotencyKey: string;
  body: DossierInput;
}

/** Registers the company, its passport and dirigeant as the scenario says, then stores the dossier. */
export async function createDossier(sql: Sql, scenario: Scenario = {}): Promise<CreatedDossier> {
  const siren = randomSiren();
  const bankId = scenario.bankId ?? BANK;
  const resellerId = scenario.resellerId ?? RESELLER;
  const passportNumber = `PNE-${siren}`;
  const lastName = uniqueLastName();
  const today = parisDateOf(new Date());

  if (scenario.passport !== 'missing') {
    const holder = scenario.passport === 'other_company' ? randomSiren() : siren;
    const modules = ['bureautique', 'internet', 'messagerie', 'securite', 'commerce'].slice(0, scenario.validatedModules ?? 3);
    await sql`insert into passports (number, siren, status, validated_modules, issued_on)
              values (${passportNumber}, ${holder}, ${scenario.passport === 'revoked' ? 'revoked' : 'issued'}, ${modules}, ${today})`;
  }
  if (scenario.collectiveProcedure || scenario.externalGuaranteedCents) {
    await sql`insert into companies (siren, collective_procedure, external_guaranteed_outstanding_cents)
              values (${siren}, ${scenario.collectiveProcedure ?? false}, ${scenario.externalGuaranteedCents ?? 0})`;
  }
  if (scenario.priorGuaranteeCents) {
    await sql`insert into guarantee_registrations (dossier_id, reference, status, mode, siren, naf, bank_id, product,
                amount_cents, duration_months, creation_date, quotity_percent, fee_basis_points, guaranteed_amount_cents, starts_on)
              values (${`prior-${siren}`}, ${`SOF-PRIOR-${siren}`}, 'granted', 'individual', ${siren}, ${SAFE_NAF}, ${bankId},
                'credit_bail', ${scenario.priorGuaranteeCents * 2}, 60, ${addMonths(today, -12)}, 50, 90,
                ${scenario.priorGuaranteeCents}, ${today})`;
  }
  if (scenario.exclusion) {
    await sql`insert into excluded_persons (last_name_norm, first_name_norm, birth_date, kind, source)
              values (${normaliseName(lastName)}, ${normaliseName('Camille')}, ${'1985-04-12'}, ${scenario.exclusion}, ${'tests'})`;
  }

  const amount = scenario.amountCents ?? 1_250_000;
  const body: DossierInput = {
    resellerId: scenario.labelInDossier ?? resellerId,
    bankId,
    company: {
      siren,
      legalName: 'Atelier Numérique SAS',
      legalForm: 'SAS',
      naf: scenario.naf ?? SAFE_NAF,
      creationDate: addMonths(today, -(scenario.companyAgeMonths ?? 12)),
      postcode: '69003',
      city: 'Lyon',
    },
    dirigeant: { firstName: 'Camille', lastName, birthDate: '1985-04-12', email: 'camille@example.fr', mobile: '06 12 34 56 78' },
    passportNumber,
    equipment: [{ description: 'Poste de travail', category: 'poste_de_travail', quantity: 1, unitPriceCents: amount }],
    financing: { product: 'credit_bail', durationMonths: scenario.durationMonths ?? 36, periodicity: 'monthly' },
    consent: true,
  };
  const idempotencyKey = crypto.randomUUID();
  const { dossier } = await insertDossierIdempotent(sql, {
    resellerId,
    bankId,
    idempotencyKey,
    siren,
    totalAmountCents: totalAmountCents(body as Parameters<typeof totalAmountCents>[0]),
    body,
  });
  return { dossierId: dossier.id, bankId, resellerId, idempotencyKey, body };
}

export function workflowInput(
  dossier: Pick<CreatedDossier, 'dossierId' | 'bankId'>,
  deadlines: DeadlinesConfig = { decisionSeconds: 3600, reminderOffsetsSeconds: [] },
): DossierWorkflowInput {
  return { dossierId: dossier.dossierId, bankId: dossier.bankId, deadlines };
}
