/**
 * The programme's figures (domain.md, « The programme's figures »), computed by
 * SQL over the dossiers: per month, bank, reseller, region or department,
 * dossiers by status, approval rate, time to decision (median and 99th
 * percentile), share decided by the deadline's default, hard-case reasons and
 * amounts granted. Months are Paris months; the department comes from the
 * company's postcode (Corsica 2A/2B, overseas 971–976).
 */
import type { Sql } from '../connect.ts';
import { DOSSIER_STATUSES, type DossierStatus, type HardCaseCode } from '../../domain/codes.ts';
import { DEPARTMENT_REGIONS, departmentOf } from '../../domain/regions.ts';

export const BAROMETER_DIMENSIONS = ['month', 'bank', 'reseller', 'region', 'department'] as const;
export type BarometerDimension = (typeof BAROMETER_DIMENSIONS)[number];

export interface BarometerFilter {
  /** Only this bank's dossiers (a bank sees its own figures). */
  bankId?: string;
  /** Paris dates 'YYYY-MM-DD', inclusive, on the day the dossier was received. */
  from?: string;
  to?: string;
}

export interface BarometerRow {
  /** The month ('2026-03'), the bank's or reseller's identifier, the region's name or the department's code. */
  key: string;
  dossiers: number;
  byStatus: Record<DossierStatus, number>;
  /** Approved + declined. */
  decided: number;
  /** Approved / decided; null when nothing was decided. */
  approvalRate: number | null;
  /** Seconds from acceptance to decision, over decided dossiers. */
  medianSecondsToDecision: number | null;
  p99SecondsToDecision: number | null;
  /** Decided by the deadline's default / decided. */
  defaultShare: number | null;
  decidedByDefault: number;
  /** Sum of the approved dossiers' amounts (excl. VAT), in cents. */
  approvedAmountCents: number;
  /** Dossiers with each hard-case reason (a dossier may have several). */
  hardCases: Partial<Record<HardCaseCode, number>>;
}

/** Every postcode's first three digits with its department and region (domain/regions.ts holds the rule; SQL joins on it). */
const GEOGRAPHY = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0')).map((prefix) => {
  const department = departmentOf(`${prefix}00`) ?? 'inconnu';
  return { prefix, department, region: DEPARTMENT_REGIONS[department] ?? 'Hors région connue' };
});
const UNKNOWN_REGION = 'Hors région connue';

function keyExpression(sql: Sql, by: BarometerDimension) {
  switch (by) {
    case 'month':
      return sql`to_char(d.created_at at time zone 'Europe/Paris', 'YYYY-MM')`;
    case 'bank':
      return sql`d.bank_id`;
    case 'reseller':
      return sql`d.reseller_id`;
    case 'department':
      return sql`coalesce(geo.department, 'inconnu')`;
    case 'region':
      return sql`coalesce(geo.region, ${UNKNOWN_REGION})`;
  }
}

export async function barometers(sql: Sql, by: BarometerDimension, filter: BarometerFilter = {}): Promise<BarometerRow[]> {
  const key = keyExpression(sql, by);
  const where = sql`where true
    ${filter.bankId ? sql`and d.bank_id = ${filter.bankId}` : sql``}
    ${filter.from ? sql`and d.created_at >= (${filter.from}::date)::timestamp at time zone 'Europe/Paris'` : sql``}
    ${filter.to ? sql`and d.created_at < (${filter.to}::date + 1)::timestamp at time zone 'Europe/Paris'` : sql``}`;
  const source = sql`
    dossiers d
    left join (select * from unnest(${GEOGRAPHY.map((g) => g.prefix)}::text[], ${GEOGRAPHY.map((g) => g.department)}::text[],
        ${GEOGRAPHY.map((g) => g.region)}::text[]) as g(prefix, department, region)) geo
      on geo.prefix = left(d.body -> 'company' ->> 'postcode', 3)`;
  const rows = await sql<
    {
      key: string;
      dossiers: number;
      received: number;
      ineligible: number;
      awaiting_analyst: number;
      approved: number;
      declined: number;
      by_default: number;
      median_seconds: number | null;
      p99_seconds: number | null;
      approved_amount: string;
    }[]
  >`
    select ${key} as key,
      count(*)::int as dossiers,
      ${sql.unsafe(DOSSIER_STATUSES.map((s) => `count(*) filter (where d.status = '${s}')::int as ${s}`).join(', '))},
      count(*) filter (where d.decision ->> 'decidedBy' = 'deadline')::int as by_default,
      percentile_cont(0.5) within group (order by extract(epoch from d.decided_at - d.accepted_at))
        filter (where d.status in ('approved', 'declined')) as median_seconds,
      percentile_cont(0.99) within group (order by extract(epoch from d.decided_at - d.accepted_at))
        filter (where d.status in ('approved', 'declined')) as p99_seconds,
      coalesce(sum(d.total_amount_cents) filter (where d.status = 'approved'), 0)::text as approved_amount
    from ${source} ${where}
    group by 1 order by 1`;
  const reasons = await sql<{ key: string; code: HardCaseCode; n: number }[]>`
    select ${key} as key, hc ->> 'code' as code, count(*)::int as n
    from ${source} cross join lateral jsonb_array_elements(d.hard_cases) hc ${where}
    group by 1, 2`;
  return rows.map((r) => {
    const decided = r.approved + r.declined;
    const hardCases: Partial<Record<HardCaseCode, number>> = {};
    for (const reason of reasons) if (reason.key === r.key) hardCases[reason.code] = reason.n;
    return {
      key: r.key,
      dossiers: r.dossiers,
      byStatus: { received: r.received, ineligible: r.ineligible, awaiting_analyst: r.awaiting_analyst, approved: r.approved, declined: r.declined },
      decided,
      approvalRate: decided > 0 ? r.approved / decided : null,
      medianSecondsToDecision: r.median_seconds === null ? null : Number(r.median_seconds),
      p99SecondsToDecision: r.p99_seconds === null ? null : Number(r.p99_seconds),
      defaultShare: decided > 0 ? r.by_default / decided : null,
      decidedByDefault: r.by_default,
      approvedAmountCents: Number(r.approved_amount),
      hardCases,
    };
  });
}
