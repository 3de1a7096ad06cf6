import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyTimestampToken } from '../../certs/validation/index.ts';
import { POLICY_OIDS } from '../../certs/policies.ts';
import { mutants } from './validation/mutants.ts';
import { crl, ecKeys, issue, openssl, privateKeyPem, tempDir, x509, type Issued } from './validation/fixtures.ts';

const KU = x509.KeyUsageFlags;
const TIME_STAMPING = '1.3.6.1.5.5.7.3.8';
let dir: string;
let root: Issued;
let tsa: Issued;
let badTsa: Issued;
let rootCrl: Uint8Array;
const data = new TextEncoder().encode('contrat de crédit-bail n° 42');

function write(name: string, content: string | Uint8Array): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

/** A token from `openssl ts -reply`; the full TimeStampResp when `response`. */
function opensslToken(digest: 'sha256' | 'sha384' | 'sha512', response = false): Uint8Array {
  write('data.bin', data);
  openssl(['ts', '-query', '-data', 'data.bin', `-${digest}`, '-cert', '-out', 'q.tsq'], dir);
  openssl(['ts', '-reply', '-config', 'tsa.cnf', '-queryfile', 'q.tsq', '-out', 'r.der', ...(response ? [] : ['-token_out'])], dir);
  return new Uint8Array(fs.readFileSync(path.join(dir, 'r.der')));
}

function opensslTsVerify(token: Uint8Array, content: Uint8Array): boolean {
  write('check.der', token);
  write('check.bin', content);
  const run = spawnSync('openssl', ['ts', '-verify', '-data', 'check.bin', '-in', 'check.der', '-token_in', '-CAfile', 'root.pem', '-untrusted', 'tsa.pem'], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 20_000,
  });
  return run.status === 0 && run.stdout.includes('Verification: OK');
}

/** The same TSTInfo re-signed by `signer` with `openssl cms -sign -cades` (signing-certificate-v2), outside openssl ts. */
function cmsToken(token: Uint8Array, signer: Issued, keyFile: string, extra: string[] = []): Uint8Array {
  write('tok.der', token);
  openssl(['cms', '-verify', '-noverify', '-inform', 'DER', '-in', 'tok.der', '-binary', '-out', 'tst.der'], dir);
  write('signer.pem', signer.pem);
  openssl(
    [
      'cms',
      '-sign',
      '-binary',
      '-nodetach',
      '-in',
      'tst.der',
      '-econtent_type',
      '1.2.840.113549.1.9.16.1.4',
      '-signer',
      'signer.pem',
      '-inkey',
      keyFile,
      '-md',
      'sha256',
      '-cades',
      '-nosmimecap',
      ...extra,
      '-outform',
      'DER',
      '-out',
      'cms.der',
    ],
    dir,
  );
  return new Uint8Array(fs.readFileSync(path.join(dir, 'cms.der')));
}

const options = () => ({ data, trustAnchors: [root.der], crls: [rootCrl] });

beforeAll(async () => {
  dir = tempDir();
  const [rootKeys, tsaKeys] = await Promise.all([ecKeys(), ecKeys()]);
  root = await issue({ subject: 'CN=Racine Horodatage, C=FR', keys: rootKeys, ca: true });
  tsa = await issue({
    subject: 'CN=Horodateur Passeport, C=FR',
    keys: tsaKeys,
    issuer: root,
    keyUsage: KU.digitalSignature | KU.nonRepudiation,
    eku: [TIME_STAMPING],
    ekuCritical: true,
  });
  badTsa = await issue({
    subject: 'CN=Horodateur Passeport, C=FR',
    keys: tsaKeys,
    issuer: root,
    keyUsage: KU.digitalSignature | KU.nonRepudiation,
    eku: [TIME_STAMPING],
    ekuCritical: false,
  });
  rootCrl = await crl(root);
  write('root.pem', root.pem);
  write('tsa.pem', tsa.pem);
  write('tsa.key', await privateKeyPem(tsaKeys));
  write('tsaserial', '01\n');
  write(
    'tsa.cnf',
    [
      '[ tsa ]',
      'default_tsa = tsa_config1',
      '[ tsa_config1 ]',
      'serial = ./tsaserial',
      'crypto_device = builtin',
      'signer_cert = ./tsa.pem',
      'signer_key = ./tsa.key',
      'signer_digest = sha256',
      `default_policy = ${POLICY_OIDS.tsa}`,
      'digests = sha256, sha384, sha512',
      'accuracy = secs:1',
      'ordering = no',
      'tsa_name = no',
      'ess_cert_id_chain = no',
      'ess_cert_id_alg = sha256',
      '',
    ].join('\n'),
  );
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('verifyTimestampToken on openssl ts -reply tokens', () => {
  for (const digest of ['sha256', 'sha384', 'sha512'] as const) {
    it(`verifies a ${digest} token, and openssl ts -verify agrees`, async () => {
      const token = opensslToken(digest);
      const started = Date.now();
      const result = await verifyTimestampToken(token, options());
      expect(result.reasons).toEqual([]);
      expect(result.ok).toBe(true);
      expect(result).toMatchObject({ imprintMatches: true, signatureValid: true, essCertIdMatches: true, policy: POLICY_OIDS.tsa, accuracyMs: 1000 });
      expect(result.hashAlgorithm).toBe(digest.toUpperCase().replace('SHA', 'SHA-'));
      expect(Buffer.from(result.imprint!).equals(createHash(digest).update(data).digest())).toBe(true);
      expect(Math.abs(result.genTime!.getTime() - started)).toBeLessThan(60_000);
      expect(typeof result.nonce).toBe('bigint');
      expect(result.serialNumber).toMatch(/^[0-9a-f]+$/);
      expect(Buffer.from(result.tsaCertificate!).equals(Buffer.from(tsa.der))).toBe(true);
      expect(result.chain?.indication).toBe('PASSED');
      expect(opensslTsVerify(token, data)).toBe(true);
    });
  }

  it('accepts a whole TimeStampResp and an expected imprint instead of the data', async () => {
    const response = opensslToken('sha256', true);
    const result = await verifyTimestampToken(response, { ...options(), data: undefined, imprint: new Uint8Array(createHash('sha256').update(data).digest()) });
    expect(result.ok).toBe(true);
  });

  it('wrong data → imprintMatches false, and openssl ts -verify also refuses', async () => {
    const token = opensslToken('sha256');
    const other = new TextEncoder().encode('un autre contrat');
    const result = await verifyTimestampToken(token, { ...options(), data: other });
    expect(result.ok).toBe(false);
    expect(result.imprintMatches).toBe(false);
    expect(result.signatureValid).toBe(true);
    expect(result.reasons[0]).toContain("l'empreinte SHA-256 du jeton ne correspond pas");
    expect(opensslTsVerify(token, other)).toBe(false);
  });

  it('a tampered TSTInfo → signatureValid false (message-digest), and openssl ts -verify refuses', async () => {
    const token = opensslToken('sha256');
    const tampered = new Uint8Array(token);
    // The genTime (GeneralizedTime, 15 bytes) inside the TSTInfo: change its last seconds digit, the structure stays valid.
    const at = Buffer.from(tampered).indexOf(Buffer.from([0x18, 0x0f]));
    expect(at).toBeGreaterThan(0);
    tampered[at + 2 + 13]! ^= 0x01;
    const result = await verifyTimestampToken(tampered, options());
    expect(result.signatureValid).toBe(false);
    expect(result.ok).toBe(false);
    expect(result.reasons.join('\n')).toContain('message-digest ne correspond pas');
    expect(opensslTsVerify(tampered, data)).toBe(false);
  });

  it('a flipped byte in the signature value → signatureValid false', async () => {
    const token = opensslToken('sha256');
    const tampered = new Uint8Array(token);
    tampered[tampered.length - 2]! ^= 0x01;
    const result = await verifyTimestampToken(tampered, options());
    expect(result.signatureValid).toBe(false);
    expect(result.reasons.join('\n')).toContain('la signature du jeton ne se vérifie pas');
    expect(opensslTsVerify(tampered, data)).toBe(false);
  });

  it('a TSA chain without revocation data → chain TRY_LATER, not ok', async () => {
    const result = await verifyTimestampToken(opensslToken('sha256'), { ...options(), crls: [] });
    expect(result.signatureValid).toBe(true);
    expect(result.chain?.subIndication).toBe('TRY_LATER');
    expect(result.ok).toBe(false);
  });
});

describe('verifyTimestampToken on tokens signed with openssl cms -cades', () => {
  it('the TSTInfo re-signed by the good TSA certificate verifies', async () => {
    const token = cmsToken(opensslToken('sha384'), tsa, 'tsa.key');
    const result = await verifyTimestampToken(token, options());
    expect(result.reasons).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it('a TSA certificate whose timeStamping EKU is not critical → KEY_USAGE_FAILURE, not ok (openssl ts -reply refuses such a signer)', async () => {
    write('bad-tsa.pem', badTsa.pem);
    const refused = spawnSync('openssl', ['ts', '-reply', '-config', 'tsa.cnf', '-queryfile', 'q.tsq', '-signer', 'bad-tsa.pem', '-out', 'x.der'], { cwd: dir, encoding: 'utf8' });
    expect(refused.status).not.toBe(0);
    const token = cmsToken(opensslToken('sha256'), badTsa, 'tsa.key');
    const result = await verifyTimestampToken(token, options());
    expect(result.signatureValid).toBe(true);
    expect(result.essCertIdMatches).toBe(true);
    expect(result.chain?.subIndication).toBe('KEY_USAGE_FAILURE');
    expect(result.ok).toBe(false);
    expect(result.reasons.join('\n')).toContain('timeStamping, marqué critique');
  });

  it('ESSCertIDv2 naming another certificate than the one found by key identifier → essCertIdMatches false', async () => {
    // Same key, another certificate: the signature verifies, the signing-certificate-v2 attribute does not name it.
    const twin = await issue({ subject: tsa.name, keys: tsa.keys, issuer: root, keyUsage: KU.digitalSignature | KU.nonRepudiation, eku: [TIME_STAMPING], ekuCritical: true });
    const token = cmsToken(opensslToken('sha256'), tsa, 'tsa.key', ['-keyid', '-nocerts']);
    const result = await verifyTimestampToken(token, { ...options(), intermediates: [twin.der] });
    expect(Buffer.from(result.tsaCertificate!).equals(Buffer.from(twin.der))).toBe(true);
    expect(result.signatureValid).toBe(true);
    expect(result.chain?.indication).toBe('PASSED');
    expect(result.essCertIdMatches).toBe(false);
    expect(result.ok).toBe(false);
    expect(result.reasons[0]).toContain('ESSCertID ne correspond pas');
    const right = await verifyTimestampToken(token, { ...options(), intermediates: [tsa.der] });
    expect(right.ok).toBe(true);
  });
});

describe('verifyTimestampToken on hostile input', () => {
  it('garbage and truncated tokens → ok false with a reason, never a throw', async () => {
    const token = opensslToken('sha256');
    for (const bytes of [new Uint8Array(0), Uint8Array.of(0x30, 0x80, 0, 0), token.subarray(0, token.length - 10), new TextEncoder().encode('bonjour'), crlBytes()]) {
      const result = await verifyTimestampToken(bytes, options());
      expect(result.ok).toBe(false);
      expect(result.signatureValid).toBe(false);
      expect(result.reasons[0]).toMatch(/^jeton d'horodatage illisible : /);
    }
  });
});

describe('verifyTimestampToken on damaged tokens', () => {
  it('200 damaged openssl tokens: never ok, never a throw', async () => {
    const token = opensslToken('sha256');
    expect((await verifyTimestampToken(token, options())).ok).toBe(true);
    for (const bytes of mutants(token, 200, 7)) {
      const result = await verifyTimestampToken(bytes, options());
      expect(result.ok).toBe(false);
      expect(result.reasons.length).toBeGreaterThan(0);
    }
  });
});

function crlBytes(): Uint8Array {
  return rootCrl;
}
