import { constants, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import { RsaSaPssParams } from '@peculiar/asn1-rsa';
import { beforeAll, describe, expect, it } from 'vitest';
import { Asn1Error, parseCertificate, pemOrDerToDer, pemOrDerToDerList, verifySignature } from '../../asn1/index.ts';
import { POLICY_OIDS } from '../../certs/policies.ts';
import { ecKeys, issue, x509, type Issued } from './validation/fixtures.ts';

const SHA = { 'SHA-256': '2.16.840.1.101.3.4.2.1', 'SHA-384': '2.16.840.1.101.3.4.2.2', 'SHA-512': '2.16.840.1.101.3.4.2.3' } as const;
const data = new TextEncoder().encode('données signées');
const spki = (key: KeyObject) => new Uint8Array(key.export({ format: 'der', type: 'spki' }));

/** The one error type of asn1/, with the code callers branch on. */
function expectAsn1Error(run: () => unknown, code: Asn1Error['code']): Asn1Error {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(Asn1Error);
    expect((error as Asn1Error).code).toBe(code);
    return error as Asn1Error;
  }
  throw new Error('aucune erreur levée');
}

let root: Issued;
let leaf: Issued;

beforeAll(async () => {
  const [a, b] = await Promise.all([ecKeys(), ecKeys()]);
  root = await issue({ subject: 'CN=Racine, O=Passeport, C=FR', keys: a, ca: true, pathLen: 1 });
  leaf = await issue({
    subject: 'CN=Camille Martin, O=Atelier Martin, OU=0002 732829320, C=FR',
    keys: b,
    issuer: root,
    policies: [POLICY_OIDS.rgs2],
    eku: ['1.3.6.1.5.5.7.3.4'],
    crlUrl: 'http://127.0.0.1:8080/pki/crl/rgs2.crl',
    ocspUrl: 'http://127.0.0.1:8080/pki/ocsp',
    serial: '00c0ffee01',
    notBefore: new Date('2026-01-01T00:00:00Z'),
    notAfter: new Date('2028-01-01T00:00:00Z'),
  });
});

describe('parseCertificate', () => {
  it('reads names, serial, validity, policies (UUID arcs intact), key usage, identifiers and URLs', () => {
    const c = parseCertificate(leaf.der);
    expect(c.subject).toBe('CN=Camille Martin, O=Atelier Martin, OU=0002 732829320, C=FR');
    expect(c.issuer).toBe('CN=Racine, O=Passeport, C=FR');
    expect(c.serialNumber).toBe('c0ffee01');
    expect(c.notBefore.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(c.notAfter.toISOString()).toBe('2028-01-01T00:00:00.000Z');
    expect(c.policies).toEqual([POLICY_OIDS.rgs2]);
    expect(c.keyUsage).toEqual({ usages: ['digitalSignature', 'nonRepudiation'], critical: true });
    expect(c.extKeyUsage).toEqual({ oids: ['1.3.6.1.5.5.7.3.4'], critical: false });
    expect(c.basicConstraints).toEqual({ ca: false, critical: true });
    expect(c.crlUrls).toEqual(['http://127.0.0.1:8080/pki/crl/rgs2.crl']);
    expect(c.ocspUrls).toEqual(['http://127.0.0.1:8080/pki/ocsp']);
    expect(c.authorityKeyId).toBe(parseCertificate(root.der).subjectKeyId);
    expect(c.subjectKeyId).toMatch(/^[0-9a-f]{40}$/);
    expect(c.version).toBe(3);
    expect(parseCertificate(root.der).basicConstraints).toEqual({ ca: true, pathLen: 1, critical: true });
    expect(parseCertificate(root.der).selfIssued).toBe(true);
  });

  it('refuses malformed input with an Asn1Error MALFORMED, never a crash', () => {
    const cases = [
      new Uint8Array(0),
      Uint8Array.of(0x30),
      leaf.der.subarray(0, leaf.der.length - 1),
      Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00),
      new Uint8Array([...leaf.der, 0]),
    ];
    for (const bytes of cases) expect(expectAsn1Error(() => parseCertificate(bytes), 'MALFORMED').message).toMatch(/^certificat illisible : /);
    expect(() => parseCertificate(Uint8Array.of(0x30, 0x84, 0x7f, 0xff, 0xff, 0xff))).toThrow(/certificat illisible : DER tronqué/);
  });
});

describe('pemOrDerToDer', () => {
  it('accepts DER, one PEM block, or several (with text around them)', () => {
    expect(pemOrDerToDer(leaf.der)).toBe(leaf.der);
    expect(Buffer.from(pemOrDerToDer(leaf.pem)).equals(Buffer.from(leaf.der))).toBe(true);
    const bundle = `Bag Attributes: x\n${leaf.pem}\nsome text\n${root.pem}`;
    const list = pemOrDerToDerList(new TextEncoder().encode(bundle));
    expect(list.map((d) => Buffer.from(d).toString('hex'))).toEqual([leaf.der, root.der].map((d) => Buffer.from(d).toString('hex')));
  });

  it('throws a clear Asn1Error on garbage', () => {
    expect(expectAsn1Error(() => pemOrDerToDer('bonjour'), 'BAD_PEM').message).toMatch(/ni DER ni PEM/);
    expect(expectAsn1Error(() => pemOrDerToDer('-----BEGIN CERTIFICATE-----\n@@@@\n-----END CERTIFICATE-----'), 'BAD_PEM').message).toMatch(/pas du base64 valide/);
    expectAsn1Error(() => pemOrDerToDer('-----BEGIN CERTIFICATE-----\nMAMCAQ==\n-----END CERTIFICATE-----'), 'MALFORMED');
    expect(expectAsn1Error(() => pemOrDerToDer(Uint8Array.of(0x30, 0x05, 0x01)), 'MALFORMED').message).toMatch(/tronqué/);
    expect(expectAsn1Error(() => pemOrDerToDer(Uint8Array.of(0x02, 0x01, 0x01)), 'MALFORMED').message).toMatch(/SEQUENCE attendue/);
    expectAsn1Error(() => pemOrDerToDer(new Uint8Array(0)), 'MALFORMED');
  });
});

describe('verifySignature (native crypto)', () => {
  for (const [curve, hash, oid] of [
    ['P-256', 'SHA-256', '1.2.840.10045.4.3.2'],
    ['P-384', 'SHA-384', '1.2.840.10045.4.3.3'],
    ['P-521', 'SHA-512', '1.2.840.10045.4.3.4'],
  ] as const) {
    it(`ECDSA ${curve} with ${hash}`, () => {
      const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: curve });
      const signature = sign(hash.replace('-', '').toLowerCase(), data, { key: privateKey, dsaEncoding: 'der' });
      expect(verifySignature(spki(publicKey), { oid }, data, signature)).toBe(true);
      expect(verifySignature(publicKey, { oid: '1.2.840.10045.2.1' }, data, signature, hash)).toBe(true);
      expect(verifySignature(spki(publicKey), { oid }, new TextEncoder().encode('autre chose'), signature)).toBe(false);
    });
  }

  it('RSA PKCS#1 v1.5 and RSA-PSS with parameters (hash, MGF1, salt length)', () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pkcs1 = sign('sha384', data, privateKey);
    expect(verifySignature(spki(publicKey), { oid: '1.2.840.113549.1.1.12' }, data, pkcs1)).toBe(true);
    expect(verifySignature(spki(publicKey), { oid: '1.2.840.113549.1.1.1' }, data, pkcs1, 'SHA-384')).toBe(true);
    expect(verifySignature(spki(publicKey), { oid: '1.2.840.113549.1.1.11' }, data, pkcs1)).toBe(false);

    const pssParams = (hash: keyof typeof SHA, mgf: keyof typeof SHA, saltLength: number) =>
      new Uint8Array(
        AsnConvert.serialize(
          new RsaSaPssParams({
            hashAlgorithm: new AlgorithmIdentifier({ algorithm: SHA[hash] }),
            maskGenAlgorithm: new AlgorithmIdentifier({ algorithm: '1.2.840.113549.1.1.8', parameters: AsnConvert.serialize(new AlgorithmIdentifier({ algorithm: SHA[mgf] })) }),
            saltLength,
          }),
        ),
      );
    const pss = sign('sha512', data, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 });
    const alg = { oid: '1.2.840.113549.1.1.10', params: pssParams('SHA-512', 'SHA-512', 64) };
    expect(verifySignature(spki(publicKey), alg, data, pss)).toBe(true);
    expect(verifySignature(spki(publicKey), { ...alg, params: pssParams('SHA-512', 'SHA-512', 32) }, data, pss)).toBe(false);
    expectAsn1Error(() => verifySignature(spki(publicKey), { ...alg, params: pssParams('SHA-512', 'SHA-256', 64) }, data, pss), 'UNSUPPORTED_ALGORITHM');
    expect(() => verifySignature(spki(publicKey), { oid: '1.2.840.113549.1.1.10' }, data, pss)).toThrow(/RSA-PSS sans paramètres/);
    // An EC key cannot verify an RSA signature: false, not an exception.
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    expect(verifySignature(spki(ec), { oid: '1.2.840.113549.1.1.11' }, data, pkcs1)).toBe(false);
  });

  it('refuses unknown algorithms and unreadable keys with a clear error', () => {
    expect(() => verifySignature(spki(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey), { oid: '1.2.3.4' }, data, data)).toThrow(
      /algorithme de signature non pris en charge \(1\.2\.3\.4\)/,
    );
    expect(() => verifySignature(Uint8Array.of(1, 2, 3), { oid: '1.2.840.10045.4.3.2' }, data, data)).toThrow(/clé publique illisible/);
  });

  it('verifies a certificate signature made by @peculiar/x509', () => {
    const c = parseCertificate(leaf.der);
    expect(verifySignature(parseCertificate(root.der).spki, c.signatureAlgorithm, c.tbs, c.signature)).toBe(true);
    expect(x509).toBeDefined();
  });
});
