/**
 * Reads the registries a dossier is checked against and builds the domain's
 * EligibilityContext.
 */
import type { Sql } from '../connect.ts';
import type { Dossier } from '../../domain/dossier.ts';
import { DEFAULT_PROGRAMME_SETTINGS, type EligibilityContext, type ExcludedPersonMatch, type ExclusionKind, type ProgrammeSettings } from '../../domain/eligibility.ts';
import { BankPolicySchema } from '../../domain/policy.ts';

/** 'Lefèvre-d’Arc ' → 'LEFEVRE D ARC': how names are compared with the excluded-persons registry. */
export function normaliseName(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toUpperCase()
    .replace(/[^A-Z]+/g, ' ')
    .trim();
}

export const PROGRAMME_SETTINGS_KEY = 'programme';

/** The programme's settings: the stored JSON over the defaults, nested guarantee settings merged too. */
export async function loadProgrammeSettings(sql: Sql): Promise<ProgrammeSettings> {
  const [row] = await sql<{ value: Partial<ProgrammeSettings> }[]>`
    select value from programme_settings where key = ${PROGRAMME_SETTINGS_KEY}`;
  const stored = row?.value ?? {};
  return {
    ...DEFAULT_PROGRAMME_SETTINGS,
    ...stored,
    guarantee: { ...DEFAULT_PROGRAMME_SETTINGS.guarantee, ...(stored.guarantee ?? {}) },
  };
}

export async function findExcludedPersons(sql: Sql, person: { lastName: string; firstName: string; birthDate: string }): Promise<ExcludedPersonMatch[]> {
  const rows = await sql<{ kind: ExclusionKind; until: string | null }[]>`
    select kind, to_char(until, 'YYYY-MM-DD') as until from excluded_persons
    where last_name_norm = ${normaliseName(person.lastName)}
      and first_name_norm = ${normaliseName(person.firstName)}
      and birth_date = ${person.birthDate}`;
  return rows.map((r) => ({ kind: r.kind, until: r.until }));
}

/** Guaranteed outstanding declared by other lenders, which the guarantor cannot see itself. */
export async function externalGuaranteedOutstandingCents(sql: Sql, siren: string): Promise<number> {
  const [row] = await sql<{ external: bigint }[]>`
    select external_guaranteed_outstanding_cents as external from companies where siren = ${siren}`;
  return Number(row?.external ?? 0n);
}

/**
 * What the company owes under guarantees: what outside lenders declared plus
 * the guaranteed share of its dossiers approved here (this dossier excluded).
 */
async function loadCompany(sql: Sql, siren: string, excludeDossierId: string) {
  const [facts] = await sql<{ collective_procedure: boolean; external: bigint }[]>`
    select collective_procedure, external_guaranteed_outstanding_cents as external from companies where siren = ${siren}`;
  const [own] = await sql<{ total: string | null }[]>`
    select sum((guarantee->>'guaranteedAmountCents')::bigint)::text as total from dossiers
    where siren = ${siren} and id <> ${excludeDossierId} and status = 'approved' and guarantee->>'status' = 'granted'`;
  return {
    collectiveProcedure: facts?.collective_procedure ?? false,
    guaranteedOutstandingCents: Number(facts?.external ?? 0n) + Number(own?.total ?? 0),
    turnoverCents: null,
  };
}

export async function loadEligibilityContext(sql: Sql, dossierId: string, dossier: Dossier): Promise<EligibilityContext> {
  const [passports, resellers, protocols, excludedPersons, company, settings] = await Promise.all([
    sql<{ number: string; siren: string; status: string; validated_modules: string[] }[]>`
      select number, siren, status, validated_modules from passports where number = ${dossier.passportNumber}`,
    sql<{ id: string; labelled: boolean; active: boolean }[]>`
      select id, labelled, active from resellers where id = ${dossier.resellerId}`,
    sql<{ active: boolean; policy: unknown }[]>`
      select p.active and b.active as active, p.policy from protocols p join banks b on b.id = p.bank_id
      where p.reseller_id = ${dossier.resellerId} and p.bank_id = ${dossier.bankId}`,
    findExcludedPersons(sql, dossier.dirigeant),
    loadCompany(sql, dossier.company.siren, dossierId),
    loadProgrammeSettings(sql),
  ]);
  const passport = passports[0];
  const reseller = resellers[0];
  const protocol = protocols[0];
  return {
    passport: passport ? { number: passport.number, siren: passport.siren, status: passport.status, validatedModules: passport.validated_modules } : null,
    reseller: reseller ?? null,
    protocol: protocol ? { active: protocol.active, policy: BankPolicySchema.parse(protocol.policy) } : null,
    excludedPersons,
    company,
    settings,
  };
}
