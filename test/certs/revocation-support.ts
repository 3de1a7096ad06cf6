import fs from 'node:fs';
import path from 'node:path';
import type { Sql } from '../../db/connect.ts';
import { initPki, loadCaIssuer } from '../../certs/ca.ts';
import { buildCertificate } from '../../certs/build.ts';
import { pkiStore } from '../../db/repositories/pki.ts';
import { getProfile, type CaName } from '../../certs/profiles.ts';
import { generateSoftwareKey, spkiDer } from '../../certs/keys.ts';
import { holderName } from '../../certs/subject.ts';
import { derToPem, nameInEncodingOrder } from '../../asn1/index.ts';

export const TEST_SECRET = 'test-secret-for-the-revocation-suite';

/** The engine's own hierarchy (EC keys: fast), as `passeport pki init` creates it. */
export async function initTestPki(sql: Sql): Promise<void> {
  await initPki(pkiStore(sql), { secret: TEST_SECRET, caKeyType: 'ec256', publicBaseUrl: 'http://127.0.0.1:3000' });
}

/** Issues an authentication certificate under `caName` and records it, as issuance does. */
export async function issueTestCertificate(sql: Sql, caName: CaName, commonName: string): Promise<{ serial: string; der: Uint8Array }> {
  const issuer = await loadCaIssuer(pkiStore(sql), caName, { secret: TEST_SECRET });
  const keys = await generateSoftwareKey('ec256');
  const profile = getProfile('authentication');
  const cert = await buildCertificate({
    profile: { ...profile, issuer: caName },
    subject: holderName({ commonName, organisation: 'Atelier Test', siren: '732829320' }),
    publicKey: spkiDer(keys.publicKey),
    issuer,
    publicBaseUrl: 'http://127.0.0.1:3000',
  });
  const der = cert.der;
  const serial = cert.serialNumber;
  await pkiStore(sql).insertIssued({
    serial,
    caName,
    subject: nameInEncodingOrder(cert.subjectName),
    profile: profile.name,
    level: null,
    keyType: 'ec256',
    keyLocation: 'external',
    siren: '732829320',
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    der,
  });
  return { serial, der };
}

export function writePem(dir: string, name: string, ...ders: Uint8Array[]): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, ders.map((d) => derToPem(d)).join(''));
  return file;
}
