/**
 * The project's local guarantor service: applies the guarantee rules and
 * keeps its register in PostgreSQL. One row per dossier makes requests
 * idempotent; a per-company advisory lock keeps the outstanding cap exact
 * when several dossiers of one company arrive together.
 */
import type { GuaranteeResult } from '../domain/outcomes.ts';
import type { Sql } from '../db/connect.ts';
import { parisDateOf } from '../domain/dates.ts';
import { DEFAULT_GUARANTEE_SETTINGS, decideGuarantee, remainingGuaranteedCents, type GuaranteeSettings } from '../domain/guarantee.ts';
import type { GuaranteeRequest, Guarantor } from './port.ts';

export interface LocalGuarantorOptions {
  settings?: GuaranteeSettings;
  /** The clock; tests pass a fixed one. */
  now?: () => Date;
}

export interface LocalGuarantor extends Guarantor {
  /** What this guarantor still covers for a company at a Paris date (today by default). */
  outstandingCents(siren: string, today?: string): Promise<number>;
}

interface RegistrationRow {
  reference: string | null;
  status: 'granted' | 'refused';
  mode: 'delegated' | 'individual';
  quotity_percent: string | null;
  fee_basis_points: number | null;
  guaranteed_amount_cents: string | null;
  refusal_reason: string | null;
}

const COLUMNS = 'reference, status, mode, quotity_percent::text, fee_basis_points, guaranteed_amount_cents::text, refusal_reason';

function toResult(row: RegistrationRow): GuaranteeResult {
  if (row.status === 'refused') return { status: 'refused', reason: row.refusal_reason ?? '' };
  return {
    status: 'granted',
    reference: row.reference ?? '',
    mode: row.mode,
    quotityPercent: Number(row.quotity_percent),
    feeBasisPoints: row.fee_basis_points ?? 0,
    guaranteedAmountCents: Number(row.guaranteed_amount_cents),
  };
}

async function outstandingIn(sql: Sql, siren: string, today: string): Promise<number> {
  const rows = await sql<{ guaranteed: string; starts_on: string; duration_months: number }[]>`
    select guaranteed_amount_cents::text as guaranteed, starts_on::text, duration_months
    from guarantee_registrations where siren = ${siren} and status = 'granted'`;
  return rows.reduce((sum, r) => sum + remainingGuaranteedCents(Number(r.guaranteed), r.starts_on, r.duration_months, today), 0);
}

export function createLocalGuarantor(sql: Sql, options: LocalGuarantorOptions = {}): LocalGuarantor {
  const settings = options.settings ?? DEFAULT_GUARANTEE_SETTINGS;
  const now = options.now ?? (() => new Date());

  async function request(req: GuaranteeRequest): Promise<GuaranteeResult> {
    const today = parisDateOf(now());
    const year = today.slice(0, 4);
    const row = await sql.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(hashtext(${`guarantee:${req.siren}`}))`;
      const [existing] = await tx.unsafe<RegistrationRow[]>(`select ${COLUMNS} from guarantee_registrations where dossier_id = $1`, [req.dossierId]);
      if (existing) return existing;
      const outstanding = (await outstandingIn(tx as unknown as Sql, req.siren, today)) + (req.otherOutstandingCents ?? 0);
      const decision = decideGuarantee(
        {
          amountCents: req.amountCents,
          product: req.product,
          naf: req.naf,
          creationDate: req.creationDate,
          today,
          delegationCeilingCents: req.delegationCeilingCents,
          createdByNaturalPersons: req.createdByNaturalPersons,
          turnoverCents: req.turnoverCents,
          outstandingCents: outstanding,
        },
        settings,
      );
      const granted = decision.status === 'granted';
      const [inserted] = await tx.unsafe<RegistrationRow[]>(
        `insert into guarantee_registrations
           (dossier_id, reference, status, mode, siren, naf, bank_id, product, amount_cents, duration_months,
            creation_date, quotity_percent, fee_basis_points, guaranteed_amount_cents, refusal_reason, starts_on)
         values ($1,
           case when $2 then 'SOF-' || $3 || '-' || lpad(nextval('guarantee_reference_seq')::text, 6, '0') end,
           $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
         returning ${COLUMNS}`,
        [
          req.dossierId,
          granted,
          year,
          decision.status,
          decision.mode,
          req.siren,
          req.naf,
          req.bankId,
          req.product,
          req.amountCents,
          req.durationMonths,
          req.creationDate,
          granted ? decision.quotityPercent : null,
          granted ? decision.feeBasisPoints : null,
          granted ? decision.guaranteedAmountCents : null,
          granted ? null : decision.reasons.join(' '),
          today,
        ],
      );
      return inserted as RegistrationRow;
    });
    return toResult(row);
  }

  return {
    request,
    outstandingCents: (siren, today) => outstandingIn(sql, siren, today ?? parisDateOf(now())),
  };
}
