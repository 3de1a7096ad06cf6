/** Test PKI for certs/validation: small hierarchies with deliberate defects, CRLs, and openssl as the outside judge. */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { execFileSync, spawnSync } from 'node:child_process';
import { webcrypto } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);
const subtle = webcrypto.subtle as unknown as SubtleCrypto;

export const DAY = 86_400_000;
export const NOW = new Date();
export const daysFrom = (days: number, from: Date = NOW): Date => new Date(from.getTime() + days * DAY);

export async function ecKeys(curve: 'P-256' | 'P-384' = 'P-256'): Promise<CryptoKeyPair> {
  return (await subtle.generateKey({ name: 'ECDSA', namedCurve: curve }, true, ['sign', 'verify'])) as CryptoKeyPair;
}

export async function rsaKeys(name: 'RSASSA-PKCS1-v1_5' | 'RSA-PSS' = 'RSASSA-PKCS1-v1_5'): Promise<CryptoKeyPair> {
  return (await subtle.generateKey({ name, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
}

export function signingAlgorithm(key: CryptoKey): Algorithm | EcdsaParams | RsaPssParams {
  if (key.algorithm.name === 'ECDSA') return { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams;
  if (key.algorithm.name === 'RSA-PSS') return { name: 'RSA-PSS', saltLength: 32 } as RsaPssParams;
  return { name: 'RSASSA-PKCS1-v1_5' };
}

export interface Issued {
  der: Uint8Array;
  pem: string;
  cert: x509.X509Certificate;
  keys: CryptoKeyPair;
  name: string;
}

export interface IssueOptions {
  subject: string;
  keys: CryptoKeyPair;
  /** Self-signed when absent. */
  issuer?: Issued;
  /** Signs with this key instead of the issuer's (wrong issuer). */
  signWith?: CryptoKeyPair;
  notBefore?: Date;
  notAfter?: Date;
  ca?: boolean;
  noBasicConstraints?: boolean;
  pathLen?: number;
  keyUsage?: x509.KeyUsageFlags;
  eku?: string[];
  ekuCritical?: boolean;
  policies?: string[];
  extra?: x509.Extension[];
  crlUrl?: string;
  ocspUrl?: string;
  noAki?: boolean;
  serial?: string;
}

let serialCounter = 0x1000;

/** Options name subjects as RFC 4514 strings (CN first); certificates carry them in DER order (C first), as the engine's do. */
const derOrder = (rfc4514: string): string => rfc4514.split(', ').reverse().join(', ');

export async function issue(o: IssueOptions): Promise<Issued> {
  const signer = o.signWith ?? o.issuer?.keys ?? o.keys;
  const extensions: x509.Extension[] = [];
  if (!o.noBasicConstraints) extensions.push(new x509.BasicConstraintsExtension(o.ca ?? false, o.pathLen, true));
  const KU = x509.KeyUsageFlags;
  const usage = o.keyUsage ?? (o.ca ? KU.keyCertSign | KU.cRLSign : KU.nonRepudiation | KU.digitalSignature);
  if (usage) extensions.push(new x509.KeyUsagesExtension(usage, true));
  if (o.eku) extensions.push(new x509.ExtendedKeyUsageExtension(o.eku, o.ekuCritical ?? false));
  if (o.policies) extensions.push(new x509.CertificatePolicyExtension(o.policies));
  extensions.push(await x509.SubjectKeyIdentifierExtension.create(o.keys.publicKey));
  if (!o.noAki) extensions.push(await x509.AuthorityKeyIdentifierExtension.create(signer.publicKey));
  if (o.crlUrl) extensions.push(new x509.CRLDistributionPointsExtension([o.crlUrl]));
  if (o.ocspUrl) extensions.push(new x509.AuthorityInfoAccessExtension({ ocsp: [o.ocspUrl] }));
  extensions.push(...(o.extra ?? []));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: o.serial ?? (serialCounter++).toString(16).padStart(6, '0'),
    subject: derOrder(o.subject),
    issuer: o.issuer?.cert.subject ?? derOrder(o.subject),
    notBefore: o.notBefore ?? daysFrom(-30),
    notAfter: o.notAfter ?? daysFrom(365),
    publicKey: o.keys.publicKey,
    signingKey: signer.privateKey,
    signingAlgorithm: signingAlgorithm(signer.privateKey),
    extensions,
  });
  return { der: new Uint8Array(cert.rawData), pem: cert.toString('pem'), cert, keys: o.keys, name: o.subject };
}

export interface CrlOptions {
  thisUpdate?: Date;
  nextUpdate?: Date;
  entries?: { serial: string; date: Date; reason?: x509.X509CrlReason }[];
  signWith?: CryptoKeyPair;
}

export async function crl(issuer: Issued, o: CrlOptions = {}): Promise<Uint8Array> {
  const key = (o.signWith ?? issuer.keys).privateKey;
  const list = await x509.X509CrlGenerator.create({
    issuer: issuer.cert.subject,
    thisUpdate: o.thisUpdate ?? daysFrom(-1),
    nextUpdate: o.nextUpdate ?? daysFrom(7),
    entries: (o.entries ?? []).map((e) => ({ serialNumber: e.serial, revocationDate: e.date, ...(e.reason !== undefined ? { reason: e.reason } : {}) })),
    signingAlgorithm: signingAlgorithm(key),
    signingKey: key,
    extensions: [new x509.Extension('2.5.29.20', false, Uint8Array.of(0x02, 0x01, 0x01))],
  });
  return new Uint8Array(list.rawData);
}

export async function privateKeyPem(keys: CryptoKeyPair): Promise<string> {
  const pkcs8 = Buffer.from(await subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
  return `-----BEGIN PRIVATE KEY-----\n${pkcs8.match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`;
}

export function derToPem(der: Uint8Array, label = 'CERTIFICATE'): string {
  return `-----BEGIN ${label}-----\n${Buffer.from(der)
    .toString('base64')
    .match(/.{1,64}/g)!
    .join('\n')}\n-----END ${label}-----\n`;
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'passeport-validation-'));
}

export interface OpensslVerify {
  ok: boolean;
  output: string;
}

/** `openssl verify -x509_strict` at `time`, with optional CRLs (then -crl_check) and purpose. */
export function opensslVerify(o: {
  leaf: Issued | Uint8Array;
  anchors: (Issued | Uint8Array)[];
  untrusted?: (Issued | Uint8Array)[];
  crls?: Uint8Array[];
  crlCheckAll?: boolean;
  time?: Date;
  purpose?: string;
  policy?: string;
}): OpensslVerify {
  const dir = tempDir();
  const pem = (x: Issued | Uint8Array) => (x instanceof Uint8Array ? derToPem(x) : `${x.pem.trim()}\n`);
  try {
    const write = (name: string, text: string) => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, text);
      return file;
    };
    const args = ['verify', '-x509_strict', '-CAfile', write('anchors.pem', o.anchors.map(pem).join(''))];
    if (o.untrusted?.length) args.push('-untrusted', write('untrusted.pem', o.untrusted.map(pem).join('')));
    if (o.crls?.length) args.push(o.crlCheckAll ? '-crl_check_all' : '-crl_check', '-CRLfile', write('crls.pem', o.crls.map((c) => derToPem(c, 'X509 CRL')).join('')));
    if (o.time) args.push('-attime', String(Math.floor(o.time.getTime() / 1000)));
    if (o.purpose) args.push('-purpose', o.purpose);
    if (o.policy) args.push('-policy', o.policy, '-explicit_policy');
    args.push(write('leaf.pem', pem(o.leaf)));
    const run = spawnSync('openssl', args, { encoding: 'utf8', timeout: 20_000 });
    return { ok: run.status === 0, output: `${run.stdout}${run.stderr}` };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function openssl(args: string[], cwd: string, input?: Uint8Array): Buffer {
  return execFileSync('openssl', args, { cwd, timeout: 20_000, stdio: ['pipe', 'pipe', 'pipe'], ...(input ? { input } : {}) });
}

export { x509 };
