import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VaultError } from '../../vault/errors.ts';
import { ARCHIVIST, ENGINE, createTestbed, type Testbed } from './support/testbed.ts';

let t: Testbed;
beforeAll(async () => {
  t = await createTestbed({ locations: 2 });
});
afterAll(async () => {
  await t?.close();
});

const bytes = (text: string) => new Uint8Array(Buffer.from(text));

async function refusal(promise: Promise<unknown>): Promise<VaultError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VaultError);
  return error as VaultError;
}

async function lastEntry() {
  const [row] = await t.db.sql<{ operation: string; object_id: string; outcome: string; body: string }[]>`
    select operation, object_id, outcome, body from vault_journal order by seq desc limit 1`;
  return { ...row!, details: JSON.parse(row!.body).details as Record<string, unknown> };
}

describe('retention and legal holds', () => {
  it('refuses disposal before the retention end, refuses it under a legal hold, allows it after both, and keeps a tombstone', async () => {
    const deposit = await t.vault.deposit(ENGINE, {
      documentClass: 'lettre-decision',
      dossierId: 'D-RET-1',
      objects: [{ name: 'lettre.pdf', mediaType: 'application/pdf', content: bytes('lettre de décision à détruire') }],
    });
    const object = deposit.objects[0]!;
    const files = t.stores.map((s) => s.pathOf(object.sha512));

    // Before the end of retention: refused, journaled, nothing removed.
    const early = await refusal(t.vault.dispose(ARCHIVIST, object.id, 'fin de relation'));
    expect(early.code).toBe('RETENTION_NOT_ELAPSED');
    expect(early.message).toMatch(/conservé jusqu'au \d{4}-\d\d-\d\d : sa destruction est refusée/);
    expect(await lastEntry()).toMatchObject({ operation: 'dispose', object_id: object.id, outcome: 'refused' });
    expect(files.every((f) => fs.existsSync(f))).toBe(true);

    // A hold set with a reason; ten years and a day later the hold still forbids disposal.
    const hold = await t.vault.hold(ARCHIVIST, object.id, 'contentieux RG 26/01234 devant le tribunal de commerce');
    expect(hold.reason).toMatch(/contentieux/);
    expect((await lastEntry()).details).toMatchObject({ reason: 'contentieux RG 26/01234 devant le tribunal de commerce' });
    t.clock.advanceDays(3653 + 1);
    try {
      const held = await refusal(t.vault.dispose(ARCHIVIST, object.id, 'durée échue'));
      expect(held.code).toBe('LEGAL_HOLD');
      expect(held.message).toMatch(/sous gel juridique depuis le .*contentieux/);
      expect(files.every((f) => fs.existsSync(f))).toBe(true);

      // A release needs a reason and an active hold.
      expect((await refusal(t.vault.release(ARCHIVIST, object.id, ''))).code).toBe('INVALID_INPUT');
      expect(await t.vault.release(ARCHIVIST, object.id, 'jugement définitif du 3 mars')).toEqual([hold.id]);
      expect((await refusal(t.vault.release(ARCHIVIST, object.id, 'encore'))).code).toBe('NO_ACTIVE_HOLD');

      const tombstone = await t.vault.dispose(ARCHIVIST, object.id, 'durée de conservation échue');
      expect(tombstone.disposedAt).not.toBeNull();
      expect(files.some((f) => fs.existsSync(f))).toBe(false);
      // The record stays with its fingerprints; its content is gone.
      const meta = await t.vault.metadata(ARCHIVIST, object.id);
      expect(meta).toMatchObject({ sha512: object.sha512, disposedBy: 'archiviste:a.martin', disposalReason: 'durée de conservation échue' });
      expect((await refusal(t.vault.read(ARCHIVIST, object.id))).code).toBe('ALREADY_DISPOSED');
      expect((await refusal(t.vault.dispose(ARCHIVIST, object.id, 'encore'))).code).toBe('ALREADY_DISPOSED');
      // Its journal entries remain, the disposal last.
      const entries = await t.vault.readJournal(ARCHIVIST, { objectId: object.id });
      expect(entries.filter((e) => e.outcome === 'ok').map((e) => e.operation)).toEqual(['deposit', 'hold', 'release', 'dispose', 'metadata']);
      // Disposed objects leave the default listings.
      expect((await t.vault.list(ARCHIVIST, { dossierId: 'D-RET-1' })).map((o) => o.id)).toEqual([]);
      expect((await t.vault.list(ARCHIVIST, { dossierId: 'D-RET-1', includeDisposed: true })).map((o) => o.id)).toEqual([object.id]);
    } finally {
      t.clock.offsetMs = 0;
    }
  });

  it('keeps content another live object still holds', async () => {
    const same = bytes('même LCR dans deux paquets');
    const a = await t.vault.deposit(ENGINE, { documentClass: 'preuve', dossierId: 'D-PART-A', objects: [{ name: 'ca.crl', mediaType: 'application/pkix-crl', content: same }] });
    const b = await t.vault.deposit(ENGINE, { documentClass: 'preuve', dossierId: 'D-PART-B', objects: [{ name: 'ca.crl', mediaType: 'application/pkix-crl', content: same }] });
    expect(a.packageId).not.toBe(b.packageId);
    t.clock.advanceDays(3653 + 1);
    try {
      await t.vault.dispose(ARCHIVIST, a.objects[0]!.id, 'durée échue');
      expect((await t.vault.read(ARCHIVIST, b.objects[0]!.id)).content.equals(Buffer.from(same))).toBe(true);
      expect((await lastEntry()).operation).toBe('read');
      await t.vault.dispose(ARCHIVIST, b.objects[0]!.id, 'durée échue');
      expect(t.stores.some((s) => fs.existsSync(s.pathOf(a.objects[0]!.sha512)))).toBe(false);
    } finally {
      t.clock.offsetMs = 0;
    }
  });

  it("never disposes of the journal's seals", async () => {
    const seal = await t.vault.seal(ENGINE);
    expect(seal).not.toBeNull();
    t.clock.advanceDays(365 * 200);
    try {
      const error = await refusal(t.vault.dispose(ARCHIVIST, seal!.tokenObjectId, 'ménage'));
      expect(error.code).toBe('PERMANENT_OBJECT');
    } finally {
      t.clock.offsetMs = 0;
    }
  });

  it('a hold and a disposal at once: one of them wins, never both', async () => {
    const { objects } = await t.vault.deposit(ENGINE, {
      documentClass: 'contrat',
      dossierId: 'D-COURSE-GEL',
      objects: [{ name: 'c.pdf', mediaType: 'application/pdf', content: bytes('course gel destruction') }],
    });
    t.clock.advanceDays(3653 + 1);
    try {
      const [held, disposed] = await Promise.allSettled([t.vault.hold(ARCHIVIST, objects[0]!.id, 'contrôle fiscal'), t.vault.dispose(ARCHIVIST, objects[0]!.id, 'durée échue')]);
      const meta = await t.vault.metadata(ARCHIVIST, objects[0]!.id);
      if (disposed.status === 'fulfilled') {
        expect(held.status).toBe('rejected');
        expect(meta.holds).toEqual([]);
      } else {
        expect(held.status).toBe('fulfilled');
        expect(meta.disposedAt).toBeNull();
      }
    } finally {
      t.clock.offsetMs = 0;
    }
  });
});
