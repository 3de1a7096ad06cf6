import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type VaultSettings } from '../../vault/config.ts';
import type { ObjectRecord } from '../../vault/types.ts';
import { ARCHIVIST, ENGINE, contractPackage, createTestbed, type Testbed } from './support/testbed.ts';

let t: Testbed;
let shortLived: ObjectRecord;
let longLived: ObjectRecord;
let unitNotAfter: Date;

const settings = (weak: string[] = []): VaultSettings => ({
  ...DEFAULT_SETTINGS,
  preservation: { horizonDays: 30, weakAlgorithms: weak, hash: 'SHA-512' },
});

beforeAll(async () => {
  t = await createTestbed({ locations: 2, settings: settings() });
  // A timestamp unit whose certificate lives 20 days: inside the 30-day horizon from the start.
  const { unit, authority } = await t.pki.authority(t.db.sql, 20, 'Horodatage de courte durée');
  unitNotAfter = unit.notAfter;
  const a = await t.signedContract({ level: 'B-T', authority, title: 'Contrat horodaté par une unité qui expire' });
  const b = await t.signedContract({ level: 'B-T', title: 'Contrat horodaté pour dix ans' });
  shortLived = (await t.vault.deposit(ENGINE, contractPackage(a, { dossierId: 'D-PRES-COURT' }))).objects[0]!;
  longLived = (await t.vault.deposit(ENGINE, contractPackage(b, { dossierId: 'D-PRES-LONG' }))).objects[0]!;
  await t.vault.deposit(ENGINE, contractPackage(Buffer.from('%PDF-1.4 sans signature'), { dossierId: 'D-PRES-NU' }));
  await t.vault.hold(ARCHIVIST, shortLived.id, 'litige en cours');
});
afterAll(async () => {
  await t?.close();
});

describe('preservation (re-extension before the timestamps weaken)', () => {
  it('selects the PDFs whose newest timestamp comes from a TSA certificate expiring within the horizon', async () => {
    const candidates = await t.vault.preservationCandidates(ENGINE);
    expect(candidates).toEqual([{ objectId: shortLived.id, reason: expect.stringContaining(`expire le ${unitNotAfter.toISOString().slice(0, 10)}`) }]);
  });

  it('adds validation data and a new document timestamp, as a new version beside the untouched original, and journals it', async () => {
    const outcomes = await t.vault.preserve(ENGINE);
    expect(outcomes).toEqual([{ status: 'extended', objectId: shortLived.id, newObjectId: expect.any(String), reason: expect.any(String) }]);
    const newId = (outcomes[0] as { newObjectId: string }).newObjectId;
    const [original, extended] = await Promise.all([t.vault.read(ARCHIVIST, shortLived.id), t.vault.read(ARCHIVIST, newId)]);
    // Write-once: the original stays; the new version appends to it (PAdES incremental updates).
    expect(original.object.sha512).toBe(shortLived.sha512);
    expect(extended.content.subarray(0, original.content.length).equals(original.content)).toBe(true);
    expect(extended.object).toMatchObject({
      derivedFrom: shortLived.id,
      dossierId: 'D-PRES-COURT',
      documentClass: 'contrat',
      retentionEnd: shortLived.retentionEnd,
      parties: shortLived.parties,
    });
    expect(extended.object.holds.map((h) => h.reason)).toEqual(['litige en cours']);

    const verdict = await t.ports.verifier.verify(extended.content, { time: new Date(), evidence: { certificates: [], crls: [], ocspResponses: [] } });
    expect(verdict.indication).toBe('TOTAL_PASSED');
    expect(verdict.signatures.map((s) => [s.kind, s.level])).toEqual([
      ['signature', 'B-LTA'],
      ['document-timestamp', null],
    ]);
    const inspection = await t.ports.extender.inspect(extended.content);
    expect(inspection.newestTimestamp!.tsaCertificateNotAfter.getTime()).toBeGreaterThan(Date.now() + 3000 * 86_400_000);
    expect(inspection.newestTimestamp!.hashAlgorithm).toBe('SHA-512');

    const [entry] = await t.db.sql<{ object_id: string; body: string }[]>`select object_id, body from vault_journal where operation = 'preserve' and outcome = 'ok'`;
    expect(entry!.object_id).toBe(shortLived.id);
    expect(JSON.parse(entry!.body).details).toMatchObject({ newObject: newId, reason: expect.stringContaining('expire le') });
  });

  it('has nothing left to do afterwards, and a retried extension changes nothing', async () => {
    expect(await t.vault.preservationCandidates(ENGINE)).toEqual([]);
    expect(await t.vault.preserveObject(ENGINE, shortLived.id)).toEqual({ status: 'superseded', objectId: shortLived.id });
    expect(await t.vault.preserveObject(ENGINE, longLived.id)).toEqual({ status: 'not-due', objectId: longLived.id });
  });

  it('re-extends at once when the algorithms of the newest timestamp are declared weak', async () => {
    const vault = t.open(settings(['SHA-256']));
    const candidates = await vault.preservationCandidates(ENGINE);
    expect(candidates).toEqual([{ objectId: longLived.id, reason: "l'empreinte du dernier horodatage (SHA-256) est déclarée faible" }]);
    const [outcome] = await vault.preserve(ENGINE);
    expect(outcome).toMatchObject({ status: 'extended', objectId: longLived.id });
    expect(await vault.preservationCandidates(ENGINE)).toEqual([]);
  });

  it('the extended versions and their originals audit clean', async () => {
    const report = await t.vault.audit(ARCHIVIST);
    expect(report.anomalies.filter((a) => a.severity === 'error')).toEqual([]);
    expect(report.signatures.passed).toBeGreaterThanOrEqual(2);
  });
});
