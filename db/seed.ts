/**
 * The demo dataset: banks with different policies, labelled resellers (one
 * inactive), passports, excluded persons, who signs for each organisation,
 * one API key per role and organisation (créateurs included), and one account
 * per role for the web pages. Idempotent:
 * running it again changes nothing. Demo keys are derived from a fixed seed
 * and demo accounts share one password so the README's examples work as
 * written; they are public knowledge, for demonstration only.
 */
import type { Sql } from './connect.ts';
import { createApiKey, generateApiKey } from './repositories/apiKeys.ts';
import { hashPassword, insertAccount } from './repositories/accounts.ts';
import type { Role } from '../domain/roles.ts';
import { normaliseName, PROGRAMME_SETTINGS_KEY } from './repositories/registries.ts';
import { BankPolicySchema, type BankPolicyInput } from '../domain/policy.ts';
import { isValidSiren } from '../domain/siren.ts';
import { AccountError } from './errors.ts';
import { addMonths, parisDateOf } from '../domain/dates.ts';
import type { DossierInput } from '../domain/dossier.ts';

export const DEMO_KEY_SEED = 'passeport-demo-2026';
/** The password of every demo account (public: demo data only). */
export const DEMO_PASSWORD = 'passeport-demo-2026';

export const DEMO = {
  programme: 'programme',
  banks: {
    alpes: 'BPALPES',
    cooperatif: 'CREDCOOP',
    leasing: 'TICBAIL',
  },
  resellers: {
    grenoble: 'RA-2026-0001',
    lyon: 'RA-2026-0002',
    annecy: 'RA-2026-0003',
    inactive: 'RA-2023-0099',
  },
  passports: {
    sixModules: { number: 'PEN-2025-000101', siren: '912345675' },
    fourModules: { number: 'PEN-2025-000102', siren: '918765439' },
    threeModules: { number: 'PEN-2025-000103', siren: '923456784' },
    twoModules: { number: 'PEN-2025-000104', siren: '934567892' },
    revoked: { number: 'PEN-2024-000105', siren: '945678902' },
    restaurant: { number: 'PEN-2025-000106', siren: '956789010' },
    collectiveProcedure: { number: 'PEN-2025-000107', siren: '967890120' },
    excludedDirigeant: { number: 'PEN-2025-000108', siren: '978901239' },
  },
  /** The créateurs who sign the demo's contracts: a small dossier signs at RGS * (PKCS#12), a large one at RGS ** (token). */
  createurs: {
    small: { siren: '912345675', company: 'Atelier Numérique du Vercors', firstName: 'Camille', lastName: 'Rousseau' },
    large: { siren: '918765439', company: 'Studio Fontaine Design', firstName: 'Léa', lastName: 'Fontaine' },
  },
  /** Who signs for each reseller and bank (a bank signs with its seal, named after it), with their SIRENs. */
  signatories: {
    'RA-2026-0001': { siren: '732829320', name: 'Paul Girard', title: 'gérant' },
    'RA-2026-0002': { siren: '520119934', name: 'Sophie Lambert', title: 'gérante' },
    'RA-2026-0003': { siren: '812345676', name: 'Marc Dubois', title: 'gérant' },
    BPALPES: { siren: '605520071', name: 'Banque Populaire des Alpes (démo)', title: null },
    CREDCOOP: { siren: '775621147', name: 'Crédit Coopératif (démo)', title: null },
    TICBAIL: { siren: '382145761', name: 'TIC Bail Location (démo)', title: null },
    programme: { siren: '490123452', name: 'Programme Passeport (démo)', title: null },
  },
  excludedPersons: {
    courtBan: { lastName: 'Durand', firstName: 'Michel', birthDate: '1971-04-12' },
    bankruptcy: { lastName: 'Petit', firstName: 'Sophie', birthDate: '1980-09-23' },
    dirigeant060: { lastName: 'Moreau', firstName: 'Jean-Luc', birthDate: '1965-01-30' },
  },
} as const;

const MODULES = ['M1-poste-de-travail', 'M2-internet-messagerie', 'M3-site-vitrine', 'M4-securite', 'M5-dematerialisation', 'M6-gestion-commerciale'];

const rate = (bp: number) => ([24, 36, 48, 60] as const).map((durationMonths) => ({ durationMonths, yearlyRateBasisPoints: bp }));

/** One policy per protocol family; each shows a different feature of the engine. */
const POLICIES: Record<string, BankPolicyInput> = {
  // Risky sectors (restaurants, small food shops) go to the analysts; silence at 24 h declines.
  alpes: {
    tariff: { pricing: 'rate', rates: rate(600), minAmountCents: 100_000, maxAmountCents: 5_000_000, products: ['credit_bail', 'location_financiere'] },
    riskyNafCodes: ['56.10A', '47.11B'],
    delegationCeilingCents: 2_500_000,
    timeoutDefault: 'decline',
  },
  // Silence at 24 h approves: the bank trusts the Passeport.
  cooperatif: {
    tariff: {
      pricing: 'rate',
      rates: [
        { durationMonths: 24, yearlyRateBasisPoints: 550 },
        { durationMonths: 36, yearlyRateBasisPoints: 580 },
        { durationMonths: 48, yearlyRateBasisPoints: 610 },
        { durationMonths: 60, yearlyRateBasisPoints: 640 },
      ],
      minAmountCents: 150_000,
      maxAmountCents: 4_000_000,
      products: ['credit_bail', 'location_financiere'],
    },
    riskyNafCodes: ['68.20'],
    delegationCeilingCents: 1_500_000,
    timeoutDefault: 'approve',
  },
  // A leasing company publishing rent coefficients; excluded persons are declined without an analyst.
  leasing: {
    tariff: {
      pricing: 'coefficient',
      coefficients: [
        { durationMonths: 36, periodicity: 'monthly', coefficientPpm: 30_500 },
        { durationMonths: 48, periodicity: 'monthly', coefficientPpm: 23_600 },
        { durationMonths: 60, periodicity: 'monthly', coefficientPpm: 19_500 },
        { durationMonths: 36, periodicity: 'quarterly', coefficientPpm: 91_000 },
        { durationMonths: 48, periodicity: 'quarterly', coefficientPpm: 70_500 },
      ],
      minAmountCents: 50_000,
      maxAmountCents: 3_000_000,
      products: ['location_financiere', 'credit_bail'],
      firstRentIncreaseAllowed: false,
    },
    riskyNafCodes: ['56.10A', '56.30Z', '47.11B'],
    delegationCeilingCents: 2_000_000,
    timeoutDefault: 'decline',
    autoDeclineExcludedPersons: true,
  },
};

export interface SeededKey {
  role: Role;
  organisation: string;
  organisationName: string;
  key: string;
}

export interface DemoAccount {
  email: string;
  displayName: string;
  role: Role;
  organisation: string;
  /** A créateur's company (its organisation is its SIREN). */
  companyName?: string;
}

/** One person per role, two resellers and two banks (to show that each sees only its own), two créateurs. */
export const DEMO_ACCOUNTS: DemoAccount[] = [
  { email: 'operateur@passeport.demo', displayName: 'Odile Marchand', role: 'admin', organisation: DEMO.programme },
  { email: 'revendeur@alpes-informatique.demo', displayName: 'Rémi Garnier', role: 'reseller', organisation: DEMO.resellers.grenoble },
  { email: 'revendeur@bureautique-lyon.demo', displayName: 'Lucie Bernard', role: 'reseller', organisation: DEMO.resellers.lyon },
  { email: 'analyste@bpalpes.demo', displayName: 'Bruno Fabre', role: 'bank', organisation: DEMO.banks.alpes },
  { email: 'analyste@credcoop.demo', displayName: 'Claire Dumas', role: 'bank', organisation: DEMO.banks.cooperatif },
  { email: 'archiviste@bpalpes.demo', displayName: 'Anne Leroy', role: 'archivist', organisation: DEMO.banks.alpes },
  // The programme's own archivist runs the whole vault (journal, audits) when the demo's operator is the programme.
  { email: 'archiviste@passeport.demo', displayName: 'Marc Lambert', role: 'archivist', organisation: DEMO.programme },
  {
    email: 'camille.rousseau@atelier-vercors.demo',
    displayName: 'Camille Rousseau',
    role: 'creator',
    organisation: DEMO.passports.sixModules.siren,
    companyName: 'Atelier Numérique du Vercors',
  },
  { email: 'lea.martin@bistrot-des-alpes.demo', displayName: 'Léa Martin', role: 'creator', organisation: DEMO.passports.restaurant.siren, companyName: 'Bistrot des Alpes' },
];

let demoPasswordHash: Promise<string> | null = null;

export async function seedDemo(sql: Sql, options: { keySeed?: string } = {}): Promise<{ apiKeys: SeededKey[]; accounts: DemoAccount[] }> {
  const keySeed = options.keySeed ?? DEMO_KEY_SEED;
  const { banks: B, resellers: R, passports: P, excludedPersons: X } = DEMO;
  for (const siren of [...Object.values(P), ...Object.values(DEMO.signatories)].map((p) => p.siren)) {
    if (!isValidSiren(siren)) throw new Error(`Demo SIREN ${siren} fails Luhn`);
  }

  const organisations: [string, 'bank' | 'reseller' | 'programme', string][] = [
    [DEMO.programme, 'programme', 'Programme Passeport — opérateur (démo)'],
    [B.alpes, 'bank', 'Banque Populaire des Alpes (démo)'],
    [B.cooperatif, 'bank', 'Crédit Coopératif (démo)'],
    [B.leasing, 'bank', 'TIC Bail Location (démo)'],
    [R.grenoble, 'reseller', 'Alpes Informatique Services (démo)'],
    [R.lyon, 'reseller', 'Bureautique & Réseaux Lyon (démo)'],
    [R.annecy, 'reseller', 'Annecy Numérique TPE (démo)'],
    [R.inactive, 'reseller', 'Ancien Micro Conseil (démo)'],
  ];
  const companies: [string, 'company', string][] = Object.values(DEMO.createurs).map((c) => [c.siren, 'company', c.company]);
  const keys: SeededKey[] = [];

  await sql.begin(async (tx) => {
    for (const [id, kind, name] of [...organisations, ...companies]) {
      await tx`insert into organisations (id, kind, name) values (${id}, ${kind}, ${name}) on conflict (id) do nothing`;
    }
    for (const [organisation, s] of Object.entries(DEMO.signatories)) {
      await tx`insert into organisation_signatories (organisation_id, siren, name, title)
        values (${organisation}, ${s.siren}, ${s.name}, ${s.title}) on conflict (organisation_id) do nothing`;
    }
    await tx`insert into banks (id, name, kind) values
      (${B.alpes}, 'Banque Populaire des Alpes (démo)', 'bank'),
      (${B.cooperatif}, 'Crédit Coopératif (démo)', 'bank'),
      (${B.leasing}, 'TIC Bail Location (démo)', 'leasing')
      on conflict (id) do nothing`;
    await tx`insert into resellers (id, name, labelled, charter_signed_on, active, postcode, city) values
      (${R.grenoble}, 'Alpes Informatique Services (démo)', true, '2025-09-15', true, '38000', 'Grenoble'),
      (${R.lyon}, 'Bureautique & Réseaux Lyon (démo)', true, '2025-11-03', true, '69003', 'Lyon'),
      (${R.annecy}, 'Annecy Numérique TPE (démo)', true, '2026-01-20', true, '74000', 'Annecy'),
      (${R.inactive}, 'Ancien Micro Conseil (démo)', true, '2023-03-01', false, '73000', 'Chambéry')
      on conflict (id) do nothing`;
    const protocols: [string, string, keyof typeof POLICIES, boolean][] = [
      [R.grenoble, B.alpes, 'alpes', true],
      [R.grenoble, B.cooperatif, 'cooperatif', true],
      [R.grenoble, B.leasing, 'leasing', true],
      [R.lyon, B.alpes, 'alpes', true],
      [R.lyon, B.leasing, 'leasing', true],
      [R.annecy, B.cooperatif, 'cooperatif', true],
      [R.annecy, B.alpes, 'alpes', false], // suspended protocol
      [R.inactive, B.alpes, 'alpes', true],
    ];
    for (const [reseller, bank, policy, active] of protocols) {
      const parsed = BankPolicySchema.parse(POLICIES[policy]);
      await tx`insert into protocols (reseller_id, bank_id, active, policy, signed_on)
        values (${reseller}, ${bank}, ${active}, ${tx.json(parsed as never)}, '2025-12-01')
        on conflict (reseller_id, bank_id) do nothing`;
    }
    const passports: [{ number: string; siren: string }, 'issued' | 'revoked', number][] = [
      [P.sixModules, 'issued', 6],
      [P.fourModules, 'issued', 4],
      [P.threeModules, 'issued', 3],
      [P.twoModules, 'issued', 2],
      [P.revoked, 'revoked', 5],
      [P.restaurant, 'issued', 5],
      [P.collectiveProcedure, 'issued', 4],
      [P.excludedDirigeant, 'issued', 3],
    ];
    for (const [p, status, modules] of passports) {
      await tx`insert into passports (number, siren, status, validated_modules, issued_on, revoked_on)
        values (${p.number}, ${p.siren}, ${status}, ${MODULES.slice(0, modules)}, '2025-06-01',
                ${status === 'revoked' ? '2026-02-15' : null})
        on conflict (number) do nothing`;
    }
    await tx`insert into companies (siren, collective_procedure) values (${P.collectiveProcedure.siren}, true)
      on conflict (siren) do nothing`;
    const excluded: [{ lastName: string; firstName: string; birthDate: string }, string, string, string | null][] = [
      [X.courtBan, 'court_ban', 'Tribunal de commerce de Lyon, jugement du 1er février 2024 (démo)', '2031-02-01'],
      [X.bankruptcy, 'personal_bankruptcy', 'Tribunal judiciaire de Grenoble, jugement du 9 mai 2023 (démo)', '2028-05-09'],
      [X.dirigeant060, 'dirigeant_060', 'Banque de France, indicateur dirigeant 060 (démo)', null],
    ];
    for (const [person, kind, source, until] of excluded) {
      await tx`insert into excluded_persons (last_name_norm, first_name_norm, birth_date, kind, source, until)
        select ${normaliseName(person.lastName)}, ${normaliseName(person.firstName)}, ${person.birthDate}, ${kind}, ${source}, ${until}
        where not exists (select 1 from excluded_persons where last_name_norm = ${normaliseName(person.lastName)}
          and birth_date = ${person.birthDate} and kind = ${kind})`;
    }
    await tx`insert into programme_settings (key, value) values (${PROGRAMME_SETTINGS_KEY}, ${tx.json({ minValidatedModules: 3 })})
      on conflict (key) do nothing`;
  });

  const keyFor: [Role, string][] = [
    ['admin', DEMO.programme],
    ['reseller', R.grenoble],
    ['reseller', R.lyon],
    ['reseller', R.annecy],
    ['reseller', R.inactive],
    ['bank', B.alpes],
    ['bank', B.cooperatif],
    ['bank', B.leasing],
    ['archivist', B.alpes],
    ['creator', DEMO.createurs.small.siren],
    ['creator', DEMO.createurs.large.siren],
  ];
  const names = new Map([...organisations, ...companies].map(([id, , name]) => [id, name]));
  for (const [role, organisation] of keyFor) {
    const seed = `${keySeed}:${role}:${organisation}`;
    const key = await createApiKey(sql, organisation, role, { label: 'démo', seed });
    if (key !== generateApiKey(seed).key) throw new Error('demo key derivation changed');
    keys.push({ role, organisation, organisationName: names.get(organisation) ?? organisation, key });
  }
  const existing = new Set((await sql<{ email: string }[]>`select email from accounts where email = any(${DEMO_ACCOUNTS.map((a) => a.email)})`).map((r) => r.email));
  for (const a of DEMO_ACCOUNTS.filter((x) => !existing.has(x.email))) {
    try {
      // One scrypt hash (a few tenths of a second) serves every demo account: their password is the same, and public.
      demoPasswordHash ??= hashPassword(DEMO_PASSWORD);
      await insertAccount(sql, { email: a.email, displayName: a.displayName, role: a.role, organisationId: a.organisation, companyName: a.companyName }, await demoPasswordHash);
    } catch (error) {
      // Another seed running at the same time created it first.
      if (!(error instanceof AccountError && error.code === 'email_taken')) throw error;
    }
  }
  return { apiKeys: keys, accounts: DEMO_ACCOUNTS };
}

/**
 * A demo dossier of one of the demo's créateurs, submitted by the Grenoble
 * reseller to Banque Populaire des Alpes: small (2 400 € HT, RGS * suffices)
 * or large (24 000 € HT, above the protocol's 15 000 €: RGS ** required).
 * Both are accorded by default.
 */
export function demoDossier(kind: keyof typeof DEMO.createurs, today = parisDateOf(new Date())): DossierInput {
  const c = DEMO.createurs[kind];
  const passport = kind === 'small' ? DEMO.passports.sixModules : DEMO.passports.fourModules;
  return {
    resellerId: DEMO.resellers.grenoble,
    bankId: DEMO.banks.alpes,
    company: { siren: c.siren, legalName: c.company, legalForm: 'SARL', naf: '62.02A', creationDate: addMonths(today, -10), postcode: '38250', city: 'Villard-de-Lans' },
    dirigeant: { firstName: c.firstName, lastName: c.lastName, birthDate: '1988-05-17', email: 'dirigeant@example.fr', mobile: '06 12 34 56 78' },
    passportNumber: passport.number,
    equipment: [{ description: 'Poste de travail', category: 'poste_de_travail', quantity: 2, unitPriceCents: kind === 'small' ? 120_000 : 1_200_000 }],
    financing: { product: 'credit_bail', durationMonths: 36, periodicity: 'monthly', residualValuePercent: 1 },
    consent: true,
  };
}
