import fs from 'node:fs';
import { webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validatePath, type PathValidationInput } from '../../certs/validation/index.ts';
import { crl, daysFrom, ecKeys, issue, openssl, privateKeyPem, tempDir, x509, type Issued } from './validation/fixtures.ts';
import { buildOcspResponse } from './validation/ocsp-builder.ts';

const KU = x509.KeyUsageFlags;
const OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';
const NO_CHECK = new x509.Extension('1.3.6.1.5.5.7.48.1.5', false, Uint8Array.of(0x05, 0x00));
let dir: string;
let keys: CryptoKeyPair[];
let root: Issued;
let ca: Issued;
let leaf: Issued;
let responder: Issued;
let rootCrl: Uint8Array;

const base = (over: Partial<PathValidationInput> = {}): PathValidationInput => ({
  certificate: leaf.der,
  intermediates: [ca.der],
  trustAnchors: [root.der],
  crls: [rootCrl],
  time: new Date(),
  purpose: 'signature',
  ...over,
});

const yymmdd = (d: Date) => d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';

/** One-shot `openssl ocsp` responder over an index file, answering a DER request. */
function opensslOcsp(request: Uint8Array, revoked: { cert: Issued; at: Date; reason: string } | null): Uint8Array {
  const lines = [leaf, ...(revoked && revoked.cert !== leaf ? [revoked.cert] : [])].map((c) => {
    const serial = c.cert.serialNumber.toUpperCase();
    const subject = '/' + c.name.split(', ').join('/');
    const isRevoked = revoked?.cert === c;
    return [isRevoked ? 'R' : 'V', yymmdd(c.cert.notAfter), isRevoked ? `${yymmdd(revoked!.at)},${revoked!.reason}` : '', serial, 'unknown', subject].join('\t');
  });
  fs.writeFileSync(path.join(dir, 'index.txt'), lines.join('\n') + '\n');
  fs.writeFileSync(path.join(dir, 'req.der'), request);
  openssl(['ocsp', '-index', 'index.txt', '-rsigner', 'ca.pem', '-rkey', 'ca.key', '-CA', 'ca.pem', '-reqin', 'req.der', '-respout', 'resp.der', '-ndays', '1'], dir);
  return new Uint8Array(fs.readFileSync(path.join(dir, 'resp.der')));
}

function opensslRequest(cert: Issued): Uint8Array {
  fs.writeFileSync(path.join(dir, 'subject.pem'), cert.pem);
  openssl(['ocsp', '-issuer', 'ca.pem', '-cert', 'subject.pem', '-no_nonce', '-reqout', 'req.der'], dir);
  return new Uint8Array(fs.readFileSync(path.join(dir, 'req.der')));
}

beforeAll(async () => {
  dir = tempDir();
  keys = await Promise.all(Array.from({ length: 6 }, () => ecKeys()));
  root = await issue({ subject: 'CN=Racine OCSP, C=FR', keys: keys[0]!, ca: true });
  ca = await issue({ subject: 'CN=AC OCSP, C=FR', keys: keys[1]!, issuer: root, ca: true });
  leaf = await issue({ subject: 'CN=Dominique Petit, C=FR', keys: keys[2]!, issuer: ca, ocspUrl: 'http://127.0.0.1:9/ocsp' });
  responder = await issue({ subject: 'CN=Repondeur OCSP, C=FR', keys: keys[3]!, issuer: ca, keyUsage: KU.digitalSignature, eku: [OCSP_SIGNING], extra: [NO_CHECK] });
  rootCrl = await crl(root);
  fs.writeFileSync(path.join(dir, 'ca.pem'), ca.pem);
  fs.writeFileSync(path.join(dir, 'root.pem'), root.pem);
  fs.writeFileSync(path.join(dir, 'ca.key'), await privateKeyPem(ca.keys));
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('OCSP responses built with asn1js', () => {
  it('good, signed by the CA, CertID with SHA-1 → PASSED from OCSP, kept for the DSS', async () => {
    const ocsp = await buildOcspResponse({ issuer: ca, signer: ca, entries: [{ cert: leaf, status: 'good' }] });
    const result = await validatePath(base({ ocspResponses: [ocsp] }));
    expect(result.reasons).toEqual([]);
    expect(result.indication).toBe('PASSED');
    expect(result.revocation).toMatchObject({ status: 'good', source: 'ocsp' });
    expect(result.usedOcsp).toEqual([ocsp]);
  });

  it('good with a SHA-256 CertID, responder by key hash, bare BasicOCSPResponse → PASSED', async () => {
    const ocsp = await buildOcspResponse({ issuer: ca, signer: ca, byKey: true, bare: true, entries: [{ cert: leaf, status: 'good', hash: 'sha256' }] });
    const result = await validatePath(base({ ocspResponses: [ocsp] }));
    expect(result.indication).toBe('PASSED');
    expect(result.revocation.source).toBe('ocsp');
  });

  it('revoked → FAILED / REVOKED with the date and reason', async () => {
    const at = new Date(Math.floor(Date.now() / 1000) * 1000 - 3_600_000);
    const ocsp = await buildOcspResponse({ issuer: ca, signer: ca, entries: [{ cert: leaf, status: 'revoked', revokedAt: at, reason: 1 }] });
    const result = await validatePath(base({ ocspResponses: [ocsp] }));
    expect(result.indication).toBe('FAILED');
    expect(result.subIndication).toBe('REVOKED');
    expect(result.revocation).toMatchObject({ status: 'revoked', source: 'ocsp', reason: 'keyCompromise' });
    expect(result.revocation.revokedAt?.toISOString()).toBe(at.toISOString());
    expect(result.reasons[0]).toContain("d'après la réponse OCSP");
  });

  it('a delegated responder with EKU OCSPSigning issued by the CA is trusted', async () => {
    const ocsp = await buildOcspResponse({ issuer: ca, signer: responder, certs: [responder], entries: [{ cert: leaf, status: 'revoked', revokedAt: daysFrom(-1) }] });
    const result = await validatePath(base({ ocspResponses: [ocsp] }));
    expect(result.subIndication).toBe('REVOKED');
  });

  it('responders that may not speak for the CA are not used: no EKU, another CA, bad signature', async () => {
    const noEku = await issue({ subject: 'CN=Repondeur Sans EKU, C=FR', keys: keys[4]!, issuer: ca, keyUsage: KU.digitalSignature });
    const foreign = await issue({ subject: 'CN=Repondeur Etranger, C=FR', keys: keys[5]!, issuer: root, keyUsage: KU.digitalSignature, eku: [OCSP_SIGNING] });
    const cases = [
      [await buildOcspResponse({ issuer: ca, signer: noEku, certs: [noEku], entries: [{ cert: leaf, status: 'good' }] }), "n'a pas l'usage étendu OCSPSigning"],
      [await buildOcspResponse({ issuer: ca, signer: foreign, certs: [foreign], entries: [{ cert: leaf, status: 'good' }] }), "n'est pas émis par « CN=AC OCSP, C=FR »"],
      [await buildOcspResponse({ issuer: ca, signer: ca, corruptSignature: true, entries: [{ cert: leaf, status: 'good' }] }), 'sa signature ne se vérifie pas'],
    ] as const;
    for (const [ocsp, why] of cases) {
      const result = await validatePath(base({ ocspResponses: [ocsp] }));
      expect(result.subIndication).toBe('TRY_LATER');
      expect(result.reasons.join('\n')).toContain(why);
    }
  });

  it('unknown status or a stale response → INDETERMINATE / TRY_LATER with the reason', async () => {
    const unknown = await buildOcspResponse({ issuer: ca, signer: ca, entries: [{ cert: leaf, status: 'unknown' }] });
    const stale = await buildOcspResponse({
      issuer: ca,
      signer: ca,
      producedAt: daysFrom(-3),
      entries: [{ cert: leaf, status: 'good', thisUpdate: daysFrom(-3), nextUpdate: daysFrom(-2) }],
    });
    const result = await validatePath(base({ ocspResponses: [unknown, stale] }));
    expect(result.subIndication).toBe('TRY_LATER');
    expect(result.reasons.join('\n')).toContain('statut unknown');
    expect(result.reasons.join('\n')).toContain('périmée');
  });

  it('a response about another certificate is ignored', async () => {
    const other = await buildOcspResponse({ issuer: ca, signer: ca, entries: [{ cert: responder, status: 'good' }] });
    expect((await validatePath(base({ ocspResponses: [other] }))).subIndication).toBe('TRY_LATER');
  });
});

describe('OCSP responses built with pkijs', () => {
  it('revoked, SHA-256 CertID, signed by the CA through pkijs → REVOKED with the date', async () => {
    const engine = new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as unknown as Crypto });
    const issuerCert = pkijs.Certificate.fromBER(new Uint8Array(ca.der));
    const revokedAt = new Date(Math.floor(Date.now() / 1000) * 1000 - 86_400_000);
    const single = new pkijs.SingleResponse({
      certID: await pkijs.CertID.create(pkijs.Certificate.fromBER(new Uint8Array(leaf.der)), { hashAlgorithm: 'SHA-256', issuerCertificate: issuerCert }, engine),
      certStatus: new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 1 }, value: [new asn1js.GeneralizedTime({ valueDate: revokedAt })] }),
      thisUpdate: new Date(Date.now() - 60_000),
      nextUpdate: new Date(Date.now() + 3_600_000),
    });
    const basic = new pkijs.BasicOCSPResponse({
      tbsResponseData: new pkijs.ResponseData({ responderID: issuerCert.subject, producedAt: new Date(), responses: [single] }),
    });
    await basic.sign(ca.keys.privateKey, 'SHA-256', engine);
    const response = new pkijs.OCSPResponse({
      responseStatus: new asn1js.Enumerated({ value: 0 }),
      responseBytes: new pkijs.ResponseBytes({ responseType: '1.3.6.1.5.5.7.48.1.1', response: new asn1js.OctetString({ valueHex: basic.toSchema().toBER() }) }),
    });
    const der = new Uint8Array(response.toSchema().toBER());
    const result = await validatePath(base({ ocspResponses: [der] }));
    expect(result.subIndication).toBe('REVOKED');
    expect(result.revocation).toMatchObject({ status: 'revoked', source: 'ocsp' });
    expect(result.revocation.revokedAt?.toISOString()).toBe(revokedAt.toISOString());
  });
});

describe('OCSP with openssl ocsp as the responder', () => {
  it('revoked, from an index file → REVOKED with the date; openssl agrees', async () => {
    const at = new Date(Math.floor(Date.now() / 1000) * 1000 - 7_200_000);
    const response = opensslOcsp(opensslRequest(leaf), { cert: leaf, at, reason: 'keyCompromise' });
    const result = await validatePath(base({ ocspResponses: [response] }));
    expect(result.subIndication).toBe('REVOKED');
    expect(result.revocation.revokedAt?.toISOString()).toBe(at.toISOString());
    expect(result.revocation.reason).toBe('keyCompromise');
    fs.writeFileSync(path.join(dir, 'resp.der'), response);
    const judged = openssl(
      ['ocsp', '-respin', 'resp.der', '-issuer', 'ca.pem', '-cert', 'subject.pem', '-CAfile', 'root.pem', '-verify_other', 'ca.pem', '-no_nonce'],
      dir,
    ).toString();
    expect(judged).toContain('subject.pem: revoked');
  });

  it('fetches over AIA: our request is answered by openssl ocsp → PASSED, the response kept for the DSS', async () => {
    const asked: string[] = [];
    const result = await validatePath(
      base({
        fetchRevocation: async (url, kind, request) => {
          asked.push(`${kind} ${url}`);
          return opensslOcsp(request!, null);
        },
      }),
    );
    expect(asked).toEqual(['ocsp http://127.0.0.1:9/ocsp']);
    expect(result.reasons).toEqual([]);
    expect(result.indication).toBe('PASSED');
    expect(result.usedOcsp).toHaveLength(1);
  });
});

describe('responder certificates (purpose ocsp-signing)', () => {
  it('a responder with id-pkix-ocsp-nocheck needs no revocation data; without the EKU → KEY_USAGE_FAILURE', async () => {
    const ok = await validatePath(base({ certificate: responder.der, purpose: 'ocsp-signing' }));
    expect(ok.indication).toBe('PASSED');
    expect(ok.revocation.checkedCerts[0]?.skipped).toBe(true);
    const plain = await validatePath(base({ certificate: leaf.der, purpose: 'ocsp-signing', revocationRequired: false }));
    expect(plain.subIndication).toBe('KEY_USAGE_FAILURE');
  });
});
