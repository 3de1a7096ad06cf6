/**
 * The browser's PKCS#12 reader (web/client/pkcs12-reader.ts) and the signer
 * over it (web/client/p12-signer.ts), run here on Node's WebCrypto: files
 * written by the engine (PBES2/AES-256, SHA-256 MAC, 100,000 iterations), by
 * OpenSSL 3 by default, and by OpenSSL's legacy ciphers (3DES key, RC2-40
 * certificates, SHA-1 MAC); the certificates come back byte for byte, the key
 * signs what its certificate verifies, and bad files get their French reason.
 */
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPkcs12 } from '../../certs/pkcs12.ts';
import { createTestPki, type TestCert, type TestPki } from '../signature/support/pki.ts';
import { Pkcs12Error, readPkcs12, summariseCertificate } from '../../web/client/pkcs12-reader.ts';
import { openPkcs12, SigningError } from '../../web/client/p12-signer.ts';

const PASSPHRASE = 'Phrase secrète été 2026';
let pki: TestPki;
let ec: TestCert;
let rsa: TestCert;
let dir: string;

beforeAll(async () => {
  pki = await createTestPki();
  ec = await pki.issue({ cn: 'Camille Rousseau', keyType: 'ec256' });
  rsa = await pki.issue({ cn: 'Léa Martin', keyType: 'rsa2048' });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passeport-p12-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** An OpenSSL-written PKCS#12 of `cert` with the issuing CA, with extra `openssl pkcs12 -export` options. */
function opensslP12(cert: TestCert, name: string, options: string[], passphrase = PASSPHRASE): Uint8Array {
  const key = path.join(dir, `${name}.key`);
  const pem = path.join(dir, `${name}.pem`);
  const chain = path.join(dir, `${name}-ca.pem`);
  const out = path.join(dir, `${name}.p12`);
  fs.writeFileSync(key, cert.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  fs.writeFileSync(pem, cert.pem);
  fs.writeFileSync(chain, pki.ca.pem);
  execFileSync('openssl', ['pkcs12', '-export', '-inkey', key, '-in', pem, '-certfile', chain, '-out', out, '-passout', `pass:${passphrase}`, ...options]);
  return new Uint8Array(fs.readFileSync(out));
}

const spkiOf = (key: crypto.KeyObject) => crypto.createPublicKey(key).export({ type: 'spki', format: 'der' });

describe('readPkcs12', () => {
  const cases: [string, () => Uint8Array, () => TestCert][] = [
    ['the engine’s own format (EC P-256)', () => buildPkcs12(ec.privateKey, ec.der, [pki.ca.der], PASSPHRASE), () => ec],
    ['the engine’s own format (RSA)', () => buildPkcs12(rsa.privateKey, rsa.der, [pki.ca.der], PASSPHRASE), () => rsa],
    ['OpenSSL 3’s default (PBES2, AES-256, SHA-256 MAC)', () => opensslP12(rsa, 'default', []), () => rsa],
    ['OpenSSL’s legacy ciphers (3DES key, RC2-40 certificates, SHA-1 MAC)', () => opensslP12(ec, 'legacy', ['-legacy']), () => ec],
    ['3DES throughout, certificates included', () => opensslP12(rsa, '3des', ['-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1']), () => rsa],
  ];
  for (const [label, make, holder] of cases) {
    it(`opens ${label}: the key as PKCS#8, every certificate byte for byte`, async () => {
      const contents = await readPkcs12(make(), PASSPHRASE);
      const cert = holder();
      expect(contents.keyType).toBe(cert === ec ? 'P-256' : 'RSA');
      const key = crypto.createPrivateKey({ key: Buffer.from(contents.pkcs8), format: 'der', type: 'pkcs8' });
      expect(spkiOf(key)).toEqual(spkiOf(cert.privateKey));
      const certs = contents.certificates.map((c) => Buffer.from(c).toString('hex'));
      expect(certs.sort()).toEqual([Buffer.from(cert.der).toString('hex'), Buffer.from(pki.ca.der).toString('hex')].sort());
    });
  }

  it('refuses a wrong passphrase in French, whichever cipher', async () => {
    for (const file of [buildPkcs12(ec.privateKey, ec.der, [], PASSPHRASE), opensslP12(ec, 'legacy-wrong', ['-legacy'])]) {
      const error = await readPkcs12(file, 'pas la bonne').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Pkcs12Error);
      expect(error).toMatchObject({ code: 'WRONG_PASSPHRASE', message: expect.stringMatching(/^Mot de passe incorrect/) });
    }
  });

  it('says what is wrong with a file that is not a usable PKCS#12', async () => {
    const good = buildPkcs12(ec.privateKey, ec.der, [], PASSPHRASE);
    await expect(readPkcs12(good.subarray(0, good.length - 40), PASSPHRASE)).rejects.toMatchObject({ code: 'MALFORMED' });
    await expect(readPkcs12(new TextEncoder().encode('%PDF-1.7 pas un certificat'), PASSPHRASE)).rejects.toMatchObject({ code: 'MALFORMED' });
    await expect(readPkcs12(opensslP12(ec, 'nokeys', ['-nokeys']), PASSPHRASE)).rejects.toMatchObject({ code: 'NO_KEY' });
  });

  it('reads the holder’s name and end date from a certificate', () => {
    const summary = summariseCertificate(rsa.der);
    expect(summary.name).toBe('Léa Martin');
    expect(summary.notAfter.toISOString()).toBe(rsa.cert.notAfter.toISOString());
  });
});

describe('openPkcs12', () => {
  it('signs the data to be signed with a WebCrypto key that cannot be exported, for its own certificate only', async () => {
    for (const cert of [ec, rsa]) {
      const signer = await openPkcs12(buildPkcs12(cert.privateKey, cert.der, [pki.ca.der], PASSPHRASE), PASSPHRASE);
      expect(Buffer.from(signer.certificate)).toEqual(Buffer.from(cert.der));
      expect(signer.chain.map((c) => Buffer.from(c))).toEqual([Buffer.from(pki.ca.der)]);
      const data = crypto.randomBytes(200);
      const value = await signer.sign(data, cert.der);
      const verified =
        cert === ec
          ? crypto.verify('sha256', data, { key: crypto.createPublicKey(cert.privateKey), dsaEncoding: 'ieee-p1363' }, value)
          : crypto.verify('sha256', data, crypto.createPublicKey(cert.privateKey), value);
      expect(verified).toBe(true);
      await expect(signer.sign(data, cert === ec ? rsa.der : ec.der)).rejects.toBeInstanceOf(SigningError);
    }
  });

  it('refuses an expired certificate', async () => {
    const signer = openPkcs12(buildPkcs12(ec.privateKey, ec.der, [], PASSPHRASE), PASSPHRASE, new Date(Date.now() + 400 * 86_400_000));
    await expect(signer).rejects.toMatchObject({ code: 'EXPIRED', message: expect.stringMatching(/a expiré le/) });
  });
});
