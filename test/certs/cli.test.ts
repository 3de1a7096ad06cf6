import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support/db.ts';
import { createSoftHsmStore, initSoftHsmToken } from '../../certs/softhsm.ts';
import { POLICY_OIDS } from '../../certs/policies.ts';
import { openssl, tempDir } from './pki-support.ts';
import { cli } from '../support/cli.ts';

const dir = tempDir('pki-cli');
const dataDir = path.join(dir, 'data');
const store = createSoftHsmStore(path.join(dir, 'softhsm'));
const person = ['--name', 'Camille Martin', '--org', 'Atelier Martin', '--siren', '732829320'];
const faceToFace = ['--identity-check', 'face_to_face', '--operator', 'agence', '--document-type', 'id_card', '--document-number', 'X12345678'];

let db: Awaited<ReturnType<typeof createTestDatabase>>;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function passeport(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const base: Record<string, string | undefined> = { ...process.env, DATABASE_URL: db.url, DATA_DIR: dataDir, SOFTHSM2_CONF: store.confPath, ...env };
  delete base.PASSEPORT_CA_SECRET;
  delete base.PASSEPORT_P12_PASSPHRASE;
  delete base.PASSEPORT_PIN;
  Object.assign(base, env);
  return new Promise((resolve) => {
    const [command, argv] = cli('pki', ...args);
    const child = execFile(command, argv, { cwd: dir, env: base, timeout: 200_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
    child.stdin?.end();
  });
}

beforeAll(async () => {
  db = await createTestDatabase();
  initSoftHsmToken(store, { label: 'cle-usb', pin: '4321', soPin: '87654321' });
});
afterAll(async () => {
  await db?.drop();
});

describe('passeport pki (driven as a subprocess)', { timeout: 300_000 }, () => {
  it('init creates the hierarchy and the master secret file (0600); a second init changes nothing', async () => {
    const first = await passeport(['init', '--ca-key', 'ec256', '--base-url', 'http://127.0.0.1:8080']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/PKI initialisée : 6 AC créée\(s\)/);
    const secretFile = path.join(dataDir, 'ca-secret');
    expect(fs.statSync(secretFile).mode & 0o777).toBe(0o600);
    const again = await passeport(['init', '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ created: [], existing: ['root', 'rgs1', 'rgs2', 'rgs3', 'seal', 'tsa'] });
  });

  it('issue --level 1 writes a PKCS#12 that openssl opens, export-root gives what verifies it', async () => {
    const run = await passeport(['issue', '--level', '1', ...person, '--key', 'rsa2048', '--out', 'camille.p12', '--email', 'camille@example.test', '--json'], {
      PASSEPORT_P12_PASSPHRASE: 'une phrase assez longue',
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out).toMatchObject({ level: 1, profile: 'person-rgs1', ca: 'rgs1', keyType: 'rsa2048', subject: 'C=FR, O=Atelier Martin, OU=0002 732829320, CN=Camille Martin' });
    expect(out.serial).toMatch(/^[0-9a-f]{32}$/);
    const p12 = path.join(dir, 'camille.p12');
    expect(out.files).toEqual([p12]);
    expect(fs.statSync(p12).mode & 0o777).toBe(0o600);
    const extract = openssl(['pkcs12', '-in', p12, '-clcerts', '-nokeys', '-passin', 'pass:une phrase assez longue']);
    expect(extract.status).toBe(0);
    fs.writeFileSync(path.join(dir, 'camille.pem'), extract.stdout);

    const exported = await passeport(['export-root', '--out', 'root.pem', '--chain', 'chain.pem']);
    expect(exported.code).toBe(0);
    expect(openssl(['x509', '-in', path.join(dir, 'root.pem'), '-noout', '-subject']).stdout).toMatch(/CN ?= ?Passeport AC Racine/);
    const verdict = openssl([
      'verify',
      '-CAfile',
      path.join(dir, 'root.pem'),
      '-untrusted',
      path.join(dir, 'chain.pem'),
      '-x509_strict',
      '-explicit_policy',
      '-policy',
      POLICY_OIDS.rgs1,
      path.join(dir, 'camille.pem'),
    ]);
    expect(verdict.stdout).toMatch(/camille\.pem: OK/);
    const again = await passeport(['export-root', '--out', 'root.pem']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/existe déjà/);

    const list = await passeport(['list', '--json']);
    expect(list.code).toBe(0);
    const listed = JSON.parse(list.stdout) as Array<{ serial: string; profile: string; keyLocation: string }>;
    expect(listed.find((c) => c.serial === out.serial)).toMatchObject({ profile: 'person-rgs1', keyLocation: `pkcs12:${p12}` });
    expect(listed.filter((c) => c.profile.startsWith('ca-') || c.profile === 'root-ca')).toHaveLength(6);
    const text = await passeport(['list', '--level', '1']);
    expect(text.stdout).toContain(out.serial);
    expect(text.stdout).toMatch(/1 certificat\(s\)\./);
  });

  it('issue --level 2 on a SoftHSM2 token, and --seal; PIN from PASSEPORT_PIN', async () => {
    const run = await passeport(['issue', '--level', '2', ...person, '--key', 'ec256', '--token-label', 'cle-usb', '--key-label', 'camille', ...faceToFace, '--json'], {
      PASSEPORT_PIN: '4321',
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ level: 2, profile: 'person-rgs2', ca: 'rgs2', token: { label: 'cle-usb', keyLabel: 'camille' } });
    const seal = await passeport(
      [
        'issue',
        '--seal',
        '--org',
        'Banque Exemple',
        '--siren',
        '356000000',
        '--key',
        'ec384',
        '--token-label',
        'cle-usb',
        '--key-label',
        'cachet',
        ...faceToFace,
        '--out',
        'cachet.pem',
        '--json',
      ],
      { PASSEPORT_PIN: '4321' },
    );
    expect(seal.code).toBe(0);
    expect(JSON.parse(seal.stdout)).toMatchObject({ level: 3, profile: 'seal-rgs3', ca: 'seal', subject: 'C=FR, O=Banque Exemple, OU=0002 356000000, CN=Banque Exemple' });
    const verdict = openssl([
      'verify',
      '-CAfile',
      path.join(dir, 'root.pem'),
      '-untrusted',
      path.join(dir, 'cachet.pem'),
      '-x509_strict',
      '-explicit_policy',
      '-policy',
      POLICY_OIDS.seal3,
      path.join(dir, 'cachet.pem'),
    ]);
    expect(verdict.stdout).toMatch(/cachet\.pem: OK/);
  });

  it('refusals: exit code 1, French message on stderr, nothing on stdout, no secret echoed', async () => {
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [['issue', '--level', '2', ...person, '--token-label', 'cle-usb'], { PASSEPORT_PIN: '4321' }, /face à face/],
      [['issue', '--level', '1', ...person, '--siren', '123456789', '--out', 'x.p12'], { PASSEPORT_P12_PASSPHRASE: 'une phrase assez longue' }, /SIREN invalide/],
      [['issue', '--level', '1', ...person, '--out', 'y.p12'], {}, /PASSEPORT_P12_PASSPHRASE n’est pas défini et aucun terminal/],
      [['issue', '--level', '2', ...person, '--token-label', 'cle-usb', ...faceToFace], { PASSEPORT_PIN: '0000' }, /Code PIN incorrect pour le jeton « cle-usb »/],
      [['issue', '--level', '3', ...person, '--token-label', 'absent', ...faceToFace], { PASSEPORT_PIN: '4321' }, /Jeton PKCS#11 « absent » introuvable/],
      [
        ['issue', '--level', '3', ...person, '--token-label', 'cle-usb', '--module', '/nulle/part.so', ...faceToFace],
        { PASSEPORT_PIN: '4321' },
        /Module PKCS#11 introuvable : \/nulle\/part\.so/,
      ],
    ];
    // Three at a time: the machine is shared, and each run starts Node and tsx.
    const runs: Run[] = [];
    for (let i = 0; i < cases.length; i += 3) {
      runs.push(...(await Promise.all(cases.slice(i, i + 3).map(([args, env]) => passeport(args, env)))));
    }
    runs.forEach((run, i) => {
      expect(run.code, cases[i]![0].join(' ')).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(cases[i]![2]);
      expect(run.stderr).not.toMatch(/0000|4321|une phrase/);
    });
    expect(fs.existsSync(path.join(dir, 'x.p12'))).toBe(false);
  });
});
