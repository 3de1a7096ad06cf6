/**
 * GET /metrics in Prometheus' text format (prom-client). What this process
 * measures itself — request latency by route, the PKI's timestamp and OCSP
 * answers — and what the database knows for the whole engine, read at each
 * scrape so that every API instance reports the same figures: dossiers by
 * status, decisions by outcome and author, time to decision, hard cases
 * pending and their time left, deadline defaults, reminders sent.
 * Reserved to the administrator role (a Prometheus job sends its key as a
 * bearer token); the Temporal SDK's own metrics are served by each worker
 * (WORKER_METRICS_ADDRESS).
 */
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Sql } from '../db/connect.ts';
import { DOSSIER_STATUSES } from '../domain/codes.ts';

const TIME_TO_DECISION_BUCKETS_SECONDS = [1, 5, 30, 60, 300, 3_600, 4 * 3_600, 12 * 3_600, 24 * 3_600, 48 * 3_600];
const TIME_LEFT_BANDS = [
  { band: 'overdue', upTo: 0 },
  { band: 'lt_1h', upTo: 3_600 },
  { band: 'lt_4h', upTo: 4 * 3_600 },
  { band: 'lt_12h', upTo: 12 * 3_600 },
  { band: 'ge_12h', upTo: Infinity },
] as const;

export function installMetrics(app: FastifyInstance, sql: Sql): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'passeport_process_' });

  const requestSeconds = new Histogram({
    name: 'passeport_http_request_duration_seconds',
    help: 'Durée des requêtes HTTP, par méthode, route et statut',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const pkiAnswers = new Counter({
    name: 'passeport_pki_answers_total',
    help: 'Réponses des services PKI de ce processus : jetons d’horodatage (tsa) et réponses OCSP (ocsp), par statut HTTP',
    labelNames: ['service', 'status'],
    registers: [registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const status = String(reply.statusCode);
    requestSeconds.observe({ method: request.method, route, status }, reply.elapsedTime / 1000);
    if (route === '/tsa') pkiAnswers.inc({ service: 'tsa', status });
    else if (route.startsWith('/pki/ocsp')) pkiAnswers.inc({ service: 'ocsp', status });
  });

  const facts = databaseFacts(sql);
  new Gauge({
    name: 'passeport_dossiers',
    help: 'Dossiers par statut (base de données)',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const f = await facts();
      for (const status of DOSSIER_STATUSES) this.set({ status }, f.byStatus.get(status) ?? 0);
    },
  });
  new Gauge({
    name: 'passeport_decisions',
    help: 'Décisions enregistrées, par issue (approved, declined) et auteur (rule, analyst, deadline, policy)',
    labelNames: ['outcome', 'decided_by'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const d of (await facts()).decisions) this.set({ outcome: d.outcome, decided_by: d.decidedBy }, d.n);
    },
  });
  new Gauge({
    name: 'passeport_deadline_defaults',
    help: 'Dossiers décidés par le défaut du protocole à l’échéance, par issue',
    labelNames: ['outcome'],
    registers: [registry],
    async collect() {
      const f = await facts();
      for (const outcome of ['approved', 'declined']) {
        this.set(
          { outcome },
          f.decisions.filter((d) => d.decidedBy === 'deadline' && d.outcome === outcome).reduce((s, d) => s + d.n, 0),
        );
      }
    },
  });
  new Gauge({
    name: 'passeport_hard_cases_pending',
    help: 'Cas difficiles en attente de l’analyste, par temps restant avant l’échéance',
    labelNames: ['time_left'],
    registers: [registry],
    async collect() {
      const left = (await facts()).pendingSecondsLeft;
      let from = -Infinity;
      for (const { band, upTo } of TIME_LEFT_BANDS) {
        this.set({ time_left: band }, left.filter((s) => s > from && s <= upTo).length);
        from = upTo;
      }
    },
  });
  new Gauge({
    name: 'passeport_reminders_sent',
    help: 'Rappels envoyés aux banques (messages de la boîte d’envoi)',
    registers: [registry],
    async collect() {
      this.set((await facts()).remindersSent);
    },
  });
  registry.registerMetric(timeToDecisionHistogram(facts) as never);

  app.get('/metrics', { config: { roles: ['admin'] }, logLevel: 'warn', schema: { hide: true } }, async (_request, reply) => {
    const body = await registry.metrics();
    return reply.type(registry.contentType).send(body);
  });
  return registry;
}

interface Facts {
  byStatus: Map<string, number>;
  decisions: { outcome: string; decidedBy: string; n: number }[];
  pendingSecondsLeft: number[];
  remindersSent: number;
  /** Cumulative counts per bucket bound, then the sum and count of all decided dossiers. */
  timeToDecision: { buckets: number[]; sum: number; count: number };
}

/** One read of the database per scrape, shared by every metric of that scrape. */
function databaseFacts(sql: Sql): () => Promise<Facts> {
  let pending: Promise<Facts> | null = null;
  let takenAt = 0;
  return () => {
    if (pending && Date.now() - takenAt < 1_000) return pending;
    takenAt = Date.now();
    pending = readFacts(sql);
    return pending;
  };
}

async function readFacts(sql: Sql): Promise<Facts> {
  const buckets = TIME_TO_DECISION_BUCKETS_SECONDS;
  const [statuses, decisions, pending, reminders, latency] = await Promise.all([
    sql<{ status: string; n: number }[]>`select status, count(*)::int as n from dossiers group by status`,
    sql<{ outcome: string; decided_by: string; n: number }[]>`
      select decision->>'outcome' as outcome, decision->>'decidedBy' as decided_by, count(*)::int as n
      from dossiers where decision is not null group by 1, 2`,
    sql<{ left: number }[]>`
      select extract(epoch from decision_deadline - now())::float8 as left
      from dossiers where status = 'awaiting_analyst' and decision_deadline is not null`,
    sql<{ n: number }[]>`select count(*)::int as n from outbox where kind = 'bank_reminder'`,
    sql<{ counts: number[]; sum: number; count: number }[]>`
      select array[${sql.unsafe(buckets.map((b) => `count(*) filter (where extract(epoch from decided_at - accepted_at) <= ${b})::int`).join(', '))}] as counts,
             coalesce(sum(extract(epoch from decided_at - accepted_at)), 0)::float8 as sum, count(*)::int as count
      from dossiers where decided_at is not null and status in ('approved', 'declined')`,
  ]);
  return {
    byStatus: new Map(statuses.map((r) => [r.status, r.n])),
    decisions: decisions.map((d) => ({ outcome: d.outcome, decidedBy: d.decided_by, n: d.n })),
    pendingSecondsLeft: pending.map((p) => p.left),
    remindersSent: reminders[0]?.n ?? 0,
    timeToDecision: { buckets: latency[0]?.counts ?? buckets.map(() => 0), sum: latency[0]?.sum ?? 0, count: latency[0]?.count ?? 0 },
  };
}

/** A histogram whose buckets the database counts (prom-client's own Histogram only counts what this process observes). */
function timeToDecisionHistogram(facts: () => Promise<Facts>) {
  const name = 'passeport_time_to_decision_seconds';
  return {
    name,
    help: 'Temps de la réception à la décision des dossiers décidés (accord ou refus)',
    type: 'histogram',
    aggregator: 'first',
    reset() {},
    async get() {
      const { buckets, sum, count } = (await facts()).timeToDecision;
      return {
        name,
        help: this.help,
        type: 'histogram',
        aggregator: 'first',
        values: [
          ...TIME_TO_DECISION_BUCKETS_SECONDS.map((le, i) => ({ metricName: `${name}_bucket`, labels: { le }, value: buckets[i] ?? 0 })),
          { metricName: `${name}_bucket`, labels: { le: '+Inf' }, value: count },
          { metricName: `${name}_sum`, labels: {}, value: sum },
          { metricName: `${name}_count`, labels: {}, value: count },
        ],
      };
    },
  };
}
