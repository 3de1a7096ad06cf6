/**
 * API test harness: a real fastify server on a fresh, migrated and seeded
 * PostgreSQL database, with real API keys.
 *
 * `createInProcessEngine` is a TEST DOUBLE of the workflow engine only: it
 * runs the real activities in the workflow's order, synchronously, so the
 * API's routes can be tested without a Temporal server. The real path
 * (Temporal workflow + worker + these activities) is covered by the
 * integration tests in test/integration.
 */
import type { FastifyInstance } from 'fastify';
import { createTestDatabase } from '../support/db.ts';
import { seedDemo, type SeededKey } from '../../db/seed.ts';
import { buildServer, type ServerOptions } from '../../api/server.ts';
import { createDossierActivities } from '../../activities/dossier.ts';
import { createLocalGuarantor } from '../../guarantor/local.ts';
import { getDossier, toDossierView } from '../../db/repositories/dossiers.ts';
import type { Sql } from '../../db/connect.ts';
import type { AnalystDecision, DossierView, FinalDecision } from '../../domain/outcomes.ts';
import { DEFAULT_DEADLINES } from '../../domain/schedule-deadlines.ts';
import type { HardCaseCode, Reason } from '../../domain/codes.ts';
import { DecisionRefusedError, type DossierEngine } from '../../temporal/types.ts';

export interface ApiHarness {
  app: FastifyInstance;
  sql: Sql;
  keys: SeededKey[];
  key(role: SeededKey['role'], organisation: string): string;
  close(): Promise<void>;
}

export async function startApi(engineFor: (sql: Sql) => DossierEngine, options: Partial<ServerOptions> = {}): Promise<ApiHarness> {
  const db = await createTestDatabase();
  const { apiKeys } = await seedDemo(db.sql);
  const app = await buildServer({ sql: db.sql, engine: engineFor(db.sql), checkTemporal: async () => {}, ...options });
  await app.ready();
  return {
    app,
    sql: db.sql,
    keys: apiKeys,
    key(role, organisation) {
      const found = apiKeys.find((k) => k.role === role && k.organisation === organisation);
      if (!found) throw new Error(`no demo key for ${role} ${organisation}`);
      return found.key;
    },
    async close() {
      await app.close();
      await db.drop();
    },
  };
}

/** An engine that must never be reached: bad input is refused before any workflow starts. */
export function unreachableEngine(): DossierEngine & { calls: string[] } {
  const calls: string[] = [];
  const refuse = (name: string) => async () => {
    calls.push(name);
    throw new Error(`engine.${name} must not be called`);
  };
  return { calls, start: refuse('start'), decide: refuse('decide'), status: refuse('status') };
}

/** Test double of the Temporal engine over the real activities (see the file comment). */
export function createInProcessEngine(sql: Sql, decisionSeconds = DEFAULT_DEADLINES.decisionSeconds): DossierEngine {
  const activities = createDossierActivities({ sql, guarantor: createLocalGuarantor(sql) });
  const view = async (id: string): Promise<DossierView> => {
    const record = await getDossier(sql, id);
    if (!record) throw new Error(`unknown dossier ${id}`);
    return toDossierView(record);
  };
  const now = () => new Date().toISOString();
  return {
    async start(input) {
      const current = await getDossier(sql, input.dossierId);
      if (current?.status !== 'received') return view(input.dossierId);
      const eligibility = await activities.checkEligibility(input.dossierId);
      if (!eligibility.eligible) {
        await activities.recordIneligible(input.dossierId, eligibility.reasons);
        return view(input.dossierId);
      }
      const guarantee = await activities.requestGuarantee(input.dossierId);
      const hardCases: Reason<HardCaseCode>[] = [...eligibility.hardCases];
      if (guarantee.status === 'refused') hardCases.push({ code: 'guarantee_refused', detail: guarantee.reason });
      const reference = guarantee.status === 'granted' ? { guaranteeReference: guarantee.reference } : {};
      if (hardCases.length === 0) {
        await activities.recordDecision(input.dossierId, { outcome: 'approved', decidedBy: 'rule', ...reference, decidedAt: now() });
      } else if (eligibility.autoDecline) {
        const { code, detail } = eligibility.autoDecline;
        await activities.recordDecision(input.dossierId, { outcome: 'declined', decidedBy: 'policy', reasonCode: code, text: detail, decidedAt: now() });
      } else {
        const deadline = new Date(Date.parse(current.acceptedAt) + decisionSeconds * 1000).toISOString();
        await activities.recordAwaitingAnalyst(input.dossierId, hardCases, deadline);
      }
      return view(input.dossierId);
    },
    async decide(dossierId: string, bankId: string, decision: AnalystDecision) {
      const record = await getDossier(sql, dossierId);
      if (!record) throw new DecisionRefusedError('unknown_dossier', 'Ce dossier est inconnu.');
      if (record.bankId !== bankId) throw new DecisionRefusedError('wrong_bank', 'Ce dossier relève d’une autre banque.');
      if (record.status !== 'awaiting_analyst') throw new DecisionRefusedError('not_pending', 'Ce dossier n’attend pas de décision.');
      const final: FinalDecision =
        decision.decision === 'approve'
          ? {
              outcome: 'approved',
              decidedBy: 'analyst',
              analyst: decision.analyst,
              ...(decision.conditions ? { conditions: decision.conditions } : {}),
              ...(record.guaranteeReference ? { guaranteeReference: record.guaranteeReference } : {}),
              decidedAt: now(),
            }
          : { outcome: 'declined', decidedBy: 'analyst', analyst: decision.analyst, reasonCode: decision.reasonCode, text: decision.text, decidedAt: now() };
      await activities.recordDecision(dossierId, final);
      return view(dossierId);
    },
    async status(dossierId: string) {
      return (await getDossier(sql, dossierId)) ? view(dossierId) : null;
    },
  };
}
