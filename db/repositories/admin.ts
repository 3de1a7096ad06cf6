/** The programme operator's writes to the registries: idempotent upserts. */
import type { Sql } from '../connect.ts';
import type { BankPolicy } from '../../domain/policy.ts';
import type { ExclusionKind } from '../../domain/eligibility.ts';
import { normaliseName } from './registries.ts';

export interface BankInput {
  name: string;
  kind: 'bank' | 'leasing';
  active: boolean;
}

export async function upsertBank(sql: Sql, id: string, bank: BankInput): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`insert into organisations (id, kind, name) values (${id}, 'bank', ${bank.name})
      on conflict (id) do update set name = excluded.name`;
    await tx`insert into banks (id, name, kind, active) values (${id}, ${bank.name}, ${bank.kind}, ${bank.active})
      on conflict (id) do update set name = excluded.name, kind = excluded.kind, active = excluded.active`;
  });
}

export interface ResellerInput {
  name: string;
  labelled: boolean;
  charterSignedOn: string | null;
  active: boolean;
  postcode?: string | undefined;
  city?: string | undefined;
}

export async function upsertReseller(sql: Sql, id: string, r: ResellerInput): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`insert into organisations (id, kind, name) values (${id}, 'reseller', ${r.name})
      on conflict (id) do update set name = excluded.name`;
    await tx`insert into resellers (id, name, labelled, charter_signed_on, active, postcode, city)
      values (${id}, ${r.name}, ${r.labelled}, ${r.charterSignedOn}, ${r.active}, ${r.postcode ?? null}, ${r.city ?? null})
      on conflict (id) do update set name = excluded.name, labelled = excluded.labelled,
        charter_signed_on = excluded.charter_signed_on, active = excluded.active,
        postcode = excluded.postcode, city = excluded.city`;
  });
}

/** The organisation kind of an id, or null: lets callers refuse a bank id used as a reseller. */
export async function organisationKind(sql: Sql, id: string): Promise<string | null> {
  const [row] = await sql<{ kind: string }[]>`select kind from organisations where id = ${id}`;
  return row?.kind ?? null;
}

export async function upsertProtocol(sql: Sql, resellerId: string, bankId: string, active: boolean, policy: BankPolicy): Promise<void> {
  await sql`insert into protocols (reseller_id, bank_id, active, policy, signed_on)
    values (${resellerId}, ${bankId}, ${active}, ${sql.json(policy as never)}, current_date)
    on conflict (reseller_id, bank_id) do update set active = excluded.active, policy = excluded.policy`;
}

export interface PassportInput {
  siren: string;
  status: 'issued' | 'revoked';
  validatedModules: string[];
}

export async function upsertPassport(sql: Sql, number: string, p: PassportInput): Promise<void> {
  await sql`insert into passports (number, siren, status, validated_modules, issued_on, revoked_on)
    values (${number}, ${p.siren}, ${p.status}, ${p.validatedModules}, current_date, ${p.status === 'revoked' ? sql`current_date` : null})
    on conflict (number) do update set siren = excluded.siren, status = excluded.status,
      validated_modules = excluded.validated_modules,
      revoked_on = case when excluded.status = 'revoked' then coalesce(passports.revoked_on, current_date) else null end`;
}

export interface ExcludedPersonInput {
  lastName: string;
  firstName: string;
  birthDate: string;
  kind: ExclusionKind;
  source: string;
  until: string | null;
}

/** Adds an entry once per person and kind; a second call updates its source and end date. */
export async function upsertExcludedPerson(sql: Sql, p: ExcludedPersonInput): Promise<string> {
  const last = normaliseName(p.lastName);
  const first = normaliseName(p.firstName);
  return sql.begin(async (tx) => {
    const [existing] = await tx<{ id: bigint }[]>`
      select id from excluded_persons where last_name_norm = ${last} and first_name_norm = ${first}
        and birth_date = ${p.birthDate} and kind = ${p.kind} for update`;
    if (existing) {
      await tx`update excluded_persons set source = ${p.source}, until = ${p.until} where id = ${String(existing.id)}`;
      return String(existing.id);
    }
    const [row] = await tx<{ id: bigint }[]>`
      insert into excluded_persons (last_name_norm, first_name_norm, birth_date, kind, source, until)
      values (${last}, ${first}, ${p.birthDate}, ${p.kind}, ${p.source}, ${p.until}) returning id`;
    return String(row!.id);
  });
}

export async function deleteExcludedPerson(sql: Sql, id: string): Promise<boolean> {
  if (!/^\d{1,18}$/.test(id)) return false;
  const rows = await sql`delete from excluded_persons where id = ${id} returning id`;
  return rows.length === 1;
}
