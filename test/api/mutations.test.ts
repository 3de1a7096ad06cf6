/**
 * Never a 500: every field of a valid dossier replaced in turn by values of
 * the wrong kind or size. Each answer is a 4xx problem+json naming the field,
 * or a 201 when the value happens to be acceptable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import { startApi, type ApiHarness } from './support.ts';
import { demoDossier } from '../activities/fixtures.ts';
import { DEMO } from '../../db/seed.ts';
import type { DossierEngine } from '../../temporal/types.ts';
import type { DossierView } from '../../domain/outcomes.ts';

/** Accepts every start without running anything: only the API's answers matter here. */
const acceptingEngine: DossierEngine = {
  async start(input) {
    const view: DossierView = { dossierId: input.dossierId, status: 'received', ineligibility: [], hardCases: [], guarantee: null, decision: null, decisionDeadline: null };
    return view;
  },
  async decide() {
    throw new Error('not used');
  },
  async status() {
    return null;
  },
};

let api: ApiHarness;
beforeAll(async () => {
  api = await startApi(() => acceptingEngine);
});
afterAll(async () => api?.close());

const ODD_VALUES: unknown[] = [null, 0, -1, 1.5, 1e300, '', ' ', 'x'.repeat(5000), '\u202e\u0301', true, [], {}, [null], { a: 1 }];

/** Every path to a leaf or container of a JSON value. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = prefix.length ? [prefix] : [];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

function withValue(base: unknown, path: (string | number)[], value: unknown): unknown {
  const copy = structuredClone(base) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path.at(-1)!] = value;
  return copy;
}

describe('POST /v1/dossiers under mutated input', () => {
  it('answers every mutation with a 4xx naming the field, or accepts it; never a 5xx', async () => {
    const base = demoDossier();
    const key = api.key('reseller', DEMO.resellers.grenoble);
    const statuses = new Map<number, number>();
    for (const path of paths(base)) {
      for (const value of ODD_VALUES) {
        const res = await api.app.inject({
          method: 'POST',
          url: '/v1/dossiers',
          headers: { authorization: `Bearer ${key}`, 'idempotency-key': crypto.randomUUID() },
          payload: withValue(base, path, value) as Record<string, unknown>,
        });
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        const where = `${path.join('.')} = ${JSON.stringify(value)?.slice(0, 40)}`;
        expect(res.statusCode, where).toBeLessThan(500);
        if (res.statusCode >= 400) {
          expect(res.headers['content-type'], where).toMatch(/^application\/problem\+json/);
          const errors = res.json<{ errors?: { path: string }[] }>().errors ?? [];
          // The named path is the mutated field or one of its ancestors / descendants.
          const mutated = path.join('.');
          expect(
            errors.some((e) => mutated.startsWith(e.path) || e.path.startsWith(mutated)),
            `${where} → ${res.body}`,
          ).toBe(true);
        }
      }
    }
    // Most mutations are refused, and the refusals are validation errors.
    expect(statuses.get(422) ?? 0).toBeGreaterThan(200);
  });
});
