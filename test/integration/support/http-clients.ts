/**
 * Parallel HTTP clients against a running engine, as users' scripts would be:
 * each answer kept (status and body), nothing retried unless told.
 */
import crypto from 'node:crypto';
import { addMonths, parisDateOf } from '../../../domain/dates.ts';
import { DEMO } from '../../../db/seed.ts';
import { randomSiren, uniqueLastName } from './fixtures.ts';

export interface Answer<T = unknown> {
  status: number;
  body: T;
}

/** Runs `task` over `items` with at most `clients` requests in flight. */
export async function inParallel<I, R>(items: I[], clients: number, task: (item: I, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(clients, items.length) }, async () => {
      for (let i = next++; i < items.length; i = next++) results[i] = await task(items[i] as I, i);
    }),
  );
  return results;
}

export async function call<T = unknown>(url: string, key: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer<T>> {
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${key}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: body as T };
}

export interface DemoCompany {
  siren: string;
  passportNumber: string;
}

/** Registers companies with a six-module passport through the admin API, so each dossier has its own company. */
export async function registerCompanies(apiUrl: string, adminKey: string, count: number, clients = 16): Promise<DemoCompany[]> {
  const companies = Array.from({ length: count }, () => {
    const siren = randomSiren();
    return { siren, passportNumber: `PEN-T-${siren}` };
  });
  const modules = ['M1-poste-de-travail', 'M2-internet-messagerie', 'M3-site-vitrine', 'M4-securite', 'M5-dematerialisation', 'M6-gestion-commerciale'];
  const answers = await inParallel(companies, clients, (c) =>
    call(`${apiUrl}/v1/admin/passports/${c.passportNumber}`, adminKey, { method: 'PUT', body: { siren: c.siren, status: 'issued', validatedModules: modules } }),
  );
  const failed = answers.filter((a) => a.status !== 200);
  if (failed.length > 0) throw new Error(`passports not registered: ${JSON.stringify(failed[0])}`);
  return companies;
}

/** A dossier of the demo reseller for the demo bank BPALPES: a default accord, or a hard case (restaurant, NAF 56.10A). */
export function dossierFor(company: DemoCompany, kind: 'accord' | 'hard'): Record<string, unknown> {
  return {
    resellerId: DEMO.resellers.grenoble,
    bankId: DEMO.banks.alpes,
    company: {
      siren: company.siren,
      legalName: 'Atelier Numérique SAS',
      legalForm: 'SAS',
      naf: kind === 'hard' ? '56.10A' : '62.02A',
      creationDate: addMonths(parisDateOf(new Date()), -10),
      postcode: '38000',
      city: 'Grenoble',
    },
    dirigeant: { firstName: 'Camille', lastName: uniqueLastName(), birthDate: '1988-02-14', email: 'camille@example.fr', mobile: '06 12 34 56 78' },
    passportNumber: company.passportNumber,
    equipment: [{ description: 'Ordinateur portable', category: 'portable', quantity: 2, unitPriceCents: 120_000 }],
    financing: { product: 'credit_bail', durationMonths: 36, periodicity: 'monthly' },
    consent: true,
  };
}

export interface View {
  dossierId: string;
  status: string;
  decision: { outcome: string; decidedBy: string; analyst?: string } | null;
}

export function submit(apiUrl: string, key: string, body: Record<string, unknown>, idempotencyKey = crypto.randomUUID()): Promise<Answer<View>> {
  return call<View>(`${apiUrl}/v1/dossiers`, key, { method: 'POST', body, headers: { 'idempotency-key': idempotencyKey } });
}

/** Polls GET /v1/dossiers/:id until `done` holds (or the time is up), returning the last view. */
export async function waitForDossier(apiUrl: string, key: string, id: string, done: (v: View) => boolean, timeoutMs: number): Promise<View> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await call<View>(`${apiUrl}/v1/dossiers/${id}`, key);
    if (answer.status === 200 && done(answer.body)) return answer.body;
    if (Date.now() > deadline) throw new Error(`dossier ${id} still ${JSON.stringify(answer.body).slice(0, 300)} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
