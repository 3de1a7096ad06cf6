/**
 * Issue 9's load on the default path: `passeport start` as a user runs it (the
 * embedded PostgreSQL, the Temporal dev server, supervised worker and API),
 * 300 dossiers from 32 parallel clients plus 30 hard cases, then the 30 hard
 * cases decided by 16 parallel clients with approve and decline racing on each
 * one. On PGlite this lost dossiers, answered 401/500/503 and hung; here every
 * answer must be right, every dossier decided exactly once, and the logs clean.
 */
import fs from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { runningEmbeddedPostgres } from '../../db/embedded-postgres.ts';
import { makeDataDir } from '../support/data-dir.ts';
import { call, dossierFor, inParallel, registerCompanies, submit, waitForDossier, type View } from './support/http-clients.ts';
import { errorLines, processesMentioning, startOnDefaults, type StartedEngine } from './support/start-process.ts';

const dataDir = makeDataDir('concurrency');
let engine: StartedEngine | undefined;

afterAll(() => {
  if (engine && engine.start.child.exitCode === null) engine.start.child.kill('SIGKILL');
  for (const pid of processesMentioning(dataDir)) process.kill(pid, 'SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('passeport start under concurrent load', () => {
  it('answers 330 dossiers from 32 clients and 60 racing decisions from 16 clients: each right, each decided once', async () => {
    engine = await startOnDefaults(dataDir);
    const { apiUrl, keys } = engine;
    const companies = await registerCompanies(apiUrl, keys.admin, 330);
    const kinds = companies.map((_, i) => (i % 11 === 5 ? 'hard' : 'accord') as 'hard' | 'accord');
    expect(kinds.filter((k) => k === 'hard')).toHaveLength(30);

    const submissions = await inParallel(companies, 32, (company, i) => submit(apiUrl, keys.reseller, dossierFor(company, kinds[i]!)));
    expect(submissions.filter((a) => a.status !== 201).map((a) => [a.status, a.body])).toEqual([]);
    // A busy engine may answer `received` after its wait; the dossier is then decided a little later.
    for (const [i, answer] of submissions.entries()) {
      const expected = kinds[i] === 'hard' ? 'awaiting_analyst' : 'approved';
      expect([expected, 'received']).toContain(answer.body.status);
    }
    const ids = submissions.map((a) => a.body.dossierId);
    const settled = await inParallel(ids, 16, (id) => waitForDossier(apiUrl, keys.reseller, id, (v) => v.status !== 'received', 120_000));
    for (const [i, view] of settled.entries()) expect(view.status).toBe(kinds[i] === 'hard' ? 'awaiting_analyst' : 'approved');

    const hard = ids.filter((_, i) => kinds[i] === 'hard');
    const racing = hard.flatMap((id) => [
      { id, body: { decision: 'approve', analyst: 'Claire Analyste' } },
      { id, body: { decision: 'decline', analyst: 'Marc Analyste', reasonCode: 'sector', text: 'Secteur hors politique.' } },
    ]);
    const decisions = await inParallel(racing, 16, ({ id, body }) => call<View>(`${apiUrl}/v1/bank/dossiers/${id}/decision`, keys.bank, { method: 'POST', body }));
    for (const id of hard) {
      const answers = decisions.filter((_, i) => racing[i]!.id === id);
      expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
      const winner = answers.find((a) => a.status === 200)!.body;
      const stored = await call<View>(`${apiUrl}/v1/dossiers/${id}`, keys.bank);
      expect(stored.body.decision).toEqual(winner.decision);
      expect(stored.body.decision?.decidedBy).toBe('analyst');
    }

    // The database's own account: nothing left in `received`, one decision event and one notice per dossier.
    const sql = postgres(runningEmbeddedPostgres(dataDir)!.url, { max: 1, onnotice: () => {} });
    try {
      const [left] = await sql<{ n: number }[]>`select count(*)::int as n from dossiers where status in ('received', 'awaiting_analyst')`;
      expect(left?.n).toBe(0);
      const counts = await sql<{ id: string; decided: number; notices: number }[]>`
        select d.id,
          (select count(*)::int from dossier_events e where e.dossier_id = d.id and e.type = 'decided') as decided,
          (select count(*)::int from outbox o where o.dossier_id = d.id and o.kind = 'decision_notice') as notices
        from dossiers d`;
      expect(counts).toHaveLength(330);
      expect(counts.filter((c) => c.decided !== 1 || c.notices !== 1)).toEqual([]);
    } finally {
      await sql.end();
    }

    expect(errorLines(engine.start.output())).toEqual([]);
    const serverLog = fs.readFileSync(path.join(dataDir, 'postgres', 'server.log'), 'utf8');
    expect(serverLog.split('\n').filter((l) => / (ERROR|FATAL|PANIC): /.test(l))).toEqual([]);
    expect(engine.start.output()).not.toMatch(/redémarrage dans/);

    engine.start.child.kill('SIGTERM');
    expect(await engine.start.exited).toBe(0);
    expect(processesMentioning(dataDir)).toEqual([]);
  }, 600_000);
});
