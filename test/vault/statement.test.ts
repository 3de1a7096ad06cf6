import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VaultError } from '../../vault/errors.ts';
import type { ObjectRecord } from '../../vault/types.ts';
import { ARCHIVIST, ENGINE, contractPackage, createTestbed, type Testbed } from './support/testbed.ts';

let t: Testbed;
let contract: ObjectRecord;
let signed: Buffer;

const bytes = (text: string) => new Uint8Array(Buffer.from(text));

beforeAll(async () => {
  t = await createTestbed({ locations: 1 });
  const crl = new Uint8Array(await (await fetch(t.pki.crlUrl)).arrayBuffer());
  for (let i = 0; i < 6; i++)
    await t.vault.deposit(ENGINE, { documentClass: 'rapport', objects: [{ name: 'r.json', mediaType: 'application/json', content: bytes(`avant ${i}`) }] });
  signed = await t.signedContract({ level: 'B-LT' });
  contract = (await t.vault.deposit(ENGINE, contractPackage(signed, { dossierId: 'D-ATTESTATION', evidence: [crl] }))).objects[0]!;
  for (let i = 0; i < 4; i++)
    await t.vault.deposit(ENGINE, { documentClass: 'rapport', objects: [{ name: 'r.json', mediaType: 'application/json', content: bytes(`après ${i}`) }] });
});
afterAll(async () => {
  await t?.close();
});

describe('probative-value statement', () => {
  it('is refused while the deposit entry is not sealed yet', async () => {
    const error = await t.vault.statement(ARCHIVIST, contract.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VaultError);
    expect((error as VaultError).code).toBe('NOT_YET_SEALED');
  });

  it('is a French PDF whose fingerprints, Merkle path and timestamp a third party checks by hand with openssl', async () => {
    await t.vault.seal(ENGINE);
    const pdf = await t.vault.statement(ARCHIVIST, contract.id);
    const dir = fs.mkdtempSync(path.join(t.dir, 'attestation-'));
    const file = path.join(dir, 'attestation.pdf');
    fs.writeFileSync(file, pdf);
    expect(execFileSync('qpdf', ['--check', file], { encoding: 'utf8' })).toMatch(/No syntax or stream encoding errors found/);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    expect(text).toContain('Attestation de valeur probante');
    expect(text).toContain(contract.id);
    expect(text).toContain(contract.sha256);
    expect(text).toContain(contract.sha512.slice(0, 64));
    expect(text).toContain(contract.sha512.slice(64));
    expect(text).toMatch(/Verdict\s+TOTAL_PASSED/);
    expect(text).toContain('Elle est égale à la racine scellée dans SC-000001');

    // The attachments, then the checks the statement describes, done as a third party would.
    execFileSync('pdfdetach', ['-saveall', '-o', dir, file]);
    const entry = fs.readFileSync(path.join(dir, 'entree-de-depot.json'));
    const seal = fs.readFileSync(path.join(dir, 'sceau.txt'), 'utf8');
    fs.writeFileSync(path.join(dir, 'contrat.pdf'), signed);
    const dgst = execFileSync('openssl', ['dgst', '-sha512', '-r', path.join(dir, 'contrat.pdf')], { encoding: 'utf8' }).split(' ')[0]!;
    expect(dgst).toBe(contract.sha512);
    expect(entry.toString()).toContain(`"sha512":"${dgst}"`);

    // The path, read off the page: "Étape n : frère à gauche|droite" and two lines of 64 hexadecimal digits.
    const hex = (h: string) => Buffer.from(h, 'hex');
    const steps = [...text.matchAll(/Étape \d+ : frère à (gauche|droite)\s+([0-9a-f]{64})\s+([0-9a-f]{64})/g)].map((m) => ({ left: m[1] === 'gauche', hash: hex(m[2]! + m[3]!) }));
    expect(steps.length).toBeGreaterThanOrEqual(3);
    const sha512 = (...parts: Buffer[]) => crypto.createHash('sha512').update(Buffer.concat(parts)).digest();
    let node = sha512(Buffer.from([0]), entry);
    for (const s of steps) node = s.left ? sha512(Buffer.from([1]), s.hash, node) : sha512(Buffer.from([1]), node, s.hash);
    expect(seal).toContain(`racine-merkle-sha512: ${node.toString('hex')}\n`);

    const verify = spawnSync(
      'openssl',
      [
        'ts',
        '-verify',
        '-data',
        path.join(dir, 'sceau.txt'),
        '-in',
        path.join(dir, 'jeton.tst'),
        '-token_in',
        '-CAfile',
        path.join(dir, 'racines.pem'),
        '-untrusted',
        writeCa(dir),
      ],
      { encoding: 'utf8' },
    );
    expect(`${verify.stdout}${verify.stderr}`).toMatch(/Verification: OK/);

    const [last] = await t.db.sql<{ operation: string; outcome: string }[]>`select operation, outcome from vault_journal order by seq desc limit 1`;
    expect(last).toEqual({ operation: 'statement', outcome: 'ok' });
  });

  it('a party gets the statement of its own document only', async () => {
    expect((await t.vault.statement({ kind: 'party', role: 'banque', id: 'BPALPES' }, contract.id)).length).toBeGreaterThan(1000);
    const error = await t.vault.statement({ kind: 'party', role: 'banque', id: 'BANQUE-NORD' }, contract.id).catch((e: unknown) => e);
    expect((error as VaultError).code).toBe('NOT_FOUND');
  });
});

/** openssl needs the issuing CA of the TSA (the token carries it too; this keeps the check independent of that). */
function writeCa(dir: string): string {
  const file = path.join(dir, 'ac.pem');
  fs.writeFileSync(file, t.pki.ca.pem);
  return file;
}
