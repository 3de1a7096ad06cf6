/**
 * The vault's audit over HTTP, for the archivist's page that starts one and
 * watches it: POST starts `vault.audit` in this process and answers at once
 * with the run's identifier (or the run already going: one full audit at a
 * time), GET tells its progress (phase, objects and bytes done) and, at the
 * end, its report. The vault decides who may audit (the operator's archivists)
 * and journals a refusal; the runs are kept in memory by the API process that
 * started them (the report itself is stored by the vault, vault_audit).
 */
import crypto from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AuditProgress, AuditReport } from '../../vault/audit.ts';
import { mayPerform } from '../../vault/access.ts';
import { principalOf } from '../auth.ts';
import { HttpProblem, ProblemSchema } from '../problems.ts';
import { actorOf, type VaultRouteOptions } from './vault.ts';

const ALL_ROLES = ['archivist', 'reseller', 'bank', 'creator', 'admin'] as const;
/** Finished runs kept for their page; the oldest go first. */
const KEPT_RUNS = 20;
const ANOMALIES_SHOWN = 100;

interface AuditRun {
  id: string;
  startedAt: string;
  status: 'running' | 'done' | 'failed';
  progress: AuditProgress | null;
  report: (AuditReport & { id: number }) | null;
  error: string | null;
}

const ProgressSchema = z.object({
  phase: z.enum(['objets', 'journal', 'sceaux', 'signatures']),
  done: z.number(),
  total: z.number(),
  bytesDone: z.number().optional(),
  bytesTotal: z.number().optional(),
  item: z.string().optional(),
});

const AuditRunSchema = z
  .object({
    id: z.string(),
    startedAt: z.string(),
    status: z.enum(['running', 'done', 'failed']),
    progress: ProgressSchema.nullable(),
    report: z
      .object({
        auditId: z.number().int(),
        finishedAt: z.string(),
        clean: z.boolean(),
        objects: z.object({ checked: z.number(), copies: z.number(), bytes: z.number() }),
        journal: z.object({ entries: z.number() }),
        seals: z.object({ checked: z.number() }),
        signatures: z.object({ checked: z.number(), passed: z.number(), failed: z.number(), indeterminate: z.number() }),
        anomalies: z.array(z.object({ severity: z.enum(['error', 'warning']), kind: z.string(), target: z.object({ type: z.string(), id: z.string() }), message: z.string() })),
        anomalyCount: z.number().int(),
      })
      .nullable(),
    error: z.string().nullable(),
  })
  .meta({ id: 'VaultAuditRun' });

function view(run: AuditRun): z.infer<typeof AuditRunSchema> {
  const r = run.report;
  return {
    id: run.id,
    startedAt: run.startedAt,
    status: run.status,
    progress: run.progress,
    report: r
      ? {
          auditId: r.id,
          finishedAt: r.finishedAt,
          clean: r.clean,
          objects: r.objects,
          journal: r.journal,
          seals: r.seals,
          signatures: r.signatures,
          anomalies: r.anomalies.slice(0, ANOMALIES_SHOWN),
          anomalyCount: r.anomalies.length,
        }
      : null,
    error: run.error,
  };
}

export const vaultAuditRoutes: FastifyPluginAsyncZod<VaultRouteOptions> = async (app, options) => {
  const runs = new Map<string, AuditRun>();
  const actor = (request: Parameters<typeof principalOf>[0]) => actorOf(principalOf(request), options.operatorOrganisation);

  app.post(
    '/vault/audits',
    {
      config: { roles: ALL_ROLES },
      schema: {
        summary: 'Lancer un audit complet du coffre-fort (archiviste de l’opérateur) ; un seul à la fois',
        tags: ['coffre-fort'],
        response: { 200: AuditRunSchema, 202: AuditRunSchema, 403: ProblemSchema },
      },
    },
    async (request, reply) => {
      const who = actor(request);
      const running = [...runs.values()].find((r) => r.status === 'running');
      if (running && mayPerform(who, 'audit')) return reply.code(200).send(view(running));
      const run: AuditRun = { id: crypto.randomUUID(), startedAt: new Date().toISOString(), status: 'running', progress: null, report: null, error: null };
      let started!: () => void;
      const firstProgress = new Promise<void>((resolve) => (started = resolve));
      const audit = options.vault.audit(who, {
        onProgress: (p) => {
          run.progress = p;
          started();
        },
      });
      // A refusal (journaled by the vault) comes before any progress: answer it; otherwise the audit goes on after the answer.
      const first = await Promise.race([
        audit.then(
          () => 'finished' as const,
          (error: unknown) => error,
        ),
        firstProgress.then(() => 'started' as const),
      ]);
      if (first !== 'started' && first !== 'finished') throw first;
      runs.set(run.id, run);
      for (const old of [...runs.values()].filter((r) => r.status !== 'running').slice(0, Math.max(0, runs.size - KEPT_RUNS))) runs.delete(old.id);
      audit.then(
        (report) => {
          run.report = report;
          run.status = 'done';
        },
        (error: unknown) => {
          run.status = 'failed';
          run.error = error instanceof Error ? error.message : String(error);
          request.log.error({ err: error, run: run.id }, 'vault audit failed');
        },
      );
      await Promise.resolve();
      return reply.code(202).send(view(run));
    },
  );

  app.get(
    '/vault/audits/:run',
    {
      config: { roles: ALL_ROLES },
      schema: {
        summary: 'Où en est un audit lancé par POST /vault/audits, et son rapport à la fin',
        tags: ['coffre-fort'],
        params: z.strictObject({ run: z.uuid({ error: 'Identifiant d’audit : UUID attendu' }) }),
        response: { 200: AuditRunSchema, 403: ProblemSchema, 404: ProblemSchema },
      },
    },
    async (request) => {
      if (!mayPerform(actor(request), 'audit')) {
        throw new HttpProblem(403, 'vault-access-refused', 'Accès refusé', 'Accès refusé : votre rôle ne permet pas d’auditer le coffre-fort.', { code: 'ACCESS_REFUSED' });
      }
      const run = runs.get(request.params.run);
      if (!run)
        throw new HttpProblem(
          404,
          'audit-not-found',
          'Audit introuvable',
          `Aucun audit ${request.params.run} sur ce serveur : il a pu être lancé par un autre serveur, ou redémarré depuis.`,
        );
      return view(run);
    },
  );
};
