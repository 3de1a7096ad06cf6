import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(crypto.webcrypto as unknown as Crypto);

/** A throw-away PKI for the TSA and revocation tests: root → issuing CA → leaves. */
export interface TestCert {
  der: Uint8Array;
  pem: string;
  privateKey: crypto.KeyObject;
  cert: x509.X509Certificate;
  keys: CryptoKeyPair;
}

const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const RSA = { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' } as const;

let serialCounter = 0x1000;
const nextSerial = (): string => (serialCounter++).toString(16);

async function toTestCert(cert: x509.X509Certificate, keys: CryptoKeyPair): Promise<TestCert> {
  const der = new Uint8Array(cert.rawData);
  const privateKey = crypto.KeyObject.from(keys.privateKey);
  return { der, pem: `${cert.toString('pem').trim()}\n`, privateKey, cert, keys };
}

export async function makeRoot(name = 'CN=Test Racine,O=Passeport Test,C=FR'): Promise<TestCert> {
  const keys = await crypto.webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: nextSerial(),
    name,
    notBefore: new Date(Date.now() - 3600_000),
    notAfter: new Date(Date.now() + 365 * 86400_000),
    keys,
    signingAlgorithm: EC,
    extensions: [
      new x509.BasicConstraintsExtension(true, 1, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return toTestCert(cert, keys as CryptoKeyPair);
}

export interface LeafOptions {
  name: string;
  ca?: boolean;
  rsa?: boolean;
  eku?: { usages: string[]; critical: boolean };
  ocspNoCheck?: boolean;
  keyUsage?: number;
}

export async function issue(issuer: TestCert, options: LeafOptions): Promise<TestCert> {
  const alg = options.rsa ? RSA : EC;
  const keys = (await crypto.webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(options.ca ?? false, options.ca ? 0 : undefined, true),
    new x509.KeyUsagesExtension(options.keyUsage ?? (options.ca ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign : x509.KeyUsageFlags.digitalSignature), true),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    await x509.AuthorityKeyIdentifierExtension.create(issuer.cert, false),
  ];
  if (options.eku) extensions.push(new x509.ExtendedKeyUsageExtension(options.eku.usages, options.eku.critical));
  if (options.ocspNoCheck) extensions.push(new x509.Extension('1.3.6.1.5.5.7.48.1.5', false, new Uint8Array([0x05, 0x00])));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: nextSerial(),
    subject: options.name,
    issuer: issuer.cert.subject,
    notBefore: new Date(Date.now() - 3600_000),
    notAfter: new Date(Date.now() + 180 * 86400_000),
    publicKey: keys.publicKey,
    signingKey: issuer.keys.privateKey,
    signingAlgorithm: EC,
    extensions,
  });
  return toTestCert(cert, keys);
}

export const TIME_STAMPING = '1.3.6.1.5.5.7.3.8';
export const OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
