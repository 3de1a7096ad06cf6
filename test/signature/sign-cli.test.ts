import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { buildPkcs12 } from '../../certs/pkcs12.ts';
import { TokenSession, generateTokenKey, storeCertificateOnToken, storeChainOnToken } from '../../certs/pkcs11.ts';
import { POLICY_OIDS } from '../../certs/policies.ts';
import { makeContract } from './support/contract.ts';
import { judge, startHarness, type Harness } from './support/harness.ts';
import { closedPortUrl, startOpensslOcsp } from './support/servers.ts';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const PASSPHRASE = 'phrase-secrète-de-test';
/** Each subprocess starts the whole CLI: generous on loaded shared cores. */
const SLOW = 180_000;

let h: Harness;
let dir: string;
let contractFile: string;
let p12File: string;

async function passeport(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(path.join(root, 'passeport'), args, { cwd: root, env: { ...process.env, ...env }, timeout: 150_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

beforeAll(async () => {
  h = await startHarness();
  dir = fs.mkdtempSync(path.join(h.dir, 'cli-'));
  contractFile = path.join(dir, 'contrat.pdf');
  fs.writeFileSync(contractFile, await makeContract());
  const leaf = await h.pki.issue({ cn: 'Jeanne Créatrice', o: 'Boulangerie Dupont', keyType: 'rsa2048' });
  p12File = path.join(dir, 'jeanne.p12');
  fs.writeFileSync(p12File, buildPkcs12(leaf.privateKey, leaf.der, [h.pki.ca.der, h.pki.root.der], PASSPHRASE));
  fs.writeFileSync(path.join(dir, 'ca.crl'), await h.pki.caCrl());
  fs.writeFileSync(path.join(dir, 'root.crl'), await h.pki.rootCrl());
  fs.writeFileSync(path.join(dir, 'root.pem'), h.pki.root.pem);
});
afterAll(async () => h?.close());

describe('passeport sign / extend as a subprocess', () => {
  it(
    'sign --p12 --level B-T, then extend --level B-LTA with CRL files',
    async () => {
      const signed = path.join(dir, 'signe.pdf');
      const r = await passeport(
        [
          'sign',
          contractFile,
          '--out',
          signed,
          '--level',
          'B-T',
          '--p12',
          p12File,
          '--tsa',
          h.tsa.url,
          '--visible',
          '--reason',
          'Acceptation',
          '--location',
          'Lyon',
          '--field',
          'Createur',
          '--certify',
          '--json',
        ],
        { PASSEPORT_P12_PASSPHRASE: PASSPHRASE },
      );
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, command: 'sign', level: 'B-T', out: signed });
      const input = fs.readFileSync(contractFile);
      const signedBytes = fs.readFileSync(signed);
      expect(signedBytes.toString('latin1')).toMatch(/\/TransformMethod \/DocMDP/);
      await judge(h, input, signedBytes, { signatures: 1, signatureTimestamps: true });

      const extended = path.join(dir, 'archive.pdf');
      const x = await passeport([
        'extend',
        signed,
        '--out',
        extended,
        '--level',
        'B-LTA',
        '--tsa',
        h.tsa.url,
        '--crl',
        path.join(dir, 'ca.crl'),
        '--crl',
        path.join(dir, 'root.crl'),
        '--cert',
        path.join(dir, 'root.pem'),
      ]);
      expect(x.stderr).toBe('');
      expect(x.code).toBe(0);
      expect(x.stdout).toMatch(/PDF écrit : .*archive\.pdf \(niveau B-LTA/);
      const ext = fs.readFileSync(extended);
      // The CRL files given on the command line are embedded verbatim (byte-identical to the ones written).
      for (const f of ['ca.crl', 'root.crl']) expect(ext.includes(fs.readFileSync(path.join(dir, f)))).toBe(true);
      await judge(h, signedBytes, ext, { signatures: 1, documentTimestamps: 1, signatureTimestamps: true, embedded: [h.pki.root.der, h.pki.ca.der, h.pki.tsa.der], vri: true });
    },
    SLOW,
  );

  it(
    'sign --token-label: the bank seals with its RGS *** key on SoftHSM2 (PIN from PASSEPORT_PIN)',
    async () => {
      const hsm = fs.mkdtempSync(path.join(dir, 'softhsm-'));
      fs.mkdirSync(path.join(hsm, 'tokens'));
      const conf = path.join(hsm, 'softhsm2.conf');
      fs.writeFileSync(conf, `directories.tokendir = ${hsm}/tokens\nobjectstore.backend = file\nlog.level = ERROR\n`);
      process.env.SOFTHSM2_CONF = conf;
      const pin = '7319';
      execFileSync('softhsm2-util', ['--init-token', '--free', '--label', 'banque-cli', '--pin', pin, '--so-pin', '24681357'], { env: process.env, stdio: 'ignore' });
      const session = TokenSession.open({ tokenLabel: 'banque-cli', pin });
      try {
        const key = generateTokenKey(session, 'ec256', 'cachet');
        const cert = await h.pki.certify({ cn: 'Banque Exemple', o: 'Banque Exemple SA', spki: key.publicKey, policy: POLICY_OIDS.seal3 });
        storeCertificateOnToken(session, cert, key.id, 'cachet');
        storeChainOnToken(session, [h.pki.ca.der, h.pki.root.der]);
      } finally {
        session.close();
      }
      const out = path.join(dir, 'cachet.pdf');
      const r = await passeport(['sign', contractFile, '--out', out, '--level', 'B-T', '--token-label', 'banque-cli', '--key-label', 'cachet', '--tsa', h.tsa.url, '--json'], {
        PASSEPORT_PIN: pin,
        SOFTHSM2_CONF: conf,
      });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).not.toContain(pin);
      await judge(h, fs.readFileSync(contractFile), fs.readFileSync(out), { signatures: 1, signatureTimestamps: true });
      const wrong = await passeport(['sign', contractFile, '--out', path.join(dir, 'refus-pin.pdf'), '--token-label', 'banque-cli'], {
        PASSEPORT_PIN: '0000',
        SOFTHSM2_CONF: conf,
      });
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toMatch(/^Erreur : /);
      expect(wrong.stderr).not.toContain('0000');
    },
    SLOW,
  );

  it(
    'exits 1 with a French reason and writes no file when the TSA is down',
    async () => {
      const out = path.join(dir, 'jamais.pdf');
      const r = await passeport(['sign', contractFile, '--out', out, '--level', 'B-LTA', '--p12', p12File, '--tsa', await closedPortUrl()], {
        PASSEPORT_P12_PASSPHRASE: PASSPHRASE,
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^Erreur : Horodatage impossible : Le service d'horodatage .* est injoignable/);
      expect(fs.existsSync(out)).toBe(false);
      expect(fs.readdirSync(dir).filter((f) => f.includes('jamais'))).toEqual([]);
    },
    SLOW,
  );

  it(
    'refuses a revoked certificate at B-LT with --fetch: exit 1, the reason in French, no file (issue 11, item 1)',
    async () => {
      const ocsp = await startOpensslOcsp(h.dir, h.pki);
      try {
        const revoked = await h.pki.issue({ cn: 'Rémi Révoqué', keyType: 'ec256', ocspUrl: ocsp.url });
        ocsp.setGood([], [revoked]);
        const p12 = path.join(dir, 'revoque.p12');
        fs.writeFileSync(p12, buildPkcs12(revoked.privateKey, revoked.der, [h.pki.ca.der, h.pki.root.der], PASSPHRASE));
        const out = path.join(dir, 'revoque.pdf');
        const r = await passeport(['sign', contractFile, '--out', out, '--level', 'B-LT', '--p12', p12, '--tsa', h.tsa.url, '--fetch'], { PASSEPORT_P12_PASSPHRASE: PASSPHRASE });
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/^Erreur : Le certificat « .*Rémi Révoqué » est révoqué depuis le .* : signature refusée\./);
        expect(fs.existsSync(out)).toBe(false);
      } finally {
        await ocsp.close();
      }
    },
    SLOW,
  );

  it(
    'exits 1 on a wrong passphrase without echoing it, and asks for --tsa from B-T up',
    async () => {
      const out = path.join(dir, 'refus.pdf');
      const wrong = 'mauvaise-phrase-123';
      const r = await passeport(['sign', contractFile, '--out', out, '--p12', p12File], { PASSEPORT_P12_PASSPHRASE: wrong });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^Erreur : /);
      expect(r.stderr).not.toContain(wrong);
      expect(fs.existsSync(out)).toBe(false);
      const t = await passeport(['sign', contractFile, '--out', out, '--p12', p12File, '--level', 'B-T'], { PASSEPORT_P12_PASSPHRASE: PASSPHRASE });
      expect(t.code).toBe(1);
      expect(t.stderr).toMatch(/exige une autorité d’horodatage : ajoutez --tsa URL/);
    },
    SLOW,
  );
});
