import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamJournal } from '../../db/repositories/vault.ts';
import { sha256Hex, sha512Hex } from '../../vault/hashing.ts';
import { ChainChecker } from '../../vault/journal.ts';
import type { Actor } from '../../vault/types.ts';
import { VaultError } from '../../vault/errors.ts';
import { ARCHIVIST, ENGINE, contractPackage, createTestbed, type Testbed } from './support/testbed.ts';

let t: Testbed;
beforeAll(async () => {
  t = await createTestbed({ locations: 2 });
});
afterAll(async () => {
  await t?.close();
});

const BANK: Actor = { kind: 'party', role: 'banque', id: 'BPALPES' };
const OTHER_BANK: Actor = { kind: 'party', role: 'banque', id: 'BANQUE-NORD' };
const RESELLER: Actor = { kind: 'party', role: 'revendeur', id: 'RA-2026-0001' };

const bytes = (text: string) => new Uint8Array(Buffer.from(text));

async function lastEntries(n: number) {
  const rows = await t.db.sql<{ seq: bigint; operation: string; actor: string; object_id: string | null; outcome: string; body: string }[]>`
    select seq, operation, actor, object_id, outcome, body from vault_journal order by seq desc limit ${n}`;
  return rows.reverse().map((r) => ({ ...r, details: JSON.parse(r.body).details as Record<string, unknown> }));
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<VaultError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VaultError);
  expect((error as VaultError).code).toBe(code);
  return error as VaultError;
}

describe('deposit', () => {
  it('gives each object an identifier and records depositor, date, size, media type, both fingerprints, class, retention end and business metadata', async () => {
    const contract = bytes('%PDF-1.7 contrat de test');
    const crl = bytes('fausse LCR');
    const before = t.clock.now();
    const result = await t.vault.deposit(ENGINE, {
      ...contractPackage(contract, { dossierId: 'D-DEPOT-1' }),
      objects: [
        { name: 'contrat.pdf', mediaType: 'application/pdf', content: contract },
        { name: 'ca.crl', mediaType: 'application/pkix-crl', content: crl, documentClass: 'preuve' },
      ],
    });
    expect(result.created).toBe(true);
    expect(result.packageId).toMatch(/^CF-[a-z2-7]{26}$/);
    const [doc, evidence] = result.objects;
    expect(doc).toMatchObject({
      id: `${result.packageId}-01`,
      name: 'contrat.pdf',
      mediaType: 'application/pdf',
      size: contract.length,
      sha256: sha256Hex(contract),
      sha512: sha512Hex(contract),
      documentClass: 'contrat',
      depositor: 'systeme:moteur',
      dossierId: 'D-DEPOT-1',
      siren: '912345675',
    });
    expect(doc!.parties).toContainEqual({ role: 'banque', id: 'BPALPES' });
    expect(evidence!.documentClass).toBe('preuve');
    // Ten years by default, from the deposit date.
    const end = new Date(doc!.retentionEnd!);
    expect(end.getUTCFullYear()).toBe(new Date(doc!.depositedAt).getUTCFullYear() + 10);
    expect(new Date(doc!.depositedAt).getTime()).toBeGreaterThanOrEqual(before.getTime() - 1000);

    // Both locations hold each content at its address, read-only.
    for (const store of t.stores) {
      for (const [o, content] of [
        [doc!, contract],
        [evidence!, crl],
      ] as const) {
        const file = store.pathOf(o.sha512);
        expect(fs.readFileSync(file).equals(Buffer.from(content))).toBe(true);
        expect(fs.statSync(file).mode & 0o222).toBe(0);
      }
    }
    // One journal entry per object, naming it and carrying its fingerprints.
    const entries = await lastEntries(2);
    expect(entries.map((e) => [e.operation, e.object_id, e.outcome])).toEqual([
      ['deposit', doc!.id, 'ok'],
      ['deposit', evidence!.id, 'ok'],
    ]);
    expect(entries[0]!.details).toMatchObject({ sha512: doc!.sha512, sha256: doc!.sha256, size: contract.length, package: result.packageId });
  });

  it('retention per class, from the settings', async () => {
    const vault = t.open({
      retention: { defaultYears: 10, byClass: { 'sceau-journal': null, preuve: 30 } },
      preservation: { horizonDays: 180, weakAlgorithms: [], hash: 'SHA-512' },
    });
    const r = await vault.deposit(ARCHIVIST, { documentClass: 'preuve', objects: [{ name: 'ocsp.der', mediaType: 'application/ocsp-response', content: bytes('ocsp 30 ans') }] });
    const o = r.objects[0]!;
    expect(new Date(o.retentionEnd!).getUTCFullYear()).toBe(new Date(o.depositedAt).getUTCFullYear() + 30);
  });

  it('is idempotent: the same package twice keeps its identifier and records nothing new but the journal entry', async () => {
    const pkg = contractPackage(bytes('contrat deux fois'), { dossierId: 'D-DEUX-FOIS' });
    const first = await t.vault.deposit(ENGINE, pkg);
    const second = await t.vault.deposit(ARCHIVIST, pkg);
    expect(second.created).toBe(false);
    expect(second.packageId).toBe(first.packageId);
    expect(second.objects.map((o) => o.id)).toEqual(first.objects.map((o) => o.id));
    const [row] = await t.db.sql<{ n: number }[]>`select count(*)::int as n from vault_object where package_id = ${first.packageId}`;
    expect(row!.n).toBe(1);
    const [last] = await lastEntries(1);
    expect(last).toMatchObject({ operation: 'deposit', object_id: first.packageId, outcome: 'duplicate', actor: 'archiviste:a.martin' });
  });

  it('two deposits of the same package at once record it once', async () => {
    const pkg = contractPackage(bytes('contrat en course'), { dossierId: 'D-COURSE' });
    const results = await Promise.all([t.vault.deposit(ENGINE, pkg), t.vault.deposit(ENGINE, pkg), t.vault.deposit(ENGINE, pkg)]);
    expect(new Set(results.map((r) => r.packageId)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
  });

  it('refuses a bad package with a French reason, stores nothing and journals the refusal', async () => {
    const before = await t.db.sql<{ n: number }[]>`select count(*)::int as n from vault_object`;
    const error = await expectCode(
      t.vault.deposit(ENGINE, { documentClass: 'contrat', siren: '123456789', objects: [{ name: 'a.pdf', mediaType: 'application/pdf', content: bytes('x') }] }),
      'INVALID_INPUT',
    );
    expect(error.message).toMatch(/siren — SIREN invalide/);
    await expectCode(t.vault.deposit(ENGINE, { documentClass: 'Contrat!', objects: [] }), 'INVALID_INPUT');
    await expectCode(t.vault.deposit(ENGINE, { documentClass: 'contrat', objects: [{ name: '../etc', mediaType: 'application/pdf', content: bytes('x') }] }), 'INVALID_INPUT');
    const after = await t.db.sql<{ n: number }[]>`select count(*)::int as n from vault_object`;
    expect(after[0]!.n).toBe(before[0]!.n);
    const [last] = await lastEntries(1);
    expect(last).toMatchObject({ operation: 'deposit', outcome: 'refused' });
    expect(last!.details.code).toBe('INVALID_INPUT');
  });

  it('numbers and chains entries one after the other under concurrent writers', async () => {
    await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        i % 3 === 0
          ? t.vault.deposit(ENGINE, { documentClass: 'rapport', objects: [{ name: `r${i}.json`, mediaType: 'application/json', content: bytes(`rapport ${i}`) }] })
          : t.vault.list(ARCHIVIST, { documentClass: 'rapport' }),
      ),
    );
    const checker = new ChainChecker();
    const problems = [];
    for await (const e of streamJournal(t.db.sql)) problems.push(...checker.check(e));
    const [head] = await t.db.sql<{ seq: bigint; hash: string }[]>`select seq, hash from vault_journal_head`;
    problems.push(...checker.finish({ seq: Number(head!.seq), hash: head!.hash }));
    expect(problems).toEqual([]);
  });
});

describe('read, list, count and the access rules', () => {
  let ownId: string;
  let othersId: string;

  beforeAll(async () => {
    ownId = (await t.vault.deposit(ENGINE, contractPackage(bytes('contrat BPALPES'), { dossierId: 'D-ACCES-1', siren: '732829320' }))).objects[0]!.id;
    othersId = (
      await t.vault.deposit(ENGINE, {
        documentClass: 'contrat',
        dossierId: 'D-ACCES-2',
        siren: '552100554',
        parties: [{ role: 'banque', id: 'BANQUE-NORD' }],
        objects: [{ name: 'contrat.pdf', mediaType: 'application/pdf', content: bytes('contrat BANQUE-NORD') }],
      })
    ).objects[0]!.id;
  });

  it('an archivist reads any object, from the first intact copy, and the read is journaled', async () => {
    const { content, object } = await t.vault.read(ARCHIVIST, othersId);
    expect(content.toString()).toBe('contrat BANQUE-NORD');
    const [last] = await lastEntries(1);
    expect(last).toMatchObject({ operation: 'read', object_id: othersId, outcome: 'ok', actor: 'archiviste:a.martin' });

    // An altered first copy is skipped: the second is intact.
    const file = t.stores[0]!.pathOf(object.sha512);
    const original = fs.readFileSync(file);
    fs.chmodSync(file, 0o644);
    fs.writeFileSync(file, Buffer.from('contrat ALTÉRÉ!!!!'));
    try {
      expect((await t.vault.read(ARCHIVIST, othersId)).content.toString()).toBe('contrat BANQUE-NORD');
    } finally {
      fs.writeFileSync(file, original);
    }
  });

  it('a party reads its own documents; another party\'s is "not found" for it, and the refusal is journaled', async () => {
    expect((await t.vault.read(BANK, ownId)).content.toString()).toBe('contrat BPALPES');
    expect((await t.vault.read(RESELLER, ownId)).content.toString()).toBe('contrat BPALPES');
    const error = await expectCode(t.vault.read(BANK, othersId), 'NOT_FOUND');
    expect(error.message).toBe(`Aucun objet ${othersId} parmi vos documents.`);
    const [last] = await lastEntries(1);
    expect(last).toMatchObject({ operation: 'read', object_id: othersId, outcome: 'refused', actor: 'partie:banque:BPALPES' });
    expect(last!.details.code).toBe('ACCESS_REFUSED');
  });

  it('a party may not verify, export, hold, dispose of or read the journal: refused and journaled', async () => {
    const attempts: [string, () => Promise<unknown>][] = [
      ['verify', () => t.vault.verify(BANK, ownId)],
      ['hold', () => t.vault.hold(BANK, ownId, 'litige')],
      ['dispose', () => t.vault.dispose(BANK, ownId, 'fin')],
      ['journal', () => t.vault.readJournal(BANK)],
      ['export', () => t.vault.export(BANK, { objectIds: [ownId], outDir: `${t.dir}/interdit` })],
      ['audit', () => t.vault.audit(OTHER_BANK)],
    ];
    for (const [operation, attempt] of attempts) {
      const error = await expectCode(attempt(), 'ACCESS_REFUSED');
      expect(error.message).toMatch(/^Accès refusé : votre rôle ne permet pas (de [^aeiouéèê]|d’[aeiouéèê])/);
      const [last] = await lastEntries(1);
      expect(last, operation).toMatchObject({ operation, outcome: 'refused' });
    }
    expect(fs.existsSync(`${t.dir}/interdit`)).toBe(false);
  });

  it('lists and counts by dossier, SIREN, class and date; a party only its own', async () => {
    const byDossier = await t.vault.list(ARCHIVIST, { dossierId: 'D-ACCES-2' });
    expect(byDossier.map((o) => o.id)).toEqual([othersId]);
    expect((await t.vault.list(ARCHIVIST, { siren: '732829320' })).map((o) => o.id)).toEqual([ownId]);
    const contracts = await t.vault.count(ARCHIVIST, { documentClass: 'contrat' });
    expect(contracts.count).toBeGreaterThanOrEqual(2);
    expect(await t.vault.count(ARCHIVIST, { from: new Date(Date.now() + 3600_000).toISOString() })).toEqual({ count: 0, bytes: 0 });
    const seenByBank = await t.vault.list(OTHER_BANK, {});
    expect(seenByBank.map((o) => o.id)).toEqual([othersId]);
    expect((await t.vault.count(OTHER_BANK, {})).count).toBe(1);
    const [last] = await lastEntries(1);
    expect(last).toMatchObject({ operation: 'count', outcome: 'ok', actor: 'partie:banque:BANQUE-NORD' });
  });

  it("an organisation's archivist works on its documents only and leaves the journal, audits and seals to the operator", async () => {
    const nord: Actor = { kind: 'archivist', name: 'j.leroy', organisation: 'BANQUE-NORD' };
    expect((await t.vault.list(nord, {})).map((o) => o.id)).toEqual([othersId]);
    expect((await t.vault.read(nord, othersId)).content.toString()).toBe('contrat BANQUE-NORD');
    await expectCode(t.vault.read(nord, ownId), 'NOT_FOUND');
    await expectCode(t.vault.export(nord, { objectIds: [ownId], outDir: `${t.dir}/interdit-nord` }), 'NOT_FOUND');
    for (const attempt of [() => t.vault.readJournal(nord), () => t.vault.audit(nord), () => t.vault.seal(nord)]) await expectCode(attempt(), 'ACCESS_REFUSED');
    const [last] = await lastEntries(1);
    expect(last).toMatchObject({ operation: 'seal', outcome: 'refused', actor: 'archiviste:BANQUE-NORD:j.leroy' });
  });

  it('anyone else is refused everything, and journaled', async () => {
    const admin: Actor = { kind: 'other', name: 'administrateur:PROGRAMME' };
    await expectCode(t.vault.list(admin, {}), 'ACCESS_REFUSED');
    await expectCode(t.vault.read(admin, ownId), 'ACCESS_REFUSED');
    const [last] = await lastEntries(1);
    expect(last).toMatchObject({ operation: 'read', object_id: ownId, outcome: 'refused', actor: 'autre:administrateur:PROGRAMME' });
  });

  it('reads technical metadata and the journal (NF Z42-020)', async () => {
    const meta = await t.vault.metadata(ARCHIVIST, ownId);
    expect(meta.sha512).toHaveLength(128);
    const entries = await t.vault.readJournal(ARCHIVIST, { objectId: ownId });
    expect(entries[0]).toMatchObject({ operation: 'deposit', object: ownId });
    expect(entries[0]!.hash).toBe(sha512Hex(entries[0]!.body));
    await expectCode(t.vault.metadata(ARCHIVIST, 'CF-inconnu-01'), 'NOT_FOUND');
  });
});
