import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportResult } from '../../vault/export.ts';
import type { ObjectRecord } from '../../vault/types.ts';
import { ARCHIVIST, ENGINE, contractPackage, createTestbed, type Testbed } from './support/testbed.ts';

let t: Testbed;
let exported: ExportResult;
let extracted: string;
let objects: ObjectRecord[];
let disposedId: string;

const bytes = (text: string) => new Uint8Array(Buffer.from(text));

/** The ```sh blocks of the README, in order: exactly what a person would paste. */
function readmeCommands(dir: string): string {
  const readme = fs.readFileSync(path.join(dir, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)\n```/g)].map((m) => m[1]!);
  expect(blocks.length).toBeGreaterThanOrEqual(5);
  return blocks.join('\n');
}

/** Runs the README's commands with /bin/sh in `dir`, with nothing of Passeport on the PATH. */
function check(dir: string): { output: string; lines: string[] } {
  const r = spawnSync('/bin/sh', ['-c', readmeCommands(dir)], { cwd: dir, encoding: 'utf8', env: { PATH: '/usr/bin:/bin', HOME: dir } });
  const output = `${r.stdout}${r.stderr}`;
  return { output, lines: r.stdout.split('\n').filter(Boolean) };
}

function copyOf(dir: string, name: string): string {
  const copy = path.join(t.dir, name);
  fs.cpSync(dir, copy, { recursive: true });
  return copy;
}

beforeAll(async () => {
  t = await createTestbed({ locations: 1 });
  const crl = new Uint8Array(await (await fetch(t.pki.crlUrl)).arrayBuffer());
  const signed = await t.signedContract({ level: 'B-LT' });
  const first = await t.vault.deposit(ENGINE, contractPackage(signed, { dossierId: 'D-EXPORT', evidence: [crl] }));
  await t.vault.seal(ENGINE);
  // Other dossiers between, and a later deposit in the same dossier, in a later seal.
  for (let i = 0; i < 5; i++)
    await t.vault.deposit(ENGINE, {
      documentClass: 'rapport',
      dossierId: `D-AUTRE-${i}`,
      objects: [{ name: 'r.json', mediaType: 'application/json', content: bytes(`autre ${i}`) }],
    });
  await t.vault.seal(ENGINE);
  const letter = await t.vault.deposit(ENGINE, {
    documentClass: 'lettre-decision',
    dossierId: 'D-EXPORT',
    siren: '912345675',
    objects: [{ name: 'lettre.pdf', mediaType: 'application/pdf', content: bytes('%PDF lettre d’accord') }],
  });
  const scrap = await t.vault.deposit(ENGINE, {
    documentClass: 'brouillon',
    dossierId: 'D-EXPORT',
    objects: [{ name: 'brouillon.txt', mediaType: 'text/plain', content: bytes('brouillon détruit') }],
  });
  disposedId = scrap.objects[0]!.id;
  t.clock.advanceDays(3653 + 1);
  await t.vault.dispose(ARCHIVIST, disposedId, 'durée échue');
  t.clock.offsetMs = 0;
  await t.vault.read(ARCHIVIST, first.objects[0]!.id);
  objects = [...first.objects, ...letter.objects];

  exported = await t.vault.export(ARCHIVIST, { filter: { dossierId: 'D-EXPORT' }, outDir: path.join(t.dir, 'export'), tarFile: path.join(t.dir, 'export.tar') });
  extracted = path.join(t.dir, 'extrait');
  fs.mkdirSync(extracted);
  execFileSync('tar', ['-xf', exported.tarFile!, '-C', extracted]);
  extracted = path.join(extracted, 'export');
});
afterAll(async () => {
  await t?.close();
});

describe('export (reversibility)', () => {
  it('writes the objects, their metadata, the journal entries about them, the seals and the trust anchors, as a folder and a tar', () => {
    expect(exported).toMatchObject({ objects: 3, seals: expect.any(Number) });
    const names = fs.readdirSync(path.join(extracted, 'objets')).sort();
    expect(names).toEqual(objects.map((o) => o.id).sort());
    const meta = JSON.parse(fs.readFileSync(path.join(extracted, 'metadonnees.json'), 'utf8'));
    expect(meta.objects.map((o: ObjectRecord) => o.id)).toContain(disposedId);
    expect(meta.objects.find((o: ObjectRecord) => o.id === disposedId).disposalReason).toBe('durée échue');
    expect(meta.entriesNotYetSealed).toBe(0);
    expect(fs.readdirSync(path.join(extracted, 'sceaux'))).toEqual(['SC-000001', 'SC-000002', 'SC-000003']);
    // Every entry about the exported objects, including the disposal, the read, and nothing about other dossiers.
    const journal = fs.readdirSync(path.join(extracted, 'journal')).map((f) => JSON.parse(fs.readFileSync(path.join(extracted, 'journal', f), 'utf8')));
    expect(journal.map((e) => e.operation)).toEqual(expect.arrayContaining(['deposit', 'dispose', 'read']));
    expect(journal.every((e) => [...objects.map((o) => o.id), disposedId].includes(e.object))).toBe(true);
    expect(fs.readFileSync(path.join(extracted, 'ancres/racines.pem'), 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(fs.readFileSync(path.join(extracted, 'README.md'), 'utf8')).toMatch(/comment le vérifier hors ligne/);
  });

  it('verifies offline with the openssl commands of its README', () => {
    const { lines, output } = check(extracted);
    expect(lines.at(-1), output).toBe('RÉSULTAT : export conforme');
    expect(lines.filter((l) => l.startsWith('ÉCHEC'))).toEqual([]);
    expect(lines).toContain('Empreintes SHA-256 des objets : OK');
    expect(lines).toContain('Empreintes SHA-512 des objets : OK');
    for (const o of objects) expect(lines.some((l) => l.startsWith(`Objet ${o.id} : entrée de dépôt`) && l.endsWith('OK'))).toBe(true);
    expect(lines.filter((l) => / : incluse dans le sceau SC-\d+ : OK$/.test(l))).toHaveLength(exported.entries);
    expect(lines.filter((l) => /^Horodatage du sceau SC-\d+ : OK$/.test(l))).toHaveLength(3);
    expect(lines).toContain('Sceau SC-000003 enchaîné au sceau SC-000002 : OK');
    // The script shipped beside it is the same commands.
    expect(spawnSync('/bin/sh', [path.join(extracted, 'verifier.sh')], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } }).status).toBe(0);
  });

  it('the same commands catch a changed object, an edited entry, a swapped token and a broken seal chain', () => {
    const object = copyOf(extracted, 'objet-modifie');
    const file = path.join(object, 'objets', objects[1]!.id);
    fs.appendFileSync(file, ' ');
    let r = check(object);
    expect(r.lines.at(-1)).toBe('RÉSULTAT : export NON conforme');
    expect(r.lines).toContain('ÉCHEC : empreintes SHA-512 des objets');
    expect(r.lines).toContain(
      `ÉCHEC : l'objet ${objects[1]!.id} ne correspond pas à son entrée de dépôt n° ${
        fs
          .readFileSync(path.join(object, 'INDEX.txt'), 'utf8')
          .split('\n')
          .find((l) => l.startsWith(objects[1]!.id))!
          .split(' ')[1]
      }`,
    );

    const entry = copyOf(extracted, 'entree-modifiee');
    const entryFile = fs.readdirSync(path.join(entry, 'journal')).find((f) => fs.readFileSync(path.join(entry, 'journal', f), 'utf8').includes('"operation":"dispose"'))!;
    const p = path.join(entry, 'journal', entryFile);
    fs.writeFileSync(p, fs.readFileSync(p, 'utf8').replace('durée échue', 'durée échue!'));
    r = check(entry);
    expect(r.lines).toContain(`ÉCHEC : l'entrée n° ${entryFile.replace('.json', '')} ne mène pas à la racine du sceau SC-000003`);

    const token = copyOf(extracted, 'jeton-echange');
    fs.copyFileSync(path.join(token, 'sceaux/SC-000001/jeton.tst'), path.join(token, 'sceaux/SC-000002/jeton.tst'));
    r = check(token);
    expect(r.lines).toContain('ÉCHEC : horodatage du sceau SC-000002');
    expect(r.lines).toContain("ÉCHEC : le sceau SC-000003 n'enchaîne pas le jeton du sceau SC-000002");
  });

  it('refuses an export that would mix with an existing folder, and one with nothing to export', async () => {
    await expect(t.vault.export(ARCHIVIST, { objectIds: [objects[0]!.id], outDir: path.join(t.dir, 'export') })).rejects.toThrow(/n'est pas vide/);
    await expect(t.vault.export(ARCHIVIST, { objectIds: [disposedId], outDir: path.join(t.dir, 'vide') })).rejects.toThrow(/Rien à exporter/);
  });
});
