/**
 * One signature verification for certificates, CMS signatures and timestamp tokens:
 * the same algorithm with the same parameters gets the same verdict in chain
 * validation, in the PAdES verifier's CMS check and in timestamp verification.
 * Before asn1/ these were three verifiers: Ed25519 passed CMS but not chain
 * validation nor timestamps; an RSA-PSS trailerField other than 1, or Ed25519 with
 * parameters, passed the CMS check only.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validatePath, verifyTimestampToken } from '../../certs/validation/index.ts';
import { parseCms } from '../../signature/validation/cms.ts';
import { CertificateCache, checkIntegrity } from '../../signature/validation/integrity.ts';
import { openssl, tempDir } from '../certs/validation/fixtures.ts';
import { pssParams, resignCertificate, signedData, type Algorithm } from '../certs/validation/cms-builder.ts';

type Verdict = 'valid' | 'unsupported' | 'invalid';

const ED25519: Algorithm = { oid: '1.3.101.112' };
const RSA_PSS = '1.2.840.113549.1.1.10';
const TST_INFO = '1.2.840.113549.1.9.16.1.4';

let dir: string;
const data = Buffer.from('Contrat de crédit-bail n° 2026-0042');
const file = (name: string): Buffer => fs.readFileSync(path.join(dir, name));
const der = (name: string): Uint8Array => new Uint8Array(openssl(['x509', '-in', name, '-outform', 'DER'], dir));
const key = (name: string): crypto.KeyObject => crypto.createPrivateKey(file(name));
const run = (...args: string[]): Buffer => openssl(args, dir);

interface Family {
  root: Uint8Array;
  leaf: Uint8Array;
  leafKey: crypto.KeyObject;
  tsa: Uint8Array;
  tsaKey: crypto.KeyObject;
  rootKey: crypto.KeyObject;
}
let ed: Family;
let rsa: Family;
/** A TSTInfo over `data`, written by openssl's own TSA. */
let tstInfo: Uint8Array;

function certificate(keyFile: string, subject: string, extensions: string, issuer: 'root' | 'self', sigopts: string[] = []): void {
  const base = keyFile.replace(/\.key$/, '');
  fs.writeFileSync(path.join(dir, `${base}.ext`), extensions);
  if (issuer === 'self') {
    run('req', '-x509', '-new', '-key', keyFile, '-subj', subject, '-days', '30', '-extensions', 'v3', '-config', `${base}.cnf`, '-out', `${base}.pem`, ...sigopts);
    return;
  }
  run('req', '-new', '-key', keyFile, '-subj', subject, '-out', `${base}.csr`);
  run(
    'x509',
    '-req',
    '-in',
    `${base}.csr`,
    '-CA',
    issuerPem,
    '-CAkey',
    issuerKey,
    '-set_serial',
    String(crypto.randomInt(1, 2 ** 31)),
    '-days',
    '10',
    '-extfile',
    `${base}.ext`,
    '-out',
    `${base}.pem`,
    ...sigopts,
  );
}
let issuerPem = '';
let issuerKey = '';

function family(keyArgs: string[], prefix: string, sigopts: string[]): Family {
  for (const name of ['root', 'leaf', 'tsa']) run('genpkey', ...keyArgs, '-out', `${prefix}${name}.key`);
  fs.writeFileSync(
    path.join(dir, `${prefix}root.cnf`),
    '[req]\ndistinguished_name=dn\n[dn]\n[v3]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n',
  );
  certificate(`${prefix}root.key`, `/CN=Racine ${prefix}/C=FR`, '', 'self');
  issuerPem = `${prefix}root.pem`;
  issuerKey = `${prefix}root.key`;
  certificate(`${prefix}leaf.key`, `/CN=Signataire ${prefix}/C=FR`, 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,nonRepudiation\n', 'root', sigopts);
  certificate(
    `${prefix}tsa.key`,
    `/CN=Horodateur ${prefix}/C=FR`,
    'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping\n',
    'root',
    sigopts,
  );
  return {
    root: der(`${prefix}root.pem`),
    leaf: der(`${prefix}leaf.pem`),
    tsa: der(`${prefix}tsa.pem`),
    rootKey: key(`${prefix}root.key`),
    leafKey: key(`${prefix}leaf.key`),
    tsaKey: key(`${prefix}tsa.key`),
  };
}

beforeAll(() => {
  dir = tempDir();
  fs.writeFileSync(path.join(dir, 'data'), data);
  ed = family(['-algorithm', 'ed25519'], 'ed-', []);
  rsa = family(['-algorithm', 'rsa', '-pkeyopt', 'rsa_keygen_bits:2048'], 'rsa-', [
    '-sha256',
    '-sigopt',
    'rsa_padding_mode:pss',
    '-sigopt',
    'rsa_pss_saltlen:32',
    '-sigopt',
    'rsa_mgf1_md:sha256',
  ]);
  // openssl's TSA (an EC key) writes the TSTInfo; the tokens under test re-sign it with other algorithms.
  run('ecparam', '-genkey', '-name', 'prime256v1', '-noout', '-out', 'ec-tsa.key');
  issuerPem = 'ed-root.pem';
  issuerKey = 'ed-root.key';
  certificate('ec-tsa.key', '/CN=Horodateur EC/C=FR', 'extendedKeyUsage=critical,timeStamping\n', 'root');
  fs.writeFileSync(path.join(dir, 'serial'), '2a\n');
  fs.writeFileSync(
    path.join(dir, 'ts.cnf'),
    '[tsa]\ndefault_tsa=t\n[t]\nserial=./serial\nsigner_cert=./ec-tsa.pem\nsigner_key=./ec-tsa.key\nsigner_digest=sha256\ndefault_policy=1.2.3.4.1\ndigests=sha256\ness_cert_id_alg=sha256\naccuracy=secs:1\n',
  );
  run('ts', '-query', '-data', 'data', '-sha256', '-cert', '-out', 'q.tsq');
  run('ts', '-reply', '-config', 'ts.cnf', '-section', 't', '-queryfile', 'q.tsq', '-token_out', '-out', 'token.der');
  tstInfo = new Uint8Array(run('cms', '-verify', '-noverify', '-inform', 'DER', '-in', 'token.der'));
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

// The three places, each reduced to its verdict.
async function chainVerdict(certificate: Uint8Array, f: Family): Promise<Verdict> {
  const r = await validatePath({ certificate, intermediates: [], trustAnchors: [f.root], time: new Date(), purpose: 'any', revocationRequired: false });
  return r.indication === 'PASSED' ? 'valid' : r.subIndication === 'CRYPTO_CONSTRAINTS_FAILURE' ? 'unsupported' : 'invalid';
}

function cmsVerdict(cms: Uint8Array, f: Family): Verdict {
  const parsed = parseCms(cms);
  const r = checkIntegrity(parsed, [data], [...parsed.certificates, f.root], true, new CertificateCache());
  return r.indication === undefined ? 'valid' : r.subIndication === 'CRYPTO_CONSTRAINTS_FAILURE' ? 'unsupported' : 'invalid';
}

async function tokenVerdict(token: Uint8Array, f: Family): Promise<Verdict> {
  const r = await verifyTimestampToken(token, { data, trustAnchors: [f.root], revocationRequired: false });
  if (r.ok) return 'valid';
  return r.reasons.some((reason) => reason.startsWith('signature du jeton invérifiable')) ? 'unsupported' : 'invalid';
}

function signer(privateKey: crypto.KeyObject, scheme: 'ed25519' | { saltLength: number }): (bytes: Uint8Array) => Uint8Array {
  return (bytes) =>
    scheme === 'ed25519'
      ? crypto.sign(null, bytes, privateKey)
      : crypto.sign('sha256', bytes, { key: privateKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: scheme.saltLength });
}

/** The same algorithm identifier and signing function in all three places. */
async function verdicts(f: Family, algorithm: Algorithm, sign: (k: crypto.KeyObject) => (bytes: Uint8Array) => Uint8Array, digest: 'sha256' | 'sha512'): Promise<Verdict[]> {
  const leaf = resignCertificate(f.leaf, algorithm, sign(f.rootKey));
  const cms = signedData({ signer: f.leaf, certificates: [f.leaf], digest, signatureAlgorithm: algorithm, sign: sign(f.leafKey), detached: data });
  const token = signedData({
    signer: f.tsa,
    certificates: [f.tsa],
    digest,
    signatureAlgorithm: algorithm,
    sign: sign(f.tsaKey),
    encapsulated: { type: TST_INFO, content: tstInfo },
  });
  return [await chainVerdict(leaf, f), cmsVerdict(cms, f), await tokenVerdict(token, f)];
}

describe('one verdict per algorithm, whether it signs a certificate, a CMS signature or a timestamp token', () => {
  it('the fixtures are sound: openssl accepts the Ed25519 and RSA-PSS certificates', () => {
    for (const [root, name] of [
      ['ed-root.pem', 'ed-leaf.pem'],
      ['ed-root.pem', 'ed-tsa.pem'],
      ['rsa-root.pem', 'rsa-leaf.pem'],
      ['rsa-root.pem', 'rsa-tsa.pem'],
    ]) {
      expect(run('verify', '-CAfile', root!, name!).toString()).toContain(': OK');
    }
    expect(run('x509', '-in', 'rsa-leaf.pem', '-noout', '-text').toString()).toMatch(/rsassaPss[\s\S]*Salt Length: 0x20/);
  });

  it('Ed25519: valid in all three', async () => {
    expect(await verdicts(ed, ED25519, (k) => signer(k, 'ed25519'), 'sha512')).toEqual(['valid', 'valid', 'valid']);
    // openssl's own certificates and our re-signed ones agree: the certificate path itself.
    expect(await chainVerdict(ed.leaf, ed)).toBe('valid');
  });

  it('Ed25519 with parameters (RFC 8410 forbids them): unsupported in all three', async () => {
    expect(await verdicts(ed, { oid: ED25519.oid, params: Uint8Array.of(0x05, 0x00) }, (k) => signer(k, 'ed25519'), 'sha512')).toEqual([
      'unsupported',
      'unsupported',
      'unsupported',
    ]);
  });

  it('RSA-PSS SHA-256, MGF1 SHA-256, salt 32: valid in all three, as openssl finds its own', async () => {
    expect(await verdicts(rsa, { oid: RSA_PSS, params: pssParams('sha256', 'sha256', 32) }, (k) => signer(k, { saltLength: 32 }), 'sha256')).toEqual(['valid', 'valid', 'valid']);
    expect(await chainVerdict(rsa.leaf, rsa)).toBe('valid');
  });

  it('RSA-PSS with a trailerField of 2 (only 1 is defined): unsupported in all three, even with a signature value that holds', async () => {
    expect(await verdicts(rsa, { oid: RSA_PSS, params: pssParams('sha256', 'sha256', 32, 2) }, (k) => signer(k, { saltLength: 32 }), 'sha256')).toEqual([
      'unsupported',
      'unsupported',
      'unsupported',
    ]);
    // The explicit default (trailerField 1) changes nothing.
    expect(await verdicts(rsa, { oid: RSA_PSS, params: pssParams('sha256', 'sha256', 32, 1) }, (k) => signer(k, { saltLength: 32 }), 'sha256')).toEqual([
      'valid',
      'valid',
      'valid',
    ]);
  });

  it('RSA-PSS with an MGF1 hash other than the message hash: unsupported in all three', async () => {
    expect(await verdicts(rsa, { oid: RSA_PSS, params: pssParams('sha256', 'sha1', 32) }, (k) => signer(k, { saltLength: 32 }), 'sha256')).toEqual([
      'unsupported',
      'unsupported',
      'unsupported',
    ]);
  });

  it('RSA-PSS with the wrong salt length: a signature that does not hold, invalid in all three', async () => {
    expect(await verdicts(rsa, { oid: RSA_PSS, params: pssParams('sha256', 'sha256', 20) }, (k) => signer(k, { saltLength: 32 }), 'sha256')).toEqual([
      'invalid',
      'invalid',
      'invalid',
    ]);
  });
});
