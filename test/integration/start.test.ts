/**
 * `passeport start` as a user runs it: a subprocess on a fresh data folder with
 * the embedded defaults (PGlite, Temporal dev server on a SQLite file), driven
 * over HTTP with the demo key it prints, then stopped with SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMonths, parisDateOf } from '../../domain/dates.ts';
import { DEMO } from '../../db/seed.ts';
import { freePort } from '../../temporal/free-port.ts';
import { READY_LINE } from '../../cli/start.ts';

const root = path.resolve(import.meta.dirname, '../..');
let dataDir: string;
let child: ChildProcess;
let output = '';
let temporalPort: number;
let exited: Promise<number | null>;

function waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const timer = setInterval(check, 100);
    const limit = setTimeout(() => {
      clearInterval(timer);
      reject(new Error(`no ${pattern} within ${timeoutMs} ms; output so far:\n${output}`));
    }, timeoutMs);
    function check() {
      const match = output.match(pattern);
      if (match) {
        clearInterval(timer);
        clearTimeout(limit);
        resolve(match);
      }
    }
  });
}

/** Processes whose command line mentions the test's data folder (the dev server does: --db-filename). */
function processesUsing(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(dir)) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'passeport-start-'));
  temporalPort = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    API_HOST: '127.0.0.1',
    API_PORT: '0',
    TEMPORAL_PORT: String(temporalPort),
    TEMPORAL_UI_PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
    DEMO_MODE: 'true',
  };
  // The embedded default, as on a fresh machine.
  delete env.DATABASE_URL;
  delete env.TEMPORAL_ADDRESS;
  child = spawn(path.join(root, 'node_modules/.bin/tsx'), ['cli/main.ts', 'start'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  await waitForOutput(new RegExp(READY_LINE.replace('.', '\\.')), 150_000);
}, 180_000);

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    for (const pid of processesUsing(dataDir)) process.kill(pid, 'SIGKILL');
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('passeport start', () => {
  it('serves the API with the demo keys, approves a dossier by default, and stops cleanly on SIGTERM', async () => {
    const apiUrl = (await waitForOutput(/API\s+(http:\/\/127\.0\.0\.1:\d+)/, 1_000))[1];
    expect(output).toMatch(/Documentation \(OpenAPI\)\s+http:\/\/127\.0\.0\.1:\d+\/docs/);
    expect(output).toMatch(/Temporal \(interface\)\s+http:\/\/127\.0\.0\.1:\d+/);
    const reseller = DEMO.resellers.grenoble;
    const key = (await waitForOutput(new RegExp(`reseller\\s+${reseller}\\s+(\\S+)`), 1_000))[1];

    const health = await fetch(`${apiUrl}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', database: { status: 'up' }, temporal: { status: 'up' } });
    expect((await fetch(`${apiUrl}/docs/json`)).status).toBe(200);

    const passport = DEMO.passports.sixModules;
    const body = {
      resellerId: reseller,
      bankId: DEMO.banks.alpes,
      company: {
        siren: passport.siren,
        legalName: 'Atelier Numérique SAS',
        legalForm: 'SAS',
        naf: '62.02A',
        creationDate: addMonths(parisDateOf(new Date()), -10),
        postcode: '38000',
        city: 'Grenoble',
      },
      dirigeant: { firstName: 'Camille', lastName: 'Roux', birthDate: '1988-02-14', email: 'camille.roux@example.fr', mobile: '06 12 34 56 78' },
      passportNumber: passport.number,
      equipment: [{ description: 'Ordinateur portable', category: 'portable', quantity: 2, unitPriceCents: 120_000 }],
      financing: { product: 'credit_bail', durationMonths: 36, periodicity: 'monthly' },
      consent: true,
    };
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': 'start-test-0001' };
    const submitted = await fetch(`${apiUrl}/v1/dossiers`, { method: 'POST', headers, body: JSON.stringify(body) });
    expect([200, 201, 202]).toContain(submitted.status);
    let view = (await submitted.json()) as { dossierId: string; status: string; decision: { decidedBy: string; guaranteeReference?: string } | null };
    // A cold worker on a loaded machine may answer after the API's wait: the dossier is then read back.
    for (let i = 0; i < 100 && view.status === 'received'; i++) {
      await new Promise((r) => setTimeout(r, 200));
      view = (await (await fetch(`${apiUrl}/v1/dossiers/${view.dossierId}`, { headers })).json()) as typeof view;
    }
    expect(view.status).toBe('approved');
    expect(view.decision?.decidedBy).toBe('rule');
    expect(view.decision?.guaranteeReference).toMatch(/^SOF-\d{4}-\d{6}$/);

    expect(processesUsing(dataDir).length).toBeGreaterThan(0);
    expect(await portAnswers(temporalPort)).toBe(true);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('Passeport est arrêté.');
    expect(processesUsing(dataDir)).toEqual([]);
    expect(await portAnswers(temporalPort)).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'temporal.db'))).toBe(true);
  }, 120_000);

  it('refuses a bad setting at once, naming the variable', async () => {
    const bad = spawn(path.join(root, 'node_modules/.bin/tsx'), ['cli/main.ts', 'start'], {
      cwd: root,
      env: { ...process.env, DATA_DIR: dataDir, TEMPORAL_PORT: 'soixante', REMINDER_OFFSETS_SECONDS: '12h' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    bad.stdout?.setEncoding('utf8').on('data', (c: string) => (text += c));
    bad.stderr?.setEncoding('utf8').on('data', (c: string) => (text += c));
    const code = await new Promise<number | null>((resolve) => bad.once('exit', resolve));
    expect(code).toBe(2);
    expect(text).toContain('TEMPORAL_PORT');
    expect(text).toContain('REMINDER_OFFSETS_SECONDS');
    expect(text).not.toContain(READY_LINE);
  }, 60_000);
});
