/** Certificates the refusal tests need beside the demo's: another SIREN, a revoked one, an expired one. */
import crypto from 'node:crypto';
import { nameInEncodingOrder } from '../../../asn1/index.ts';
import { loadCaIssuer } from '../../../certs/ca.ts';
import { issueCertificate } from '../../../certs/issue.ts';
import { POLICY_OIDS } from '../../../certs/policies.ts';
import { revokeCertificate } from '../../../certs/revocation/revoke.ts';
import { softwareSigner } from '../../../certs/signers.ts';
import { pkiStore } from '../../../db/repositories/pki.ts';
import { x509 } from '../../certs/validation/fixtures.ts';
import type { Signer } from '../../../certs/types.ts';
import type { Sql } from '../../../db/connect.ts';

export interface Person {
  name: string;
  organisation: string;
  siren: string;
}

/** A fresh RGS * software certificate issued by the engine's CA, and its serial. */
export async function issuePerson(sql: Sql, dataDir: string, who: Person): Promise<{ signer: Signer; serial: string }> {
  const issued = await issueCertificate(pkiStore(sql), {
    profile: 'person-rgs1',
    subject: who,
    key: { store: 'software', type: 'ec256' },
    registration: { identityCheck: 'remote', operator: 'tests' },
    secret: { dataDir },
  });
  return { signer: softwareSigner(issued.privateKey!, issued.certificate, issued.chain), serial: issued.serial };
}

export async function revoke(sql: Sql, serial: string): Promise<void> {
  await revokeCertificate(pkiStore(sql), { caName: 'rgs1', serialHex: serial, reason: 'keyCompromise', operator: 'tests' });
}

/**
 * An RGS * certificate signed by the engine's CA whose validity ended yesterday.
 * Made by hand: the engine's issuer refuses a past validity, as it should.
 */
export async function expiredPerson(sql: Sql, dataDir: string, who: Person): Promise<Signer> {
  const issuer = await loadCaIssuer(pkiStore(sql), 'rgs1', { dataDir });
  const caKey = await crypto.webcrypto.subtle.importKey('pkcs8', issuer.privateKey!.export({ format: 'der', type: 'pkcs8' }), { name: 'ECDSA', namedCurve: 'P-256' }, false, [
    'sign',
  ]);
  const keys = (await crypto.webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: `1${crypto.randomBytes(8).toString('hex')}`,
    subject: `C=FR, O=${who.organisation}, OU=0002 ${who.siren}, CN=${who.name}`,
    issuer: nameInEncodingOrder(issuer.certificate!.subjectName),
    notBefore: new Date(Date.now() - 2 * 86_400_000),
    notAfter: new Date(Date.now() - 86_400_000),
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    publicKey: keys.publicKey,
    signingKey: caKey as CryptoKey,
    extensions: [new x509.KeyUsagesExtension(x509.KeyUsageFlags.nonRepudiation, true), new x509.CertificatePolicyExtension([POLICY_OIDS.rgs1])],
  });
  const chain = [issuer.certificate!.der, ...issuer.chain];
  return softwareSigner(crypto.KeyObject.from(keys.privateKey), new Uint8Array(cert.rawData), chain);
}
