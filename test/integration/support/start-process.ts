import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { addMonths, parisDateOf } from '../../../domain/dates.ts';
import { DEMO } from '../../../db/seed.ts';
import { watchOutput } from './output.ts';
import { cli } from '../../support/cli.ts';
import { freePort } from '../../../processes/free-port.ts';
export { portAnswers } from '../../../processes/free-port.ts';

const root = path.resolve(import.meta.dirname, '../../..');

export interface StartProcess {
  child: ChildProcess;
  output(): string;
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  exited: Promise<number | null>;
}

/** `passeport start` as a subprocess, with exactly the environment given (plus PATH and HOME). */
export function spawnStart(env: NodeJS.ProcessEnv): StartProcess {
  const [command, args] = cli('start');
  const child = spawn(command, args, {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const watched = watchOutput(child, 'passeport start');
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    ...watched,
    exited,
  };
}

/** Processes whose command line mentions `needle` (the dev server's does: --db-filename <DATA_DIR>/temporal.db). */
export function processesMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(needle)) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

type View = { dossierId: string; status: string; decision: { decidedBy: string; guaranteeReference?: string } | null };

/**
 * Submits the demo's default-accord dossier (a passport with six modules, Banque
 * Populaire des Alpes) with the reseller key the start printed, and returns the
 * view once decided: a cold worker on a loaded machine may answer after the API's wait.
 */
export async function submitDemoDossier(apiUrl: string, key: string, idempotencyKey: string): Promise<View> {
  const passport = DEMO.passports.sixModules;
  const body = {
    resellerId: DEMO.resellers.grenoble,
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
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': idempotencyKey };
  const submitted = await fetch(`${apiUrl}/v1/dossiers`, { method: 'POST', headers, body: JSON.stringify(body) });
  if (![200, 201, 202].includes(submitted.status)) throw new Error(`POST /v1/dossiers: ${submitted.status} ${await submitted.text()}`);
  let view = (await submitted.json()) as View;
  for (let i = 0; i < 100 && view.status === 'received'; i++) {
    await new Promise((r) => setTimeout(r, 200));
    view = (await (await fetch(`${apiUrl}/v1/dossiers/${view.dossierId}`, { headers })).json()) as View;
  }
  return view;
}

export interface StartedEngine {
  start: StartProcess;
  apiUrl: string;
  keys: { admin: string; reseller: string; bank: string };
  temporalPort: number;
}

/**
 * `passeport start` on its defaults — no DATABASE_URL, no TEMPORAL_ADDRESS —
 * with `dataDir` as DATA_DIR and free ports, waiting for the ready line; the
 * demo keys it printed are returned.
 */
export async function startOnDefaults(dataDir: string, extra: NodeJS.ProcessEnv = {}): Promise<StartedEngine> {
  const temporalPort = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    API_HOST: '127.0.0.1',
    API_PORT: '0',
    TEMPORAL_PORT: String(temporalPort),
    TEMPORAL_UI_PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
    DEMO_MODE: 'true',
    ...extra,
  };
  for (const name of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'WORKER_METRICS_ADDRESS']) if (!(name in extra)) delete env[name];
  const start = spawnStart(env);
  await start.waitFor(/Passeport est prêt\./, 180_000);
  const apiUrl = (await start.waitFor(/API\s+(http:\/\/127\.0\.0\.1:\d+)/, 1_000))[1] ?? '';
  const keyOf = async (role: string, organisation: string) => (await start.waitFor(new RegExp(`${role}\\s+${organisation}\\s+(\\S+)`), 1_000))[1] ?? '';
  return {
    start,
    apiUrl,
    temporalPort,
    keys: {
      admin: await keyOf('admin', DEMO.programme),
      reseller: await keyOf('reseller', DEMO.resellers.grenoble),
      bank: await keyOf('bank', DEMO.banks.alpes),
    },
  };
}

/** Lines of the output at pino's error level or above, or naming an unhandled failure. */
export function errorLines(output: string): string[] {
  return output.split('\n').filter((line) => /"level":(5|6)\d/.test(line) || /Unhandled|ERR_UNHANDLED|\bat .*\.ts:\d+/.test(line));
}
