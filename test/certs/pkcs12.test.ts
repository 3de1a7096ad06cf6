import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support/db.ts';
import { initPki, loadCa } from '../../certs/ca.ts';
import { PROFILES } from '../../certs/profiles.ts';
import { POLICY_OIDS } from '../../certs/policies.ts';
import { issueCertificate, type IssuedResult } from '../../certs/issue.ts';
import { pkcs12Signer, readPkcs12 } from '../../certs/pkcs12.ts';
import { softwareSigner } from '../../certs/signers.ts';
import { derToPem } from '../../asn1/index.ts';
import { readCertificate, readCertificates, readPrivateKey } from '../../certs/certificates.ts';
import { PkiError } from '../../certs/errors.ts';
import { certText, tempDir, verifyWithOpenssl } from './pki-support.ts';
import { pkiStore } from '../../db/repositories/pki.ts';

const secret = { secret: 'secret-maitre-de-test-0123456789' };
const passphrase = 'phrase secrète à tester';
const person = { name: 'Camille Martin', organisation: 'Atelier Martin', siren: '732829320' };
const remote = { identityCheck: 'remote' as const, operator: 'guichet-1' };
const dir = tempDir('pki-p12');

let db: Awaited<ReturnType<typeof createTestDatabase>>;
const issued: Record<string, IssuedResult> = {};

function p12openssl(args: string[], pass: string) {
  const run = spawnSync('openssl', ['pkcs12', ...args, '-passin', 'env:P12PASS'], { encoding: 'utf8', env: { ...process.env, P12PASS: pass } });
  return { status: run.status, out: run.stdout + run.stderr };
}

function expectPkiError(run: () => unknown, code: string): PkiError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(PkiError);
    expect((error as PkiError).code).toBe(code);
    expect((error as PkiError).message).not.toContain(passphrase);
    return error as PkiError;
  }
  throw new Error(`expected a PkiError ${code}`);
}

beforeAll(async () => {
  db = await createTestDatabase();
  // RSA 3072 CA keys here (the other suites use EC keys to stay fast): openssl judges those too.
  await initPki(pkiStore(db.sql), { ...secret, caKeyType: 'rsa3072' });
  for (const type of ['rsa2048', 'ec384'] as const) {
    issued[type] = await issueCertificate(pkiStore(db.sql), {
      profile: 'person-rgs1',
      subject: person,
      key: { store: 'software', type, pkcs12Passphrase: passphrase },
      registration: remote,
      secret,
    });
    fs.writeFileSync(path.join(dir, `${type}.p12`), issued[type]!.pkcs12!);
  }
});
afterAll(async () => {
  await db?.drop();
});

describe('PKCS#12 delivery of RGS * keys', () => {
  it('the RSA 3072 hierarchy and what it issues pass openssl strict checks', async () => {
    const root = await loadCa(pkiStore(db.sql), 'root', secret);
    expect(certText(root.certificate)).toMatch(/Public-Key: \(3072 bit\)/);
    for (const name of ['rgs1', 'rgs2', 'rgs3', 'seal', 'tsa'] as const) {
      const ca = await loadCa(pkiStore(db.sql), name, secret);
      const policy = PROFILES[`ca-${name}` as const].policies[0]!;
      expect(verifyWithOpenssl(dir, ca.certificate, [root.certificate], policy).stdout).toMatch(/: OK\n/);
    }
    for (const type of ['rsa2048', 'ec384'] as const) {
      const text = certText(issued[type]!.certificate);
      expect(text).toMatch(/Signature Algorithm: sha256WithRSAEncryption/);
      expect(verifyWithOpenssl(dir, issued[type]!.certificate, issued[type]!.chain, POLICY_OIDS.rgs1).stdout).toMatch(/: OK\n/);
    }
  });

  for (const type of ['rsa2048', 'ec384'] as const) {
    it(`${type}: openssl reads it with the passphrase (PBES2/AES-256-CBC, SHA-256 MAC) and not without`, () => {
      const file = path.join(dir, `${type}.p12`);
      const info = p12openssl(['-info', '-noout', '-in', file], passphrase);
      expect(info.status).toBe(0);
      expect(info.out).toMatch(/MAC: sha256, Iteration 2048/);
      expect(info.out).toMatch(/Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 100000, PRF hmacWithSHA256/);
      const dump = p12openssl(['-in', file, '-nodes'], passphrase);
      expect(dump.status).toBe(0);
      const key = crypto.createPrivateKey(dump.out.slice(dump.out.indexOf('-----BEGIN PRIVATE KEY-----')));
      const certPem = dump.out.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)!;
      expect(certPem).toHaveLength(3);
      expect(Buffer.from(readCertificate(certPem[0]!).der).equals(Buffer.from(issued[type]!.certificate))).toBe(true);
      const data = Buffer.from('contrat');
      expect(crypto.verify('sha256', data, new crypto.X509Certificate(issued[type]!.certificate).publicKey, crypto.sign('sha256', data, key))).toBe(true);
      const wrong = p12openssl(['-info', '-noout', '-in', file], 'mauvaise phrase');
      expect(wrong.status).not.toBe(0);
      expect(wrong.out).toMatch(/mac verify (error|failure)/i);
    });

    it(`${type}: pkcs12Signer signs with the file's key and carries the chain`, async () => {
      const signer = pkcs12Signer(issued[type]!.pkcs12!, passphrase);
      expect(Buffer.from(signer.certificate).equals(Buffer.from(issued[type]!.certificate))).toBe(true);
      expect(signer.chain.map((c) => Buffer.from(c).toString('hex'))).toEqual(issued[type]!.chain.map((c) => Buffer.from(c).toString('hex')));
      const data = crypto.randomBytes(50);
      const sig = await signer.sign(data, 'SHA-512');
      expect(crypto.verify('sha512', data, { key: new crypto.X509Certificate(signer.certificate).publicKey, dsaEncoding: 'der' }, sig)).toBe(true);
      expectPkiError(() => pkcs12Signer(issued[type]!.pkcs12!, 'mauvaise phrase'), 'WRONG_PASSPHRASE');
    });
  }

  it('reads a PKCS#12 file made by openssl (certificates encrypted with PBES2)', () => {
    const keyFile = path.join(dir, 'k.pem');
    const certFile = path.join(dir, 'c.pem');
    fs.writeFileSync(keyFile, issued.rsa2048!.privateKey!.export({ format: 'pem', type: 'pkcs8' }));
    fs.writeFileSync(certFile, derToPem(issued.rsa2048!.certificate) + issued.rsa2048!.chain.map((c) => derToPem(c)).join(''));
    const out = path.join(dir, 'openssl.p12');
    const made = spawnSync('openssl', ['pkcs12', '-export', '-inkey', keyFile, '-in', certFile, '-out', out, '-passout', 'env:P12PASS'], {
      env: { ...process.env, P12PASS: passphrase },
    });
    expect(made.status).toBe(0);
    const contents = readPkcs12(fs.readFileSync(out), passphrase);
    expect(Buffer.from(contents.certificate).equals(Buffer.from(issued.rsa2048!.certificate))).toBe(true);
    expect(contents.chain).toHaveLength(2);
    expectPkiError(() => readPkcs12(fs.readFileSync(out), 'faux'), 'WRONG_PASSPHRASE');
  });

  it('refuses malformed or truncated files precisely', () => {
    const good = issued.ec384!.pkcs12!;
    expectPkiError(() => readPkcs12(good.subarray(0, good.length - 40), passphrase), 'MALFORMED_PKCS12');
    expectPkiError(() => readPkcs12(crypto.randomBytes(200), passphrase), 'MALFORMED_PKCS12');
    expectPkiError(() => readPkcs12(new Uint8Array(0), passphrase), 'MALFORMED_PKCS12');
    expectPkiError(() => readPkcs12(issued.ec384!.certificate, passphrase), 'MALFORMED_PKCS12');
  });
});

describe('parsing and software signers', () => {
  it('malformed PEM and DER inputs give precise errors', () => {
    const der = issued.ec384!.certificate;
    expect(readCertificate(derToPem(der)).serialNumber.toLowerCase()).toBe(issued.ec384!.serial);
    expect(readCertificates(derToPem(der) + derToPem(issued.ec384!.chain[0]!))).toHaveLength(2);
    expectPkiError(() => readCertificate(der.subarray(0, 100)), 'MALFORMED_CERTIFICATE');
    expectPkiError(() => readCertificate(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01])), 'MALFORMED_CERTIFICATE');
    expectPkiError(() => readCertificate(crypto.randomBytes(300)), 'MALFORMED_CERTIFICATE');
    expectPkiError(() => readCertificate('-----BEGIN CERTIFICATE-----\n@@@@\n-----END CERTIFICATE-----\n'), 'MALFORMED_PEM');
    expectPkiError(() => readCertificate('rien ici'), 'MALFORMED_PEM');
    expectPkiError(
      () => readCertificate(`-----BEGIN CERTIFICATE-----\n${Buffer.from('pas un certificat').toString('base64')}\n-----END CERTIFICATE-----\n`),
      'MALFORMED_CERTIFICATE',
    );
    expectPkiError(() => readPrivateKey('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'), 'MALFORMED_KEY');
    expectPkiError(() => readPrivateKey(crypto.randomBytes(64)), 'MALFORMED_KEY');
  });

  it('softwareSigner: PKCS#1 v1.5, PSS with explicit salt, ECDSA in DER; refuses a key that is not the certificate’s', async () => {
    const rsa = issued.rsa2048!;
    const pub = new crypto.X509Certificate(rsa.certificate).publicKey;
    const data = crypto.randomBytes(40);
    const pss = softwareSigner(rsa.privateKey!, rsa.certificate, rsa.chain, { rsaPadding: 'pss', saltLength: 32 });
    expect(pss.keyAlgorithm).toEqual({ name: 'RSA-PSS', modulusLength: 2048, saltLength: 32 });
    const pssSig = await pss.sign(data, 'SHA-256');
    expect(crypto.verify('sha256', data, { key: pub, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, pssSig)).toBe(true);
    expect(crypto.verify('sha256', data, { key: pub, padding: crypto.constants.RSA_PKCS1_PADDING }, pssSig)).toBe(false);
    const pkcs1 = softwareSigner(rsa.privateKey!, derToPem(rsa.certificate));
    expect(crypto.verify('sha384', data, pub, await pkcs1.sign(data, 'SHA-384'))).toBe(true);
    const ec = softwareSigner(issued.ec384!.privateKey!, issued.ec384!.certificate);
    const ecSig = await ec.sign(data, 'SHA-384');
    expect(ecSig[0]).toBe(0x30);
    expect(crypto.verify('sha384', data, { key: new crypto.X509Certificate(issued.ec384!.certificate).publicKey, dsaEncoding: 'der' }, ecSig)).toBe(true);
    expectPkiError(() => softwareSigner(rsa.privateKey!, issued.ec384!.certificate), 'KEY_CERTIFICATE_MISMATCH');
    await expect(pkcs1.sign(data, 'MD5' as never)).rejects.toThrow(/SHA-256, SHA-384 ou SHA-512/);
  });
});
