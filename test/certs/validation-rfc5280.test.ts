/**
 * RFC 5280 §6 beyond what NIST PKITS exercises: IP and URI name constraints, the policy
 * inputs and the RGS level drawn from the valid policies, serials compared as integers
 * in OCSP, malformed constraint extensions, and a policy graph that cannot explode.
 * openssl judges beside validatePath where it has the same check.
 */
import { webcrypto } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import { beforeAll, describe, expect, it } from 'vitest';
import { ctx, ctxPrimitive, ecdsaRawToDer, oid, seq } from '../../asn1/index.ts';
import { POLICY_OIDS } from '../../certs/policies.ts';
import { validatePath, type PathValidationInput } from '../../certs/validation/index.ts';
import { crl, ecKeys, issue, opensslVerify, x509, type Issued } from './validation/fixtures.ts';
import { buildOcspResponse } from './validation/ocsp-builder.ts';

const NAME_CONSTRAINTS = '2.5.29.30';
const SUBJECT_ALT_NAME = '2.5.29.17';
const POLICY_MAPPINGS = '2.5.29.33';
const POLICY_CONSTRAINTS = '2.5.29.36';
const ANY_POLICY = '2.5.29.32.0';
const FOREIGN_RGS3 = '1.2.250.1.999.3';

let keys: CryptoKeyPair[];
let root: Issued;
let rootCrl: Uint8Array;

beforeAll(async () => {
  keys = await Promise.all(Array.from({ length: 6 }, () => ecKeys()));
  root = await issue({ subject: 'CN=Racine RFC 5280, C=FR', keys: keys[0]!, ca: true });
  rootCrl = await crl(root);
});

/** A CA under the root with extra extensions, its CRL, and a validation input for a leaf under it. */
async function caWith(
  name: string,
  extra: x509.Extension[],
  policies?: string[],
): Promise<{ ca: Issued; input: (leaf: Issued, over?: Partial<PathValidationInput>) => Promise<PathValidationInput> }> {
  const ca = await issue({ subject: `CN=${name}, C=FR`, keys: keys[1]!, issuer: root, ca: true, extra, ...(policies ? { policies } : {}) });
  const caCrl = await crl(ca);
  return {
    ca,
    input: async (leaf, over = {}) => ({
      certificate: leaf.der,
      intermediates: [ca.der],
      trustAnchors: [root.der],
      crls: [caCrl, rootCrl],
      time: new Date(),
      purpose: 'any',
      ...over,
    }),
  };
}

const subtrees = (permitted: Uint8Array[], excluded: Uint8Array[] = []): Uint8Array =>
  seq(...(permitted.length ? [ctx(0, ...permitted.map((base) => seq(base)))] : []), ...(excluded.length ? [ctx(1, ...excluded.map((base) => seq(base)))] : []));
const ip = (...octets: number[]): Uint8Array => ctxPrimitive(7, Uint8Array.from(octets));
const uri = (text: string): Uint8Array => ctxPrimitive(6, Buffer.from(text, 'latin1'));
const extension = (id: string, critical: boolean, der: Uint8Array): x509.Extension => new x509.Extension(id, critical, new Uint8Array(der));
const altNames = (...names: Uint8Array[]): x509.Extension => extension(SUBJECT_ALT_NAME, false, seq(...names));

describe('name constraints beyond PKITS', () => {
  it('IP address subtrees: inside the permitted network passes, outside or in an excluded one fails, and openssl agrees', async () => {
    const { ca, input } = await caWith('AC Reseau', [extension(NAME_CONSTRAINTS, true, subtrees([ip(10, 0, 0, 0, 255, 0, 0, 0)], [ip(10, 9, 0, 0, 255, 255, 0, 0)]))]);
    const leafAt = (...octets: number[]) => issue({ subject: `CN=Serveur ${octets.join('.')}, C=FR`, keys: keys[2]!, issuer: ca, extra: [altNames(ip(...octets))] });
    const inside = await leafAt(10, 1, 2, 3);
    const outside = await leafAt(192, 168, 1, 1);
    const excluded = await leafAt(10, 9, 8, 7);
    expect((await validatePath(await input(inside))).indication).toBe('PASSED');
    for (const leaf of [outside, excluded]) {
      const result = await validatePath(await input(leaf));
      expect(result.subIndication).toBe('CHAIN_CONSTRAINTS_FAILURE');
      expect(result.reasons[0]).toContain(`« CN=AC Reseau, C=FR »`);
      expect(opensslVerify({ leaf, anchors: [root], untrusted: [ca] }).output).toMatch(/(permitted|excluded) subtree violation/);
    }
    expect(opensslVerify({ leaf: inside, anchors: [root], untrusted: [ca] }).ok).toBe(true);
  });

  it('an IPv6 address is not admitted by an IPv4 subtree', async () => {
    const { ca, input } = await caWith('AC IPv4', [extension(NAME_CONSTRAINTS, true, subtrees([ip(10, 0, 0, 0, 255, 0, 0, 0)]))]);
    const v6 = await issue({ subject: 'CN=Serveur IPv6, C=FR', keys: keys[2]!, issuer: ca, extra: [altNames(ip(...new Array<number>(15).fill(0), 1))] });
    expect((await validatePath(await input(v6))).subIndication).toBe('CHAIN_CONSTRAINTS_FAILURE');
  });

  it('URI subtrees constrain the host; a URI without one (urn:) cannot be admitted', async () => {
    const { ca, input } = await caWith('AC Web', [extension(NAME_CONSTRAINTS, true, subtrees([ctxPrimitive(6, Buffer.from('.exemple.fr'))]))]);
    const below = await issue({ subject: 'CN=Service, C=FR', keys: keys[2]!, issuer: ca, extra: [altNames(uri('https://api.exemple.fr:8443/v1'))] });
    const apex = await issue({ subject: 'CN=Apex, C=FR', keys: keys[2]!, issuer: ca, extra: [altNames(uri('https://exemple.fr/'))] });
    const urn = await issue({ subject: 'CN=Urn, C=FR', keys: keys[2]!, issuer: ca, extra: [altNames(uri('urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66'))] });
    expect((await validatePath(await input(below))).indication).toBe('PASSED');
    // « .exemple.fr » admits the hosts below the domain, not the domain itself (RFC 5280 §4.2.1.10).
    expect((await validatePath(await input(apex))).subIndication).toBe('CHAIN_CONSTRAINTS_FAILURE');
    expect((await validatePath(await input(urn))).subIndication).toBe('CHAIN_CONSTRAINTS_FAILURE');
  });

  it('a name form the validator cannot compare (otherName) is refused when that form is constrained', async () => {
    const otherName = (value: string) => ctx(0, oid('1.3.6.1.4.1.311.20.2.3'), ctx(0, Buffer.from([0x0c, value.length, ...Buffer.from(value)])));
    const { ca, input } = await caWith('AC UPN', [extension(NAME_CONSTRAINTS, true, subtrees([otherName('a@exemple.fr')]))]);
    const leaf = await issue({ subject: 'CN=Poste, C=FR', keys: keys[2]!, issuer: ca, extra: [altNames(otherName('a@exemple.fr'))] });
    expect((await validatePath(await input(leaf))).subIndication).toBe('CHAIN_CONSTRAINTS_FAILURE');
  });

  it('a malformed nameConstraints extension → FORMAT_FAILURE naming the certificate, never a crash', async () => {
    const { ca, input } = await caWith('AC Illisible', [extension(NAME_CONSTRAINTS, true, Uint8Array.of(0x30, 0x03, 0x80, 0x01, 0x00))]);
    const leaf = await issue({ subject: 'CN=Sous AC Illisible, C=FR', keys: keys[2]!, issuer: ca });
    const result = await validatePath(await input(leaf));
    expect(result.subIndication).toBe('FORMAT_FAILURE');
    expect(result.reasons[0]).toContain('« CN=AC Illisible, C=FR » : extension illisible');
  });
});

describe('certificate policies: the RFC 5280 inputs and the RGS level', () => {
  it('the level comes from the policies valid for the path: a CA that allows only RGS * caps a leaf that also claims RGS ***', async () => {
    const { ca, input } = await caWith('AC Niveau Un', [], [POLICY_OIDS.rgs1]);
    const leaf = await issue({ subject: 'CN=Deux Niveaux, C=FR', keys: keys[2]!, issuer: ca, policies: [POLICY_OIDS.rgs1, POLICY_OIDS.rgs3] });
    const result = await validatePath(await input(leaf));
    expect(result.indication).toBe('PASSED');
    expect(result.policies).toEqual([POLICY_OIDS.rgs1, POLICY_OIDS.rgs3]);
    expect(result.validPolicies).toEqual([POLICY_OIDS.rgs1]);
    expect(result.rgsLevel).toBe(1);
    const required = await validatePath(await input(leaf, { requiredRgsLevel: 3 }));
    expect(required.subIndication).toBe('RGS_LEVEL_TOO_LOW');
    // openssl agrees that RGS *** is not valid for this path, RGS * is.
    expect(opensslVerify({ leaf, anchors: [root], untrusted: [ca], policy: POLICY_OIDS.rgs3 }).ok).toBe(false);
    expect(opensslVerify({ leaf, anchors: [root], untrusted: [ca], policy: POLICY_OIDS.rgs1 }).ok).toBe(true);
  });

  it('a policy mapping carries the level: a foreign OID mapped from RGS *** counts as RGS ***, unless mappings are inhibited', async () => {
    const mapping = extension(POLICY_MAPPINGS, false, seq(seq(oid(POLICY_OIDS.rgs3), oid(FOREIGN_RGS3))));
    const { ca, input } = await caWith('AC Passerelle', [mapping], [POLICY_OIDS.rgs3]);
    const leaf = await issue({ subject: 'CN=Domaine Etranger, C=FR', keys: keys[2]!, issuer: ca, policies: [FOREIGN_RGS3] });
    const mapped = await validatePath(await input(leaf, { requiredRgsLevel: 3 }));
    expect(mapped.indication).toBe('PASSED');
    expect(mapped.validPolicies).toEqual([POLICY_OIDS.rgs3]);
    expect(mapped.rgsLevel).toBe(3);
    const inhibited = await validatePath(await input(leaf, { requiredRgsLevel: 3, initialPolicyMappingInhibit: true }));
    expect(inhibited.subIndication).toBe('POLICY_PROCESSING_ERROR');
    expect(inhibited.rgsLevel).toBeNull();
  });

  it('the initial policy set and explicit policy: the leaf must be valid for an accepted policy, as openssl -policy -explicit_policy says', async () => {
    const { ca, input } = await caWith('AC Politiques', [], [ANY_POLICY]);
    const leaf = await issue({ subject: 'CN=Politique Deux, C=FR', keys: keys[2]!, issuer: ca, policies: [POLICY_OIDS.rgs2] });
    expect((await validatePath(await input(leaf, { initialPolicySet: [POLICY_OIDS.rgs2], initialExplicitPolicy: true }))).validPolicies).toEqual([POLICY_OIDS.rgs2]);
    const refused = await validatePath(await input(leaf, { initialPolicySet: [POLICY_OIDS.rgs3], initialExplicitPolicy: true }));
    expect(refused.subIndication).toBe('CHAIN_CONSTRAINTS_FAILURE');
    expect(refused.reasons[0]).toContain('politique de certification explicite est exigée');
    // Without explicit policy the path stays valid; no accepted policy is valid for it.
    const lenient = await validatePath(await input(leaf, { initialPolicySet: [POLICY_OIDS.rgs3] }));
    expect(lenient.indication).toBe('PASSED');
    expect(lenient.validPolicies).toEqual([]);
    expect(opensslVerify({ leaf, anchors: [root], untrusted: [ca], policy: POLICY_OIDS.rgs2 }).ok).toBe(true);
    expect(opensslVerify({ leaf, anchors: [root], untrusted: [ca], policy: POLICY_OIDS.rgs3 }).ok).toBe(false);
  });

  it('anyPolicy in a CA stands for nothing under initialAnyPolicyInhibit', async () => {
    const { ca, input } = await caWith('AC Toute Politique', [], [ANY_POLICY]);
    const leaf = await issue({ subject: 'CN=Sous Toute Politique, C=FR', keys: keys[2]!, issuer: ca, policies: [POLICY_OIDS.rgs2] });
    expect((await validatePath(await input(leaf, { initialExplicitPolicy: true }))).indication).toBe('PASSED');
    expect((await validatePath(await input(leaf, { initialExplicitPolicy: true, initialAnyPolicyInhibit: true }))).subIndication).toBe('CHAIN_CONSTRAINTS_FAILURE');
  });

  it('a CA without certificatePolicies empties the RFC tree (explicit policy then fails) but the level keeps the leaf’s policy', async () => {
    const { ca, input } = await caWith('AC Sans Politique', []);
    const leaf = await issue({ subject: 'CN=Niveau Deux, C=FR', keys: keys[2]!, issuer: ca, policies: [POLICY_OIDS.rgs2] });
    const result = await validatePath(await input(leaf, { requiredRgsLevel: 2 }));
    expect(result.indication).toBe('PASSED');
    expect(result.validPolicies).toEqual([]);
    expect(result.rgsLevel).toBe(2);
    expect((await validatePath(await input(leaf, { initialExplicitPolicy: true }))).subIndication).toBe('CHAIN_CONSTRAINTS_FAILURE');
  });

  it('requireExplicitPolicy in a CA makes the policy check mandatory below it', async () => {
    const constraints = extension(POLICY_CONSTRAINTS, true, seq(ctxPrimitive(0, Uint8Array.of(0))));
    const { ca, input } = await caWith('AC Explicite', [constraints], [POLICY_OIDS.rgs1]);
    const other = await issue({ subject: 'CN=Autre Politique, C=FR', keys: keys[2]!, issuer: ca, policies: [POLICY_OIDS.rgs2] });
    const same = await issue({ subject: 'CN=Meme Politique, C=FR', keys: keys[2]!, issuer: ca, policies: [POLICY_OIDS.rgs1] });
    expect((await validatePath(await input(other))).subIndication).toBe('CHAIN_CONSTRAINTS_FAILURE');
    expect((await validatePath(await input(same))).indication).toBe('PASSED');
  });

  it('many policies mapped to each other at every level: the graph stays small and the validation ends', async () => {
    const policies = Array.from({ length: 40 }, (_, i) => `1.2.250.1.999.7.${i}`);
    const mappings = extension(POLICY_MAPPINGS, false, seq(...policies.flatMap((a) => policies.map((b) => seq(oid(a), oid(b))))));
    let issuer = root;
    const chain: Issued[] = [];
    for (let i = 0; i < 4; i++) {
      issuer = await issue({ subject: `CN=AC Ramifiee ${i}, C=FR`, keys: keys[1]!, issuer, ca: true, policies, extra: [mappings] });
      chain.push(issuer);
    }
    const leaf = await issue({ subject: 'CN=Feuille Ramifiee, C=FR', keys: keys[2]!, issuer, policies });
    const started = Date.now();
    const result = await validatePath({
      certificate: leaf.der,
      intermediates: chain.map((c) => c.der),
      trustAnchors: [root.der],
      time: new Date(),
      revocationRequired: false,
      initialExplicitPolicy: true,
    });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.indication).toBe('PASSED');
    expect(result.validPolicies).toHaveLength(40);
  });
});

describe('candidate paths', () => {
  it('a chain whose root is neither given nor trusted is NO_CERTIFICATE_CHAIN_FOUND (INDETERMINATE), naming the missing issuer', async () => {
    const ca = await issue({ subject: 'CN=AC Orpheline, C=FR', keys: keys[1]!, issuer: root, ca: true });
    const leaf = await issue({ subject: 'CN=Signataire Sans Racine, C=FR', keys: keys[2]!, issuer: ca });
    const otherRoot = await issue({ subject: 'CN=Autre Racine, C=FR', keys: keys[3]!, ca: true });
    const result = await validatePath({ certificate: leaf.der, intermediates: [ca.der], trustAnchors: [otherRoot.der], crls: [await crl(ca)], time: new Date() });
    expect(result.indication).toBe('INDETERMINATE');
    expect(result.subIndication).toBe('NO_CERTIFICATE_CHAIN_FOUND');
    expect(result.reasons[0]).toContain("l'émetteur « CN=Racine RFC 5280, C=FR » du certificat « CN=AC Orpheline, C=FR »");
  });

  it('a CA certified twice, one certificate revoked: the path through the other one is valid', async () => {
    const revokedCopy = await issue({ subject: 'CN=AC Deux Fois, C=FR', keys: keys[1]!, issuer: root, ca: true });
    const validCopy = await issue({ subject: 'CN=AC Deux Fois, C=FR', keys: keys[1]!, issuer: root, ca: true });
    const leaf = await issue({ subject: 'CN=Sous AC Deux Fois, C=FR', keys: keys[2]!, issuer: validCopy });
    const rootList = await crl(root, { entries: [{ serial: revokedCopy.cert.serialNumber, date: new Date(Date.now() - 86_400_000) }] });
    const result = await validatePath({
      certificate: leaf.der,
      intermediates: [revokedCopy.der, validCopy.der],
      trustAnchors: [root.der],
      crls: [await crl(validCopy), rootList],
      time: new Date(),
      revocationRequiredForCAs: true,
    });
    expect(result.indication).toBe('PASSED');
    expect(Buffer.from(result.path[1]!).equals(Buffer.from(validCopy.der))).toBe(true);
    // With only the revoked certificate, the CA is revoked.
    const only = await validatePath({
      certificate: leaf.der,
      intermediates: [revokedCopy.der],
      trustAnchors: [root.der],
      crls: [await crl(validCopy), rootList],
      time: new Date(),
    });
    expect(only.subIndication).toBe('REVOKED');
  });
});

describe('serials compared as integers', () => {
  /** The same certificate with another serial content (255 is 00 FF, −1 is FF), signed again by its issuer. */
  async function withSerial(cert: Issued, issuer: Issued, serial: number[]): Promise<Issued> {
    const parsed = AsnConvert.parse(cert.der, Certificate);
    parsed.tbsCertificate.serialNumber = Uint8Array.from(serial).buffer;
    const tbs = AsnConvert.serialize(parsed.tbsCertificate);
    const raw = await webcrypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, issuer.keys.privateKey, tbs);
    parsed.signatureValue = new Uint8Array(ecdsaRawToDer(new Uint8Array(raw))).buffer;
    return { ...cert, der: new Uint8Array(AsnConvert.serialize(parsed)) };
  }

  it('an OCSP response revoking serial −1 (FF) says nothing about serial 255 (00 FF)', async () => {
    const ca = await issue({ subject: 'CN=AC Series, C=FR', keys: keys[1]!, issuer: root, ca: true });
    const template = await issue({ subject: 'CN=Numero, C=FR', keys: keys[2]!, issuer: ca });
    const positive = await withSerial(template, ca, [0x00, 0xff]);
    const negative = await withSerial(template, ca, [0xff]);
    const ocsp = await buildOcspResponse({ issuer: ca, signer: ca, entries: [{ cert: negative, status: 'revoked', revokedAt: new Date(Date.now() - 86_400_000) }] });
    const input = (leaf: Issued): PathValidationInput => ({
      certificate: leaf.der,
      intermediates: [ca.der],
      trustAnchors: [root.der],
      crls: [rootCrl],
      ocspResponses: [ocsp],
      time: new Date(),
      purpose: 'any',
    });
    expect((await validatePath(input(negative))).subIndication).toBe('REVOKED');
    const result = await validatePath(input(positive));
    expect(result.subIndication).toBe('TRY_LATER');
    expect(result.revocation.status).toBe('unknown');
  });
});
