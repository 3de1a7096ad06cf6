import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preparePackage } from '../../vault/deposit.ts';
import { sha512Hex } from '../../vault/hashing.ts';
import { root } from '../support/cli.ts';
import { crashPackage } from './support/crash-package.ts';
import { ARCHIVIST, ENGINE, createTestbed, type Testbed } from './support/testbed.ts';

let t: Testbed;
beforeAll(async () => {
  t = await createTestbed({ locations: 2 });
});
afterAll(async () => {
  await t?.close();
});

const CHILD = path.join(import.meta.dirname, 'support/crash-child.ts');

function runChild(seed: string, killAt: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; steps: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', path.join(root, 'node_modules/tsx/dist/loader.mjs'), CHILD], {
      env: { ...process.env, DATABASE_URL: t.db.url, VAULT_LOCATIONS: t.stores.map((s) => s.root).join(','), SEED: seed, KILL_AT: String(killAt) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0 && signal === null) reject(new Error(`the child failed (${code}): ${err}`));
      const steps = out
        .split('\n')
        .filter((l) => l.startsWith('STEP '))
        .map((l) => l.replace(/^STEP \d+ /, ''));
      resolve({ code, signal, steps });
    });
  });
}

/** All or nothing: the package, its objects, their journal entries and intact copies everywhere — or none of these. */
async function depositState(seed: string): Promise<'complete' | 'absent'> {
  const prepared = preparePackage(crashPackage(seed));
  const ids = prepared.objects.map((_, i) => `${prepared.packageId}-0${i + 1}`);
  const [counts] = await t.db.sql<{ packages: number; objects: number; entries: number }[]>`
    select (select count(*)::int from vault_package where id = ${prepared.packageId}) as packages,
           (select count(*)::int from vault_object where package_id = ${prepared.packageId}) as objects,
           (select count(*)::int from vault_journal where object_id = any(${ids}) and operation = 'deposit') as entries`;
  const { packages, objects, entries } = counts!;
  // Whatever the state, nothing half-written ever sits at an object's address.
  for (const store of t.stores) {
    for (const o of prepared.objects) {
      const file = store.pathOf(o.sha512);
      if (fs.existsSync(file)) expect(sha512Hex(fs.readFileSync(file)), `${file} is whole`).toBe(o.sha512);
    }
  }
  if (packages === 0) {
    expect({ objects, entries }).toEqual({ objects: 0, entries: 0 });
    return 'absent';
  }
  expect({ packages, objects, entries }).toEqual({ packages: 1, objects: 2, entries: 2 });
  for (const store of t.stores) for (const o of prepared.objects) expect(fs.existsSync(store.pathOf(o.sha512))).toBe(true);
  return 'complete';
}

describe('a deposit killed at each step of its write', () => {
  it('leaves the whole deposit or none, and the vault audits clean after every crash', async () => {
    const full = await runChild('reference', -1);
    expect(full.signal).toBeNull();
    const steps = full.steps;
    // Two objects in two locations, six durable steps each, then the transaction and its commit.
    expect(steps).toHaveLength(2 * 2 * 6 + 2);
    expect(steps.slice(0, 6)).toEqual(['temp-opened', 'temp-half-written', 'temp-written', 'temp-synced', 'linked', 'directory-synced'].map((s) => `copie 1, objet 1 : ${s}`));
    expect(steps.slice(-2)).toEqual(['avant validation', 'enregistré']);
    expect(await depositState('reference')).toBe('complete');

    const outcomes: string[] = [];
    for (let k = 0; k < steps.length; k++) {
      const seed = `crash-${k}`;
      const run = await runChild(seed, k);
      expect(run.signal, `killed at step ${k} (${steps[k]})`).toBe('SIGKILL');
      expect(run.steps.at(-1)).toBe(steps[k]);
      outcomes.push(await depositState(seed));
      const audit = await t.vault.audit(ARCHIVIST, { signatures: false });
      expect(
        audit.anomalies.filter((a) => a.severity === 'error'),
        `audit after a kill at ${steps[k]}`,
      ).toEqual([]);
    }
    // Killed before the commit: nothing recorded; after it: everything.
    expect(outcomes.slice(0, -1).every((o) => o === 'absent')).toBe(true);
    expect(outcomes.at(-1)).toBe('complete');

    // The interrupted deposits go through when tried again, with the identifier they were always going to get.
    for (let k = 0; k < steps.length - 1; k++) {
      const result = await t.vault.deposit(ENGINE, crashPackage(`crash-${k}`));
      expect(result.created).toBe(true);
      expect(result.packageId).toBe(preparePackage(crashPackage(`crash-${k}`)).packageId);
      expect(await depositState(`crash-${k}`)).toBe('complete');
    }
    const final = await t.vault.audit(ARCHIVIST, { signatures: false });
    expect(final.clean).toBe(true);
    expect(final.anomalies.filter((a) => a.kind === 'orphan-content')).toEqual([]);
  });
});
