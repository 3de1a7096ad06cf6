/**
 * The programme's figures (db/repositories/barometers.ts) over HTTP, as JSON or
 * as CSV for a spreadsheet (French conventions: « ; » between columns, decimal
 * comma, UTF-8 with a byte-order mark). The operator sees every bank; a bank
 * sees its own dossiers only, whatever it asks.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { BAROMETER_DIMENSIONS, barometers, type BarometerDimension, type BarometerFilter, type BarometerRow } from '../../db/repositories/barometers.ts';
import { organisationNames } from '../../db/repositories/accounts.ts';
import { DOSSIER_STATUSES, HARD_CASE_CODES } from '../../domain/codes.ts';
import { isCalendarDate } from '../../domain/dates.ts';
import type { Sql } from '../../db/connect.ts';
import { principalOf } from '../auth.ts';
import { ProblemSchema } from '../problems.ts';
import type { ApiContext } from '../context.ts';
import { HARD_CASE_LABEL } from '../../web/labels.ts';

const MONTHS = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'];

export const DIMENSION_LABEL: Record<BarometerDimension, string> = {
  month: 'Mois',
  bank: 'Banque',
  reseller: 'Revendeur',
  region: 'Région',
  department: 'Département',
};

export interface LabelledRow extends BarometerRow {
  label: string;
}

/** The figures with a name for each group: « mars 2026 », the bank's or reseller's name, the department. */
export async function barometerTable(sql: Sql, by: BarometerDimension, filter: BarometerFilter): Promise<LabelledRow[]> {
  const rows = await barometers(sql, by, filter);
  const names =
    by === 'bank' || by === 'reseller'
      ? await organisationNames(
          sql,
          rows.map((r) => r.key),
        )
      : new Map<string, string>();
  return rows.map((r) => {
    let label = names.get(r.key) ?? r.key;
    if (by === 'month') label = `${MONTHS[Number(r.key.slice(5, 7)) - 1]} ${r.key.slice(0, 4)}`;
    if (by === 'department') label = r.key === 'inconnu' ? 'Inconnu' : `Département ${r.key}`;
    return { ...r, label };
  });
}

const STATUS_COLUMNS: Record<(typeof DOSSIER_STATUSES)[number], string> = {
  received: 'Reçus',
  ineligible: 'Irrecevables',
  awaiting_analyst: 'À l’étude',
  approved: 'Accordés',
  declined: 'Refusés',
};

const decimal = (n: number | null, digits: number) => (n === null ? '' : n.toFixed(digits).replace('.', ','));

function csvCell(value: string): string {
  // A leading =, +, - or @ would be a formula in a spreadsheet.
  const safe = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[;"\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function barometersCsv(by: BarometerDimension, rows: LabelledRow[]): string {
  const header = [
    DIMENSION_LABEL[by],
    'Code',
    'Dossiers',
    ...DOSSIER_STATUSES.map((s) => STATUS_COLUMNS[s]),
    'Décidés',
    'Taux d’accord (%)',
    'Délai de décision médian (s)',
    'Délai de décision 99e centile (s)',
    'Décidés par défaut',
    'Part décidée par défaut (%)',
    'Montant accordé HT (€)',
    ...HARD_CASE_CODES.map((c) => `Cas difficile : ${HARD_CASE_LABEL[c]}`),
  ];
  const lines = rows.map((r) => [
    r.label,
    r.key,
    String(r.dossiers),
    ...DOSSIER_STATUSES.map((s) => String(r.byStatus[s])),
    String(r.decided),
    decimal(r.approvalRate === null ? null : r.approvalRate * 100, 1),
    decimal(r.medianSecondsToDecision, 0),
    decimal(r.p99SecondsToDecision, 0),
    String(r.decidedByDefault),
    decimal(r.defaultShare === null ? null : r.defaultShare * 100, 1),
    decimal(r.approvedAmountCents / 100, 2),
    ...HARD_CASE_CODES.map((c) => String(r.hardCases[c] ?? 0)),
  ]);
  return `\ufeff${[header, ...lines].map((line) => line.map(csvCell).join(';')).join('\r\n')}\r\n`;
}

const date = (label: string) =>
  z
    .string({ error: `${label} : date AAAA-MM-JJ` })
    .refine(isCalendarDate, `${label} : date invalide (AAAA-MM-JJ)`)
    .optional();

export const BarometerQuery = z.strictObject({
  by: z.enum(BAROMETER_DIMENSIONS, { error: `Regroupement : ${BAROMETER_DIMENSIONS.join(', ')}` }).default('month'),
  from: date('Début'),
  to: date('Fin'),
  bankId: z.string().max(40).optional().describe('Administrateur : une seule banque'),
  format: z.enum(['json', 'csv'], { error: 'Format : json ou csv' }).default('json'),
});

const RowSchema = z.object({
  key: z.string(),
  label: z.string(),
  dossiers: z.number(),
  byStatus: z.record(z.string(), z.number()),
  decided: z.number(),
  approvalRate: z.number().nullable(),
  medianSecondsToDecision: z.number().nullable(),
  p99SecondsToDecision: z.number().nullable(),
  defaultShare: z.number().nullable(),
  decidedByDefault: z.number(),
  approvedAmountCents: z.number(),
  hardCases: z.record(z.string(), z.number()),
});

/** A bank's own figures; the operator's choice of bank, or all. */
export function scopedFilter(principal: { role: string; organisationId: string }, query: { from?: string; to?: string; bankId?: string }): BarometerFilter {
  const bankId = principal.role === 'bank' ? principal.organisationId : query.bankId;
  return { ...(bankId ? { bankId } : {}), ...(query.from ? { from: query.from } : {}), ...(query.to ? { to: query.to } : {}) };
}

export const barometerRoutes: FastifyPluginAsyncZod<ApiContext> = async (app, ctx) => {
  app.get(
    '/barometers',
    {
      config: { roles: ['admin', 'bank'] },
      schema: {
        summary: 'Baromètres du programme : dossiers par statut, taux d’accord, délais, décisions par défaut, cas difficiles (JSON ou CSV)',
        tags: ['baromètres'],
        querystring: BarometerQuery,
        response: { 200: z.object({ by: z.enum(BAROMETER_DIMENSIONS), bankId: z.string().nullable(), rows: z.array(RowSchema) }), 400: ProblemSchema },
      },
    },
    async (request, reply) => {
      const filter = scopedFilter(principalOf(request), request.query);
      const rows = await barometerTable(ctx.sql, request.query.by, filter);
      if (request.query.format === 'csv') {
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="barometres-${request.query.by}.csv"`)
          .serializer((s: unknown) => s as string)
          .send(barometersCsv(request.query.by, rows) as never);
      }
      return { by: request.query.by, bankId: filter.bankId ?? null, rows };
    },
  );
};
