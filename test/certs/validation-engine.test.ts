/**
 * The engine's own PKI, judged by chain validation: certificates built from the real
 * profiles (certs/build.ts), CRLs from the real encoder, the real OCSP responder and TSA.
 * No database: the CAs live in memory for the test.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCertificate, type CertificateIssuer } from '../../certs/build.ts';
import { generateSoftwareKey, spkiDer } from '../../certs/keys.ts';
import { POLICY_OIDS } from '../../certs/policies.ts';
import { CA_COMMON_NAMES, getProfile, type CaName } from '../../certs/profiles.ts';
import { encodeCrl } from '../../certs/revocation/crl.ts';
import type { IssuingCa } from '../../certs/revocation/issuing-ca.ts';
import { createOcspResponder, type CertificateStatus } from '../../certs/revocation/ocsp.ts';
import type { Revocation } from '../../certs/stores.ts';
import { softwareSigner } from '../../certs/signers.ts';
import { engineName, holderName } from '../../certs/subject.ts';
import { createTimestampAuthority } from '../../certs/tsa/authority.ts';
import { validatePath, verifyTimestampToken, type PathValidationInput } from '../../certs/validation/index.ts';
import { opensslVerify, openssl, tempDir } from './validation/fixtures.ts';

const BASE = 'http://127.0.0.1:9';

interface Made {
  der: Uint8Array;
  privateKey: crypto.KeyObject;
  issuer: CertificateIssuer;
  ca: IssuingCa;
}

async function make(profile: string, subject: ReturnType<typeof engineName>, parent: Made | null, caName: CaName): Promise<Made> {
  const keys = await generateSoftwareKey('ec256');
  const issuer: CertificateIssuer = parent?.issuer ?? { caName, certificate: null, privateKey: keys.privateKey, keyType: 'ec256' };
  const cert = await buildCertificate({ profile: getProfile(profile), subject, publicKey: spkiDer(keys.publicKey), issuer, publicBaseUrl: BASE });
  const der = cert.der;
  return {
    der,
    privateKey: keys.privateKey,
    issuer: { caName, certificate: cert, privateKey: keys.privateKey, keyType: 'ec256' },
    ca: { name: caName, certificate: der, signer: softwareSigner(keys.privateKey, der) },
  };
}

let root: Made;
let rgs3: Made;
let tsaCa: Made;
let person: Made;
let authentication: Made;
let tsaUnit: Made;
let dir: string;
const revocations: Revocation[] = [];

async function crlOf(ca: Made, list: Revocation[] = []): Promise<Uint8Array> {
  const now = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
  return new Uint8Array(await encodeCrl(ca.ca, { crlNumber: 1n, thisUpdate: now, nextUpdate: new Date(now.getTime() + 86_400_000), revocations: list }));
}

const base = (over: Partial<PathValidationInput> = {}): PathValidationInput => ({
  certificate: person.der,
  intermediates: [rgs3.der],
  trustAnchors: [root.der],
  time: new Date(),
  purpose: 'signature',
  requiredRgsLevel: 3,
  ...over,
});

beforeAll(async () => {
  dir = tempDir();
  root = await make('root-ca', engineName(CA_COMMON_NAMES.root), null, 'root');
  rgs3 = await make('ca-rgs3', engineName(CA_COMMON_NAMES.rgs3), root, 'rgs3');
  tsaCa = await make('ca-tsa', engineName(CA_COMMON_NAMES.tsa), root, 'tsa');
  person = await make('person-rgs3', holderName({ commonName: 'Camille Martin', organisation: 'Atelier Martin', siren: '732829320' }), rgs3, 'rgs3');
  authentication = await make('authentication', holderName({ commonName: 'Camille Martin', organisation: 'Atelier Martin', siren: '732829320' }), rgs3, 'rgs3');
  tsaUnit = await make('tsa', engineName('Passeport Horodatage'), tsaCa, 'tsa');
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the engine PKI under chain validation', () => {
  it('an RGS *** person certificate with the engine CRLs passes at level 3, and openssl -policy agrees', async () => {
    const crls = [await crlOf(rgs3), await crlOf(root)];
    const result = await validatePath(base({ crls }));
    expect(result.reasons).toEqual([]);
    expect(result.indication).toBe('PASSED');
    expect(result.rgsLevel).toBe(3);
    expect(result.policies).toContain(POLICY_OIDS.rgs3);
    expect(opensslVerify({ leaf: person.der, anchors: [root.der], untrusted: [rgs3.der], crls, crlCheckAll: true, policy: POLICY_OIDS.rgs3 }).ok).toBe(true);
  });

  it('revoked in the engine CRL → REVOKED with the date and reason', async () => {
    const serial = new crypto.X509Certificate(person.der).serialNumber.toLowerCase();
    const revokedAt = new Date(Math.floor(Date.now() / 1000) * 1000 - 3_600_000);
    revocations.push({ caName: 'rgs3', serialHex: serial, reason: 'keyCompromise', revokedAt, invalidityDate: null, operator: 'test' });
    const result = await validatePath(base({ crls: [await crlOf(rgs3, revocations), await crlOf(root)] }));
    expect(result.subIndication).toBe('REVOKED');
    expect(result.revocation).toMatchObject({ status: 'revoked', source: 'crl', reason: 'keyCompromise' });
    expect(result.revocation.revokedAt?.toISOString()).toBe(revokedAt.toISOString());
    revocations.length = 0;
  });

  it('the engine OCSP responder, reached through the AIA URL of the profile, answers good then revoked', async () => {
    let status: CertificateStatus = { status: 'good' };
    const responder = createOcspResponder({ authorities: [{ ca: rgs3.ca }], status: async () => status });
    const fetchRevocation = async (url: string, kind: 'crl' | 'ocsp', request?: Uint8Array) =>
      kind === 'ocsp' && url.startsWith(BASE) ? new Uint8Array(await responder.respond(request!)) : null;
    const good = await validatePath(base({ crls: [await crlOf(root)], fetchRevocation }));
    expect(good.reasons).toEqual([]);
    expect(good.indication).toBe('PASSED');
    expect(good.revocation.source).toBe('ocsp');
    expect(good.usedOcsp).toHaveLength(1);
    const revokedAt = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
    status = { status: 'revoked', revokedAt, reason: 'cessationOfOperation' };
    const revoked = await validatePath(base({ crls: [await crlOf(root)], fetchRevocation }));
    expect(revoked.subIndication).toBe('REVOKED');
    expect(revoked.revocation).toMatchObject({ source: 'ocsp', reason: 'cessationOfOperation' });
  });

  it('an authentication certificate cannot sign: KEY_USAGE_FAILURE, and its policy has no RGS level', async () => {
    const crls = [await crlOf(rgs3), await crlOf(root)];
    const result = await validatePath(base({ certificate: authentication.der, crls, requiredRgsLevel: undefined }));
    expect(result.subIndication).toBe('KEY_USAGE_FAILURE');
    expect(result.rgsLevel).toBeNull();
  });

  it('a token from the engine TSA verifies with its chain', async () => {
    let serial = 100n;
    const authority = createTimestampAuthority({ signer: softwareSigner(tsaUnit.privateKey, tsaUnit.der, [tsaCa.der]), serials: { next: async () => serial++ } });
    const data = new TextEncoder().encode('contrat scellé');
    fs.writeFileSync(path.join(dir, 'data.bin'), data);
    openssl(['ts', '-query', '-data', 'data.bin', '-sha512', '-cert', '-out', 'q.tsq'], dir);
    const response = new Uint8Array(await authority.respond(new Uint8Array(fs.readFileSync(path.join(dir, 'q.tsq')))));
    const result = await verifyTimestampToken(response, { data, trustAnchors: [root.der], crls: [await crlOf(tsaCa), await crlOf(root)] });
    expect(result.reasons).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.serialNumber).toBe('64');
    expect(result.hashAlgorithm).toBe('SHA-512');
  });
});
