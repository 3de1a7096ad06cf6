/** Logs carry request ids and the caller, never API keys, birth dates or other personal data. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { createTestDatabase } from '../support/db.ts';
import { seedDemo } from '../../db/seed.ts';
import { buildServer } from '../../api/server.ts';
import { createInProcessEngine } from './support.ts';
import { demoDossier } from '../activities/fixtures.ts';
import { DEMO } from '../../db/seed.ts';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db?.drop());

describe('request logs', () => {
  it('hold the request id and organisation but no key, birth date or e-mail', async () => {
    const { apiKeys } = await seedDemo(db.sql);
    const key = apiKeys.find((k) => k.organisation === DEMO.resellers.grenoble)?.key ?? '';
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const app = await buildServer({ sql: db.sql, engine: createInProcessEngine(db.sql), logger: pino({ level: 'trace' }, sink), checkTemporal: async () => {} });
    const dossier = demoDossier();
    const ok = await app.inject({ method: 'POST', url: '/v1/dossiers', headers: { authorization: `Bearer ${key}`, 'idempotency-key': crypto.randomUUID() }, payload: dossier });
    const bad = await app.inject({ method: 'POST', url: '/v1/dossiers', headers: { authorization: `Bearer ${key}x`, 'idempotency-key': crypto.randomUUID() }, payload: dossier });
    await app.close();
    expect(ok.statusCode).toBe(201);
    expect(bad.statusCode).toBe(401);
    const text = lines.join('');
    expect(text).toContain(ok.headers['x-request-id'] as string);
    expect(text).toContain(DEMO.resellers.grenoble);
    for (const secret of [key, key.split('_')[2] ?? 'x', dossier.dirigeant.birthDate, dossier.dirigeant.email, dossier.dirigeant.mobile]) {
      expect(text).not.toContain(secret);
    }
  });
});
